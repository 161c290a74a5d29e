// The hub console (`/hub#token=…`): a remote room's moderator relays the
// room's counts per open proposition (by stakeholder group, or totals only;
// never more than the attendance), adds the room's speakers to the queue and
// follows their turn with its countdown, and sees results and the chair's
// marks with their notes.
import "../../styles/hub.css";
import { divergingBar } from "../../bars";
import type { Connection } from "../../connection";
import { h, replace, setText, syncList } from "../../dom";
import { markLabel, t } from "../../i18n";
import { openLinkedView, renderSnapshots } from "../../linked-view";
import { latestRound, type Proposition, type Snapshot } from "../../protocol";
import type { Shell } from "../../shell";
import { speakerLine } from "../../speakers";
import { hubAmendments } from "./amend";
import { hubFloor, speakerForm } from "./speakers";
import { tallyForm, type TallyForm } from "./tally";

export function start(): void {
  const view = openLinkedView("view-hub", t("hub_title"));
  if (!view) return;
  renderSnapshots(view, () => mountHub(view.shell, view.connection));
}

function mountHub(shell: Shell, connection: Connection): (s: Snapshot) => void {
  const attendance = h("p", { class: "attendance" });
  const tallies = h("div", { class: "tallies" });
  const noneOpen = h("p", { class: "muted card" }, t("no_open"));
  const current = h("p", { class: "now" });
  const queue = h("ol", { class: "queue-list" });
  const nobodyWaiting = h("p", { class: "muted" }, t("queue_empty"));
  const listClosed = h("p", { class: "list-closed" }, t("list_closed"));
  const results = h("div", { class: "results" });
  const floor = hubFloor(shell, connection);
  const speaker = speakerForm(shell, connection);
  const amendments = hubAmendments(shell, connection);
  replace(
    shell.main,
    attendance,
    floor.el,
    h(
      "section",
      { "aria-labelledby": "h-counts" },
      h("h2", { id: "h-counts" }, t("hub_counts")),
      noneOpen,
      tallies,
    ),
    h(
      "section",
      { class: "card", "aria-labelledby": "h-floor" },
      h("h2", { id: "h-floor" }, t("speaking_now")),
      current,
      h("h3", {}, t("next_speakers")),
      queue,
      nobodyWaiting,
      listClosed,
    ),
    speaker.el,
    amendments.el,
    h("section", { "aria-labelledby": "h-results" }, h("h2", { id: "h-results" }, t("results")), results),
  );
  const forms = new Map<string, TallyForm>();

  return (s) => {
    const self = s.hub;
    shell.setTitle(self ? `${self.name} · ${s.session.title}` : s.session.title);
    setText(attendance, t("hub_attendance", { n: self?.attendance ?? 0 }));
    const open = s.propositions.filter((p) => p.status === "open");
    noneOpen.hidden = open.length > 0;
    syncList(
      tallies,
      open,
      (p) => p.id,
      (p) => tallyForm(p, shell, connection),
      (form, p) => form.update(p, self?.attendance ?? 0, s.session.stakeholder_groups, self?.tallies[p.id]),
      forms,
    );
    replace(current, s.queue.current ? speakerLine(s.queue.current) : t("nobody_speaking"));
    replace(queue, ...s.queue.entries.slice(0, 5).map((e) => h("li", {}, speakerLine(e))));
    queue.hidden = s.queue.entries.length === 0;
    nobodyWaiting.hidden = s.queue.entries.length > 0;
    listClosed.hidden = !s.queue.closed;
    floor.update(s);
    speaker.update(s);
    amendments.update(s);
    const told = s.propositions.filter((p) => latestRound(p)?.counts || isMarked(p));
    replace(results, ...told.map(resultCard));
    if (told.length === 0) replace(results, h("p", { class: "muted" }, t("results_hidden")));
  };
}

function isMarked(p: Proposition): boolean {
  return Boolean(p.mark && p.mark.status !== "unmarked");
}

/** A revealed result and the chair's outcome, to tell the room. */
function resultCard(p: Proposition): HTMLElement {
  const round = latestRound(p);
  const bar = divergingBar();
  if (round?.counts) bar.update(round.counts);
  const mark = isMarked(p) ? p.mark : null;
  return h(
    "article",
    { class: "card result", "data-proposition": p.id },
    h("h3", { class: "prop-text", dir: "auto" }, p.text),
    mark
      ? h(
          "div",
          { class: "outcome" },
          h("span", { class: `badge mark-${mark.status}`, "data-mark": mark.status }, markLabel(mark.status)),
          mark.note ? h("p", { class: "mark-note", dir: "auto" }, mark.note) : "",
        )
      : "",
    round?.counts ? h("p", { class: "meta" }, t("ratings_n", { n: round.total ?? 0 })) : "",
    round?.counts ? bar.el : "",
  );
}

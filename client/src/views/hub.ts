// The hub console (`/hub#token=…`): a remote room's moderator relays the
// room's counts per open proposition (never more than the attendance), adds
// the room's speakers to the queue, and sees the floor and revealed results.
import "../styles/hub.css";
import { divergingBar } from "../bars";
import type { Connection } from "../connection";
import { h, replace, setText, syncList, uid } from "../dom";
import { groupLabel, intentLabel, scaleLabel, t } from "../i18n";
import { openLinkedView, renderSnapshots } from "../linked-view";
import {
  INTENTS,
  SCALE,
  latestRound,
  sumCounts,
  type Counts,
  type Intent,
  type Proposition,
  type ScaleKey,
  type Snapshot,
} from "../protocol";
import type { Shell } from "../shell";
import { speakerLine } from "../speakers";

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
  const results = h("div", { class: "results" });
  const speaker = speakerForm(shell, connection);
  replace(
    shell.main,
    attendance,
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
    ),
    speaker.el,
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
      (form, p) => form.update(p, self?.attendance ?? 0, self?.tallies[p.id]),
      forms,
    );
    replace(current, s.queue.current ? speakerLine(s.queue.current) : t("nobody_speaking"));
    replace(queue, ...s.queue.entries.slice(0, 5).map((e) => h("li", {}, speakerLine(e))));
    queue.hidden = s.queue.entries.length === 0;
    nobodyWaiting.hidden = s.queue.entries.length > 0;
    speaker.update(s);
    const revealed = s.propositions.filter((p) => latestRound(p)?.counts);
    replace(results, ...revealed.map(resultCard));
    if (revealed.length === 0) replace(results, h("p", { class: "muted" }, t("results_hidden")));
  };
}

interface TallyForm {
  el: HTMLElement;
  update(p: Proposition, attendance: number, sent: { round: number; counts: Counts } | undefined): void;
}

function tallyForm(p: Proposition, shell: Shell, connection: Connection): TallyForm {
  let current = p;
  let attendance = 0;
  let filledRound = -1;
  const inputs = new Map<ScaleKey, HTMLInputElement>();
  const fields = SCALE.map((key) => {
    const id = uid(`count-${key}`);
    const input = h("input", {
      id,
      type: "number",
      min: 0,
      step: 1,
      value: 0,
      inputmode: "numeric",
      "data-value": key,
    });
    inputs.set(key, input);
    return h("div", { class: `count-field v-edge-${key}` }, h("label", { for: id }, scaleLabel(key)), input);
  });
  const sum = h("p", { class: "sum", role: "status" });
  const over = h("p", { class: "over", role: "alert", hidden: true });
  const sentNote = h("p", { class: "sent muted" });
  const send = h("button", { type: "submit", class: "primary" }, t("hub_send"));
  const text = h("h3", { class: "prop-text", dir: "auto" }, p.text);
  const form = h(
    "form",
    { class: "card tally", "data-proposition": p.id },
    text,
    h("div", { class: "count-grid" }, ...fields),
    sum,
    over,
    send,
    sentNote,
  );

  const counts = (): Counts => {
    const result = {} as Counts;
    for (const key of SCALE) result[key] = Math.max(0, Math.floor(Number(inputs.get(key)?.value) || 0));
    return result;
  };
  const check = (): void => {
    const total = sumCounts(counts());
    setText(sum, t("hub_sum", { sum: total, attendance }));
    over.hidden = total <= attendance;
    setText(over, t("hub_over", { attendance }));
    send.disabled = total > attendance;
  };
  form.addEventListener("input", check);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    check();
    if (send.disabled) return;
    send.disabled = true;
    const ack = await connection.command(
      "hub:tally",
      { proposition_id: current.id, counts: counts() },
      { retry: true },
    );
    send.disabled = false;
    if (!ack.ok) return shell.showError(ack.error);
    setText(sentNote, t("hub_sent", { n: ack.round }));
  });

  return {
    el: form,
    update(next, nextAttendance, sent) {
      current = next;
      attendance = nextAttendance;
      setText(text, next.text);
      // Fill in what the hub sent for this round once, then leave the fields to the moderator.
      if (filledRound !== next.round) {
        filledRound = next.round;
        const previous = sent && sent.round === next.round ? sent.counts : null;
        for (const key of SCALE) {
          const input = inputs.get(key);
          if (input) input.value = String(previous?.[key] ?? 0);
        }
        setText(sentNote, previous ? t("hub_sent", { n: next.round }) : "");
      }
      check();
    },
  };
}

function speakerForm(shell: Shell, connection: Connection): { el: HTMLElement; update(s: Snapshot): void } {
  const nameId = uid("sp-name");
  const groupId = uid("sp-group");
  const intentId = uid("sp-intent");
  const name = h("input", { id: nameId, required: true, maxlength: 80 });
  const group = h("select", { id: groupId, required: true });
  const intent = h(
    "select",
    { id: intentId },
    ...INTENTS.map((i) => h("option", { value: i, selected: i === "speak" }, intentLabel(i))),
  );
  const done = h("p", { class: "muted", role: "status" });
  const el = h(
    "form",
    { class: "card speaker-form" },
    h("h2", {}, t("hub_speaker")),
    h("div", { class: "field" }, h("label", { for: nameId }, t("speaker_name")), name),
    h("div", { class: "field" }, h("label", { for: groupId }, t("join_group")), group),
    h("div", { class: "field" }, h("label", { for: intentId }, t("hand_intent")), intent),
    h("button", { type: "submit", class: "primary" }, t("add_speaker")),
    done,
  );
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ack = await connection.command(
      "hub:speaker",
      { name: name.value.trim(), stakeholder_group: group.value, intent: intent.value as Intent },
      { retry: true },
    );
    if (!ack.ok) return shell.showError(ack.error);
    name.value = "";
    setText(done, t("speaker_added", { n: ack.position }));
  });
  let groups = "";
  return {
    el,
    update(s) {
      const list = s.session.stakeholder_groups;
      if (list.join("\n") === groups) return;
      groups = list.join("\n");
      replace(group, ...list.map((g) => h("option", { value: g }, groupLabel(g))));
    },
  };
}

function resultCard(p: Proposition): HTMLElement {
  const round = latestRound(p);
  const bar = divergingBar();
  if (round?.counts) bar.update(round.counts);
  return h(
    "article",
    { class: "card result", "data-proposition": p.id },
    h("h3", { class: "prop-text", dir: "auto" }, p.text),
    h("p", { class: "meta" }, t("ratings_n", { n: round?.total ?? 0 })),
    bar.el,
  );
}

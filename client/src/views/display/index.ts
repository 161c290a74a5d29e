// The projector (`/display#token=…`): read from the back of the hall, no
// interaction. What it shows the chair chooses from the console
// (`display:show`): one proposition (by default the one open), or the
// agenda. Beside it the speaker with the countdown and who is next; below,
// how to join.
import "../../styles/display.css";
import { h, replace, setText } from "../../dom";
import { fitText } from "../../fit";
import { isLang, setLanguage, t } from "../../i18n";
import { openLinkedView, renderSnapshots } from "../../linked-view";
import type { Proposition, Snapshot } from "../../protocol";
import { speakerDetails, speakerName } from "../../speakers";
import { countdown } from "../../timer";
import { displayOpinions } from "../display-opinions";
import { agendaList } from "./agenda";
import { focusCard, type FocusCard } from "./focus";

// Every waiting speaker the room should see coming; more are counted, not listed.
const NEXT_SHOWN = 4;

export function start(): void {
  document.documentElement.classList.add("view-display");
  // The projector has no language menu: `?lang=ar` picks its language, and
  // a bare `?lang` shows the menu for whoever sets the projector up.
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked && isLang(asked)) setLanguage(asked);
  const view = openLinkedView("view-display", "Plenary");
  if (!view) return;
  view.shell.header.querySelector(".lang")?.toggleAttribute("hidden", asked !== "");
  renderSnapshots(view, () => {
    const renderDisplay = mountDisplay(view.shell.main);
    return (s) => {
      view.shell.setTitle(s.session.title);
      renderDisplay(s);
    };
  });
}

/** What the projector shows now: one proposition, the agenda, or nothing yet. */
export function shown(s: Snapshot): Proposition | "agenda" | null {
  if (s.propositions.length === 0) return null;
  const id = s.session.display?.shown;
  return s.propositions.find((p) => p.id === id) ?? "agenda";
}

function mountDisplay(main: HTMLElement): (s: Snapshot) => void {
  const stage = h("section", { class: "stage", "aria-label": t("propositions") });
  const empty = h("p", { class: "empty" }, t("no_propositions"));
  const agenda = agendaList();
  const side = sidePanel();
  const opinions = displayOpinions(); // the opinion map, once results are public
  side.el.append(opinions.el);
  const join = joinPanel();
  const participation = h("p", { class: "participation" });
  const head = h("p", { class: "head" });
  const grid = h("div", { class: "display-grid" }, stage, side.el);
  replace(
    main,
    grid,
    h("footer", { class: "foot" }, join.el, h("div", { class: "foot-facts" }, participation, head)),
  );
  let focus: FocusCard | null = null;
  let fitted = "";

  const refit = (force: boolean): void => {
    const size = `${innerWidth}x${innerHeight}`;
    const key = `${stage.textContent ?? ""}|${side.fitKey()}|${size}|${stage.dataset.mode ?? ""}`;
    if (!force && key === fitted) return;
    fitted = key;
    const compact = (on: boolean): void => void grid.classList.toggle("is-compact", on);
    if (focus && stage.contains(focus.el)) {
      focus.el.dataset.fit = fitText(focus.textBox, focus.text, { max: 3.4, floor: 1, last: 0.7, compact });
    } else if (stage.contains(agenda.el)) {
      agenda.el.dataset.fit = fitText(stage, agenda.el, { max: 1.25, floor: 1, last: 0.6, compact });
    }
    // Long names wrap; should the column still overflow, it shrinks as a whole.
    side.el.dataset.fit = fitText(side.el, side.el, { max: 1, floor: 1, last: 0.7 });
  };
  window.addEventListener("resize", () => refit(true));

  return (s) => {
    const what = shown(s);
    stage.dataset.mode = what === null ? "empty" : what === "agenda" ? "agenda" : "proposition";
    if (what === null) {
      replace(stage, empty);
    } else if (what === "agenda") {
      agenda.update(s);
      if (!stage.contains(agenda.el)) replace(stage, agenda.el);
    } else {
      if (!focus || focus.id !== what.id) focus = focusCard(what);
      focus.update(what, s);
      if (!stage.contains(focus.el)) replace(stage, focus.el);
    }
    side.update(s);
    opinions.update(s);
    join.update(s);
    if (s.participation) setText(participation, t("participation", { ...s.participation }));
    // The room witnesses the log head once something is settled.
    const settled = s.propositions.some(
      (p) => p.status === "closed" || (p.mark && p.mark.status !== "unmarked"),
    );
    setText(head, s.head && settled ? t("log_head", { head: s.head }) : "");
    refit(false);
  };
}

function sidePanel(): { el: HTMLElement; update(s: Snapshot): void; fitKey(): string } {
  const speakerEl = h("p", { class: "speaker-big", dir: "auto" });
  const speakerInfo = h("p", { class: "speaker-info" });
  const clock = countdown();
  const nextList = h("ol", { class: "next-list" });
  const more = h("p", { class: "more" });
  const nobodyWaiting = h("p", { class: "empty-queue" }, t("queue_empty"));
  const listClosed = h("p", { class: "list-closed" }, t("list_closed"));
  const el = h(
    "aside",
    { class: "side" },
    h(
      "section",
      { class: "now", "aria-labelledby": "h-now" },
      h("h2", { id: "h-now" }, t("speaking_now")),
      speakerEl,
      speakerInfo,
      clock.el,
    ),
    h(
      "section",
      { class: "next", "aria-labelledby": "h-next" },
      h("h2", { id: "h-next" }, t("next_speakers")),
      nextList,
      more,
      nobodyWaiting,
      listClosed,
    ),
  );
  return {
    el,
    // What can change the column's height (the clock's digits cannot).
    fitKey: () => [speakerEl, speakerInfo, nextList, more, listClosed].map((e) => e.textContent).join("|"),
    update(s) {
      const current = s.queue.current;
      setText(speakerEl, current ? speakerName(current) : t("nobody_speaking"));
      setText(speakerInfo, current ? speakerDetails(current) : "");
      clock.set(s.timer);
      clock.el.hidden = !current && s.timer.remaining === null;
      const next = s.queue.entries.slice(0, NEXT_SHOWN);
      replace(
        nextList,
        ...next.map((e) =>
          h(
            "li",
            {},
            h("span", { class: "speaker-name", dir: "auto" }, speakerName(e)),
            " ",
            h("span", { class: "speaker-details" }, speakerDetails(e)),
          ),
        ),
      );
      const hidden = s.queue.length - next.length;
      setText(more, hidden > 0 ? t("more_waiting", { n: hidden }) : "");
      more.hidden = hidden <= 0;
      nextList.hidden = next.length === 0;
      nobodyWaiting.hidden = next.length > 0;
      listClosed.hidden = !s.queue.closed;
    },
  };
}

function joinPanel(): { el: HTMLElement; update(s: Snapshot): void } {
  const qr = h("img", { class: "qr", alt: t("qr_alt") });
  const code = h("p", { class: "code" });
  const urlBase = h("span", { class: "url-base" });
  const urlCode = h("span", { class: "url-code" });
  const el = h(
    "section",
    { class: "join", "aria-labelledby": "h-join" },
    qr,
    h(
      "div",
      { class: "join-words" },
      h("h2", { id: "h-join" }, t("join_at")),
      h("p", { class: "join-url", dir: "ltr" }, urlBase, urlCode),
      code,
    ),
  );
  return {
    el,
    update(s) {
      const src = `/api/join/${encodeURIComponent(s.session.join_code)}/qr.svg`;
      if (qr.getAttribute("src") !== src) qr.src = src;
      setText(code, s.session.join_code);
      // The code never breaks across lines; the address before it may.
      const url = new URL(s.session.join_url, location.origin).href;
      const cut = url.lastIndexOf("/") + 1;
      setText(urlBase, url.slice(0, cut));
      setText(urlCode, url.slice(cut));
    },
  };
}

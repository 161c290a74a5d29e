// The speaker queue as the chair runs it: who has the floor and for how
// long, call the next speaker, move or remove entries, run the timer. Live
// updates carry the first page of the queue (50 entries) and its length; "show
// more" fetches further pages with `queue:page`, refreshed while shown, so
// every entry can be moved or removed by its id and absolute position.
import { h, replace, setText, uid } from "../../dom";
import { intentLabel, t } from "../../i18n";
import type { QueueEntry, Snapshot } from "../../protocol";
import { speakerLine, speakerName } from "../../speakers";
import { countdown, formatSeconds } from "../../timer";
import type { ConsoleContext } from "./context";
import type { Panel } from "./propositions";

/** How many waiting entries the console's live view and each `queue:page` carry. */
const CONSOLE_PAGE = 50;

export function queuePanel(ctx: ConsoleContext): Panel {
  const current = h("div", { class: "current-speaker" });
  const clock = countdown();
  const next = h("button", { type: "button", class: "primary" }, t("next"));
  // The next speaker's time: empty means the session's time for their intent.
  const nextSecondsId = uid("next-seconds");
  const nextHintId = uid("next-hint");
  const nextSeconds = h("input", {
    id: nextSecondsId,
    type: "number",
    min: 1,
    max: 86400,
    step: 1,
    inputmode: "numeric",
    class: "narrow",
    "aria-describedby": nextHintId,
  });
  const nextHint = h("p", { id: nextHintId, class: "next-time muted", role: "status" });
  next.addEventListener("click", async () => {
    const value = Math.round(Number(nextSeconds.value));
    const ack = await ctx.run("queue:next", value > 0 ? { seconds: value } : {});
    if (ack) nextSeconds.value = "";
  });
  const closeList = h("button", { type: "button", class: "small" });
  let listClosed = false;
  closeList.addEventListener("click", () => void ctx.run("queue:close", { closed: !listClosed }));
  const listState = h("p", { class: "list-state", role: "status" });

  const secondsId = uid("seconds");
  const seconds = h("input", {
    id: secondsId,
    type: "number",
    min: 10,
    max: 3600,
    step: 10,
    value: 180,
    inputmode: "numeric",
  });
  // Start begins afresh with the seconds given; a start without seconds
  // resumes a paused countdown, so pause and resume share one button.
  const start = h("button", { type: "button" }, t("start"));
  start.addEventListener("click", () => {
    const value = Math.round(Number(seconds.value));
    void ctx.run("timer:set", { action: "start", seconds: value > 0 ? value : 180 });
  });
  const pause = h("button", { type: "button" }, t("pause"));
  let running = false;
  pause.addEventListener("click", () => void ctx.run("timer:set", { action: running ? "pause" : "start" }));
  const reset = h("button", { type: "button" }, t("reset"));
  reset.addEventListener("click", () => void ctx.run("timer:set", { action: "reset" }));
  const timer = h(
    "fieldset",
    { class: "timer row" },
    h("legend", {}, t("timer")),
    h("label", { for: secondsId }, t("seconds")),
    seconds,
    start,
    pause,
    reset,
  );

  const list = h("ol", { class: "queue-list" });
  const empty = h("p", { class: "muted" }, t("queue_empty"));
  const showing = h("p", { class: "queue-showing muted", role: "status" });
  const showMore = h("button", { type: "button", class: "small queue-more" }, t("queue_show_more"));
  // Entries beyond the first page, as last fetched, and how many pages are wanted.
  let beyond: QueueEntry[] = [];
  let pagesWanted = 0;
  let fetching = 0; // the latest fetch: an older one's answer is dropped
  const fetchBeyond = async (): Promise<void> => {
    const mine = ++fetching;
    const found: QueueEntry[] = [];
    for (let page = 1; page <= pagesWanted; page++) {
      const ack = await ctx.run("queue:page", { offset: page * CONSOLE_PAGE });
      if (!ack || mine !== fetching) return;
      found.push(...ack.entries);
      if (ack.entries.length < CONSOLE_PAGE) break;
    }
    beyond = found;
    if (latest) render(latest);
  };
  showMore.addEventListener("click", () => {
    pagesWanted += 1;
    void fetchBeyond();
  });
  const el = h(
    "section",
    { class: "panel queue", "aria-labelledby": "h-queue" },
    h("h2", { id: "h-queue" }, t("queue")),
    h("div", { class: "row now" }, current, clock.el),
    h("div", { class: "row next-row" }, h("label", { for: nextSecondsId }, t("next_seconds")), nextSeconds),
    next,
    nextHint,
    h("div", { class: "row" }, closeList, listState),
    timer,
    empty,
    list,
    h("div", { class: "row" }, showing, showMore),
  );
  let secondsInitialised = false;

  const entryItem = (entry: QueueEntry, index: number, count: number): HTMLElement => {
    const name = speakerName(entry);
    const button = (
      label: string,
      text: string,
      onClick: () => void,
      disabled = false,
    ): HTMLButtonElement => {
      const b = h(
        "button",
        { type: "button", class: "small", "aria-label": `${label}: ${name}`, title: label, disabled },
        text,
      );
      b.addEventListener("click", onClick);
      return b;
    };
    return h(
      "li",
      { "data-entry": entry.entry_id },
      h("span", { class: "pos" }, `${index + 1}.`),
      " ",
      speakerLine(entry),
      entry.pinned ? h("span", { class: "badge" }, t("pinned")) : null,
      h(
        "span",
        { class: "entry-actions" },
        button(
          t("move_up"),
          "↑",
          () => void ctx.run("queue:move", { entry_id: entry.entry_id, position: index }),
          index === 0,
        ),
        button(
          t("move_down"),
          "↓",
          () => void ctx.run("queue:move", { entry_id: entry.entry_id, position: index + 2 }),
          index === count - 1,
        ),
        button(t("remove"), t("remove"), () => void ctx.run("queue:remove", { entry_id: entry.entry_id })),
      ),
    );
  };

  let latest: Snapshot | null = null;
  let shownQueue: Snapshot["queue"] | null = null;
  const render = (s: Snapshot): void => {
    const head = s.queue.entries;
    // Entries fetched beyond the first page, minus any that moved into it since.
    const ids = new Set(head.map((e) => e.entry_id));
    const entries =
      head.length < CONSOLE_PAGE ? head : [...head, ...beyond.filter((e) => !ids.has(e.entry_id))];
    const count = s.queue.length;
    replace(list, ...entries.map((e, i) => entryItem(e, i, count)));
    const more = entries.length < count;
    setText(showing, more ? t("queue_showing", { shown: entries.length, n: count }) : "");
    showing.hidden = !more;
    showMore.hidden = !more;
  };
  nextSeconds.addEventListener("input", () => {
    if (latest) setText(nextHint, nextTimeHint(latest, Math.round(Number(nextSeconds.value))));
  });
  return {
    el,
    update(s: Snapshot) {
      latest = s;
      if (s.queue.current) replace(current, t("speaking_now"), ": ", speakerLine(s.queue.current));
      else replace(current, h("span", { class: "muted" }, t("nobody_speaking")));
      clock.set(s.timer);
      running = s.timer.running;
      setText(pause, running ? t("pause") : t("resume"));
      pause.disabled = s.timer.duration === null;
      if (!secondsInitialised) {
        seconds.value = String(s.session.settings.speaking_seconds || 180);
        secondsInitialised = true;
      }
      next.disabled = s.queue.entries.length === 0 && !s.queue.current;
      setText(nextHint, nextTimeHint(s, Math.round(Number(nextSeconds.value))));
      listClosed = Boolean(s.queue.closed);
      setText(closeList, listClosed ? t("reopen_list") : t("close_list"));
      closeList.setAttribute("aria-pressed", String(listClosed));
      setText(listState, listClosed ? t("list_closed") : "");
      empty.hidden = s.queue.entries.length > 0;
      setText(empty, t("queue_empty"));
      render(s);
      // A state patch replaces `queue` whole, so a new object means the queue changed.
      if (pagesWanted > 0 && s.queue !== shownQueue) void fetchBeyond();
      shownQueue = s.queue;
    },
  };
}
/** Says which time the next speaker gets: the one typed here, else their intent's. */
function nextTimeHint(s: Snapshot, typed: number): string {
  const who = s.queue.entries[0];
  if (!who) return t("next_time_nobody");
  const name = speakerName(who);
  if (typed > 0) return t("next_time_set", { name, time: formatSeconds(typed) });
  const settings = s.session.settings;
  const seconds = settings.intent_seconds?.[who.intent] ?? settings.speaking_seconds;
  return t("next_time_default", { name, time: formatSeconds(seconds), intent: intentLabel(who.intent) });
}

// One proposition on the phone: the six Idea Rating Sheet buttons, an
// optional "why", one's own current rating (changeable, withdrawable), and
// the results only once the chair reveals them.
import { divergingBar } from "../../bars";
import type { Connection } from "../../connection";
import { h, setText, uid } from "../../dom";
import { markLabel, scaleLabel, t } from "../../i18n";
import { moment } from "../../moments";
import {
  COMMENT_MAX,
  SCALE,
  latestRound,
  type OwnRating,
  type Proposition,
  type ScaleKey,
} from "../../protocol";
import type { Shell } from "../../shell";
import { amendForm } from "./amend";
import { translatedText } from "./translated";

export interface RatingCard {
  el: HTMLElement;
  /** `zone`: the session's time zone, in which a rating window's end is shown. */
  update(p: Proposition, own: OwnRating | undefined, zone?: string): void;
}

export function ratingCard(p: Proposition, connection: Connection, shell: Shell): RatingCard {
  const textId = uid("prop");
  const text = h("h2", { id: textId, class: "prop-text", dir: "auto" }, p.text);
  const meta = h("p", { class: "meta" });
  const translated = translatedText(text);
  const amend = amendForm(p, connection, shell);
  const buttons = new Map<ScaleKey, HTMLButtonElement>();
  const grid = h("div", { class: "rate-grid", role: "group", "aria-labelledby": textId });
  for (const value of SCALE) {
    const button = h(
      "button",
      { type: "button", class: `rate v-${value}`, "aria-pressed": "false", "data-value": value },
      scaleLabel(value),
    );
    button.addEventListener("click", () => void submit(value));
    buttons.set(value, button);
    grid.append(button);
  }
  const mine = h("p", { class: "mine", role: "status" });
  const commentId = uid("why");
  const counterId = uid("count");
  const comment = h("textarea", {
    id: commentId,
    dir: "auto",
    maxlength: COMMENT_MAX,
    rows: 3,
    "aria-describedby": counterId,
  });
  const counter = h("span", { id: counterId, class: "counter" });
  // Says the comment in the box is the one the server has: sent, and unchanged since.
  const commentSent = h("span", { class: "comment-sent", role: "status" });
  const sendComment = h("button", { type: "button", class: "secondary" }, t("send_comment"));
  const withdraw = h("button", { type: "button", class: "link danger" }, t("withdraw"));
  const closedNote = h("p", { class: "closed-note" }, t("closed_for_rating"));
  const untilNote = h("p", { class: "until-note" });
  // The chair's outcome, told to everyone: the mark and the note.
  const outcome = h("div", { class: "outcome", role: "status" });
  const bar = divergingBar();
  const results = h("section", { class: "results", hidden: true }, h("h3", {}, t("results")), bar.el);
  const el = h(
    "article",
    { class: "card prop", "data-proposition": p.id },
    text,
    translated.toggle,
    meta,
    untilNote,
    grid,
    mine,
    h(
      "div",
      { class: "why" },
      h("label", { for: commentId }, t("why_label")),
      comment,
      h("div", { class: "why-actions" }, counter, commentSent, sendComment),
    ),
    withdraw,
    amend.el,
    closedNote,
    outcome,
    results,
  );

  let current = p;
  let own: OwnRating | undefined;
  let busy = false;
  let zone: string | undefined;
  // Ratable while the chair has it open, or inside a rating window.
  const ratable = (): boolean => current.status === "open" || current.window !== undefined;

  const refreshCounter = (): void => {
    setText(counter, t("chars_left", { n: comment.value.length, max: COMMENT_MAX }));
    sendComment.disabled =
      busy || !own?.value || !ratable() || comment.value === (own.comment ?? "");
    const sent = Boolean(own?.comment) && comment.value.trim() === own?.comment;
    setText(commentSent, sent ? t("comment_sent") : "");
  };
  // Text typed and not yet sent is the person's; no update overwrites it.
  let typed = false;
  comment.addEventListener("input", () => {
    typed = true;
    refreshCounter();
  });
  sendComment.addEventListener("click", () => {
    if (own?.value) void submit(own.value);
  });
  withdraw.addEventListener("click", () => void submit(null));

  async function submit(value: ScaleKey | null): Promise<boolean> {
    busy = true;
    el.setAttribute("aria-busy", "true");
    render();
    const note = comment.value.trim();
    const ack = await connection.command(
      "rating:submit",
      { proposition_id: current.id, value, ...(note && value ? { comment: note } : {}) },
      { retry: true },
    );
    busy = false;
    el.removeAttribute("aria-busy");
    if (!ack.ok) {
      shell.showError(ack.error);
      render();
      return false;
    }
    // What was typed while the command was under way is still the person's.
    if (comment.value.trim() === note) typed = false;
    if (value === null) comment.value = "";
    const rating: OwnRating = { round: ack.round, value, comment: value && note ? note : null };
    connection.update((s) =>
      s.me ? { ...s, me: { ...s.me, ratings: { ...s.me.ratings, [current.id]: rating } } } : s,
    );
    return true;
  }

  function render(): void {
    const open = ratable();
    const value = own?.value ?? null;
    const inWindow = current.status === "open" ? undefined : current.window;
    setText(
      untilNote,
      inWindow ? t("rate_until", { time: moment(inWindow.closes_at, zone), zone: zone ?? "UTC" }) : "",
    );
    untilNote.hidden = !inWindow;
    translated.update(current);
    amend.update(current);
    setText(meta, current.round > 1 ? t("round_n", { n: current.round }) : "");
    for (const [key, button] of buttons) {
      setText(button, scaleLabel(key));
      button.setAttribute("aria-pressed", String(value === key));
      button.disabled = busy || !open;
    }
    setText(mine, value ? t("your_rating", { value: scaleLabel(value) }) : t("not_rated"));
    withdraw.hidden = !value || !open;
    withdraw.disabled = busy;
    closedNote.hidden = open;
    comment.disabled = !open;
    refreshCounter();
    renderOutcome(outcome, current);
    const round = latestRound(current);
    results.hidden = !round?.counts;
    if (round?.counts) bar.update(round.counts);
  }

  return {
    el,
    update(next, nextOwn, nextZone) {
      zone = nextZone;
      const roundChanged = next.round !== current.round;
      current = next;
      // A rating of an earlier round is not this round's rating.
      own = nextOwn && nextOwn.round === next.round ? nextOwn : undefined;
      if (roundChanged) typed = false;
      if (!typed) comment.value = own?.comment ?? "";
      render();
    },
  };
}

function renderOutcome(el: HTMLElement, p: Proposition): void {
  const mark = p.mark && p.mark.status !== "unmarked" ? p.mark : null;
  el.hidden = !mark;
  if (!mark) return el.replaceChildren();
  el.replaceChildren(
    h("span", { class: `badge mark-${mark.status}`, "data-mark": mark.status }, markLabel(mark.status)),
    mark.note ? h("p", { class: "mark-note", dir: "auto" }, mark.note) : "",
  );
}

// Amendments from the floor on one proposition, as the chair sees them: the
// wording, the why, the group and the channel, never who. The chair accepts
// one (editing it first if need be, optionally into a new round) or declines
// it with a note the proposer reads.
import { h, replace, setText, syncList, uid } from "../../dom";
import { channelLabel, groupLabel, t } from "../../i18n";
import { LIMITS } from "../../generated/vocabulary";
import type { Amendment, Proposition } from "../../protocol";
import type { ConsoleContext } from "./context";

export interface AmendmentsPanel {
  el: HTMLElement;
  update(p: Proposition): void;
}

export function amendmentsPanel(ctx: ConsoleContext): AmendmentsPanel {
  const summary = h("summary", {});
  const pending = h("div", { class: "amendment-list" });
  const decided = h("ul", { class: "amendments-decided" });
  const el = h("details", { class: "amendments", open: true }, summary, pending, decided);
  const items = new Map<string, AmendmentItem>();
  return {
    el,
    update(p) {
      const all = p.amendments ?? [];
      const waiting = all.filter((a) => a.status === "proposed");
      el.hidden = all.length === 0;
      setText(summary, t("amendments_n", { n: waiting.length }));
      syncList(
        pending,
        waiting,
        (a) => a.amendment_id,
        (a) => amendmentItem(a, ctx),
        (item, a) => item.update(a),
        items,
      );
      replace(
        decided,
        ...all
          .filter((a) => a.status !== "proposed")
          .map((a) =>
            h(
              "li",
              { "data-amendment": a.amendment_id, "data-status": a.status },
              h("span", { class: `badge amendment-${a.status}` }, t(`amendment_status_${a.status}`)),
              " ",
              h("q", { dir: "auto" }, a.text),
              " ",
              h("span", { class: "muted" }, from(a)),
              a.note ? h("span", { class: "muted", dir: "auto" }, ` — ${a.note}`) : null,
            ),
          ),
      );
    },
  };
}

function from(a: Amendment): string {
  return `${groupLabel(a.stakeholder_group)} · ${channelLabel(a.channel)}`;
}

interface AmendmentItem {
  el: HTMLElement;
  update(a: Amendment): void;
}

function amendmentItem(a: Amendment, { run }: ConsoleContext): AmendmentItem {
  const wordingId = uid("accept-text");
  const noteId = uid("decline-note");
  const wording = h("textarea", { id: wordingId, dir: "auto", rows: 3, maxlength: LIMITS.proposition });
  wording.value = a.text;
  const note = h("input", { id: noteId, dir: "auto", maxlength: LIMITS.note });
  const accept = h("button", { type: "button", class: "primary" }, t("amendment_accept"));
  const acceptRound = h("button", { type: "button" }, t("amendment_accept_round"));
  const decline = h("button", { type: "button", class: "danger" }, t("amendment_decline"));
  const why = h("p", { class: "why", dir: "auto" });
  const el = h(
    "article",
    { class: "amendment", "data-amendment": a.amendment_id },
    h("p", {}, h("q", { dir: "auto" }, a.text), " ", h("span", { class: "muted" }, from(a))),
    why,
    h("div", { class: "field" }, h("label", { for: wordingId }, t("amendment_wording")), wording),
    h("div", { class: "row" }, accept, acceptRound),
    h("div", { class: "row" }, h("label", { for: noteId }, t("amendment_decline_note")), note, decline),
  );
  const decide = (newRound: boolean): void => {
    const text = wording.value.trim();
    void run("amendment:accept", {
      amendment_id: a.amendment_id,
      ...(text && text !== a.text ? { text } : {}),
      ...(note.value.trim() ? { note: note.value.trim() } : {}),
      new_round: newRound,
    });
  };
  accept.addEventListener("click", () => decide(false));
  acceptRound.addEventListener("click", () => decide(true));
  decline.addEventListener("click", () => {
    void run("amendment:decline", {
      amendment_id: a.amendment_id,
      ...(note.value.trim() ? { note: note.value.trim() } : {}),
    });
  });
  return {
    el,
    update(next) {
      setText(why, next.why ? t("amendment_why", { why: next.why }) : "");
      why.hidden = !next.why;
    },
  };
}

// The participant's phone: join once, then rate open propositions and ask
// for the floor. Reloads reuse the stored token instead of joining again.
import "../../styles/phone.css";
import { describeChanges } from "../../announce";
import { Connection } from "../../connection";
import { h, replace, setText, syncList } from "../../dom";
import { channelLabel, groupLabel, markLabel, onLanguage, t } from "../../i18n";
import type { Proposition, Snapshot } from "../../protocol";
import { createShell, type Shell } from "../../shell";
import { ownAmendments } from "./amend";
import { normaliseJoinCode } from "../../join-code";
import { handPanel } from "./hand";
import { fetchJoinInfo, joinForm, storeToken, tokenKey } from "./join-form";
import { ratingCard, type RatingCard } from "./rating-card";

export function start(typed: string): void {
  // `/join/abcd-2345` and `/join/ABCD2345` are one session, with one stored token.
  const joinCode = normaliseJoinCode(typed);
  const shell = createShell("view-phone", t("join_title"));
  const stored = readToken(joinCode);
  if (stored) participate(shell, joinCode, stored);
  else void join(shell, joinCode);
}

function readToken(joinCode: string): string | null {
  try {
    return localStorage.getItem(tokenKey(joinCode));
  } catch {
    return null;
  }
}

async function join(shell: Shell, joinCode: string): Promise<void> {
  shell.clearFatal();
  const info = await fetchJoinInfo(joinCode);
  if ("code" in info) {
    shell.showFatal(info.message);
    return;
  }
  if (info.admission === "registered") {
    shell.setTitle(info.title);
    shell.showFatal(t("invitation_only"));
    return;
  }
  participate(shell, joinCode, await joinForm(shell, joinCode, info));
}

/** Rate and queue as the participant of `token`; `reopen` replaces the
 * join-again button (an invitation link opens itself again instead). */
export function participate(shell: Shell, joinCode: string, token: string, reopen?: () => void): void {
  const connection = new Connection(token, (renewed) => storeToken(joinCode, renewed));
  shell.watch(connection, (error) => {
    connection.close();
    if (reopen) {
      reopen();
      return;
    }
    const again = h("button", { type: "button", class: "primary big" }, t("join_again"));
    again.addEventListener("click", () => {
      try {
        localStorage.removeItem(tokenKey(joinCode));
      } catch {
        // nothing stored, nothing to forget
      }
      void join(shell, joinCode);
    });
    shell.showFatal(t("unauthorized", { message: error.message }), again);
  });

  const whoami = h("p", { class: "whoami" });
  const ownGroup = h("p", { class: "own-opinion-group", role: "status" }); // to this phone only
  const empty = h("p", { class: "empty card" }, t("no_open"));
  const list = h("div", { class: "props" });
  const hand = handPanel(connection, shell);
  const amendments = ownAmendments();
  const outcomes = outcomesPanel();
  replace(shell.main, whoami, ownGroup, empty, list, amendments.el, hand.el, outcomes.el);

  const cards = new Map<string, RatingCard>();
  const render = (s: Snapshot): void => {
    shell.setTitle(s.session.title);
    if (s.me)
      setText(
        whoami,
        t("joined_as", { group: groupLabel(s.me.stakeholder_group), channel: channelLabel(s.me.channel) }),
      );
    const own = s.opinion_group;
    setText(ownGroup, own ? t("opinion_own", { label: own.label, groups: own.groups }) : "");
    ownGroup.hidden = !own;
    const shown = s.propositions.filter(isShownOnPhone);
    empty.hidden = shown.some((p) => p.status === "open" || p.window !== undefined);
    setText(empty, t("no_open"));
    syncList(
      list,
      shown,
      (p) => p.id,
      (p) => ratingCard(p, connection, shell),
      (card, p) => card.update(p, s.me?.ratings[p.id], s.session.settings.time_zone),
      cards,
    );
    hand.update(s);
    amendments.update(s);
    outcomes.update(s);
  };
  connection.onSnapshot((next, previous) => {
    render(next);
    for (const text of describeChanges(previous, next)) shell.announce(text);
  });
  onLanguage(() => {
    // Cards carry translated labels; rebuilding them is simplest and rare.
    for (const card of cards.values()) card.el.remove();
    cards.clear();
    if (connection.snapshot) render(connection.snapshot);
  });
}

/** Open propositions to rate (live or in a rating window), and closed ones whose results were revealed or that the chair marked. */
function isShownOnPhone(p: Proposition): boolean {
  const ended = p.status === "closed" && (p.revealed || isMarked(p));
  return p.status === "open" || p.window !== undefined || ended;
}

function isMarked(p: Proposition): boolean {
  return Boolean(p.mark && p.mark.status !== "unmarked");
}

/** The outcomes so far: every proposition the chair marked, with the note. */
function outcomesPanel(): { el: HTMLElement; update(s: Snapshot): void } {
  const summary = h("summary", {});
  const list = h("ol", { class: "outcome-list" });
  const none = h("p", { class: "muted" });
  const el = h("details", { class: "card outcomes" }, summary, none, list);
  return {
    el,
    update(s) {
      const marked = s.propositions.filter(isMarked);
      setText(summary, t("outcomes_n", { n: marked.length }));
      setText(none, t("no_outcomes"));
      none.hidden = marked.length > 0;
      replace(
        list,
        ...marked.map((p) =>
          h(
            "li",
            { "data-proposition": p.id },
            p.mark ? h("span", { class: `badge mark-${p.mark.status}` }, markLabel(p.mark.status)) : "",
            " ",
            h("span", { class: "prop-text", dir: "auto" }, p.text),
            p.mark?.note ? h("p", { class: "mark-note", dir: "auto" }, p.mark.note) : "",
          ),
        ),
      );
    },
  };
}

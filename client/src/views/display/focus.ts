// One proposition on the projector: its whole text (fitted, never clipped),
// its section, the chair's mark with the note, and once the results are
// revealed the headline figures, the bar, and the shift from the round
// before deliberation to the round after.
import { divergingBar, scaleLegend } from "../../bars";
import { h, setText } from "../../dom";
import { percent, t } from "../../i18n";
import { latestRound, type Proposition, type Round, type Snapshot } from "../../protocol";
import { projectorLanguages, showText, textIn } from "../../wording";
import { showMark } from "./mark";

export interface FocusCard {
  id: string;
  el: HTMLElement;
  /** The box the text must fit in, and the text. */
  textBox: HTMLElement;
  text: HTMLElement;
  update(p: Proposition, s: Snapshot): void;
}

export function focusCard(p: Proposition): FocusCard {
  const status = h("span", { class: "status" });
  const section = h("span", { class: "section", dir: "auto" });
  const mark = h("span", { class: "badge mark" });
  const rated = h("p", { class: "rated" });
  const text = h("h2", { class: "prop-text", dir: "auto" });
  const textBox = h("div", { class: "text-box" }, text);
  const also = h("p", { class: "prop-also", dir: "auto" });
  const note = h("p", { class: "mark-note", dir: "auto" });
  const figures = h("ul", { class: "figures" });
  const shift = h("p", { class: "shift" });
  const bar = divergingBar("counts");
  const legend = scaleLegend();
  const waiting = h("p", { class: "waiting" });
  const el = h(
    "article",
    { class: "dcard focus", "data-proposition": p.id },
    h("div", { class: "dcard-top" }, status, section, mark, rated),
    textBox,
    also,
    note,
    figures,
    shift,
    legend,
    bar.el,
    waiting,
  );
  return {
    id: p.id,
    el,
    textBox,
    text,
    update(next, s) {
      const round = latestRound(next);
      const total = round?.total ?? 0;
      setText(
        status,
        next.round > 1
          ? `${t(`status_${next.status}`)} · ${t("round_n", { n: next.round })}`
          : t(`status_${next.status}`),
      );
      el.classList.toggle("is-open", next.status === "open");
      setText(section, next.section ?? "");
      section.hidden = !next.section;
      showMark(mark, note, next);
      // The session's main language, and one more if the link asks for it.
      const [main, second] = projectorLanguages(s.session.languages);
      showText(text, textIn(next, main));
      const other = second ? textIn(next, second) : null;
      also.hidden = !other?.lang;
      if (other?.lang) showText(also, other);
      setText(rated, t("rated_n", { n: total }));
      const counts = round?.counts;
      bar.el.hidden = !counts;
      legend.hidden = !counts;
      if (counts) bar.update(counts);
      // Before the reveal the count is the card's one big number.
      waiting.hidden = Boolean(counts);
      rated.hidden = !waiting.hidden;
      setText(waiting, t("waiting_reveal", { n: total }));
      const headline = round?.metrics ? headlineFigures(round, s) : [];
      figures.replaceChildren(...headline);
      figures.hidden = headline.length === 0;
      const moved = shiftLine(next);
      setText(shift, moved);
      shift.hidden = !moved;
    },
  };
}

function figure(value: string, label: string, name: string): HTMLElement {
  return h("li", { "data-figure": name }, h("span", { class: "figure" }, value), " ", h("span", {}, label));
}

/** Agree share, how many groups clear the group threshold, and n. */
function headlineFigures(round: Round, s: Snapshot): HTMLElement[] {
  const consensus = s.session.settings.consensus;
  const minRatings = consensus["min_group_ratings"] ?? 3;
  const minShare = consensus["min_group_agree_share"] ?? 0.5;
  // The projector's breakdown is the privacy-merged one: small groups
  // count together as one, exactly as the public metrics count them.
  const groups = Object.values(round.by_group ?? {});
  const merged = (round as { by_group_merged?: Round["counts"] | null }).by_group_merged;
  if (merged) groups.push(merged);
  const judged = groups
    .map((c) => ({ n: Object.values(c).reduce((a, b) => a + b, 0), agree: c.agree + c.strongly_agree }))
    .filter((g) => g.n >= minRatings);
  const clearing = judged.filter((g) => g.agree / g.n >= minShare).length;
  return [
    figure(percent(round.metrics?.agree_share), t("figure_agree"), "agree"),
    figure(
      t("groups_of", { k: clearing, n: judged.length }),
      t("figure_groups", { share: percent(minShare) }),
      "groups",
    ),
    figure(String(round.total ?? 0), t("figure_n"), "n"),
  ];
}

/** "Round 1 → round 2: 45% → 72% agree": the shift deliberation made. */
function shiftLine(p: Proposition): string {
  if (p.round < 2) return "";
  const before = p.rounds.find((r) => r.round === p.round - 1)?.metrics?.agree_share;
  const after = p.rounds.find((r) => r.round === p.round)?.metrics?.agree_share;
  if (before === null || before === undefined || after === null || after === undefined) return "";
  const points = Math.round((after - before) * 100);
  return t("shift_line", {
    from: p.round - 1,
    to: p.round,
    before: percent(before),
    after: percent(after),
    points: `${points > 0 ? "+" : points < 0 ? "−" : "±"}${Math.abs(points)}`,
  });
}

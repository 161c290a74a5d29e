// The agenda on the projector: every proposition in order with its state,
// the chair's mark and, once revealed, its agree share; the open ones stand out.
import { divergingBar, type DivergingBar } from "../../bars";
import { h, setText, syncList } from "../../dom";
import { percent, t } from "../../i18n";
import { latestRound, type Proposition, type Snapshot } from "../../protocol";
import { projectorLanguages, showText, textIn } from "../../wording";
import { showMark } from "./mark";

interface AgendaItem {
  el: HTMLElement;
  update(p: Proposition, position: number, language: string | null): void;
}

export function agendaList(): { el: HTMLElement; update(s: Snapshot): void } {
  const el = h("ol", { class: "agenda" });
  const items = new Map<string, AgendaItem>();
  return {
    el,
    update(s) {
      for (const title of el.querySelectorAll(".agenda-section")) title.remove();
      syncList(
        el,
        s.propositions,
        (p) => p.id,
        agendaItem,
        (item, p) =>
          item.update(p, s.propositions.indexOf(p) + 1, projectorLanguages(s.session.languages)[0]),
        items,
      );
      // A draft's section title above the first of its propositions.
      s.propositions.forEach((p, i) => {
        const item = items.get(p.id);
        if (!p.section || !item || s.propositions[i - 1]?.section === p.section) return;
        el.insertBefore(h("li", { class: "agenda-section" }, h("h3", { dir: "auto" }, p.section)), item.el);
      });
    },
  };
}

function agendaItem(p: Proposition): AgendaItem {
  const number = h("span", { class: "number" });
  const status = h("span", { class: "status" });
  const mark = h("span", { class: "badge mark" });
  const rated = h("span", { class: "rated" });
  const text = h("p", { class: "prop-text", dir: "auto" });
  const note = h("p", { class: "mark-note", dir: "auto" });
  const bar: DivergingBar = divergingBar("none");
  const el = h(
    "li",
    { class: "dcard agenda-item", "data-proposition": p.id },
    h("div", { class: "dcard-top" }, number, status, mark, rated),
    text,
    note,
    bar.el,
  );
  return {
    el,
    update(next, position, language) {
      const round = latestRound(next);
      setText(number, `${position}.`);
      setText(
        status,
        next.round > 1
          ? `${t(`status_${next.status}`)} · ${t("round_n", { n: next.round })}`
          : t(`status_${next.status}`),
      );
      el.classList.toggle("is-open", next.status === "open");
      showMark(mark, note, next);
      showText(text, textIn(next, language));
      const share = round?.metrics?.agree_share;
      setText(
        rated,
        share === undefined
          ? t("rated_n", { n: round?.total ?? 0 })
          : `${t("rated_n", { n: round?.total ?? 0 })} · ${t("agree_share", { share: percent(share) })}`,
      );
      rated.hidden = next.round === 0;
      bar.el.hidden = !round?.counts;
      if (round?.counts) bar.update(round.counts);
    },
  };
}

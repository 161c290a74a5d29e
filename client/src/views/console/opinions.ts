// The console's opinion groups (docs/opinions.md): the map of anonymous
// points, each group with its size and the propositions most representative
// of it, and both consensus figures for each proposition card.
import { h, replace, setText } from "../../dom";
import { percent, t } from "../../i18n";
import { opinionMap } from "../../opinion-map";
import type { OpinionGroup, Proposition, Snapshot } from "../../protocol";
import type { Panel } from "./propositions";

export function opinionsPanel(): Panel {
  const body = h("div", { class: "opinion-body" });
  const note = h("p", { class: "muted" });
  const el = h(
    "section",
    { class: "panel opinions", "aria-labelledby": "h-opinions" },
    h("h2", { id: "h-opinions" }, t("opinion_groups")),
    body,
    note,
  );
  let rendered = "";
  return {
    el,
    update(s: Snapshot) {
      const opinions = s.opinions;
      // Recomputed every few seconds at most; most updates leave it as it was.
      const key = JSON.stringify([opinions, s.propositions.map((p) => [p.id, p.text])]);
      if (key === rendered) return;
      rendered = key;
      if (!opinions || opinions.groups.length === 0) {
        replace(body, h("p", { class: "muted" }, t("opinion_none")));
        setText(note, "");
        return;
      }
      const texts = new Map(s.propositions.map((p) => [p.id, p.text]));
      replace(
        body,
        opinionMap(opinions),
        h("ul", { class: "opinion-groups" }, ...opinions.groups.map((g) => groupItem(g, texts))),
      );
      setText(note, t("opinion_private", { n: opinions.min_group_size ?? 3 }));
    },
  };
}

function groupItem(g: OpinionGroup, texts: Map<string, string>): HTMLElement {
  const reps = g.representative ?? [];
  return h(
    "li",
    { "data-group": g.label },
    h("strong", {}, `${t("opinion_group_n", { n: g.label })} · ${t("opinion_group_size", { n: g.size })}`),
    reps.length === 0
      ? h("p", { class: "muted" }, t("opinion_no_representative"))
      : h(
          "ul",
          { class: "opinion-reps" },
          ...reps.map((r) =>
            h(
              "li",
              {},
              h(
                "span",
                { class: `badge rep-${r.direction}` },
                t(r.direction === "agree" ? "opinion_rep_agree" : "opinion_rep_disagree", {
                  share: percent(r.probability),
                }),
              ),
              " ",
              h("span", { dir: "auto" }, `${r.position}. ${texts.get(r.id) ?? ""}`),
            ),
          ),
        ),
  );
}

/** Both consensus figures of a card's current round, or nothing while unknown. */
export function consensusFigures(p: Proposition): HTMLElement | null {
  const c = p.consensus;
  if (!c) return null;
  const figure = (v: number | null): string => (v === null ? "–" : v.toFixed(2));
  const row = (label: string, value: string, name: string): HTMLElement[] => [
    h("dt", {}, label),
    h("dd", { "data-figure": name }, h("bdi", { dir: "ltr" }, value)),
  ];
  return h(
    "dl",
    { class: "metric-list consensus-figures" },
    ...row(t("consensus_stakeholder"), figure(c.stakeholder_groups), "stakeholder_groups"),
    ...row(t("consensus_opinion"), figure(c.opinion_groups), "opinion_groups"),
  );
}

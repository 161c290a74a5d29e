// One proposition in the chair's console: lifecycle buttons, the live bar,
// the breakdown by group and channel, the metrics with the rough-consensus
// suggestion, the objections to weigh, and the chair's own mark.
import { admissionSplit } from "./admission";
import { countsTable, divergingBar } from "../../bars";
import { h, replace, setText, uid } from "../../dom";
import { channelLabel, groupLabel, markLabel, percent, scaleLabel, t } from "../../i18n";
import {
  CHANNELS,
  MARKS,
  NOTE_MAX,
  latestRound,
  type Counts,
  type MarkStatus,
  type Metrics,
  type Proposition,
  type Round,
} from "../../protocol";
import { amendmentsPanel } from "./amendments";
import { provenanceNote, timingTable, windowBadge } from "./carried";
import type { ConsoleContext } from "./context";
import { reorderControls } from "./reorder";
import { translationsEditor } from "./translations";
import { wordingTools } from "./wording";
import { consensusFigures } from "./opinions";

export interface PropositionCard {
  el: HTMLElement;
  /** `position` is 1-based in the agenda of `count` propositions. */
  update(p: Proposition, position: number, count: number): void;
}

export function propositionCard(p: Proposition, ctx: ConsoleContext): PropositionCard {
  const { run } = ctx;
  // Wording, order, amendments and translations live in their own modules.
  const wording = wordingTools(ctx);
  const reorder = reorderControls(ctx);
  const amendments = amendmentsPanel(ctx);
  const translations = translationsEditor(ctx);
  let current = p;
  let position = 1;
  let count = 1;
  let rendered = "";

  const badges = h("div", { class: "row badges" });
  const text = h("h3", { class: "prop-text", dir: "auto" });
  const source = h("p", { class: "meta" });
  const carried = h("div", {});
  const lifecycle = h("button", { type: "button", class: "primary" });
  lifecycle.addEventListener("click", () => {
    const id = current.id;
    void (current.status === "open"
      ? run("proposition:close", { proposition_id: id })
      : run("proposition:open", { proposition_id: id }));
  });
  const reveal = h("button", { type: "button" });
  reveal.addEventListener(
    "click",
    () => void run("results:reveal", { proposition_id: current.id, visible: !current.revealed }),
  );

  const moveUp = h("button", { type: "button", class: "small" }, "↑");
  const moveDown = h("button", { type: "button", class: "small" }, "↓");
  moveUp.addEventListener(
    "click",
    () => void run("proposition:move", { proposition_id: current.id, position: position - 1 }),
  );
  moveDown.addEventListener(
    "click",
    () => void run("proposition:move", { proposition_id: current.id, position: position + 1 }),
  );

  const bar = divergingBar();
  const total = h("p", { class: "total" });
  const metrics = h("div", { class: "metrics" });
  const figures = h("div", { class: "figures" }); // both consensus figures (./opinions)
  // The chair may fold these; they persist so an update does not unfold them.
  const breakdownBody = h("div", {});
  const breakdown = h(
    "details",
    { class: "breakdown", open: true },
    h("summary", {}, `${t("by_group")} · ${t("by_channel")}`),
    breakdownBody,
  );
  const earlierBody = h("div", {});
  const earlier = h("details", { class: "earlier" }, h("summary", {}, t("earlier_rounds")), earlierBody);
  const objections = h("div", { class: "objections" });

  const markId = uid("mark");
  const noteId = uid("note");
  const markSelect = h(
    "select",
    { id: markId, required: true },
    // Nothing is pre-chosen: a mark is the chair's decision, never a default.
    h("option", { value: "" }, t("choose")),
    ...MARKS.map((m) => h("option", { value: m }, markLabel(m))),
  );
  const note = h("textarea", { id: noteId, maxlength: NOTE_MAX, rows: 2, dir: "auto" });
  const saveMark = h("button", { type: "submit" }, t("mark_save"));
  const markForm = h(
    "form",
    { class: "mark-form row" },
    h("label", { for: markId }, t("mark")),
    markSelect,
    h("label", { for: noteId }, t("mark_note")),
    note,
    saveMark,
  );
  // A mark being written is the chair's until saved: live tallies leave it alone.
  let editing = false;
  markForm.addEventListener("input", () => (editing = true));
  markForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = markSelect.value as MarkStatus;
    const payload = {
      proposition_id: current.id,
      status,
      ...(note.value.trim() ? { note: note.value.trim() } : {}),
    };
    if (await run("consensus:mark", payload)) editing = false;
  });

  let folded: boolean | null = null;
  const fold = h("button", { type: "button", class: "small link fold" });
  fold.addEventListener("click", () => {
    folded = !el.classList.contains("is-folded");
    render();
  });
  const el = h(
    "article",
    { class: "card prop", "data-proposition": p.id },
    h("div", { class: "row card-head" }, badges, fold),
    text,
    source,
    wording.el,
    carried,
    h(
      "div",
      { class: "row controls" },
      lifecycle,
      reveal,
      wording.buttons,
      h("span", { class: "order" }, moveUp, moveDown, reorder.el),
    ),
    total,
    bar.el,
    metrics,
    figures,
    breakdown,
    earlier,
    objections,
    amendments.el,
    translations.el,
    markForm,
  );

  function render(): void {
    const round = latestRound(current);
    replace(
      badges,
      h("span", { class: `badge status-${current.status}` }, t(`status_${current.status}`)),
      current.round > 0 ? h("span", { class: "badge" }, t("round_n", { n: current.round })) : null,
      current.revision > 1 ? h("span", { class: "badge" }, t("revision_n", { n: current.revision })) : null,
      current.revealed ? h("span", { class: "badge revealed" }, t("revealed")) : null,
      windowBadge(current),
      current.mark && current.mark.status !== "unmarked"
        ? h(
            "span",
            { class: `badge mark-${current.mark.status}`, "data-mark": current.mark.status },
            markLabel(current.mark.status),
          )
        : null,
    );
    setText(text, current.text);
    setText(source, current.source ?? "");
    source.hidden = !current.source;
    replace(carried, provenanceNote(current));
    setText(
      lifecycle,
      current.status === "open" ? t("close") : current.status === "closed" ? t("reopen") : t("open"),
    );
    lifecycle.hidden = current.status === "withdrawn";
    wording.update(current);
    reorder.update(current, position, count);
    amendments.update(current);
    translations.update(current);
    setText(reveal, current.revealed ? t("hide") : t("reveal"));
    reveal.setAttribute("aria-pressed", String(current.revealed));
    reveal.hidden = current.round === 0;
    moveUp.disabled = position <= 1;
    moveDown.disabled = position >= count;
    for (const [button, label] of [
      [moveUp, t("move_up")],
      [moveDown, t("move_down")],
    ] as const) {
      button.setAttribute("aria-label", `${label}: ${current.text}`);
      button.title = label;
    }
    setText(total, t("ratings_n", { n: round?.total ?? 0 }));
    // A draft has no rounds yet: nothing to count, object to or mark.
    total.hidden = current.round === 0;
    objections.hidden = current.round === 0;
    el.classList.toggle("is-open", current.status === "open");
    const hasCounts = Boolean(round?.counts);
    bar.el.hidden = !hasCounts;
    if (round?.counts) bar.update(round.counts);
    replace(metrics, ...(round?.metrics ? metricsList(round.metrics) : []), admissionSplit(round));
    replace(figures, consensusFigures(current));
    const tables = round ? breakdownTables(round) : [];
    replace(breakdownBody, ...tables);
    breakdown.hidden = tables.length === 0;
    const rounds = earlierRounds(current);
    replace(earlierBody, ...rounds);
    earlier.hidden = rounds.length === 0;
    replace(objections, ...objectionList(current));
    if (!editing) {
      markSelect.value = current.mark?.status ?? "";
      note.value = current.mark?.note ?? "";
    }
    markForm.hidden = current.round === 0;
    // Closed cards fold (the mark stays at hand) unless the chair unfolds them.
    const isFolded = current.status === "closed" && (folded ?? true);
    el.classList.toggle("is-folded", isFolded);
    fold.hidden = current.status !== "closed";
    fold.setAttribute("aria-expanded", String(!isFolded));
    setText(fold, isFolded ? t("unfold") : t("fold"));
  }

  return {
    el,
    update(next, nextPosition, nextCount) {
      // Tallies arrive ten times a second while votes flow; most leave this card as it was.
      const key = `${nextPosition}/${nextCount}/${JSON.stringify(next)}`;
      if (key === rendered) return;
      rendered = key;
      current = next;
      position = nextPosition;
      count = nextCount;
      render();
    },
  };
}

function metricsList(m: Metrics): HTMLElement[] {
  // Numbers keep left-to-right order inside Arabic text ("-5.0", not "5.0-").
  const row = (label: string, value: string): HTMLElement[] => [
    h("dt", {}, label),
    h("dd", {}, h("bdi", { dir: "ltr" }, value)),
  ];
  const weakest = m.weakest_group
    ? `${groupLabel(m.weakest_group.group)} (${percent(m.weakest_group.agree_share)})`
    : "–";
  const list = h(
    "dl",
    { class: "metric-list" },
    ...row(t("metric_agree"), percent(m.agree_share)),
    ...row(t("metric_oppose"), percent(m.oppose_share)),
    ...row(t("metric_strong_oppose"), percent(m.strong_oppose_share)),
    ...row(t("metric_confused"), percent(m.confused_share)),
    ...row(t("metric_score"), m.agreement_score === null ? "–" : m.agreement_score.toFixed(1)),
    ...row(t("metric_group_consensus"), m.group_consensus === null ? "–" : m.group_consensus.toFixed(3)),
    ...row(t("metric_weakest"), weakest),
  );
  const suggestion = h(
    "p",
    {
      class: `suggestion ${m.suggests_rough_consensus ? "yes" : "no"}`,
      "data-suggests": String(m.suggests_rough_consensus),
    },
    m.suggests_rough_consensus ? t("suggests_consensus") : t("no_suggestion"),
  );
  const flags = m.flags.map((f) => h("span", { class: `badge flag flag-${f}` }, flagLabel(f)));
  return [suggestion, h("div", { class: "row" }, ...flags), list];
}

function flagLabel(flag: string): string {
  if (flag === "low_sample") return t("flag_low_sample");
  if (flag === "confusion") return t("flag_confusion");
  if (flag === "opinion_split") return t("flag_opinion_split");
  return flag;
}

function breakdownTables(round: Round): HTMLElement[] {
  const tables: HTMLElement[] = [];
  if (round.by_group && Object.keys(round.by_group).length > 0) {
    const rows = Object.entries(round.by_group).map(([g, c]): [string, Counts] => [groupLabel(g), c]);
    tables.push(countsTable(t("by_group"), rows));
  }
  if (round.by_channel) {
    const rows = CHANNELS.flatMap((c): [string, Counts][] => {
      const counts = round.by_channel?.[c];
      return counts ? [[channelLabel(c), counts]] : [];
    });
    if (rows.length > 0) tables.push(countsTable(t("by_channel"), rows));
  }
  const timing = timingTable(round);
  if (timing) tables.push(timing);
  return tables;
}

function earlierRounds(p: Proposition): HTMLElement[] {
  const rounds = p.rounds.filter((r) => r.round !== p.round && r.counts);
  return rounds.map((r) => {
    const bar = divergingBar("none");
    if (r.counts) bar.update(r.counts);
    const score = r.metrics?.agreement_score;
    return h(
      "div",
      { class: "earlier-round" },
      h(
        "p",
        { class: "meta" },
        `${t("round_n", { n: r.round })} · ${t("ratings_n", { n: r.total ?? 0 })}`,
        score === null || score === undefined ? "" : ` · ${t("metric_score")}: ${score.toFixed(1)}`,
      ),
      bar.el,
    );
  });
}

function objectionList(p: Proposition): HTMLElement[] {
  const items = (p.objections ?? []).filter((o) => o.round === p.round);
  const heading = h("h4", {}, `${t("objections")} (${items.length})`);
  if (items.length === 0) return [heading, h("p", { class: "muted" }, t("no_objections"))];
  return [
    heading,
    h(
      "ul",
      { class: "objection-list" },
      ...items.map((o) =>
        h(
          "li",
          {},
          h("span", { class: `badge v-${o.value}` }, scaleLabel(o.value)),
          " ",
          h("q", { class: "comment", dir: "auto" }, o.comment),
          " ",
          h("span", { class: "muted" }, `${groupLabel(o.stakeholder_group)} · ${channelLabel(o.channel)}`),
        ),
      ),
    ),
  ];
}

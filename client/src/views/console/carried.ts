// What a proposition card adds for ratings outside the live hour and for
// texts carried forward from a past outcome.
import { countsTable } from "../../bars";
import { h } from "../../dom";
import { markLabel, percent, t } from "../../i18n";
import type { Proposition, Round } from "../../protocol";

/** Ratings in the live hour beside those given in a rating window. */
export function timingTable(round: Round): HTMLTableElement | null {
  const timing = round.by_timing;
  if (!timing?.live || !timing.window) return null;
  return countsTable(t("by_timing"), [
    [t("timing_live"), timing.live],
    [t("timing_window"), timing.window],
  ]);
}

/** Where a carried-forward proposition comes from, or null. */
export function provenanceNote(p: Proposition): HTMLElement | null {
  const from = p.provenance;
  if (!from) return null;
  return h(
    "p",
    { class: "meta provenance", "data-from": from.session_id },
    t("carried_from", {
      title: from.title,
      status: markLabel(from.status),
      round: from.round,
      total: from.total,
      agree: percent(from.agree_share),
      head: from.head.slice(0, 12),
    }),
  );
}

/** A badge while a rating window is open on a proposition not open live. */
export function windowBadge(p: Proposition): HTMLElement | null {
  return p.window ? h("span", { class: "badge window-open" }, t("window_open_badge")) : null;
}

// @ts-check
// Display-update latency: for each command, the time from its ack to the
// first display view (arriving after the command was sent) that shows its
// effect. A view that shows it before the ack reached the client counts 0.
import { summarize } from "./stats.mjs";

/** @typedef {import("./display.mjs").DisplayWatcher} DisplayWatcher */
/** @typedef {import("./display.mjs").Predicate} Predicate */

/**
 * @typedef {object} Observation
 * @property {string} kind          the command's name
 * @property {string} requestId     sent with it, looked up in the log afterwards
 * @property {number} sentAt
 * @property {number} ackedAt       NaN: no ack in time
 * @property {boolean} ok
 * @property {string | null} refusal
 * @property {Predicate | null} shows  null: nothing to see on the display
 */

export class Observations {
  /** @param {DisplayWatcher} display */
  constructor(display) {
    this.display = display;
    /** @type {Observation[]} */
    this.items = [];
  }

  /** @param {Observation} item */
  add(item) {
    this.items.push(item);
  }

  /** @returns {Record<string, unknown>} per command: counts, ack latency and display latency */
  summary() {
    /** @type {Record<string, {ack: number[], display: number[], unseen: number, refused: number, refusals: string[]}>} */
    const kinds = {};
    for (const item of this.items) {
      const kind = (kinds[item.kind] ??= { ack: [], display: [], unseen: 0, refused: 0, refusals: [] });
      if (!item.ok) {
        kind.refused += 1;
        if (item.refusal && kind.refusals.length < 3) kind.refusals.push(item.refusal);
        continue;
      }
      kind.ack.push(item.ackedAt - item.sentAt);
      if (!item.shows) continue;
      const view = this.display.firstSince(item.sentAt, item.shows);
      if (view) kind.display.push(Math.max(0, view.at - item.ackedAt));
      else kind.unseen += 1;
    }
    const all = Object.values(kinds).flatMap((k) => k.display);
    return {
      display_latency_ms: Object.fromEntries(Object.entries(kinds).map(([name, k]) => [name, summarize(k.display)])),
      ack_latency_ms: Object.fromEntries(Object.entries(kinds).map(([name, k]) => [name, summarize(k.ack)])),
      not_shown: Object.fromEntries(Object.entries(kinds).map(([name, k]) => [name, k.unseen])),
      refused: Object.fromEntries(Object.entries(kinds).map(([name, k]) => [name, k.refused])),
      refusals: Object.fromEntries(Object.entries(kinds).filter(([, k]) => k.refused).map(([name, k]) => [name, k.refusals])),
      display_latency_all_ms: summarize(all),
      commands_ok: this.items.filter((i) => i.ok).length,
      commands_failed: this.items.filter((i) => !i.ok).length,
      acked_request_ids: this.items.filter((i) => i.ok).map((i) => i.requestId),
    };
  }
}

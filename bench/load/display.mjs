// @ts-check
// The projector's view as the load generator sees it: merges `snapshot` and
// coalesced `state` events as a real client does, and keeps a timestamped
// history of what the room could read, so a command's display latency can
// be found afterwards (the first view after the command that shows it).
import { now, sleep } from "./clock.mjs";

/**
 * What the display shows, reduced to what the benchmark checks.
 * @typedef {object} View
 * @property {number} at                  wall-clock ms when it arrived
 * @property {number} version
 * @property {Record<string, PropositionView>} propositions
 * @property {string | null} current      queue.current's entry_id
 * @property {string[]} queue             entry_ids in order (the projector gets the first few)
 * @property {number} queueLength         how many wait in all
 * @property {boolean} timerRunning
 * @property {string[]} hubs              hub_ids
 */
/**
 * @typedef {object} PropositionView
 * @property {string} status
 * @property {number} round
 * @property {number} total               ratings in the latest round, hub counts included
 * @property {boolean} revealed
 * @property {string | null} mark
 */

/** @typedef {(view: View) => boolean} Predicate */

export class DisplayWatcher {
  /** @param {import("./connect.mjs").Socket} socket */
  constructor(socket) {
    /** @type {Record<string, any>} the merged snapshot */
    this.state = {};
    /** @type {View[]} */
    this.history = [];
    this.events = 0;
    socket.on("snapshot", (/** @type {any} */ snapshot) => this.receive(snapshot, true));
    socket.on("state", (/** @type {any} */ update) => this.receive(update, false));
  }

  /** @param {Record<string, any>} message @param {boolean} whole */
  receive(message, whole) {
    this.events += 1;
    this.state = whole ? { ...message } : { ...this.state, ...message };
    this.history.push(project(this.state, now()));
  }

  /** @returns {View | undefined} */
  latest() {
    return this.history[this.history.length - 1];
  }

  /**
   * The first view that arrived at or after `since` and satisfies `predicate`.
   * @param {number} since @param {Predicate} predicate @returns {View | undefined}
   */
  firstSince(since, predicate) {
    return this.history.find((view) => view.at >= since && predicate(view));
  }

  /**
   * Wait (bounded) until a view arriving at or after `since` satisfies `predicate`.
   * @param {number} since @param {Predicate} predicate @param {number} timeoutMs
   * @returns {Promise<View | undefined>}
   */
  async waitFor(since, predicate, timeoutMs) {
    const deadline = now() + timeoutMs;
    for (;;) {
      const view = this.firstSince(since, predicate);
      if (view || now() > deadline) return view;
      await sleep(5);
    }
  }
}

/** @param {Record<string, any>} state @param {number} at @returns {View} */
function project(state, at) {
  /** @type {View["propositions"]} */
  const propositions = {};
  for (const p of Array.isArray(state.propositions) ? state.propositions : []) {
    const rounds = Array.isArray(p.rounds) ? p.rounds : [];
    const last = rounds[rounds.length - 1];
    propositions[p.id] = {
      status: p.status,
      round: p.round ?? 0,
      total: last?.total ?? 0,
      revealed: Boolean(p.revealed),
      mark: p.mark?.status ?? null,
    };
  }
  const queue = state.queue ?? {};
  return {
    at,
    version: Number(state.version ?? 0),
    propositions,
    current: queue.current?.entry_id ?? null,
    queue: Array.isArray(queue.entries) ? queue.entries.map((/** @type {any} */ e) => e.entry_id) : [],
    queueLength: Number(queue.length ?? (Array.isArray(queue.entries) ? queue.entries.length : 0)),
    timerRunning: Boolean(state.timer?.running),
    hubs: Array.isArray(state.hubs) ? state.hubs.map((/** @type {any} */ h) => h.hub_id) : [],
  };
}

/** @param {string} id @returns {(view: View) => number} the running total of proposition `id` */
export function totalOf(id) {
  return (view) => view.propositions[id]?.total ?? 0;
}

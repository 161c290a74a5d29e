// @ts-check
// The hall before the chair speaks: participants joined and connected
// (spread over the worker processes, and over the servers when the target has
// several), plus the projector and the chair's console, which the coordinator
// holds itself.
import { now, sleep } from "./clock.mjs";
import { connect } from "./connect.mjs";
import { DisplayWatcher } from "./display.mjs";
import { WorkerPool } from "./pool.mjs";
import { sampleProcesses } from "./procstat.mjs";
import { GROUPS, pick, seeded } from "./random.mjs";

/** @typedef {import("./types.mjs").Plan} Plan */
/** @typedef {import("./types.mjs").Seat} Seat */
/** @typedef {import("./connect.mjs").Socket} Socket */

const REMOTE_SHARE = 0.2; // a hybrid plenary: most in the hall, some remote

export class Room {
  /**
   * @param {Plan} plan @param {Seat[]} seats @param {WorkerPool} pool
   * @param {Socket} facilitator @param {DisplayWatcher} display @param {Socket} displaySocket
   */
  constructor(plan, seats, pool, facilitator, display, displaySocket) {
    this.plan = plan;
    this.seats = seats;
    this.pool = pool;
    this.facilitator = facilitator;
    this.display = display;
    this.displaySocket = displaySocket;
    this.rssBeforeKb = 0;
    this.connected = 0;
    /** @type {Record<string, unknown>} */
    this.setup = {};
  }

  /** @param {Plan} plan @returns {Promise<Room>} */
  static async open(plan) {
    const random = seeded(plan.seed);
    /** @type {Seat[]} */
    const seats = Array.from({ length: plan.n }, (_, index) => ({
      index,
      group: pick(random, GROUPS),
      channel: random() < REMOTE_SHARE ? "remote" : "in_room",
    }));
    const rssBeforeKb = sampleProcesses(plan.serverPids).rssKb;
    const where = plan.placement;
    const facilitator = await connect(where.facilitator, plan.credentials.facilitatorToken, plan.timeoutMs);
    const displaySocket = await connect(where.display, plan.credentials.displayToken, plan.timeoutMs);
    const display = new DisplayWatcher(displaySocket);
    const pool = new WorkerPool(Math.max(1, Math.min(plan.workers, plan.n)), seats, plan.timeoutMs, plan.setupMs);
    const room = new Room(plan, seats, pool, facilitator, display, displaySocket);
    room.rssBeforeKb = rssBeforeKb;
    const ready = await pool.setup(where.phones, plan.credentials);
    room.connected = ready.reduce((sum, r) => sum + r.connected, 0);
    room.setup = {
      participants: plan.n,
      connected: room.connected,
      failed: ready.reduce((sum, r) => sum + r.failed, 0),
      errors: ready.flatMap((r) => r.errors).slice(0, 5),
      join_ms: Math.max(...ready.map((r) => r.joinMs)),
      connect_ms: Math.max(...ready.map((r) => r.connectMs)),
    };
    return room;
  }

  /** Wait (bounded) until the display has had no update for a moment. */
  async quiet(ms = 300) {
    const deadline = now() + this.plan.timeoutMs;
    while (now() < deadline) {
      const last = this.display.latest()?.at ?? 0;
      if (now() - last >= ms) return;
      await sleep(ms / 3);
    }
  }

  close() {
    this.pool.close();
    this.facilitator.close();
    this.displaySocket.close();
  }
}

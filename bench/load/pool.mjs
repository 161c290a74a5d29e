// @ts-check
// The load generator's worker processes: seats dealt round-robin, one
// request/answer exchange at a time with each worker, every wait bounded.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** @typedef {import("./types.mjs").Seat} Seat */
/** @typedef {import("./types.mjs").ToWorker} ToWorker */
/** @typedef {import("./types.mjs").FromWorker} FromWorker */
/** @typedef {import("./types.mjs").Ready} Ready */
/** @typedef {import("./types.mjs").Done} Done */
/** @typedef {import("./types.mjs").Credentials} Credentials */

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));

export class WorkerPool {
  /** @param {number} count @param {Seat[]} seats @param {number} timeoutMs @param {number} setupMs */
  constructor(count, seats, timeoutMs, setupMs) {
    this.timeoutMs = timeoutMs;
    this.setupMs = setupMs;
    /** @type {Seat[][]} seats[w] are worker w's; a seat's place there is its local index */
    this.slices = Array.from({ length: count }, (_, w) => seats.filter((_, i) => i % count === w));
    this.children = this.slices.map(() => fork(WORKER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  }

  /** @param {number} seatIndex @returns {{worker: number, local: number}} */
  locate(seatIndex) {
    const count = this.slices.length;
    return { worker: seatIndex % count, local: Math.floor(seatIndex / count) };
  }

  /**
   * @param {string[]} urls seat i joins and connects through urls[i % length]
   * @param {Credentials} credentials @returns {Promise<Ready[]>}
   */
  async setup(urls, credentials) {
    const answers = await this.ask((w) => ({ type: "setup", urls, seats: this.slices[w], credentials, timeoutMs: this.timeoutMs }));
    return /** @type {Ready[]} */ (answers);
  }

  /**
   * Send each worker its message (built per worker) and wait for every answer.
   * @param {(worker: number) => ToWorker} build
   * @returns {Promise<FromWorker[]>}
   */
  ask(build) {
    return Promise.all(this.children.map((child, w) => this.exchange(child, build(w))));
  }

  /**
   * @param {import("node:child_process").ChildProcess} child @param {ToWorker} message
   * @returns {Promise<FromWorker>}
   */
  exchange(child, message) {
    return new Promise((resolve, reject) => {
      // Setup joins and connects a whole slice, which takes longer the larger the hall.
      const bound = message.type === "setup" ? this.setupMs : this.timeoutMs * 2;
      const timer = setTimeout(() => reject(new Error(`worker ${child.pid}: no answer to ${message.type} within ${bound} ms`)), bound);
      const onExit = (/** @type {number | null} */ code) => reject(new Error(`worker ${child.pid} exited with ${code}`));
      child.once("exit", onExit);
      child.once("message", (answer) => {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve(/** @type {FromWorker} */ (answer));
      });
      child.send(message);
    });
  }

  close() {
    for (const child of this.children) {
      if (child.connected) child.send({ type: "close" });
      // A worker that does not leave on its own within a few seconds is ended.
      setTimeout(() => child.exitCode === null && child.kill(), 5000).unref();
    }
  }
}

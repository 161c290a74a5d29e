// @ts-check
// Wall-clock milliseconds with sub-millisecond resolution. Every process of
// the load generator stamps with this, so times from different workers and
// the display can be subtracted from each other.
import { performance } from "node:perf_hooks";

/** @returns {number} */
export function now() {
  return performance.timeOrigin + performance.now();
}

/** @param {number} ms @returns {Promise<void>} */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

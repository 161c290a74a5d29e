// @ts-check
// A small seeded generator, so two runs (and the three targets of one run)
// see the same participants, values and schedule.

/** @param {number} seed @returns {() => number} uniform in [0, 1) */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @template T @param {() => number} random @param {readonly T[]} items @returns {T} */
export function pick(random, items) {
  return items[Math.floor(random() * items.length)];
}

// The vocabulary is generated from the server's Python source (scripts/generate).
export { SCALE, INTENTS, DEFAULT_GROUPS as GROUPS } from "./vocabulary.generated.mjs";

// @ts-check
/** @typedef {import("./types.mjs").Plan} Plan */
/** @typedef {import("./room.mjs").Room} Room */

/** @param {Plan} _plan @param {Room} _room @returns {Promise<Record<string, unknown>>} */
export async function runSession(_plan, _room) {
  throw new Error("session scenario: not written yet");
}

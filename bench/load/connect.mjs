// @ts-check
// One socket.io connection as every client of the protocol makes it:
// websocket transport only, `auth: {token}`, no automatic reconnection (a
// benchmark counts a lost connection as a failure instead of hiding it).
import { io } from "socket.io-client";
import { now } from "./clock.mjs";

/** @typedef {import("socket.io-client").Socket} Socket */

/**
 * @param {string} url
 * @param {string} token
 * @param {number} timeoutMs
 * @returns {Promise<Socket>}
 */
export function connect(url, token, timeoutMs) {
  const socket = io(url, {
    transports: ["websocket"],
    auth: { token },
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      const data = /** @type {{data?: unknown}} */ (err).data;
      reject(new Error(`connect_error: ${err.message} ${data ? JSON.stringify(data) : ""}`));
    });
  });
}

/**
 * Emit a command and wait for its ack, bounded in time.
 * @param {Socket} socket
 * @param {string} event
 * @param {Record<string, unknown>} payload
 * @param {number} timeoutMs
 * @returns {Promise<{sentAt: number, ackedAt: number, ack: Record<string, unknown> | null}>}
 *   ackedAt is NaN and ack null when no ack came in time
 */
export function command(socket, event, payload, timeoutMs) {
  const sentAt = now();
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (/** @type {Error | null} */ err, /** @type {any} */ ack) => {
      if (err) resolve({ sentAt, ackedAt: Number.NaN, ack: null });
      else resolve({ sentAt, ackedAt: now(), ack: typeof ack === "object" && ack !== null ? ack : { value: ack } });
    });
  });
}

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

let requests = 0;

/**
 * A request_id no other command of this run uses (pids differ between the
 * load generator's processes). Plenary keeps it in the log with the command's
 * last event, so the harness can find every acked command there afterwards.
 * @returns {string}
 */
export function newRequestId() {
  requests += 1;
  return `q${process.pid}-${requests}`;
}

/**
 * Emit a command with a request_id and wait for its ack, bounded in time.
 * @param {Socket} socket
 * @param {string} event
 * @param {Record<string, unknown>} payload
 * @param {number} timeoutMs
 * @param {string} [requestId] given when the command is sent again
 * @returns {Promise<{requestId: string, sentAt: number, ackedAt: number, ack: Record<string, unknown> | null}>}
 *   ackedAt is NaN and ack null when no ack came in time (or the socket closed first)
 */
export function command(socket, event, payload, timeoutMs, requestId = newRequestId()) {
  const sentAt = now();
  const body = { ...payload, request_id: requestId };
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, body, (/** @type {Error | null} */ err, /** @type {any} */ ack) => {
      if (err) resolve({ requestId, sentAt, ackedAt: Number.NaN, ack: null });
      else resolve({ requestId, sentAt, ackedAt: now(), ack: typeof ack === "object" && ack !== null ? ack : { value: ack } });
    });
  });
}

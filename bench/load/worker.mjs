// @ts-check
// A load-generator worker: holds a slice of the participants (each its own
// socket.io connection) and acts for them when the coordinator says so.
// Forked by coordinator.mjs; speaks with it over the IPC channel only.
import { cpuUsage } from "node:process";
import { now, sleep } from "./clock.mjs";
import { command, connect, newRequestId } from "./connect.mjs";
import { loopbackAddress, mapLimit, postJson } from "./http.mjs";

/** @typedef {import("./types.mjs").Seat} Seat */
/** @typedef {import("./types.mjs").ToWorker} ToWorker */
/** @typedef {import("./types.mjs").FromWorker} FromWorker */
/** @typedef {import("./types.mjs").AckRecord} AckRecord */
/** @typedef {import("./types.mjs").SetupMessage} SetupMessage */
/** @typedef {import("./types.mjs").WaveAction} WaveAction */
/** @typedef {import("./connect.mjs").Socket} Socket */

const JOIN_CONCURRENCY = 16;
const CONNECT_CONCURRENCY = 64;

/** @type {(Socket | null)[]} */
let sockets = [];
/** @type {(string | null)[]} each seat's token, to connect again elsewhere */
let tokens = [];
/** @type {Seat[]} */
let seats = [];
/** @type {string[]} the target's servers; seat i's own is urls[i % length] */
let urls = [];
let timeoutMs = 30_000;
const RESEND_AFTER_MS = [1000, 2000, 4000, 8000]; // then every 8 s, as phones do
let stateMessages = 0; // `state` events the participants received: the fan-out to phones
let placeMessages = 0; // of those, the ones carrying a phone's own `place` (sent to it alone)
const FAN_OUT_GRACE_MS = 250; // more than one coalescing interval: the last flush is counted

/** @param {FromWorker} message */
function reply(message) {
  // A coordinator that gave up (its time limit) has closed the channel: nobody to tell.
  if (process.send && process.connected) process.send(message);
}

/** @param {Seat} seat @param {number} [moved] servers further on (0: its own) @returns {string} */
function urlOf(seat, moved = 0) {
  return urls[(seat.index + moved) % urls.length];
}

/** @param {SetupMessage} setup @param {Seat} seat @returns {Promise<string>} */
async function tokenFor(setup, seat) {
  const { joinCode, spreadAddresses } = setup.credentials;
  if (joinCode === null) return `participant:${seat.index}`;
  const answer = await postJson(
    `${urlOf(seat)}/api/join`,
    { join_code: joinCode, stakeholder_group: seat.group, channel: seat.channel, name: `P${seat.index}` },
    { localAddress: spreadAddresses ? loopbackAddress(seat.index) : undefined, timeoutMs },
  );
  if (answer.status !== 201 || typeof answer.body?.token !== "string") {
    throw new Error(`join ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  }
  return answer.body.token;
}

/** @param {SetupMessage} setup */
async function onSetup(setup) {
  timeoutMs = setup.timeoutMs;
  urls = setup.urls;
  seats = setup.seats;
  /** @type {string[]} */
  const errors = [];
  /** @param {unknown} err */
  const note = (err) => {
    if (errors.length < 5) errors.push(String(err instanceof Error ? err.message : err));
  };
  const joinStart = now();
  tokens = await mapLimit(setup.seats, JOIN_CONCURRENCY, (seat) =>
    tokenFor(setup, seat).catch((err) => (note(err), null)),
  );
  const connectStart = now();
  sockets = await mapLimit(
    seats.map((_, local) => local),
    CONNECT_CONCURRENCY,
    (local) => {
      const token = tokens[local];
      if (token === null) return Promise.resolve(null);
      return connect(urlOf(seats[local]), token, timeoutMs).catch((err) => (note(err), null));
    },
  );
  for (const socket of sockets) {
    socket?.on("state", (/** @type {Record<string, unknown>} */ patch) => {
      stateMessages += 1;
      if (patch && "place" in patch) placeMessages += 1;
    });
  }
  const connected = sockets.filter((s) => s !== null).length;
  reply({
    type: "ready",
    connected,
    failed: setup.seats.length - connected,
    errors,
    joinMs: connectStart - joinStart,
    connectMs: now() - connectStart,
  });
}

/**
 * Fire one command per action at its moment; wait for every ack (bounded).
 * @param {WaveAction[]} actions
 */
async function onWave(actions) {
  const cpuBefore = cpuUsage();
  const statesBefore = stateMessages;
  const placesBefore = placeMessages;
  const start = now();
  const records = await Promise.all(
    actions.map(async (action) => {
      const wait = start + action.atMs - now();
      if (wait > 0) await sleep(wait);
      return fire(action);
    }),
  );
  const cpu = cpuSeconds(cpuUsage(cpuBefore));
  const counted = { stateMessages: stateMessages - statesBefore, placeMessages: placeMessages - placesBefore };
  reply({ type: "done", records, cpuSeconds: cpu, ...counted });
}

/** @param {WaveAction} action @returns {Promise<AckRecord>} */
async function fire(action) {
  const socket = sockets[action.seat];
  const { seat, key, event } = action;
  if (!socket) return { seat, key, event, requestId: newRequestId(), sentAt: now(), ackedAt: Number.NaN, ok: false, ack: null };
  const result = await command(socket, event, action.payload, timeoutMs);
  return { seat, key, event, ...result, ok: result.ack?.ok === true };
}

/**
 * The burst: every participant rates at once, in one synchronous loop, so
 * the server sees the whole hall's votes arrive together.
 * @param {string} propositionId
 * @param {string[]} values one per seat
 * @param {boolean} resend send again what is not answered, as phones do
 */
async function onBurst(propositionId, values, resend) {
  const cpuBefore = cpuUsage();
  stateMessages = 0;
  placeMessages = 0;
  const pending = sockets.map((socket, seat) => {
    const payload = { proposition_id: propositionId, value: values[seat] };
    if (resend) return untilAnswered(seat, "rating:submit", payload);
    return socket
      ? command(socket, "rating:submit", payload, timeoutMs)
      : Promise.resolve({ requestId: newRequestId(), sentAt: now(), ackedAt: Number.NaN, ack: null });
  });
  const results = await Promise.all(pending);
  /** @type {AckRecord[]} */
  const records = results.map((r, seat) => ({ seat, event: "rating:submit", ...r, ok: r.ack?.ok === true }));
  const cpu = cpuSeconds(cpuUsage(cpuBefore));
  await sleep(FAN_OUT_GRACE_MS);
  reply({ type: "done", records, cpuSeconds: cpu, stateMessages, placeMessages });
}

/**
 * Send one command until it is answered, as a phone does: the same
 * request_id each time, after 1, 2, 4, then every 8 s; a socket whose server
 * is gone connects to the next server (a load balancer would pick another).
 * A refusal other than `unavailable` is final. Bounded by `timeoutMs`.
 * @param {number} seat local index @param {string} event @param {Record<string, unknown>} payload
 */
async function untilAnswered(seat, event, payload) {
  const requestId = newRequestId();
  const deadline = now() + timeoutMs;
  const sentAt = now();
  let attempts = 0;
  let lastSentAt = sentAt;
  for (;;) {
    const socket = await usableSocket(seat, attempts);
    if (socket) {
      attempts += 1;
      const r = await command(socket, event, payload, Math.max(1, deadline - now()), requestId);
      lastSentAt = r.sentAt;
      const code = /** @type {any} */ (r.ack)?.error?.code;
      if (r.ack && (r.ack.ok === true || code !== "unavailable")) {
        return { requestId, sentAt, ackedAt: r.ackedAt, ack: r.ack, attempts, lastSentAt };
      }
    }
    const wait = RESEND_AFTER_MS[Math.min(attempts, RESEND_AFTER_MS.length) - 1] ?? RESEND_AFTER_MS[0];
    if (now() + wait > deadline) return { requestId, sentAt, ackedAt: Number.NaN, ack: null, attempts, lastSentAt };
    await sleep(wait);
  }
}

/**
 * The seat's socket, connected again through another server when its own closed.
 * @param {number} seat @param {number} tried sends so far: each retry moves one server on
 * @returns {Promise<Socket | null>}
 */
async function usableSocket(seat, tried) {
  const socket = sockets[seat];
  const token = tokens[seat];
  if (socket?.connected || token === null) return socket;
  socket?.close();
  const moved = tried === 0 ? 1 : tried;
  try {
    sockets[seat] = await connect(urlOf(seats[seat], moved), token, Math.min(timeoutMs, 5000));
  } catch {
    sockets[seat] = null;
  }
  return sockets[seat];
}

/** @param {NodeJS.CpuUsage} usage @returns {number} */
function cpuSeconds(usage) {
  return (usage.user + usage.system) / 1e6;
}

function onClose() {
  for (const socket of sockets) socket?.close();
  sockets = [];
  process.disconnect?.();
}

process.on("message", (/** @type {ToWorker} */ message) => {
  const done = (/** @type {unknown} */ err) => {
    console.error(`worker ${process.pid}: ${err instanceof Error ? err.stack : err}`);
    process.exit(1);
  };
  if (message.type === "setup") onSetup(message).catch(done);
  else if (message.type === "burst") onBurst(message.propositionId, message.values, message.resend === true).catch(done);
  else if (message.type === "wave") onWave(message.actions).catch(done);
  else if (message.type === "close") onClose();
});

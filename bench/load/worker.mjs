// @ts-check
// A load-generator worker: holds a slice of the participants (each its own
// socket.io connection) and acts for them when the coordinator says so.
// Forked by coordinator.mjs; speaks with it over the IPC channel only.
import { cpuUsage } from "node:process";
import { now, sleep } from "./clock.mjs";
import { command, connect } from "./connect.mjs";
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
let timeoutMs = 30_000;
let stateMessages = 0; // `state` events the participants received: the fan-out to phones
const FAN_OUT_GRACE_MS = 250; // more than one coalescing interval: the last flush is counted

/** @param {FromWorker} message */
function reply(message) {
  if (process.send) process.send(message);
}

/** @param {SetupMessage} setup @param {Seat} seat @returns {Promise<string>} */
async function tokenFor(setup, seat) {
  const { joinCode, spreadAddresses } = setup.credentials;
  if (joinCode === null) return `participant:${seat.index}`;
  const answer = await postJson(
    `${setup.url}/api/join`,
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
  /** @type {string[]} */
  const errors = [];
  /** @param {unknown} err */
  const note = (err) => {
    if (errors.length < 5) errors.push(String(err instanceof Error ? err.message : err));
  };
  const joinStart = now();
  const tokens = await mapLimit(setup.seats, JOIN_CONCURRENCY, (seat) =>
    tokenFor(setup, seat).catch((err) => (note(err), null)),
  );
  const connectStart = now();
  sockets = await mapLimit(tokens, CONNECT_CONCURRENCY, (token) =>
    token === null ? Promise.resolve(null) : connect(setup.url, token, timeoutMs).catch((err) => (note(err), null)),
  );
  for (const socket of sockets) socket?.on("state", () => (stateMessages += 1));
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
  const start = now();
  const records = await Promise.all(
    actions.map(async (action) => {
      const wait = start + action.atMs - now();
      if (wait > 0) await sleep(wait);
      return fire(action);
    }),
  );
  const cpu = cpuSeconds(cpuUsage(cpuBefore));
  reply({ type: "done", records, cpuSeconds: cpu, stateMessages: stateMessages - statesBefore });
}

/** @param {WaveAction} action @returns {Promise<AckRecord>} */
async function fire(action) {
  const socket = sockets[action.seat];
  const { seat, key, event } = action;
  if (!socket) return { seat, key, event, sentAt: now(), ackedAt: Number.NaN, ok: false, ack: null };
  const result = await command(socket, event, action.payload, timeoutMs);
  return { seat, key, event, ...result, ok: result.ack?.ok === true };
}

/**
 * The burst: every participant rates at once, in one synchronous loop, so
 * the server sees the whole hall's votes arrive together.
 * @param {string} propositionId
 * @param {string[]} values one per seat
 */
async function onBurst(propositionId, values) {
  const cpuBefore = cpuUsage();
  stateMessages = 0;
  const pending = sockets.map((socket, seat) =>
    socket
      ? command(socket, "rating:submit", { proposition_id: propositionId, value: values[seat] }, timeoutMs)
      : Promise.resolve({ sentAt: now(), ackedAt: Number.NaN, ack: null }),
  );
  const results = await Promise.all(pending);
  /** @type {AckRecord[]} */
  const records = results.map((r, seat) => ({ seat, event: "rating:submit", ...r, ok: r.ack?.ok === true }));
  const cpu = cpuSeconds(cpuUsage(cpuBefore));
  await sleep(FAN_OUT_GRACE_MS);
  reply({ type: "done", records, cpuSeconds: cpu, stateMessages });
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
  else if (message.type === "burst") onBurst(message.propositionId, message.values).catch(done);
  else if (message.type === "wave") onWave(message.actions).catch(done);
  else if (message.type === "close") onClose();
});

// @ts-check
// Node socket.io baseline: the same events and coalesced `state` as the bare
// python-socketio baseline (bench/baselines/bare_socketio.py), to show what a
// team would get by writing the transport layer in Node.
//
// Run: node bench/baselines/node_server.mjs --port 8200
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";

const COALESCE_MS = 100; // 10 Hz, as Plenary's fan-out
const BROADCAST_ROOMS = ["display", "facilitator"];
const BAD_REQUEST = { ok: false, error: { code: "bad_request", message: "bad payload" } };

/** @typedef {{version: number, propositions: object[]}} Update */

/** The latest rating per rater and proposition; says what changed since it was last asked. */
class Tally {
  constructor() {
    /** @type {Map<string, Map<string, unknown>>} */
    this.ratings = new Map();
    this.version = 0;
    this.dirty = false;
  }

  /** @param {string} propositionId */
  open(propositionId) {
    if (!this.ratings.has(propositionId)) this.ratings.set(propositionId, new Map());
    this.touch();
  }

  /** @param {string} propositionId @param {string} rater @param {unknown} value */
  rate(propositionId, rater, value) {
    this.open(propositionId);
    const ratings = /** @type {Map<string, unknown>} */ (this.ratings.get(propositionId));
    if (value === null || value === undefined) ratings.delete(rater);
    else ratings.set(rater, value);
  }

  touch() {
    this.version += 1;
    this.dirty = true;
  }

  /** @returns {Update} */
  snapshot() {
    const propositions = [...this.ratings].map(([id, ratings]) => ({
      id,
      status: "open",
      round: 1,
      rounds: [{ round: 1, total: ratings.size }],
    }));
    return { version: this.version, propositions };
  }

  /** @returns {Update | null} */
  takeUpdate() {
    if (!this.dirty) return null;
    this.dirty = false;
    return this.snapshot();
  }
}

/** @param {unknown} auth @returns {string} any token is accepted; its prefix names the role */
function roleOf(auth) {
  const token = auth && typeof auth === "object" ? /** @type {{token?: unknown}} */ (auth).token : null;
  const prefix = typeof token === "string" ? token.split(":", 1)[0] : "";
  return BROADCAST_ROOMS.includes(prefix) ? prefix : "participant";
}

/** @param {unknown} data @returns {data is {proposition_id: string, value?: unknown}} */
function hasProposition(data) {
  return (
    typeof data === "object" &&
    data !== null &&
    typeof (/** @type {{proposition_id?: unknown}} */ (data).proposition_id) === "string"
  );
}

function main() {
  const { values } = parseArgs({
    options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string" } },
  });
  if (!values.port) throw new Error("--port is required");
  const tally = new Tally();
  const http = createServer((req, res) => {
    // Every plain HTTP request is answered as `GET /healthz` is.
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, path: req.url }));
  });
  const io = new Server(http, { transports: ["websocket"], serveClient: false });
  io.on("connection", (socket) => {
    const role = roleOf(socket.handshake.auth);
    if (BROADCAST_ROOMS.includes(role)) socket.join(role);
    socket.emit("snapshot", tally.snapshot());
    socket.on("rating:submit", (data, ack) => {
      if (typeof ack !== "function") return;
      if (!hasProposition(data)) return ack(BAD_REQUEST);
      tally.rate(data.proposition_id, socket.id, data.value);
      ack({ ok: true, round: 1 });
    });
    socket.on("proposition:open", (data, ack) => {
      if (typeof ack !== "function") return;
      if (!hasProposition(data)) return ack(BAD_REQUEST);
      tally.open(data.proposition_id);
      ack({ ok: true, round: 1 });
    });
  });
  // Coalesce: one `state` per tick while anything changed, never one per vote.
  setInterval(() => {
    const update = tally.takeUpdate();
    if (update) io.to(BROADCAST_ROOMS).emit("state", update);
  }, COALESCE_MS);
  http.listen(Number(values.port), values.host);
}

main();

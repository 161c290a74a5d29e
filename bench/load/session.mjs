// @ts-check
// A plenary hour, compressed: the chair opens each proposition and starts
// the speaking timer, the hall rates in a wave while some raise their hands,
// remote hubs report their room's counts, the chair gives the floor, hands
// go down, results are revealed, the proposition is closed and marked; the
// first proposition is opened again for a second round after deliberation.
import { now, sleep } from "./clock.mjs";
import { command, connect } from "./connect.mjs";
import { Observations } from "./observe.mjs";
import { sampleProcesses } from "./procstat.mjs";
import { INTENTS, pick, SCALE, seeded } from "./random.mjs";

/** @typedef {import("./types.mjs").Plan} Plan */
/** @typedef {import("./types.mjs").WaveAction} WaveAction */
/** @typedef {import("./types.mjs").AckRecord} AckRecord */
/** @typedef {import("./types.mjs").Done} Done */
/** @typedef {import("./room.mjs").Room} Room */
/** @typedef {import("./display.mjs").Predicate} Predicate */
/** @typedef {import("./connect.mjs").Socket} Socket */
/** @typedef {{id: string, socket: Socket}} Hub */

const RATE_SHARE = 0.9; // who rates in a wave
const CHANGE_SHARE = 0.1; // of those, who changes their mind later in the wave
const HAND_SHARE = 0.03; // who raises a hand
const CHAIR_PAUSE_MS = 150; // a chair does not click faster than this
const MARKS = /** @type {const} */ (["rough_consensus", "no_consensus", "needs_revision"]);

class Script {
  /** @param {Plan} plan @param {Room} room */
  constructor(plan, room) {
    this.plan = plan;
    this.room = room;
    this.random = seeded(plan.seed + 2);
    this.seen = new Observations(room.display);
    /** @type {Hub[]} */
    this.hubs = [];
    this.participantStates = 0; // `state` events the phones received during waves
    this.participantPlaces = 0; // of those, the ones carrying a phone's own `place`
    /** @type {Set<string>} queue entries made by raised hands so far */
    this.entries = new Set();
    this.showWaitMs = Math.min(plan.timeoutMs, 5000);
    // A short session (the test's) clicks faster than a chair would.
    this.pauseMs = Math.min(CHAIR_PAUSE_MS, (plan.session?.durationMs ?? 45_000) / 300);
  }

  /**
   * Send a command, note it, and wait (bounded) until the display shows it.
   * @param {Socket} socket @param {string} kind @param {Record<string, unknown>} payload
   * @param {(ack: Record<string, any>) => Predicate | null} shows
   * @returns {Promise<Record<string, any> | null>} the ack when ok
   */
  async act(socket, kind, payload, shows) {
    const r = await command(socket, kind, payload, this.plan.timeoutMs);
    const ok = r.ack?.ok === true;
    const predicate = ok && r.ack ? shows(r.ack) : null;
    this.seen.add({ kind, requestId: r.requestId, sentAt: r.sentAt, ackedAt: r.ackedAt, ok, refusal: refusalOf(r.ack), shows: predicate });
    if (predicate) await this.room.display.waitFor(r.sentAt, predicate, this.showWaitMs);
    await sleep(this.pauseMs);
    return ok ? r.ack : null;
  }

  /** @param {number} count */
  async inviteHubs(count) {
    const facilitator = this.room.facilitator;
    for (let k = 0; k < count; k++) {
      const payload = { name: `Hub ${k + 1}`, attendance: this.plan.session?.hubAttendance ?? 40 };
      const ack = await this.act(facilitator, "hub:invite", payload, (a) => (v) => v.hubs.includes(a.hub_id));
      const hubs = this.plan.placement.hubs;
      if (ack) this.hubs.push({ id: ack.hub_id, socket: await connect(hubs[k % hubs.length], ack.token, this.plan.timeoutMs) });
    }
  }

  /** @param {string} id @param {number} segmentMs */
  async segment(id, segmentMs) {
    const started = now();
    const f = this.room.facilitator;
    const opened = await this.act(f, "proposition:open", { proposition_id: id }, (a) => (v) =>
      v.propositions[id]?.status === "open" && v.propositions[id]?.round === a.round,
    );
    if (!opened) return;
    const round = Number(opened.round);
    await this.act(f, "timer:set", { action: "start", seconds: 90 }, () => (v) => v.timerRunning);
    const { raters, raised } = await this.wave(id, round, segmentMs * 0.4);
    const hubTotal = await this.hubTallies(id, round, raters);
    /** @type {string[]} */
    const given = [];
    for (let i = 0; i < 2 && i < raised.length; i++) {
      const ack = await this.act(f, "queue:next", {}, (a) => (v) => v.current === (a.current?.entry_id ?? null));
      if (ack?.current?.entry_id) given.push(ack.current.entry_id);
    }
    await this.lowerHands(raised.filter((r) => !given.includes(r.entryId)), segmentMs * 0.1);
    await this.act(f, "timer:set", { action: "pause" }, () => (v) => !v.timerRunning);
    await this.act(f, "results:reveal", { proposition_id: id, visible: true }, () => (v) => Boolean(v.propositions[id]?.revealed));
    await this.act(f, "proposition:close", { proposition_id: id }, () => (v) => v.propositions[id]?.status === "closed");
    const mark = pick(this.random, MARKS);
    await this.act(f, "consensus:mark", { proposition_id: id, status: mark }, () => (v) => v.propositions[id]?.mark === mark);
    const rest = started + segmentMs - now();
    if (rest > 0) await sleep(rest);
    return { raters, hubTotal };
  }

  /**
   * The hall rates (some change their minds) and some raise their hands,
   * each at a random moment within the window.
   * @param {string} id @param {number} round @param {number} windowMs
   * @returns {Promise<{raters: number, raised: {seat: number, entryId: string}[]}>}
   */
  async wave(id, round, windowMs) {
    /** @type {{seat: number, atMs: number, event: string, payload: Record<string, unknown>}[]} */
    const actions = [];
    for (const seat of this.room.seats) {
      if (this.random() < RATE_SHARE) {
        const atMs = this.random() * windowMs;
        const value = pick(this.random, SCALE);
        actions.push({ seat: seat.index, atMs, event: "rating:submit", payload: { proposition_id: id, value } });
        if (this.random() < CHANGE_SHARE) {
          const later = atMs + this.random() * (windowMs - atMs);
          // A different value: the same one again changes nothing and leaves nothing in the log.
          const changed = pick(this.random, SCALE.filter((v) => v !== value));
          actions.push({ seat: seat.index, atMs: later, event: "rating:submit", payload: { proposition_id: id, value: changed } });
        }
      }
      if (this.random() < HAND_SHARE) {
        const payload = { intent: pick(this.random, INTENTS), proposition_id: id };
        actions.push({ seat: seat.index, atMs: this.random() * windowMs, event: "hand:raise", payload });
      }
    }
    const waiting = this.room.display.latest()?.queueLength ?? 0;
    const records = await this.run(actions);
    const firstRatings = firstPerSeat(records.filter((r) => r.event === "rating:submit"));
    this.noteRatings(id, round, firstRatings);
    const raised = [];
    // The projector lists the first few entries and how many wait: the k-th hand
    // acked in the wave is shown once it is listed or the count reaches k more
    // than before the wave (nobody leaves the queue during a wave).
    // A hand still up from an earlier wave keeps its entry: only new entries add to the count.
    const hands = records.filter((x) => x.event === "hand:raise");
    const byAck = hands.filter((r) => r.ok).sort((a, b) => a.ackedAt - b.ackedAt);
    const fresh = byAck.filter((r) => !this.entries.has(String(r.ack?.entry_id)));
    for (const r of byAck) this.entries.add(String(r.ack?.entry_id));
    for (const r of hands) {
      const entryId = r.ack?.entry_id;
      const k = fresh.filter((f) => f.ackedAt <= r.ackedAt).length;
      const shows =
        r.ok && typeof entryId === "string"
          ? (/** @type {any} */ v) => v.queue.includes(entryId) || v.current === entryId || v.queueLength >= waiting + k
          : null;
      this.seen.add({ kind: "hand:raise", requestId: r.requestId, sentAt: r.sentAt, ackedAt: r.ackedAt, ok: r.ok, refusal: refusalOf(r.ack), shows });
      if (shows) raised.push({ seat: r.seat, entryId: /** @type {string} */ (entryId) });
    }
    for (const r of records.filter((x) => x.event === "rating:submit" && !firstRatings.includes(x))) {
      this.seen.add({ kind: "rating:submit (change)", requestId: r.requestId, sentAt: r.sentAt, ackedAt: r.ackedAt, ok: r.ok, refusal: refusalOf(r.ack), shows: null });
    }
    const raters = firstRatings.filter((r) => r.ok).length;
    const shown = (/** @type {any} */ v) => v.propositions[id]?.round === round && v.propositions[id]?.total >= raters;
    await this.room.display.waitFor(Math.min(...records.map((r) => r.sentAt)), shown, this.showWaitMs);
    return { raters, raised };
  }

  /**
   * The k-th rating acked is shown once the display's total reaches k: each
   * rating's latency is to the first view counting at least that many.
   * @param {string} id @param {number} round @param {AckRecord[]} firstRatings
   */
  noteRatings(id, round, firstRatings) {
    const ordered = [...firstRatings].sort((a, b) => (a.ok ? a.ackedAt : Infinity) - (b.ok ? b.ackedAt : Infinity));
    ordered.forEach((r, k) => {
      const shows = (/** @type {any} */ v) => v.propositions[id]?.round === round && v.propositions[id]?.total >= k + 1;
      this.seen.add({ kind: "rating:submit", requestId: r.requestId, sentAt: r.sentAt, ackedAt: r.ackedAt, ok: r.ok, refusal: refusalOf(r.ack), shows: r.ok ? shows : null });
    });
  }

  /**
   * Each hub reports its room's counts, then a corrected count a moment later.
   * @param {string} id @param {number} round @param {number} raters
   * @returns {Promise<number>} the hubs' counts summed
   */
  async hubTallies(id, round, raters) {
    /** @type {Map<string, number>} */
    const sums = new Map();
    const attendance = this.plan.session?.hubAttendance ?? 40;
    for (const pass of [0.6, 0.8]) {
      for (const hub of this.hubs) {
        const counts = splitCounts(this.random, Math.floor(attendance * pass));
        const expected = raters + [...sums.entries()].reduce((s, [h, c]) => s + (h === hub.id ? 0 : c), 0) + sumOf(counts);
        const ack = await this.act(hub.socket, "hub:tally", { proposition_id: id, counts }, () => (v) =>
          v.propositions[id]?.round === round && v.propositions[id]?.total === expected,
        );
        if (ack) sums.set(hub.id, sumOf(counts));
      }
    }
    return [...sums.values()].reduce((a, b) => a + b, 0);
  }

  /** @param {{seat: number, entryId: string}[]} raised @param {number} windowMs */
  async lowerHands(raised, windowMs) {
    const lowering = raised.filter(() => this.random() < 0.5);
    const actions = lowering.map((r) => ({ seat: r.seat, atMs: this.random() * windowMs, event: "hand:lower", payload: {} }));
    const waiting = this.room.display.latest()?.queueLength ?? 0;
    const records = await this.run(actions);
    // As for raised hands: the k-th lowering acked is shown once the entry is not
    // listed and the count is k less than before (only hands leave meanwhile).
    const byAck = records.filter((r) => r.ok).sort((a, b) => a.ackedAt - b.ackedAt);
    for (const r of records) {
      const entryId = lowering.find((l) => l.seat === r.seat)?.entryId;
      const k = byAck.indexOf(r) + 1;
      const shows = (/** @type {any} */ v) => !v.queue.includes(entryId) && v.queueLength <= waiting - k;
      this.seen.add({ kind: "hand:lower", requestId: r.requestId, sentAt: r.sentAt, ackedAt: r.ackedAt, ok: r.ok, refusal: refusalOf(r.ack), shows });
    }
  }

  /**
   * Deal actions (global seat numbers) to the workers holding those seats.
   * @param {{seat: number, atMs: number, event: string, payload: Record<string, unknown>}[]} actions
   * @returns {Promise<AckRecord[]>} records with global seat numbers
   */
  async run(actions) {
    const pool = this.room.pool;
    /** @type {WaveAction[][]} */
    const dealt = pool.slices.map(() => []);
    for (const a of actions) {
      const { worker, local } = pool.locate(a.seat);
      dealt[worker].push({ ...a, seat: local, key: String(a.seat) });
    }
    const answers = /** @type {Done[]} */ (await pool.ask((w) => ({ type: "wave", actions: dealt[w] })));
    this.participantStates += answers.reduce((sum, d) => sum + d.stateMessages, 0);
    this.participantPlaces += answers.reduce((sum, d) => sum + d.placeMessages, 0);
    return answers.flatMap((d) => d.records.map((r) => ({ ...r, seat: Number(r.key) })));
  }
}

/** @param {Plan} plan @param {Room} room @returns {Promise<Record<string, unknown>>} */
export async function runSession(plan, room) {
  const script = new Script(plan, room);
  const ids = plan.credentials.propositionIds;
  const durationMs = plan.session?.durationMs ?? 45_000;
  if (plan.profilePauseMs) {
    // A profiler is attached to the server on this line; give it time to start.
    console.error("session: ready");
    await sleep(plan.profilePauseMs);
  }
  const before = sampleProcesses(plan.serverPids);
  const start = now();
  await script.inviteHubs(plan.session?.hubs ?? 2);
  const segments = [...ids, ids[0]]; // the first proposition gets a second round
  for (const id of segments) await script.segment(id, durationMs / segments.length);
  const after = sampleProcesses(plan.serverPids);
  for (const hub of script.hubs) hub.socket.close();
  return {
    wall_seconds: (now() - start) / 1000,
    propositions: ids.length,
    rounds: segments.length,
    hubs: script.hubs.length,
    server: {
      cpu_seconds: after.cpuSeconds - before.cpuSeconds,
      peak_rss_kb: after.hwmKb,
      processes: plan.serverPids.length,
      // The whole hall connected (phones, display, console, hubs), over the RSS before any.
      memory_per_connection_kb: (after.rssKb - room.rssBeforeKb) / (room.connected + 2 + script.hubs.length),
    },
    display_updates: room.display.history.filter((v) => v.at >= start).length,
    participants_state_messages_during_waves: script.participantStates,
    participants_place_messages_during_waves: script.participantPlaces,
    ...script.seen.summary(),
  };
}

/** @param {AckRecord[]} ratings @returns {AckRecord[]} each seat's first rating */
function firstPerSeat(ratings) {
  /** @type {Map<number, AckRecord>} */
  const first = new Map();
  for (const r of ratings) {
    const seen = first.get(r.seat);
    if (!seen || r.sentAt < seen.sentAt) first.set(r.seat, r);
  }
  return [...first.values()];
}

/** @param {() => number} random @param {number} total @returns {Record<string, number>} */
function splitCounts(random, total) {
  /** @type {Record<string, number>} */
  const counts = Object.fromEntries(SCALE.map((k) => [k, 0]));
  for (let i = 0; i < total; i++) counts[pick(random, SCALE)] += 1;
  return counts;
}

/** @param {Record<string, number>} counts @returns {number} */
function sumOf(counts) {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** @param {Record<string, any> | null} ack @returns {string | null} */
function refusalOf(ack) {
  if (ack === null) return "no ack in time";
  return ack.ok === true ? null : JSON.stringify(ack.error ?? ack);
}

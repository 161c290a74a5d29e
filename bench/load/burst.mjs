// @ts-check
// The burst: the chair says "please rate now" and the whole hall rates at
// once. Measures every ack's latency, how long after the last ack the
// projector shows the final tally, and what the server (all its processes)
// spent doing it.
import { sleep } from "./clock.mjs";
import { command } from "./connect.mjs";
import { totalOf } from "./display.mjs";
import { sampleProcess, sampleProcesses } from "./procstat.mjs";
import { pick, seeded, SCALE } from "./random.mjs";
import { summarize } from "./stats.mjs";

/** How long after the final tally the server's CPU is read. */
export const SETTLE_MS = 1500;

/** @typedef {import("./types.mjs").Plan} Plan */
/** @typedef {import("./types.mjs").Done} Done */
/** @typedef {import("./room.mjs").Room} Room */

/** @param {Plan} plan @param {Room} room @returns {Promise<Record<string, unknown>>} */
export async function runBurst(plan, room) {
  const propositionId = plan.credentials.propositionIds[0];
  const opened = await openQuietly(plan, room, propositionId);
  if (plan.profilePauseMs) {
    // A profiler is attached to the server on this line; give it time to start.
    console.error("burst: ready");
    await sleep(plan.profilePauseMs);
  }

  const random = seeded(plan.seed + 1);
  const values = room.seats.map(() => pick(random, SCALE));
  const before = sampleProcesses(plan.serverPids);
  const redisBefore = plan.redisPid ? sampleProcess(plan.redisPid) : null;
  const results = /** @type {Done[]} */ (
    await room.pool.ask((w) => ({
      type: "burst",
      propositionId,
      values: room.pool.slices[w].map((seat) => values[seat.index]),
    }))
  );
  const records = results.flatMap((r) => r.records);
  const acked = records.filter((r) => r.ok);
  const lastAck = Math.max(...acked.map((r) => r.ackedAt));
  const firstSend = Math.min(...records.map((r) => r.sentAt));
  const final = await room.display.waitFor(firstSend, (v) => totalOf(propositionId)(v) >= acked.length, plan.timeoutMs);
  // Work the burst leaves behind is the burst's too: Plenary recomputes the
  // opinion groups once the hall pauses (a quarter of a second after the last
  // rating), so CPU is read a settling time after the final tally, for every target.
  await sleep(SETTLE_MS);
  const after = sampleProcesses(plan.serverPids);
  const redisAfter = plan.redisPid ? sampleProcess(plan.redisPid) : null;
  // Hold the room while the profiler still samples, so it sees no disconnects.
  if (plan.profilePauseMs) await sleep(plan.profilePauseMs * 3);
  const connections = room.connected + 2; // participants, the display and the facilitator

  return {
    acks: {
      sent: records.length,
      ok: acked.length,
      failed: records.length - acked.length,
      refusals: refusalSamples(records),
      latency_ms: summarize(acked.map((r) => r.ackedAt - r.sentAt)),
    },
    burst_ms: lastAck - firstSend,
    acks_per_second: acked.length / ((lastAck - firstSend) / 1000),
    display: {
      final_total: room.display.latest() ? totalOf(propositionId)(/** @type {any} */ (room.display.latest())) : null,
      final_tally_after_last_ack_ms: final ? final.at - lastAck : null,
      updates: room.display.history.filter((v) => v.at >= firstSend).length,
    },
    server: {
      cpu_seconds: after.cpuSeconds - before.cpuSeconds,
      rss_before_connections_kb: room.rssBeforeKb,
      rss_after_kb: after.rssKb,
      peak_rss_kb: after.hwmKb,
      peak_memory_per_connection_kb: (after.hwmKb - room.rssBeforeKb) / connections,
      connections,
      processes: plan.serverPids.length,
    },
    redis: redisBefore && redisAfter ? { cpu_seconds: redisAfter.cpuSeconds - redisBefore.cpuSeconds, rss_after_kb: redisAfter.rssKb } : null,
    participants_state_messages: results.reduce((sum, r) => sum + r.stateMessages, 0),
    generator: { cpu_seconds: results.reduce((sum, r) => sum + r.cpuSeconds, 0) },
    acked_request_ids: [opened, ...acked.map((r) => r.requestId)],
  };
}

/**
 * The chair opens the proposition; returns once the display shows it and the
 * opening's fan-out has settled, so what follows is measured alone.
 * @param {Plan} plan @param {Room} room @param {string} propositionId
 * @returns {Promise<string>} the opening's request_id
 */
export async function openQuietly(plan, room, propositionId) {
  const opened = await command(room.facilitator, "proposition:open", { proposition_id: propositionId }, plan.timeoutMs);
  if (opened.ack?.ok !== true) throw new Error(`proposition:open refused: ${JSON.stringify(opened.ack)}`);
  await room.display.waitFor(opened.sentAt, (v) => v.propositions[propositionId]?.status === "open", plan.timeoutMs);
  await room.quiet();
  return opened.requestId;
}

/** @param {import("./types.mjs").AckRecord[]} records @returns {string[]} a few refusals, to say why */
export function refusalSamples(records) {
  return records
    .filter((r) => !r.ok)
    .slice(0, 3)
    .map((r) => (r.ack ? JSON.stringify(r.ack) : "no ack in time"));
}

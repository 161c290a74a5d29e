// @ts-check
// The owner dies mid-burst: the whole hall rates at once over several
// workers, and the worker holding the session's lease is killed (SIGKILL)
// once the display shows a share of the ratings, while the rest are in flight. Phones do what real ones do: a rating
// answered `unavailable` or not at all is sent again with the same
// request_id (1, 2, 4, then every 8 s), through another worker when theirs
// is gone. One probe phone on each surviving worker sends a rating every
// `probeEveryMs` until one is acknowledged: the takeover time is from the
// kill to the first acknowledgement of a command sent after it.
import { now, sleep } from "./clock.mjs";
import { command, connect } from "./connect.mjs";
import { totalOf } from "./display.mjs";
import { loopbackAddress, postJson } from "./http.mjs";
import { openQuietly, refusalSamples } from "./burst.mjs";
import { GROUPS, pick, seeded, SCALE } from "./random.mjs";
import { summarize } from "./stats.mjs";

/** @typedef {import("./types.mjs").Plan} Plan */
/** @typedef {import("./types.mjs").Done} Done */
/** @typedef {import("./types.mjs").AckRecord} AckRecord */
/** @typedef {import("./room.mjs").Room} Room */
/** @typedef {import("./connect.mjs").Socket} Socket */

/**
 * @typedef {object} ProbeResult
 * @property {string} url
 * @property {string} requestId
 * @property {number} attempts
 * @property {number} ackedAt           NaN: never acknowledged in time
 * @property {number} sentAt            the send that was acknowledged
 * @property {Record<string, number>} refusals  codes seen before the acknowledgement
 */

/** @param {Plan} plan @param {Room} room @returns {Promise<Record<string, unknown>>} */
export async function runTakeover(plan, room) {
  const takeover = plan.takeover;
  if (!takeover) throw new Error("the takeover scenario needs plan.takeover");
  const propositionId = plan.credentials.propositionIds[0];
  const opened = await openQuietly(plan, room, propositionId);
  const probes = await Promise.all(takeover.probes.map((url, k) => probePhone(plan, url, plan.n + k)));

  const random = seeded(plan.seed + 1);
  const values = room.seats.map(() => pick(random, SCALE));
  const burstAt = now();
  const burst = room.pool.ask((w) => ({
    type: "burst",
    propositionId,
    values: room.pool.slices[w].map((seat) => values[seat.index]),
    resend: true,
  }));
  // Mid-burst: once the display (another worker) counts a share of the hall.
  const share = Math.ceil(plan.n * takeover.killAtShare);
  const seen = await room.display.waitFor(burstAt, (v) => totalOf(propositionId)(v) >= share, plan.timeoutMs);
  process.kill(takeover.killPid, "SIGKILL");
  const killedAt = now();
  const probed = await Promise.all(probes.map((p) => probe(p, propositionId, plan.timeoutMs, takeover.probeEveryMs)));
  const results = /** @type {Done[]} */ (await burst);
  for (const p of probes) p.socket.close();

  const records = results.flatMap((r) => r.records);
  const acked = records.filter((r) => r.ok);
  const probesAcked = probed.filter((p) => !Number.isNaN(p.ackedAt));
  const afterKill = [
    ...probesAcked.filter((p) => p.sentAt >= killedAt).map((p) => p.ackedAt),
    ...acked.filter((r) => (r.lastSentAt ?? r.sentAt) >= killedAt).map((r) => r.ackedAt),
  ];
  const firstAfter = afterKill.length ? Math.min(...afterKill) : Number.NaN;
  const lastAck = Math.max(...acked.map((r) => r.ackedAt), ...probesAcked.map((p) => p.ackedAt));
  const expected = acked.length + probesAcked.length;
  const final = await room.display.waitFor(burstAt, (v) => totalOf(propositionId)(v) >= expected, plan.timeoutMs);
  const latest = room.display.latest();
  return {
    kill_after_ms: killedAt - burstAt,
    killed_pid: takeover.killPid,
    display_total_at_kill: seen ? totalOf(propositionId)(seen) : null,
    takeover_ms: Number.isNaN(firstAfter) ? null : firstAfter - killedAt,
    probes: probed.map((p) => ({
      url: p.url,
      attempts: p.attempts,
      refusals: p.refusals,
      acked_after_kill_ms: Number.isNaN(p.ackedAt) ? null : p.ackedAt - killedAt,
    })),
    acks: {
      sent: records.length,
      ok: acked.length,
      failed: records.length - acked.length,
      refusals: refusalSamples(records),
      acked_before_kill: acked.filter((r) => r.ackedAt < killedAt).length,
      resent: records.filter((r) => (r.attempts ?? 1) > 1).length,
      latency_ms: summarize(acked.map((r) => r.ackedAt - r.sentAt)),
    },
    last_ack_after_kill_ms: lastAck - killedAt,
    display: {
      final_total: latest ? totalOf(propositionId)(latest) : null,
      expected_total: expected,
      final_tally_after_last_ack_ms: final ? final.at - lastAck : null,
    },
    acked_request_ids: [opened, ...acked.map((r) => r.requestId), ...probesAcked.map((p) => p.requestId)],
  };
}

/**
 * One more participant, joined and connected through `url`.
 * @param {Plan} plan @param {string} url @param {number} index a seat number no phone has
 * @returns {Promise<{url: string, socket: Socket}>}
 */
async function probePhone(plan, url, index) {
  const joined = await postJson(
    `${url}/api/join`,
    { join_code: plan.credentials.joinCode, stakeholder_group: GROUPS[0], channel: "in_room", name: `Probe ${index}` },
    { localAddress: plan.credentials.spreadAddresses ? loopbackAddress(index) : undefined, timeoutMs: plan.timeoutMs },
  );
  if (joined.status !== 201) throw new Error(`probe join ${joined.status}: ${JSON.stringify(joined.body).slice(0, 200)}`);
  return { url, socket: await connect(url, joined.body.token, plan.timeoutMs) };
}

/**
 * Rate, with one request_id, until acknowledged: each send waits for its
 * answer (bounded), and a refusal is followed by a pause of `everyMs`.
 * @param {{url: string, socket: Socket}} phone @param {string} propositionId
 * @param {number} timeoutMs @param {number} everyMs @returns {Promise<ProbeResult>}
 */
async function probe(phone, propositionId, timeoutMs, everyMs) {
  const deadline = now() + timeoutMs;
  /** @type {Record<string, number>} */
  const refusals = {};
  let requestId;
  let attempts = 0;
  while (now() < deadline) {
    attempts += 1;
    const r = await command(phone.socket, "rating:submit", { proposition_id: propositionId, value: "agree" }, deadline - now(), requestId);
    requestId = r.requestId;
    if (r.ack?.ok === true) return { url: phone.url, requestId, attempts, ackedAt: r.ackedAt, sentAt: r.sentAt, refusals };
    const code = String(/** @type {any} */ (r.ack)?.error?.code ?? "no answer");
    refusals[code] = (refusals[code] ?? 0) + 1;
    await sleep(everyMs);
  }
  return { url: phone.url, requestId: requestId ?? "", attempts, ackedAt: Number.NaN, sentAt: Number.NaN, refusals };
}

// @ts-check
// Phones that connect and then only stay connected, for measuring what each
// connection holds on the server (bench/connection_memory.py): each joins
// over HTTP from its own loopback address (Plenary) or takes a stand-in token
// (the baselines), connects as every client does, then holds its socket
// until a line arrives on stdin.
// Run: node bench/load/hold.mjs URL JOIN_CODE|- FIRST COUNT
import { connect } from "./connect.mjs";
import { loopbackAddress, mapLimit, postJson } from "./http.mjs";
import { DEFAULT_GROUPS } from "./vocabulary.generated.mjs";

const CONCURRENCY = 50;
const TIMEOUT_MS = 60_000;

const [url, joinCode, first, count] = process.argv.slice(2);
const seats = Array.from({ length: Number(count) }, (_, i) => Number(first) + i);

/** @param {number} seat @returns {Promise<string>} */
async function tokenFor(seat) {
  if (joinCode === "-") return `participant:${seat}`;
  const answer = await postJson(
    `${url}/api/join`,
    { join_code: joinCode, stakeholder_group: DEFAULT_GROUPS[seat % DEFAULT_GROUPS.length], channel: "in_room", name: `P${seat}` },
    { localAddress: loopbackAddress(seat), timeoutMs: TIMEOUT_MS },
  );
  if (answer.status !== 201) throw new Error(`join ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  return answer.body.token;
}

const tokens = await mapLimit(seats, CONCURRENCY, tokenFor);
const sockets = await mapLimit(tokens, CONCURRENCY, (token) => connect(url, token, TIMEOUT_MS));
console.log(JSON.stringify({ connected: sockets.length }));
process.stdin.once("data", () => process.exit(0));

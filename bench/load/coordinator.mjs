// @ts-check
// The load generator's entry point, run by the Python harness:
//   node bench/load/coordinator.mjs '<plan as JSON>'
// It forks the worker processes, runs one scenario against one target, and
// prints one JSON object (the scenario's figures) on stdout. Progress and
// errors go to stderr.
import { argv, exit, stdout } from "node:process";
import { runBurst } from "./burst.mjs";
import { Room } from "./room.mjs";
import { runSession } from "./session.mjs";
import { runTakeover } from "./takeover.mjs";

/** @typedef {import("./types.mjs").Plan} Plan */

async function main() {
  /** @type {Plan} */
  const plan = JSON.parse(argv[2] ?? "");
  // Every wait is bounded; this is the last line of defence for the whole run.
  const guard = setTimeout(() => {
    console.error(`coordinator: ${plan.scenario} on ${plan.target} ran past its time limit`);
    exit(2);
  }, plan.setupMs + plan.timeoutMs * 6);
  guard.unref();
  const room = await Room.open(plan);
  try {
    const scenarios = { burst: runBurst, session: runSession, takeover: runTakeover };
    const figures = await scenarios[plan.scenario](plan, room);
    const result = { scenario: plan.scenario, target: plan.target, n: plan.n, workers: room.pool.slices.length, setup: room.setup, ...figures };
    stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    room.close();
  }
}

main().then(
  () => setTimeout(() => exit(0), 200).unref(),
  (err) => {
    console.error(`coordinator: ${err instanceof Error ? err.stack : err}`);
    exit(1);
  },
);

// GET one URL over C keep-alive connections for S seconds, as fast as answers come;
// prints requests per second and latency percentiles. The simple measure behind
// "workers per core" in docs/scale-out.md:
//   node bench/load/http-rate.mjs http://127.0.0.1:8000/api/settings 64 5
import http from "node:http";

const [url, connections = "64", seconds = "5"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node http-rate.mjs URL [connections] [seconds]");
  process.exit(2);
}
const agent = new http.Agent({
  keepAlive: true,
  maxSockets: Number(connections),
});
const end = Date.now() + Number(seconds) * 1000;
/** @type {number[]} */
const latencies = [];
let errors = 0;

/** @returns {Promise<void>} */
function one() {
  return new Promise((resolve) => {
    const started = performance.now();
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200)
            latencies.push(performance.now() - started);
          else errors++;
          resolve();
        });
      })
      .on("error", () => {
        errors++;
        resolve();
      });
  });
}

async function loop() {
  while (Date.now() < end) await one();
}

const t0 = Date.now();
await Promise.all(Array.from({ length: Number(connections) }, loop));
const elapsed = (Date.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
/** @param {number} p */
const at = (p) =>
  Number(
    latencies[
      Math.min(latencies.length - 1, Math.floor(p * latencies.length))
    ]?.toFixed(1),
  );
console.log(
  JSON.stringify({
    requests: latencies.length,
    errors,
    per_s: Math.round(latencies.length / elapsed),
    p50_ms: at(0.5),
    p99_ms: at(0.99),
  }),
);
agent.destroy();

// @ts-check
// A JSON POST over node:http. node:http (not fetch) because it can bind a
// source address: each participant joins from its own loopback address, as
// phones in a hall each have their own, so per-address rate limits apply to
// the load generator as they would to a real room.
import { request } from "node:http";

/**
 * @param {string} url
 * @param {unknown} body
 * @param {{localAddress?: string, timeoutMs: number}} options
 * @returns {Promise<{status: number, body: any}>}
 */
export function postJson(url, body, options) {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": payload.length },
        localAddress: options.localAddress,
        timeout: options.timeoutMs,
      },
      (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: text });
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`POST ${url} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** @param {number} index @returns {string} a loopback address of its own for participant `index` */
export function loopbackAddress(index) {
  // 127.0.0.0/8 is all loopback on Linux; 127.100.x.y leaves 127.0.0.1 alone.
  return `127.100.${(index >> 8) & 255}.${index & 255}`;
}

/**
 * Run `task` over `items` with at most `limit` at once.
 * @template T, R
 * @param {T[]} items
 * @param {number} limit
 * @param {(item: T) => Promise<R>} task
 * @returns {Promise<R[]>}
 */
export async function mapLimit(items, limit, task) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

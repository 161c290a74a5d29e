// @ts-check
// Percentiles the way the report states them: nearest rank on sorted samples.

/** @param {number[]} sorted ascending @param {number} p 0..100 @returns {number | null} */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * @param {number[]} samples milliseconds
 * @returns {{count: number, p50: number | null, p95: number | null, p99: number | null, max: number | null, mean: number | null}}
 */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : null,
    mean,
  };
}

// @ts-check
// The server process's CPU time and memory, read from /proc the way `ps` does.
import { readFileSync } from "node:fs";

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux this runs on

/** @typedef {{cpuSeconds: number, rssKb: number, hwmKb: number}} ProcSample */

/** @param {number} pid @returns {ProcSample} */
export function sampleProcess(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name may hold spaces and parentheses: split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]); // field 14 of stat(5)
  const stime = Number(fields[12]); // field 15
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return {
    cpuSeconds: (utime + stime) / CLOCK_TICKS,
    rssKb: statusKb(status, "VmRSS"),
    hwmKb: statusKb(status, "VmHWM"),
  };
}

/**
 * Several processes (the workers of one target) as one: CPU, RSS and peak RSS summed.
 * @param {number[]} pids @returns {ProcSample}
 */
export function sampleProcesses(pids) {
  const samples = pids.map(sampleProcess);
  return {
    cpuSeconds: samples.reduce((sum, s) => sum + s.cpuSeconds, 0),
    rssKb: samples.reduce((sum, s) => sum + s.rssKb, 0),
    hwmKb: samples.reduce((sum, s) => sum + s.hwmKb, 0),
  };
}

/** @param {string} status @param {string} key @returns {number} */
function statusKb(status, key) {
  const match = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"));
  if (!match) throw new Error(`no ${key} in /proc status`);
  return Number(match[1]);
}

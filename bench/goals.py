"""The issue's targets, checked against a run's figures."""

from __future__ import annotations

from typing import Any

from bench.figures import ratio

Json = dict[str, Any]

ACK_P99_RATIO_LIMIT = 1.3
FINAL_TALLY_LIMIT_MS = 250.0
MEMORY_RATIO_LIMIT = 1.3
RESTART_LIMIT_SECONDS = 3.0
# Issue 15: a hall of 10,000 on one process.
CPU_PER_RATING_GROWTH_LIMIT = 1.3
ACK_P99_AT_SCALE_LIMIT = 0.5
MEMORY_PER_CONNECTION_LIMIT = 0.7
MEMORY_AFTER_BURSTS_LIMIT = 1.10
# Issue 14: scale-out on Redis, against the single process on SQLite.
REDIS_ACK_P99_RATIO_LIMIT = 1.5
TAKEOVER_LIMIT_S = 5.0


def evaluate(report: Json) -> list[Json]:
    scale = report.get("burst", {})
    by_n: dict[str, Json] = scale.get("by_n", {})
    burst = by_n[max(by_n, key=int)] if by_n else {}
    if report.get("settings", {}).get("redis"):
        return issue_14_goals(report, burst)
    return issue_5_goals(report, burst) + issue_15_goals(scale, by_n, burst)


def issue_14_goals(report: Json, burst: Json) -> list[Json]:
    """The scale-out run: the workers on Redis against the single process, and no loss."""
    to_single = burst.get("ratios", {}).get("redis/plenary", {})
    redis = burst.get("median", {}).get("redis", {})
    takeover = report.get("takeover", {})
    took = takeover.get("takeover_ms")
    n = burst.get("n", "n")
    return [
        goal(
            f"burst ack p99 at n={n}, Redis workers / single process (SQLite)",
            to_single.get("ack_p99_ms"),
            REDIS_ACK_P99_RATIO_LIMIT,
            "≤ 1.5 times",
        ),
        goal(
            "final tally on a display on another worker after the last ack (ms)",
            redis.get("final_tally_after_last_ack_ms"),
            FINAL_TALLY_LIMIT_MS,
            "≤ 250 ms",
        ),
        goal(
            "takeover: owner SIGKILL to the first acked command on the new owner (s)",
            None if took is None else took / 1000,
            TAKEOVER_LIMIT_S,
            "≤ 5 s",
        ),
        goal(
            "acked commands missing from the log, every run on Redis",
            lost_on_redis(report),
            0,
            "0",
        ),
    ]


def lost_on_redis(report: Json) -> float | None:
    """Acked commands missing from the log, summed over every run on the `redis` target."""
    checks: list[Json] = []
    for burst in report.get("burst", {}).get("by_n", {}).values():
        checks += [run.get("log") or {} for run in burst.get("runs", {}).get("redis", [])]
    checks.append(report.get("session", {}).get("by_target", {}).get("redis", {}).get("log") or {})
    checks.append(report.get("takeover", {}).get("log") or {})
    counted = [check["missing"] for check in checks if "missing" in check]
    return float(sum(counted)) if counted else None


def issue_15_goals(scale: Json, by_n: dict[str, Json], largest: Json) -> list[Json]:
    """Checked at the largest size; CPU growth against the smallest when there are two."""
    plenary = {n: found.get("median", {}).get("plenary", {}) for n, found in by_n.items()}
    growth = None
    if len(plenary) >= 2:
        small, large = min(plenary, key=int), max(plenary, key=int)
        growth = ratio(
            plenary[large].get("cpu_per_rating_ms"), plenary[small].get("cpu_per_rating_ms")
        )
    to_bare = largest.get("ratios", {}).get("plenary/bare", {})
    to_node = largest.get("ratios", {}).get("plenary/node", {})
    n = largest.get("n", "the largest n")
    return [
        goal(
            "Plenary CPU per rating, largest n / smallest n",
            growth,
            CPU_PER_RATING_GROWTH_LIMIT,
            "≤ 1.3 times",
        ),
        goal(
            f"burst ack p99 at n={n}, Plenary / bare python-socketio",
            to_bare.get("ack_p99_ms"),
            ACK_P99_AT_SCALE_LIMIT,
            "≤ 0.5 times",
        ),
        reported(f"burst ack p99 at n={n}, Plenary / Node socket.io", to_node.get("ack_p99_ms")),
        goal(
            f"memory per connection (RSS growth) at n={n}, Plenary / bare python-socketio",
            to_bare.get("memory_per_connection_kb"),
            MEMORY_PER_CONNECTION_LIMIT,
            "≤ 0.7 times",
        ),
        goal(
            "Plenary memory after the last of the bursts in a row / after the first",
            scale.get("memory_bursts", {}).get("last_over_first") if scale else None,
            MEMORY_AFTER_BURSTS_LIMIT,
            "≤ 1.10 times",
        ),
    ]


def issue_5_goals(report: Json, burst: Json) -> list[Json]:
    to_bare = burst.get("ratios", {}).get("plenary/bare", {})
    plenary = burst.get("median", {}).get("plenary", {})
    restart = report.get("restart", {})
    return [
        goal(
            "burst ack p99, Plenary / bare python-socketio",
            to_bare.get("ack_p99_ms"),
            ACK_P99_RATIO_LIMIT,
            "≤ 1.3 times",
        ),
        goal(
            "final tally on display after last ack (ms)",
            plenary.get("final_tally_after_last_ack_ms"),
            FINAL_TALLY_LIMIT_MS,
            "≤ 250 ms",
        ),
        goal(
            "peak memory per connection, Plenary / bare python-socketio",
            to_bare.get("peak_memory_per_connection_kb"),
            MEMORY_RATIO_LIMIT,
            "≤ 1.3 times",
        ),
        goal(
            f"restart with {restart.get('events', 1_000_000):,} events (s)",
            restart.get("seconds_to_healthz"),
            RESTART_LIMIT_SECONDS,
            "< 3 s",
            strict=True,
        ),
    ]


def reported(name: str, measured: float | None) -> Json:
    """A figure the issue asks to see beside the targets, with no limit of its own."""
    return {"target": name, "measured": measured, "limit": "reported", "met": None}


def goal(name: str, measured: float | None, limit: float, said: str, strict: bool = False) -> Json:
    met = None if measured is None else (measured < limit if strict else measured <= limit)
    return {"target": name, "measured": measured, "limit": said, "met": met}

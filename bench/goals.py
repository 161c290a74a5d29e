"""The issue's targets, checked against a run's figures."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

ACK_P99_RATIO_LIMIT = 1.3
FINAL_TALLY_LIMIT_MS = 250.0
MEMORY_RATIO_LIMIT = 1.3
RESTART_LIMIT_SECONDS = 3.0


def evaluate(report: Json) -> list[Json]:
    burst = report.get("burst", {})
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


def goal(name: str, measured: float | None, limit: float, said: str, strict: bool = False) -> Json:
    met = None if measured is None else (measured < limit if strict else measured <= limit)
    return {"target": name, "measured": measured, "limit": said, "met": met}

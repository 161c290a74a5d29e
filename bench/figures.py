"""Pick the reported figures out of the load generator's JSON, and combine runs.

A figure is a path into a run's JSON. With several runs of one target the
report gives each figure's median, so one noisy moment on this shared
machine does not decide a ratio.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

Json = dict[str, Any]
Figures = dict[str, float | None]

BURST_FIGURES: Mapping[str, tuple[str, ...]] = {
    "acked": ("acks", "ok"),
    "failed": ("acks", "failed"),
    "ack_p50_ms": ("acks", "latency_ms", "p50"),
    "ack_p95_ms": ("acks", "latency_ms", "p95"),
    "ack_p99_ms": ("acks", "latency_ms", "p99"),
    "ack_max_ms": ("acks", "latency_ms", "max"),
    "burst_ms": ("burst_ms",),
    "display_total": ("display", "final_total"),
    "final_tally_after_last_ack_ms": ("display", "final_tally_after_last_ack_ms"),
    "participants_state_messages": ("participants_state_messages",),
    "server_cpu_s": ("server", "cpu_seconds"),
    "peak_memory_per_connection_kb": ("server", "peak_memory_per_connection_kb"),
    "generator_cpu_s": ("generator", "cpu_seconds"),
    "rss_before_connections_kb": ("server", "rss_before_connections_kb"),
    "rss_after_kb": ("server", "rss_after_kb"),
    "connected": ("setup", "connected"),
    "redis_cpu_s": ("redis", "cpu_seconds"),
    "lost": ("log", "missing"),
    "applied_twice": ("log", "applied_twice"),
}
# Counted over every run, never a median: one loss in one run of three is a loss.
TOTAL_FIGURES = ("lost", "applied_twice")


def pick(run: Json, path: Sequence[str]) -> float | None:
    node: Any = run
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else None


def figures_of(run: Json, wanted: Mapping[str, tuple[str, ...]]) -> Figures:
    return {name: pick(run, path) for name, path in wanted.items()}


def burst_figures(run: Json) -> Figures:
    """BURST_FIGURES plus the two the scale curve compares across sizes.

    `cpu_per_rating_ms`: server CPU over the ratings acked. `memory_per_connection_kb`:
    RSS growth from before anyone connected to after the burst, over the
    connections (participants, display and facilitator), so a size's fixed
    start-up cost does not count.
    """
    found = figures_of(run, BURST_FIGURES)
    cpu, acked = found["server_cpu_s"], found["acked"]
    found["cpu_per_rating_ms"] = None if cpu is None or not acked else cpu * 1000 / acked
    before, after, connected = (
        found["rss_before_connections_kb"],
        found["rss_after_kb"],
        found["connected"],
    )
    found["memory_per_connection_kb"] = (
        None
        if before is None or after is None or connected is None
        else (after - before) / (connected + 2)
    )
    return found


def median_figures(runs: Sequence[Figures]) -> Figures:
    """Each figure's median over the runs that have it (None if none has);
    TOTAL_FIGURES summed instead."""
    names = runs[0].keys() if runs else []
    combined: Figures = {}
    for name in names:
        values = [v for run in runs if (v := run.get(name)) is not None]
        if not values:
            combined[name] = None
        else:
            combined[name] = sum(values) if name in TOTAL_FIGURES else statistics.median(values)
    return combined


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator

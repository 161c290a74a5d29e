"""The burst scenario: the whole hall rates at once, on each target in turn, at each size.

Targets alternate within each repeat (plenary, bare, node, plenary, ...) so a
slow stretch of this shared machine hits all three alike; each run gets a
fresh server process. At the largest size Plenary also takes several bursts
in a row on one process, to show its memory stays bounded.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import profiling
from bench.credentials import credentials_for
from bench.figures import Figures, burst_figures, median_figures, ratio
from bench.loadgen import LoadSettings, owner_index, run_load
from bench.logcheck import check_log
from bench.targets import PLENARY_TARGETS, Running, started

Json = dict[str, Any]
RATIO_FIGURES = (
    "ack_p50_ms",
    "ack_p95_ms",
    "ack_p99_ms",
    "burst_ms",
    "server_cpu_s",
    "cpu_per_rating_ms",
    "peak_memory_per_connection_kb",
    "memory_per_connection_kb",
)


def run_scale(
    sizes: Sequence[int],
    targets: Sequence[str],
    repeat: int,
    settings: LoadSettings,
    profile_dir: Path | None = None,
    memory_bursts: int = 3,
    memory_pause_seconds: float = 0.0,
) -> Json:
    """The burst at every size; Plenary's memory over `memory_bursts` bursts at the largest."""
    by_n: dict[str, Json] = {}
    for n in sizes:
        sized = dataclasses.replace(settings, n=n)
        by_n[str(n)] = run_burst(targets, repeat, sized, profile_dir)
    found: Json = {"sizes": list(sizes), "by_n": by_n}
    if memory_bursts > 0 and "plenary" in targets:
        try:
            found["memory_bursts"] = run_memory_bursts(
                memory_bursts, dataclasses.replace(settings, n=max(sizes)), memory_pause_seconds
            )
        except Exception as error:  # a failed series must not lose every size's figures
            found["memory_bursts"] = {"error": f"{type(error).__name__}: {error}"}
    return found


def run_burst(
    targets: Sequence[str], repeat: int, settings: LoadSettings, profile_dir: Path | None = None
) -> Json:
    """Burst on every target `repeat` times; with `profile_dir`, profile the first run of
    each Plenary target (on `redis`, every worker)."""
    runs: dict[str, list[Json]] = {name: [] for name in targets}
    profiles: dict[str, Json] = {}
    for round_number in range(repeat):
        for name in targets:
            print(f"burst: {name}, run {round_number + 1} of {repeat}, n={settings.n}", flush=True)
            with started(name, settings.log_dir, workers=settings.workers) as target:
                credentials = credentials_for(target, propositions=1)
                raw = None
                if profile_dir is not None and name in PLENARY_TARGETS and name not in profiles:
                    raw = profile_dir / f"{name}-burst-n{settings.n}.txt"
                owner = owner_index(target, credentials["sessionId"])
                run = run_load("burst", target, credentials, settings, {}, raw)
                runs[name].append(with_log_check(run, target, credentials))
                if raw is not None:
                    files = profiling.files_for(raw, target.worker_pids)
                    profiles[name] = profiling.summarize_workers(files, owner)
    medians = {
        name: median_figures([burst_figures(run) for run in found]) for name, found in runs.items()
    }
    found = {"n": settings.n, "runs": runs, "median": medians, "ratios": burst_ratios(medians)}
    return found | ({"profiles": profiles} if profiles else {})


def run_memory_bursts(bursts: int, settings: LoadSettings, pause_seconds: float) -> Json:
    """`bursts` bursts in a row on one Plenary process, each a new session and new phones.

    Reports the server's RSS after each (the phones of one burst have left
    before the next connects, `pause_seconds` before) and the last over the
    first. The pause: engine.io holds a departed phone's socket until its
    25 s ping interval ends; the server frees what those sockets leave at
    its next calm moment after that (server/gc_tuning.py), so the next hall
    reuses that memory rather than adding to it.
    """
    rss_kb: list[float] = []
    acked: list[int] = []
    setup: list[Json] = []
    with started("plenary", settings.log_dir) as target:
        for number in range(bursts):
            if number > 0:
                time.sleep(pause_seconds)
            print(f"memory: plenary, burst {number + 1} of {bursts}, n={settings.n}", flush=True)
            credentials = credentials_for(target, propositions=1)
            run = run_load("burst", target, credentials, settings, {})
            rss_kb.append(float(run["server"]["rss_after_kb"]))
            acked.append(int(run["acks"]["ok"]))
            setup.append(run["setup"])
    return {
        "n": settings.n,
        "rss_after_kb": rss_kb,
        "acked": acked,
        "setup": setup,
        "pause_seconds": pause_seconds,
        "last_over_first": ratio(rss_kb[-1], rss_kb[0]),
    }


def with_log_check(run: Json, target: Running, credentials: Json) -> Json:
    """The run with its acked request_ids looked up in Plenary's log (`log`), not kept."""
    acked = run.pop("acked_request_ids", [])
    if target.name in PLENARY_TARGETS:
        run["log"] = check_log(target, credentials["sessionId"], acked)
    return run


# (numerator, denominator): Plenary over each baseline; on Redis over the single process.
RATIO_PAIRS = (("plenary", "bare"), ("plenary", "node"), ("redis", "plenary"))


def burst_ratios(medians: dict[str, Figures]) -> dict[str, Figures]:
    """Each pair's ratios, where both were measured."""
    return {
        f"{top}/{bottom}": {
            name: ratio(medians[top][name], medians[bottom][name]) for name in RATIO_FIGURES
        }
        for top, bottom in RATIO_PAIRS
        if top in medians and bottom in medians
    }

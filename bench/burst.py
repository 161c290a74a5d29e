"""The burst scenario: the whole hall rates at once, on each target in turn.

Targets alternate within each repeat (plenary, bare, node, plenary, ...) so a
slow stretch of this shared machine hits all three alike; each run gets a
fresh server process.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import profiling
from bench.credentials import credentials_for
from bench.figures import BURST_FIGURES, Figures, figures_of, median_figures, ratio
from bench.loadgen import LoadSettings, run_load
from bench.targets import started

Json = dict[str, Any]
RATIO_FIGURES = (
    "ack_p50_ms",
    "ack_p95_ms",
    "ack_p99_ms",
    "burst_ms",
    "server_cpu_s",
    "peak_memory_per_connection_kb",
)


def run_burst(
    targets: Sequence[str], repeat: int, settings: LoadSettings, profile_dir: Path | None = None
) -> Json:
    """Burst on every target `repeat` times; with `profile_dir`, profile Plenary's first run."""
    runs: dict[str, list[Json]] = {name: [] for name in targets}
    profiles: list[Json] = []
    for round_number in range(repeat):
        for name in targets:
            print(f"burst: {name}, run {round_number + 1} of {repeat}, n={settings.n}", flush=True)
            with started(name, settings.log_dir) as target:
                credentials = credentials_for(target, propositions=1)
                raw = None
                if profile_dir is not None and name == "plenary" and not profiles:
                    raw = profile_dir / f"plenary-burst-n{settings.n}.txt"
                runs[name].append(run_load("burst", target, credentials, settings, {}, raw))
                if raw is not None:
                    profiles.append(profiling.summarize(raw))
    medians = {
        name: median_figures([figures_of(run, BURST_FIGURES) for run in found])
        for name, found in runs.items()
    }
    found = {"runs": runs, "median": medians, "ratios": burst_ratios(medians)}
    return found | ({"profile": profiles[0]} if profiles else {})


def burst_ratios(medians: dict[str, Figures]) -> dict[str, Figures]:
    """Plenary's figures over each baseline's, where both were measured."""
    plenary = medians.get("plenary")
    if plenary is None:
        return {}
    return {
        f"plenary/{base}": {
            name: ratio(plenary[name], medians[base][name]) for name in RATIO_FIGURES
        }
        for base in ("bare", "node")
        if base in medians
    }

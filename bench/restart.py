"""The restart scenario: from `plenary serve` starting to `/healthz` answering.

The data dir is written once by bench.restart_data and kept under the
output folder, keyed by the source of the core and the server (a change to
either makes a new one, since snapshots of another shape are replayed in
full). Each run starts Plenary on a fresh copy twice: first as after a
crash (every session replays the events since its last snapshot), then,
after a clean stop that snapshots every session, as after a planned restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.paths import REPO_DIR
from bench.restart_data import generate
from bench.targets import started

Json = dict[str, Any]
SOURCES = ("facilitation", "server")


def source_key(events: int, seed: int) -> str:
    digest = hashlib.sha256(f"{events}:{seed}".encode())
    for folder in SOURCES:
        for path in sorted((REPO_DIR / folder).rglob("*.py")):
            digest.update(path.read_bytes())
    digest.update((Path(__file__).parent / "restart_data.py").read_bytes())
    return digest.hexdigest()[:16]


def prepared_data(cache: Path, events: int, seed: int) -> tuple[Path, int]:
    """A data dir of `events` events for the current source, written if missing."""
    folder = cache / source_key(events, seed)
    marker = folder / "bench-events.json"
    if marker.exists():
        return folder / "data", int(json.loads(marker.read_text())["events"])
    # Data dirs of older sources are stale and large (hundreds of MB): keep only this one.
    shutil.rmtree(cache, ignore_errors=True)
    (folder / "data").mkdir(parents=True)
    print(f"restart: writing a data dir of {events:,} events (once per source version)", flush=True)
    count = asyncio.run(generate(folder / "data", events, seed))
    marker.write_text(json.dumps({"events": count}))
    return folder / "data", count


def run_restart(events: int, repeat: int, seed: int, out: Path) -> Json:
    data, count = prepared_data(out / "restart-data", events, seed)
    crash: list[float] = []
    clean: list[float] = []
    for run in range(repeat):
        print(f"restart: run {run + 1} of {repeat} on {count:,} events", flush=True)
        with tempfile.TemporaryDirectory(prefix="plenary-restart-") as scratch:
            copy = Path(scratch) / "data"
            shutil.copytree(data, copy)
            for seconds in (crash, clean):  # the first stop is clean and snapshots
                with started("plenary", out / "logs", data_dir=copy, timeout=120) as target:
                    seconds.append(target.healthy_after)
    return {
        "events": count,
        "runs": repeat,
        "after_crash_seconds": crash,
        "after_clean_stop_seconds": clean,
        "seconds_to_healthz": statistics.median(crash),
        "clean_seconds_to_healthz": statistics.median(clean),
    }

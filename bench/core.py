"""The core scenario: the core's own micro-benchmark, run as its author wrote it.

`python -m bench.core_bench --json` prints one JSON object (decide + apply
throughput of ratings, no I/O); the harness only runs it and reports it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bench.paths import BENCH_DIR, REPO_DIR

Json = dict[str, Any]
TIMEOUT_SECONDS = 300


def run_core() -> Json:
    if not (BENCH_DIR / "core_bench.py").exists():
        raise RuntimeError("bench/core_bench.py does not exist yet")
    print("core: python -m bench.core_bench --json", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.core_bench", "--json"],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.core_bench exited with {done.returncode}: {done.stderr[-500:]}")
    figures: Json = json.loads(done.stdout.strip().splitlines()[-1])
    return {"figures": figures}

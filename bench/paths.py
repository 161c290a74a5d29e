"""Where the harness finds its parts, wherever it is started from."""

from __future__ import annotations

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
COORDINATOR = BENCH_DIR / "load" / "coordinator.mjs"
DEFAULT_OUT = BENCH_DIR / "results"

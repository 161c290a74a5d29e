"""Run the Node load generator for one scenario against one running target."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.paths import BENCH_DIR, COORDINATOR
from bench.targets import Running

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class LoadSettings:
    """What every scenario run of one invocation shares."""

    n: int
    workers: int
    seed: int
    timeout_ms: int
    log_dir: Path


def ensure_node_modules() -> None:
    if not (BENCH_DIR / "node_modules" / "socket.io-client").is_dir():
        raise RuntimeError("the load generator's packages are missing: run `npm ci` in bench/")


def run_load(
    scenario: str, target: Running, credentials: Json, settings: LoadSettings, extra: Json
) -> Json:
    """Run bench/load/coordinator.mjs with a plan; return the JSON it prints."""
    plan = {
        "scenario": scenario,
        "target": target.name,
        "url": target.url,
        "serverPid": target.pid,
        "n": settings.n,
        "workers": settings.workers,
        "seed": settings.seed,
        "timeoutMs": settings.timeout_ms,
        "credentials": credentials,
        **extra,
    }
    log = settings.log_dir / f"load-{scenario}-{target.name}.log"
    with log.open("ab") as stderr:
        # The coordinator bounds every wait itself; this is the outer fence.
        done = subprocess.run(
            ["node", str(COORDINATOR), json.dumps(plan)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            timeout=settings.timeout_ms / 1000 * 8,
            check=False,
        )
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"load generator failed ({scenario} on {target.name}):\n{tail}")
    result: Json = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result

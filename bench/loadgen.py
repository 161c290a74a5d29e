"""Run the Node load generator for one scenario against one running target."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import profiling
from bench.paths import BENCH_DIR, COORDINATOR
from bench.targets import Running

Json = dict[str, Any]
# Joining over HTTP and connecting takes about 1 ms a participant on an idle
# 2-core machine; 30 ms leaves room for a machine shared with other work.
SETUP_MS_PER_SEAT = 30


@dataclass(frozen=True, slots=True)
class LoadSettings:
    """What every scenario run of one invocation shares."""

    n: int
    workers: int
    seed: int
    timeout_ms: int
    log_dir: Path


def setup_bound_ms(settings: LoadSettings) -> int:
    """The bound on joining and connecting the whole hall: `timeout` twice over, plus
    SETUP_MS_PER_SEAT for each participant, since that work grows with the hall (a
    fixed bound let 10,000 joins and connects on a busy machine overrun it)."""
    return settings.timeout_ms * 2 + settings.n * SETUP_MS_PER_SEAT


def ensure_node_modules() -> None:
    if not (BENCH_DIR / "node_modules" / "socket.io-client").is_dir():
        raise RuntimeError("the load generator's packages are missing: run `npm ci` in bench/")


def run_load(
    scenario: str,
    target: Running,
    credentials: Json,
    settings: LoadSettings,
    extra: Json,
    profile_to: Path | None = None,
) -> Json:
    """Run bench/load/coordinator.mjs with a plan; return the JSON it prints.

    With `profile_to`, py-spy samples the server during the burst into that file.
    """
    setup_ms = setup_bound_ms(settings)
    plan = {
        "scenario": scenario,
        "target": target.name,
        "url": target.url,
        "serverPid": target.pid,
        "n": settings.n,
        "workers": settings.workers,
        "seed": settings.seed,
        "timeoutMs": settings.timeout_ms,
        "setupMs": setup_ms,
        "credentials": credentials,
        **extra,
    }
    if profile_to is not None:
        plan["profilePauseMs"] = profiling.PAUSE_MS
    log = settings.log_dir / f"load-{scenario}-{target.name}.log"
    log.touch()
    offset = len(log.read_text(errors="replace"))
    # The coordinator bounds every wait; this is the outer fence.
    fence = (setup_ms + settings.timeout_ms * 8) / 1000
    with log.open("ab") as stderr:
        coordinator = subprocess.Popen(
            ["node", str(COORDINATOR), json.dumps(plan)], stdout=subprocess.PIPE, stderr=stderr
        )
        sampler = None
        if profile_to is not None:
            profiling.wait_for_mark(log, offset, coordinator, fence)
            sampler = profiling.record(target.pid, profiling.SECONDS, profile_to, log)
        try:
            stdout, _ = coordinator.communicate(timeout=fence)
        finally:
            if coordinator.poll() is None:
                coordinator.kill()
                coordinator.wait()
        if sampler is not None:
            sampler.wait(timeout=30)
    if coordinator.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"load generator failed ({scenario} on {target.name}):\n{tail}")
    result: Json = json.loads(stdout.decode().strip().splitlines()[-1])
    return result

"""Run the Node load generator for one scenario against one running target."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import profiling
from bench.cluster import owner_pid
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
    load_workers: int  # load-generator processes
    seed: int
    timeout_ms: int
    log_dir: Path
    workers: int = 1  # Plenary worker processes of the `redis` target


def owner_index(target: Running, session_id: str | None) -> int:
    """Which of the target's workers owns the session (0 with one server)."""
    if len(target.worker_pids) < 2 or session_id is None:
        return 0
    pid = owner_pid(target, session_id)
    return target.worker_pids.index(pid) if pid in target.worker_pids else 0


def placement(target: Running, session_id: str | None) -> Json:
    """Which server each client talks to (bench/load/types.mjs, Placement).

    Phones are dealt over every worker; the display goes to the worker after
    the session's owner, the console to the one after that, so with three
    workers the projector, the console and the log's writer are three
    different processes, and the display's figures cross workers.
    """
    urls = list(target.worker_urls)
    owner = owner_index(target, session_id)
    after = [urls[(owner + k) % len(urls)] for k in range(1, len(urls) + 1)]
    return {
        "phones": urls,
        "display": after[0],
        "facilitator": after[1 % len(after)],
        "hubs": after,
    }


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
    profile_seconds: int = profiling.SECONDS,
) -> Json:
    """Run bench/load/coordinator.mjs with a plan; return the JSON it prints.

    With `profile_to`, py-spy samples the server for `profile_seconds` from the
    scenario's ready mark (the burst, or the session's start) into that file
    (each worker of the `redis` target into its own: profiling.files_for).
    """
    setup_ms = setup_bound_ms(settings)
    plan = {
        "scenario": scenario,
        "target": target.name,
        "placement": placement(target, credentials.get("sessionId")),
        "serverPids": list(target.worker_pids),
        "redisPid": target.redis_pid,
        "n": settings.n,
        "workers": settings.load_workers,
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
        samplers = []
        if profile_to is not None:
            profiling.wait_for_mark(log, offset, coordinator, fence)
            pids = target.worker_pids
            for pid, out in zip(pids, profiling.files_for(profile_to, pids), strict=True):
                samplers.append(profiling.record(pid, profile_seconds, out, log))
        try:
            stdout, _ = coordinator.communicate(timeout=fence)
        finally:
            if coordinator.poll() is None:
                coordinator.kill()
                coordinator.wait()
        for sampler in samplers:
            sampler.wait(timeout=30 + profile_seconds)
    if coordinator.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"load generator failed ({scenario} on {target.name}):\n{tail}")
    result: Json = json.loads(stdout.decode().strip().splitlines()[-1])
    return result | {"placement": plan["placement"]}

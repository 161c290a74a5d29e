"""The session scenario: a plenary hour compressed, on Plenary alone.

The baselines have no queue, timer, hubs or rounds, so there is nothing to
compare with: the figures are Plenary's display-update latency per command
and the server CPU the whole session cost. In a scale-out run the same
session runs on the single process (SQLite) and on the Redis workers, the
display on a worker that does not own the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import profiling
from bench.burst import with_log_check
from bench.credentials import credentials_for
from bench.loadgen import LoadSettings, owner_index, run_load
from bench.targets import PLENARY_TARGETS, started

Json = dict[str, Any]
PROPOSITIONS = 6
HUBS = 2
HUB_ATTENDANCE = 40


def run_session(
    seconds: float,
    settings: LoadSettings,
    targets: Sequence[str],
    profile_dir: Path | None = None,
) -> Json:
    """The session on each Plenary target among `targets`: `{"by_target": {name: figures}}`;
    with `profile_dir`, each target's server is sampled through the session's first
    `seconds` (on `redis`, every worker into its own file) and summarised under "profile"."""
    found = {
        name: one_session(name, seconds, settings, profile_dir)
        for name in targets
        if name in PLENARY_TARGETS
    }
    if not found:
        raise ValueError("the session runs on Plenary: add plenary or redis to --targets")
    return {"by_target": found}


def one_session(
    name: str, seconds: float, settings: LoadSettings, profile_dir: Path | None = None
) -> Json:
    print(f"session: {name}, n={settings.n}, about {seconds:.0f} s", flush=True)
    with started(name, settings.log_dir, workers=settings.workers) as target:
        credentials = credentials_for(target, propositions=PROPOSITIONS)
        extra = {
            "session": {
                "durationMs": int(seconds * 1000),
                "hubs": HUBS,
                "hubAttendance": HUB_ATTENDANCE,
            }
        }
        raw = None if profile_dir is None else profile_dir / f"{name}-session-n{settings.n}.txt"
        owner = owner_index(target, credentials["sessionId"])
        result = run_load("session", target, credentials, settings, extra, raw, int(seconds))
        checked = with_log_check(result, target, credentials)
        if raw is not None:
            files = profiling.files_for(raw, target.worker_pids)
            checked["profile"] = profiling.summarize_workers(files, owner)
        return checked

"""The session scenario: a plenary hour compressed, on Plenary alone.

The baselines have no queue, timer, hubs or rounds, so there is nothing to
compare with: the figures are Plenary's display-update latency per command
and the server CPU the whole session cost.
"""

from __future__ import annotations

from typing import Any

from bench.credentials import credentials_for
from bench.loadgen import LoadSettings, run_load
from bench.targets import started

Json = dict[str, Any]
PROPOSITIONS = 6
HUBS = 2
HUB_ATTENDANCE = 40


def run_session(seconds: float, settings: LoadSettings) -> Json:
    print(f"session: plenary, n={settings.n}, about {seconds:.0f} s", flush=True)
    with started("plenary", settings.log_dir) as target:
        credentials = credentials_for(target, propositions=PROPOSITIONS)
        extra = {
            "session": {
                "durationMs": int(seconds * 1000),
                "hubs": HUBS,
                "hubAttendance": HUB_ATTENDANCE,
            }
        }
        result = run_load("session", target, credentials, settings, extra)
    return result

"""The takeover scenario: the session's owner SIGKILLed mid-burst, on the Redis workers.

The whole hall rates at once, phones spread over every worker; a moment
later the worker holding the session's lease is killed. Phones resend what
was not answered (the same request_id), through another worker when theirs
is gone; a probe phone on each surviving worker rates until acknowledged.
Reported: the time from the kill to the first acknowledged command sent
after it (served by the new owner), how long until every phone had its
answer, and the log checked against every acknowledgement.
"""

from __future__ import annotations

from typing import Any

from bench.burst import with_log_check
from bench.cluster import owner_pid
from bench.credentials import credentials_for
from bench.loadgen import LoadSettings, run_load
from bench.targets import started

Json = dict[str, Any]
# Killed once the display counts this share of the hall: mid-burst at any size
# (in a small hall the whole burst may be acked by then).
KILL_AT_SHARE = 1 / 3
PROBE_EVERY_MS = 100  # a probe's pause after a refusal: the resolution of the takeover time


def run_takeover(settings: LoadSettings) -> Json:
    if settings.workers < 2:
        raise ValueError("the takeover needs another worker: --workers 2 or more")
    print(f"takeover: redis, {settings.workers} workers, n={settings.n}", flush=True)
    with started("redis", settings.log_dir, workers=settings.workers) as target:
        credentials = credentials_for(target, propositions=1)
        pid = owner_pid(target, credentials["sessionId"])
        if pid not in target.worker_pids:
            raise RuntimeError(f"no worker holds the new session's lease (found pid {pid})")
        owner = target.worker_pids.index(pid)
        others = [url for k, url in enumerate(target.worker_urls) if k != owner]
        extra = {
            "takeover": {
                "killPid": pid,
                "killAtShare": KILL_AT_SHARE,
                "probes": others,
                "probeEveryMs": PROBE_EVERY_MS,
            }
        }
        result = run_load("takeover", target, credentials, settings, extra)
        result["workers"] = settings.workers
        result["owner_worker"] = owner + 1
        return with_log_check(result, target, credentials)

"""`python -m bench.workers_burst`: the burst against `plenary serve --redis URL --workers W`.

One port, W worker processes behind it, the kernel choosing the worker of
every connection, as an operator runs it (the `redis` target of `bench run`
gives each worker its own port instead). Worker counts alternate within each
repeat; every run gets a fresh Redis and a fresh server. Prints one JSON line
a run: acknowledgements and their latency, the burst's length, and how long
after the last ack the display showed the final tally. The server's CPU and
memory are not measured (they are spread over the workers).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import subprocess
import tempfile
import time
from pathlib import Path

from bench.cluster import start_redis
from bench.credentials import credentials_for
from bench.figures import burst_figures
from bench.loadgen import LoadSettings, run_load
from bench.paths import REPO_DIR
from bench.targets import HOST, Running, free_port, plenary_command, stop, wait_healthy

SHOWN = ("acked", "ack_p50_ms", "ack_p99_ms", "burst_ms", "final_tally_after_last_ack_ms")


def one_run(workers: int, settings: LoadSettings, scratch: Path) -> dict[str, object]:
    admin_token = secrets.token_hex(24)
    with contextlib.ExitStack() as stack, (settings.log_dir / "serve.log").open("ab") as log:
        redis, url = start_redis(scratch / "redis", log, 30)
        stack.callback(stop, redis)
        port = free_port()
        extra = ("--redis", url, "--workers", str(workers))
        command = plenary_command(port, scratch / "data", admin_token, extra)
        spawned = time.monotonic()
        server = subprocess.Popen(
            command, cwd=REPO_DIR, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        stack.callback(stop, server)
        target_url = f"http://{HOST}:{port}"
        wait_healthy(target_url, server, "plenary", 60)
        time.sleep(2)  # /healthz answered by one worker: give the others their start-up
        target = Running("plenary", target_url, server.pid, admin_token, None, spawned, 0.0)
        run = run_load("burst", target, credentials_for(target, propositions=1), settings, {})
    figures = burst_figures(run)
    refusals = run["acks"].get("refusals", [])
    return {"workers": workers, **{name: figures.get(name) for name in SHOWN}, "refusals": refusals}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.workers_burst", description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="participants (default 1000)")
    parser.add_argument("--workers", default="1,2", help="worker counts to alternate (default 1,2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per worker count (default 3)")
    args = parser.parse_args()
    log_dir = Path(tempfile.mkdtemp(prefix="plenary-workers-burst-"))
    settings = LoadSettings(n=args.n, load_workers=2, seed=1, timeout_ms=60_000, log_dir=log_dir)
    for _ in range(args.repeat):
        for workers in (int(w) for w in args.workers.split(",")):
            with tempfile.TemporaryDirectory(prefix="plenary-workers-") as scratch:
                print(json.dumps(one_run(workers, settings, Path(scratch))), flush=True)


if __name__ == "__main__":
    main()

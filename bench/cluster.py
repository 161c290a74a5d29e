"""The scale-out target: a redis-server of its own and N `plenary serve --redis` workers.

Each worker listens on its own port (not `plenary serve --workers N` on one
port), so the harness decides which worker every client talks to: phones
spread over all of them, the display on a worker that does not own the
session, as the issue asks. Redis runs as Plenary requires it (AOF with
`appendfsync always`, `noeviction`) in a temporary directory, fresh for every
measurement like the other targets.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import redis

from bench.paths import REPO_DIR
from bench.targets import HOST, Running, free_port, plenary_command, stop, wait_healthy

REDIS_SERVER = "redis-server"
REDIS_CONFIG = (
    *("--appendonly", "yes", "--appendfsync", "always"),
    *("--maxmemory-policy", "noeviction", "--save", ""),
)


def redis_executable() -> str:
    found = shutil.which(REDIS_SERVER) or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if found is None:
        raise RuntimeError("no redis-server: install it (Debian: apt-get install redis-server)")
    return found


@contextlib.contextmanager
def started_cluster(workers: int, log_dir: Path, timeout: float = 60.0) -> Iterator[Running]:
    """Redis, then `workers` Plenary workers against it, until the block ends.

    Yields once every worker's /healthz answers. The workers share the admin
    token (given to each) and, through Redis, the signing secret.
    """
    admin_token = secrets.token_hex(24)
    log_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plenary-redis-")))
        log = stack.enter_context((log_dir / "redis.log").open("ab"))
        spawned = time.monotonic()
        server, url = start_redis(scratch / "redis", log, timeout)
        stack.callback(stop, server)
        processes: list[subprocess.Popen[bytes]] = []
        urls: list[str] = []
        stack.callback(lambda: stop(*processes))  # together: each takes a moment to stop
        for number in range(workers):
            port = free_port()
            data = scratch / f"worker-{number + 1}"
            command = plenary_command(port, data, admin_token, ("--redis", url))
            process = subprocess.Popen(
                command, cwd=REPO_DIR, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
            processes.append(process)
            urls.append(f"http://{HOST}:{port}")
        for number, (process, worker_url) in enumerate(zip(processes, urls, strict=True)):
            wait_healthy(worker_url, process, f"redis worker {number + 1}", timeout)
        yield Running(
            name="redis",
            url=urls[0],
            pid=processes[0].pid,
            admin_token=admin_token,
            data_dir=None,
            started_at=spawned,
            healthy_after=time.monotonic() - spawned,
            urls=tuple(urls),
            pids=tuple(p.pid for p in processes),
            redis_url=url,
            redis_pid=server.pid,
        )


def start_redis(
    directory: Path, log: BinaryIO, timeout: float
) -> tuple[subprocess.Popen[bytes], str]:
    """redis-server on a free loopback port; returns once it answers PING."""
    directory.mkdir(parents=True)
    port = free_port()
    command = [redis_executable(), "--port", str(port), "--bind", HOST, "--dir", str(directory)]
    process = subprocess.Popen(
        [*command, "--daemonize", "no", *REDIS_CONFIG],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    url = f"redis://{HOST}:{port}/0"
    client = redis.Redis(host=HOST, port=port, socket_connect_timeout=0.5)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {process.returncode}")
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return process, url
            time.sleep(0.05)
    finally:
        client.close()
    stop(process)
    raise TimeoutError(f"redis-server did not answer on port {port} within {timeout} s")


def owner_pid(target: Running, session_id: str) -> int | None:
    """The pid of the worker holding the session's lease (`<host>/<pid>/<random> <epoch>`)."""
    if target.redis_url is None:
        return None
    client = redis.Redis.from_url(target.redis_url, decode_responses=True)
    try:
        held = client.get(f"plenary:lease:{session_id}")
    finally:
        client.close()
    if not isinstance(held, str):
        return None
    parts = held.split(" ", 1)[0].rsplit("/", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None

"""Start and stop the servers under test, each on its own free loopback port.

Each target is a real process (Plenary, the bare python-socketio baseline,
the Node socket.io baseline) started fresh for every measurement, so one
run's memory or warm caches never leak into the next. The scale-out target,
`redis`, is a redis-server and several Plenary workers (bench/cluster.py).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.paths import BENCH_DIR, REPO_DIR

TARGET_NAMES = ("plenary", "bare", "node", "redis")
# Plenary itself (a session, joins, the durable log), not a baseline.
PLENARY_TARGETS = ("plenary", "redis")
HOST = "127.0.0.1"
STOP_GRACE_SECONDS = 5.0
MAX_CONNECTIONS = 30_000


@dataclass(frozen=True, slots=True)
class Running:
    """A started server: where it listens and which process to measure."""

    name: str
    url: str
    pid: int
    admin_token: str
    data_dir: Path | None
    started_at: float  # time.monotonic() at spawn
    healthy_after: float  # seconds from spawn until /healthz answered
    # Every server process of the target: one, or the workers of the `redis` target.
    urls: tuple[str, ...] = ()
    pids: tuple[int, ...] = ()
    redis_url: str | None = None  # the `redis` target's Redis
    redis_pid: int | None = None

    @property
    def worker_urls(self) -> tuple[str, ...]:
        return self.urls or (self.url,)

    @property
    def worker_pids(self) -> tuple[int, ...]:
        return self.pids or (self.pid,)


def free_port() -> int:
    """A port the kernel just handed out; taken by the server a moment later."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def plenary_executable() -> str:
    """The `plenary` entry point installed beside this interpreter (the project's venv)."""
    beside = Path(sys.executable).parent / "plenary"
    found = str(beside) if beside.exists() else shutil.which("plenary")
    if found is None:
        raise RuntimeError("no `plenary` command: install the project (pip install -e .)")
    return found


def plenary_command(
    port: int, data_dir: Path, admin_token: str, extra: tuple[str, ...] = ()
) -> list[str]:
    return [
        plenary_executable(),
        "serve",
        *("--host", HOST, "--port", str(port)),
        *("--data", str(data_dir), "--admin-token", admin_token),
        # The baselines log warnings only; so does Plenary here, to compare like with like.
        *("--log-level", "warning"),
        # Above the default 10,000 (docs/settings.md: raise it for halls of more
        # than about 9,000): HTTP joins must not meet 503 while the previous
        # hall of 10,000 of the memory series is still closing.
        *("--max-connections", str(MAX_CONNECTIONS)),
        *extra,
    ]


def command_for(name: str, port: int, data_dir: Path | None, admin_token: str) -> list[str]:
    if name == "plenary":
        assert data_dir is not None
        return plenary_command(port, data_dir, admin_token)
    if name == "bare":
        return [sys.executable, "-m", "bench.baselines.bare_socketio", "--port", str(port)]
    if name == "node":
        return ["node", str(BENCH_DIR / "baselines" / "node_server.mjs"), "--port", str(port)]
    raise ValueError(f"unknown target {name!r}; known: {', '.join(TARGET_NAMES)}")


@contextlib.contextmanager
def started(
    name: str, log_dir: Path, data_dir: Path | None = None, timeout: float = 60.0, workers: int = 1
) -> Iterator[Running]:
    """Run target `name` until the block ends; yields once /healthz answers.

    Plenary gets a fresh data dir unless one is given (the restart scenario
    gives its prepared one); `redis` gets a fresh Redis and `workers` workers.
    """
    if name == "redis":
        from bench.cluster import started_cluster  # it builds on this module's parts

        with started_cluster(workers, log_dir, timeout) as cluster:
            yield cluster
        return
    port = free_port()
    admin_token = secrets.token_hex(24)  # hex: never starts with "-", which argparse would misread
    log_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        if name == "plenary" and data_dir is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plenary-")))
        log = stack.enter_context((log_dir / f"{name}.log").open("ab"))
        spawned = time.monotonic()
        process = subprocess.Popen(
            command_for(name, port, data_dir, admin_token),
            cwd=REPO_DIR,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        stack.callback(stop, process)
        url = f"http://{HOST}:{port}"
        wait_healthy(url, process, name, timeout)
        healthy_after = time.monotonic() - spawned
        yield Running(name, url, process.pid, admin_token, data_dir, spawned, healthy_after)


def wait_healthy(url: str, process: subprocess.Popen[bytes], name: str, timeout: float) -> None:
    """Poll `GET /healthz` every 10 ms until it answers 200 (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before serving")
        if healthz_ok(url):
            return
        time.sleep(0.01)
    raise TimeoutError(f"{url}/healthz did not answer within {timeout} s")


def healthz_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1.0) as answer:
            return answer.status == 200 and json.loads(answer.read()).get("ok") is True
    except (OSError, urllib.error.URLError, ValueError, http.client.HTTPException):
        # Not (yet) our server: a port taken by another program answers something else.
        return False


def stop(*processes: subprocess.Popen[bytes]) -> None:
    """Ask the servers to stop (SIGTERM, all at once), then end any that lingers."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

"""A real `redis-server` for tests: a free loopback port, a temporary directory,
and the configuration Plenary requires (AOF on, `appendfsync always`, `noeviction`)."""

import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import redis

from tests.live import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    def __init__(self, directory: Path, *config: str) -> None:
        self.directory = directory
        self.config = config  # extra `--name value` pairs, e.g. ("--appendonly", "no")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "RedisServer":
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--dir", str(self.directory), "--save", "", "--daemonize", "no"]
        args += ["--appendonly", "yes", "--appendfsync", "always"]
        args += ["--maxmemory-policy", "noeviction", *self.config]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=log)
        deadline = time.monotonic() + 10
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    client.close()
                    return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def client(self) -> Any:
        """A client answering text (untyped: tests compare what it returns)."""
        return redis.Redis(port=self.port, decode_responses=True)

    def kill(self) -> None:
        """SIGKILL: Redis keeps only what its AOF holds."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

"""Real parts for tests: a `plenary serve` process and socket.io peers.

`LiveServer` runs the real server in a subprocess (uvicorn on a free port, a
temporary SQLite data directory), so tests exercise exactly what users run,
including start-up, restore from disk and a SIGKILL.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import socketio

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "test-admin-token-for-live-servers"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    def __init__(self, data: Path, *flags: str, redis: str = "", **settings: str) -> None:
        self.data = data
        if redis:  # a worker on a Redis store (`--redis URL`) instead of SQLite
            settings = {"redis_url": redis, **settings}
        self.flags = flags  # options without a value, e.g. "--init"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = ADMIN
        self.settings = settings
        self.env: dict[str, str] = {}  # e.g. settings read from the environment alone
        self.process: subprocess.Popen[bytes] | None = None
        # Beside the data directory, not in it: the server creates that itself.
        self.log = data.parent / f"{data.name}-server.log"

    def start(self) -> "LiveServer":
        args = [
            sys.executable,
            "-m",
            "server",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data",
            str(self.data),
            "--admin-token",
            ADMIN,
        ]
        for name, value in self.settings.items():
            args += ["--" + name.replace("_", "-"), value]
        args += self.flags
        self.data.parent.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLENARY_")}
        env.update(self.env)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=log, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("server did not answer /healthz within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no snapshot."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None

    def create_session(
        self, title: str = "Test session", propositions: Any = (), **extra: Any
    ) -> dict[str, Any]:
        body = {
            "title": title,
            **extra,
            "propositions": [p if isinstance(p, dict) else {"text": p} for p in propositions],
        }
        answer = httpx.post(
            self.url + "/api/sessions",
            json=body,
            headers={"Authorization": f"Bearer {ADMIN}"},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def post_join(
        self, join_code: str, group: str = "civil_society", channel: str = "in_room", **extra: Any
    ) -> httpx.Response:
        """A join attempt, answered however the server answers it."""
        return httpx.post(
            self.url + "/api/join",
            timeout=10,
            json={"join_code": join_code, "stakeholder_group": group, "channel": channel, **extra},
        )

    def join(
        self, join_code: str, group: str = "civil_society", channel: str = "in_room", **extra: Any
    ) -> dict[str, Any]:
        answer = self.post_join(join_code, group, channel, **extra)
        assert answer.status_code == 201, answer.text
        joined: dict[str, Any] = answer.json()
        return joined

    def results(self, session_id: str, token: str) -> dict[str, Any]:
        answer = httpx.get(
            f"{self.url}/api/sessions/{session_id}/results",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


class Peer:
    """A real socket.io client holding the view its role receives."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.client = socketio.AsyncClient(reconnection=False)
        self.view: dict[str, Any] = {}
        self.snapshots: list[dict[str, Any]] = []
        self.states: list[dict[str, Any]] = []
        self.connect_error: Any = None
        self._changed = asyncio.Event()
        self.disconnected = asyncio.Event()  # set when the server closes the connection
        self.client.on("disconnect", self._on_disconnect)
        self.client.on("snapshot", self._on_snapshot)
        self.client.on("state", self._on_state)
        self.client.on("connect_error", self._on_connect_error)
        self.personal: list[dict[str, Any]] = []  # `opinion_group` events, to this socket only
        self.client.on("opinion_group", self._on_opinion_group)

    async def _on_snapshot(self, body: dict[str, Any]) -> None:
        self.snapshots.append(body)
        self.view = dict(body)
        self._changed.set()

    async def _on_state(self, body: dict[str, Any]) -> None:
        self.states.append(body)
        self.view.update(body)
        self._changed.set()

    async def _on_opinion_group(self, body: dict[str, Any]) -> None:
        self.personal.append(body)
        self.view["opinion_group"] = body["opinion_group"]
        self._changed.set()

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every snapshot, state and own `opinion_group` event received, in that order of
        kinds (each list in arrival order)."""
        return [*self.snapshots, *self.states, *self.personal]

    async def _on_disconnect(self, *_: Any) -> None:
        self.disconnected.set()

    async def _on_connect_error(self, data: Any) -> None:
        self.connect_error = data

    async def connect(self) -> "Peer":
        await self.client.connect(
            self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=10
        )
        await self.until(lambda v: "version" in v)
        return self

    async def call(self, name: str, payload: Any = None, timeout: float = 10) -> dict[str, Any]:
        answer: dict[str, Any] = await self.client.call(
            name, {} if payload is None else payload, timeout=timeout
        )
        return answer

    async def until(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5.0
    ) -> dict[str, Any]:
        """Wait until the view satisfies `predicate`; fail with the last view seen."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate(self.view):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"view never matched; last view: {self.view}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                continue
        return self.view

    async def close(self) -> None:
        await self.client.disconnect()


def plenary(*args: str) -> subprocess.CompletedProcess[str]:
    """The `plenary` command run to its end (export, verify, migrate), its output kept."""
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )


def proposition(view: dict[str, Any], proposition_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in view["propositions"] if p["id"] == proposition_id)
    return found


def latest_round(view: dict[str, Any], proposition_id: str) -> dict[str, Any]:
    """The proposition's latest round as the view shows it ({} before the first opening)."""
    rounds = proposition(view, proposition_id)["rounds"]
    return dict(rounds[-1]) if rounds else {}


async def try_connect(url: str, token: object, origin: str | None = None) -> dict[str, Any] | None:
    """Connect and leave at once: None when accepted, else the refusal's `err.data`
    (`{"code": "handshake"}` when the websocket handshake itself was refused)."""
    errors: list[Any] = []
    client = socketio.AsyncClient(reconnection=False)
    client.on("connect_error", errors.append)
    try:
        await client.connect(
            url,
            auth={"token": token},
            transports=["websocket"],
            headers={"Origin": origin} if origin else {},
            wait_timeout=5,
        )
    except socketio.exceptions.ConnectionError:
        await client.eio.disconnect()  # the engine.io link outlives the refused namespace
        assert errors, "no connect_error reached the client"
        if not isinstance(errors[0], dict):  # refused before socket.io spoke: no packet
            return {"code": "handshake"}
        # The packet carries {message, data}: socket.io-client shows err.message, err.data.
        packet: dict[str, Any] = errors[0]
        assert packet["message"] == packet["data"]["message"]
        data: dict[str, Any] = packet["data"]
        return data
    await client.disconnect()
    return None


def serve_refused(data: Path, *extra: str, timeout: float = 20) -> tuple[int, str, float]:
    """Run `plenary serve` that must refuse to start: (exit code, stderr, seconds taken).

    Fails the test if the server is still running after `timeout` seconds.
    """
    args = [sys.executable, "-m", "server", "serve", "--port", str(free_port())]
    args += ["--data", str(data), "--admin-token", ADMIN, *extra]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLENARY_")}
    began = time.monotonic()
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"plenary serve was still running after {timeout} s") from None
    return process.returncode, err.decode(), time.monotonic() - began

"""`plenary serve --workers N`: N real worker processes on one port, supervised.

Each HTTP client below keeps one keep-alive connection, so `/healthz`'s
`worker` (the lease owner name, `host/pid/random`) tells which process holds
that connection.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import ROOT, LiveServer, Peer, free_port, latest_round
from tests.redis_live import RedisServer


def wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


class Pinned:
    """One HTTP client on one connection, and the worker that accepted it."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, limits=httpx.Limits(max_connections=1))
        self.worker, self.address = self.health()

    def health(self) -> tuple[str, tuple[str, int]]:
        answer = self.client.get("/healthz", timeout=5)
        assert answer.status_code == 200, answer.text
        return answer.json()["worker"], answer.extensions["network_stream"].get_extra_info(
            "client_addr"
        )

    @property
    def pid(self) -> int:
        return int(self.worker.split("/")[1])


def alive(pid: int) -> bool:
    """Running, not a zombie (an orphan's reaper may be slow, or none in a container)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def health_once_retried(url: str, dropped: list[str]) -> int | str:
    """`/healthz` on a fresh connection, sent again once if the connection was closed
    before any answer: a worker that stops may close a connection it accepted but
    had not read a request from yet (what a browser or a proxy sends again)."""
    for attempt in range(2):
        try:
            return httpx.get(url + "/healthz", timeout=10).status_code
        except httpx.RemoteProtocolError as error:
            if attempt:
                return repr(error)
            dropped.append(repr(error))
        except httpx.HTTPError as error:
            return repr(error)
    raise AssertionError("unreachable")


def worker_processes(parent: int) -> list[int]:
    """The parent's worker processes (its children but multiprocessing's resource tracker)."""
    found = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [int(c) for c in found if "spawn_main" in command_line(int(c))]


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except FileNotFoundError:  # it exited (and was reaped) since the parent listed it
        return ""


@pytest.fixture
def pinned() -> Iterator[list[Pinned]]:
    clients: list[Pinned] = []
    yield clients
    for client in clients:
        client.client.close()


def see_every_worker(server: LiveServer, pinned: list[Pinned], workers: int) -> None:
    """Pin new connections through the port until each of the `workers` answered one."""

    def all_seen() -> bool:
        pinned.append(Pinned(server.url))
        return len({p.worker for p in pinned}) == workers

    wait_for(all_seen, 20, f"connections accepted by {workers} different workers")


async def test_three_workers_share_the_port_a_killed_one_is_replaced_sigterm_stops_all(
    server_factory: type[LiveServer],
    tmp_path: Path,
    redis_server: RedisServer,
    pinned: list[Pinned],
) -> None:
    server = server_factory(
        tmp_path / "data", redis=redis_server.url, workers="3", keep_alive_s="60"
    ).start()
    see_every_worker(server, pinned, 3)
    first = {p.worker for p in pinned}
    assert all(alive(p.pid) for p in pinned)

    # A session made through the port is owned (its lease) by one of the three,
    # and usable through every one of them.
    created = server.create_session("Three workers", ["One"])
    redis = redis_server.client()
    lease = redis.get(f"plenary:lease:{created['session_id']}")
    owner = lease.split()[0]
    assert owner in first
    await rate_through_every_worker(server, created, {p.worker: p for p in pinned})

    victim = next(p for p in pinned if p.worker != owner)
    os.kill(victim.pid, signal.SIGKILL)
    # The others keep their connections: the same worker answers on the same socket.
    for other in (p for p in pinned if p.worker != victim.worker):
        assert other.health() == (other.worker, other.address)

    def a_new_worker() -> set[str]:
        pinned.append(Pinned(server.url))
        return {pinned[-1].worker} - first

    replacement = wait_for(a_new_worker, 20, "a worker started in place of the killed one")
    assert not alive(victim.pid)
    assert redis.get(f"plenary:lease:{created['session_id']}") == lease

    # SIGTERM to the parent stops every worker cleanly; each releases its leases.
    assert server.process is not None
    parent = server.process
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(timeout=20) == 0
    server.process = None
    workers = {int(w.split("/")[1]) for w in first | replacement} - {victim.pid}
    assert not [pid for pid in workers if alive(pid)]
    assert list(redis.scan_iter("plenary:lease:*")) == []


async def rate_through_every_worker(
    server: LiveServer, created: dict[str, Any], by_worker: dict[str, Pinned]
) -> None:
    """Two joins through each worker, the phones' sockets through the port, a rating
    each: every one acknowledged, and every worker's results count them all."""
    session_id, pid = created["session_id"], created["propositions"][0]["id"]
    console = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    assert (await console.call("proposition:open", {"proposition_id": pid}))["ok"]
    body = {"join_code": created["join_code"], "stakeholder_group": "academia", "channel": "remote"}
    tokens = []
    for worker in [*by_worker.values()] * 2:
        joined = worker.client.post("/api/join", json=body, timeout=10)
        assert joined.status_code == 201, joined.text
        tokens.append(joined.json()["token"])
    phones = await asyncio.gather(*(Peer(server.url, token).connect() for token in tokens))
    acks = await asyncio.gather(
        *(p.call("rating:submit", {"proposition_id": pid, "value": "agree"}) for p in phones)
    )
    assert acks == [{"ok": True, "round": 1}] * len(tokens)
    facilitator = {"Authorization": f"Bearer {created['tokens']['facilitator']}"}
    for worker in by_worker.values():
        answer = worker.client.get(f"/api/sessions/{session_id}/results", headers=facilitator)
        assert answer.status_code == 200, answer.text
        assert latest_round(answer.json(), pid)["total"] == len(tokens)
    for peer in [console, *phones]:
        await peer.close()


async def test_sighup_replaces_every_worker_while_the_port_keeps_answering(
    server_factory: type[LiveServer],
    tmp_path: Path,
    redis_server: RedisServer,
    pinned: list[Pinned],
) -> None:
    """SIGHUP to the parent: each worker is replaced by a new one, the new one ready
    before the old one stops, so requests through the port all answer meanwhile,
    and the session passes to a new worker that serves it."""
    server = server_factory(
        tmp_path / "data", redis=redis_server.url, workers="2", keep_alive_s="60"
    ).start()
    see_every_worker(server, pinned, 2)
    first = {p.worker for p in pinned}
    created = server.create_session("Reload", ["One"])
    lease_key = f"plenary:lease:{created['session_id']}"
    redis = redis_server.client()
    assert redis.get(lease_key).split()[0] in first

    answers: list[int | str] = []  # each probe's status, or why it got none
    dropped: list[str] = []  # connections an old worker closed unanswered as it stopped
    serving: list[int] = []  # how many workers were running at each probe
    probing = threading.Event()
    assert server.process is not None
    parent = server.process.pid

    def probe() -> None:
        """Fresh connections through the port, one after another, until told to stop."""
        while not probing.is_set():
            serving.append(sum(alive(worker) for worker in worker_processes(parent)))
            answers.append(health_once_retried(server.url, dropped))
            time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        assert server.process is not None
        server.process.send_signal(signal.SIGHUP)
        wait_for(lambda: not any(alive(p.pid) for p in pinned), 60, "both old workers gone")
    finally:
        probing.set()
        prober.join()
    assert answers
    assert all(a == 200 for a in answers), [a for a in answers if a != 200]
    assert min(serving) == 2, serving  # a new worker started before each old one stopped
    assert max(serving) == 3, serving
    assert len(dropped) <= 2, dropped  # at most one per old worker, at the moment it stopped

    fresh: list[Pinned] = []
    see_every_worker(server, fresh, 2)
    pinned.extend(fresh)
    assert not {p.worker for p in fresh} & first
    # Released by its old owner; the new worker that is first asked for it takes it.
    await rate_through_every_worker(server, created, {p.worker: p for p in fresh})
    assert redis.get(lease_key).split()[0] in {p.worker for p in fresh}


def test_workers_stop_cleanly_when_their_parent_is_killed(
    server_factory: type[LiveServer],
    tmp_path: Path,
    redis_server: RedisServer,
    pinned: list[Pinned],
) -> None:
    server = server_factory(
        tmp_path / "data", redis=redis_server.url, workers="2", header_timeout_s="1"
    ).start()
    see_every_worker(server, pinned, 2)
    # The single process's edges hold in every worker (a few connections reach both).
    assert half_sent_requests_are_closed(server.port, 6)
    for _ in range(6):
        assert "permessage-deflate" not in websocket_upgrade(server.port)
    created = server.create_session("Orphans", ["One"])
    redis = redis_server.client()
    assert redis.get(f"plenary:lease:{created['session_id']}") is not None

    server.kill()  # SIGKILL to the parent: it cannot stop its workers itself
    workers = {p.pid for p in pinned}
    wait_for(lambda: not any(alive(pid) for pid in workers), 15, "every worker stopped")
    assert list(redis.scan_iter("plenary:lease:*")) == []  # released, not expired (4 s)
    assert not listening(server.port)


def half_sent_requests_are_closed(port: int, count: int) -> bool:
    """Request heads left unfinished are closed by the server after `header_timeout_s`."""
    links = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
    try:
        for link in links:
            link.sendall(b"GET /healthz HTT")
        return all(link.recv(1) == b"" for link in links)  # EOF; a timeout raises instead
    finally:
        for link in links:
            link.close()


def websocket_upgrade(port: int) -> str:
    """The head of the answer to a websocket upgrade offering permessage-deflate."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as link:
        link.sendall(
            b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += link.recv(4096)
    assert head.startswith(b"HTTP/1.1 101"), head
    return head.split(b"\r\n\r\n")[0].decode("latin-1").lower()


def serve(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> Any:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PLENARY_")}
    return subprocess.run(
        [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("how", ["option", "environment"])
def test_more_than_one_worker_without_redis_is_refused_before_listening(
    tmp_path: Path, how: str
) -> None:
    port = free_port()
    args = ["--port", str(port), "--data", str(tmp_path / "data")]
    if how == "option":
        done = serve(*args, "--workers", "2")
    else:
        done = serve(*args, env={"PLENARY_WORKERS": "2"})
    assert done.returncode == 2
    assert "--workers 2 needs --redis URL" in done.stderr
    assert not listening(port)
    assert not (tmp_path / "data").exists()


def test_a_worker_that_cannot_start_stops_the_parent_non_zero(tmp_path: Path) -> None:
    careless = RedisServer(tmp_path / "redis", "--appendonly", "no").start()
    try:
        port = free_port()
        started = time.monotonic()
        done = serve(
            "--port", str(port), "--data", str(tmp_path / "data"),
            "--redis", careless.url, "--workers", "2",
        )  # fmt: skip
        took = time.monotonic() - started
    finally:
        careless.stop()
    assert done.returncode != 0
    assert "appendonly is 'no'" in done.stderr
    assert "failed to start" in done.stderr
    assert "every worker was stopped" in done.stderr
    assert "Plenary is serving" not in done.stdout
    assert not listening(port)
    assert took < 20

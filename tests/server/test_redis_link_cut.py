"""One worker's link to Redis cut mid-burst, through a TCP proxy the test runs, then restored.

Worker A reaches Redis only through the proxy; worker B reaches it directly. A
owns two sessions: `cut`, with phones rating on it when the link goes, and
`kept`, idle meanwhile. While cut, A answers `unavailable` within a few
seconds, keeps its sockets and says so on /healthz; B takes `cut` over once
A's lease expires. Restored, A finds it lost its leases (its append is fenced, or
its lease watch sees it first and takes `kept` back at a new epoch),
acknowledges nothing it did not append, and serves `kept` again by itself.
Every acknowledged command is then in the log exactly once.
"""

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from facilitation.vocabulary import SCALE
from server.cluster import FORWARDED
from server.lease import TTL_MS
from tests.live import LiveServer, Peer, plenary
from tests.redis_live import RedisServer
from tests.server.test_redis_takeover import get_results
from tests.tcp_proxy import TcpProxy


@dataclass(frozen=True)
class Sent:
    worker: str
    request_id: str
    sent_at: float
    answered_at: float
    answer: dict[str, Any]


@pytest.fixture
def proxy(redis_server: RedisServer) -> Iterator[TcpProxy]:
    running = TcpProxy(redis_server.port).start()
    yield running
    running.stop()


async def rate_until(
    phone: Peer, worker: str, pid: str, tag: str, stop: asyncio.Event, sent: list[Sent]
) -> None:
    """Ratings, each with its own request_id, one after another until `stop`, within a
    phone's allowance (5 a second); after a refusal a pause that grows, as a phone's."""
    n, pause = 0, 0.25
    while not stop.is_set():
        request_id, value = f"{tag}-{n}", SCALE[n % len(SCALE)]
        began = time.monotonic()
        payload = {"proposition_id": pid, "value": value, "request_id": request_id}
        answer = await phone.call("rating:submit", payload, timeout=30)
        sent.append(Sent(worker, request_id, began, time.monotonic(), answer))
        n += 1
        pause = 0.25 if answer["ok"] else min(pause * 2, 1.5)
        await asyncio.sleep(pause)


async def until(check: Callable[[], bool | Awaitable[bool]], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        done = check()
        if done if isinstance(done, bool) else await done:
            return
        assert time.monotonic() < deadline, f"never: {what}"
        await asyncio.sleep(0.1)


def answered_after(sent: list[Sent], moment: float) -> set[str]:
    """The phones (request_id tags) answered for a rating sent after `moment`."""
    return {s.request_id.split("-")[0] for s in sent if s.sent_at > moment}


async def health(worker: LiveServer) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(worker.url + "/healthz", timeout=5)


async def open_session(worker: LiveServer, title: str) -> tuple[dict[str, Any], str]:
    created = await asyncio.to_thread(worker.create_session, title, ["One"])
    pid = created["propositions"][0]["id"]
    facilitator = await Peer(worker.url, created["tokens"]["facilitator"]).connect()
    assert (await facilitator.call("proposition:open", {"proposition_id": pid}))["ok"]
    await facilitator.close()
    return created, pid


async def phones_on(worker: LiveServer, join_code: str, count: int) -> list[Peer]:
    tokens = [(await asyncio.to_thread(worker.join, join_code))["token"] for _ in range(count)]
    return list(await asyncio.gather(*(Peer(worker.url, t).connect() for t in tokens)))


def logged_request_ids(redis_server: RedisServer, session_id: str) -> list[str]:
    """The request_id of every command in the session's log that a client gave one
    (not those a forwarding worker gave a command: server/cluster.py); the seqs must
    be contiguous."""
    entries = redis_server.client().xrange(f"plenary:log:{session_id}")
    seqs = [int(entry_id.split("-")[0]) for entry_id, _ in entries]
    assert seqs == list(range(1, len(entries) + 1))
    records = [json.loads(fields["r"]) for _, fields in entries if "r" in fields]
    return [request_id for holder, request_id, *_ in records if holder != FORWARDED]


async def test_a_worker_cut_off_from_redis_answers_unavailable_and_loses_nothing_acked(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer, proxy: TcpProxy
) -> None:
    a = server_factory(tmp_path / "a", redis=proxy.url).start()
    b = server_factory(tmp_path / "b", redis=redis_server.url).start()
    cut, pid = await open_session(a, "Cut")
    kept, kept_pid = await open_session(a, "Kept")
    owner_a = (await health(a)).json()["worker"]
    phones = await phones_on(a, cut["join_code"], 6)
    kept_phone = (await phones_on(a, kept["join_code"], 1))[0]
    sent: list[Sent] = []
    stop = asyncio.Event()
    burst = [
        asyncio.create_task(rate_until(p, "a", pid, f"a{i}", stop, sent))
        for i, p in enumerate(phones)
    ]
    await until(lambda: sum(s.answer["ok"] for s in sent) >= 30, "30 acks", 10)

    proxy.cut()
    cut_at = time.monotonic()
    # Every phone gets an answer to a rating sent after the cut: `unavailable`, soon.
    every_phone = {f"a{i}" for i in range(len(phones))}
    await until(lambda: answered_after(sent, cut_at) == every_phone, "answers after the cut", 10)
    during = [s for s in sent if s.sent_at > cut_at]
    assert all(s.answer["error"]["code"] == "unavailable" for s in during), during
    assert all("again" in s.answer["error"]["message"] for s in during), during
    assert max(s.answered_at - s.sent_at for s in during) < 6
    down = await health(a)
    assert down.status_code == 503
    assert "Redis cannot be reached" in down.json()["reason"]
    assert all(p.client.connected for p in phones)  # the sockets stay open

    # B takes the session over once A's lease has expired; its own phones rate there.
    console = cut["tokens"]["facilitator"]
    taken = await asyncio.to_thread(get_results, b, cut["session_id"], console)
    assert taken.status_code == 200, taken.text
    assert time.monotonic() - cut_at < TTL_MS / 1000 + 3
    on_b = await phones_on(b, cut["join_code"], 3)
    for i, phone in enumerate(on_b):
        payload = {"proposition_id": pid, "value": "agree", "request_id": f"b{i}-0"}
        answer = await phone.call("rating:submit", payload)
        sent.append(Sent("b", f"b{i}-0", 0, 0, answer))
        assert answer == {"ok": True, "round": 1}, answer
    assert not any(s.answer["ok"] for s in sent if s.worker == "a" and s.sent_at > cut_at)

    stop.set()
    await asyncio.gather(*burst)

    proxy.restore()
    await until(lambda: _is_up(a), "A healthy again", 10)
    # A's phones rate on the session B took: answered from B (forwarded) or refused,
    # either way never acknowledged by A without its append.
    after = await asyncio.gather(*(_rate_once(p, pid, f"a{i}-last") for i, p in enumerate(phones)))
    sent += after
    assert all(p.client.connected for p in phones)
    assert {s.answer.get("error", {}).get("code", "ok") for s in sent} <= {"ok", "unavailable"}

    # A serves its other session again by itself: its append is fenced once (the lease
    # ran out while cut), it takes a new lease and records the same request once.
    answer = await _retried(kept_phone, kept_pid, "kept-0")
    assert answer == {"ok": True, "round": 1}, answer
    sent.append(Sent("a", "kept-0", 0, 0, answer))
    # A lost the lease while cut off: either its next append was fenced, or its lease
    # watch saw the loss first and took the session back (server/cluster.py).
    a_log, kept_id = a.log.read_text(), kept["session_id"]
    assert f"append to {kept_id} fenced" in a_log or f"took over session {kept_id}" in a_log
    # The outage is told in one line per thing that failed, not a traceback each.
    assert "Traceback" not in a_log
    lease = redis_server.client().get(f"plenary:lease:{kept['session_id']}")
    assert lease == f"{owner_a} 2"  # A's own, at a new epoch

    logged: Counter[str] = Counter()
    for created in (cut, kept):
        logged.update(logged_request_ids(redis_server, created["session_id"]))
        verified = plenary("verify", "--redis", redis_server.url, created["session_id"])
        assert verified.returncode == 0, verified.stdout + verified.stderr
    acked = {s.request_id for s in sent if s.answer["ok"]}
    assert len(acked) >= 30 + len(on_b) + 1
    assert acked <= set(logged), acked - set(logged)  # every ack is in the log...
    assert set(logged.values()) == {1}, logged  # ...once, as is every other command
    assert set(logged) <= {s.request_id for s in sent}


async def test_a_worker_whose_redis_link_goes_silent_answers_unavailable_within_seconds(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer, proxy: TcpProxy
) -> None:
    """A partition rather than a refusal: nothing comes back, so the worker must time
    out (1.5 s a try, two tries) instead of waiting on Redis for ever."""
    a = server_factory(tmp_path / "a", redis=proxy.url).start()
    created, pid = await open_session(a, "Silent")
    phones = await phones_on(a, created["join_code"], 2)
    assert (await _rate_once(phones[0], pid, "before")).answer["ok"]

    proxy.stall()
    answers = await asyncio.gather(
        *(_rate_once(p, pid, f"silent{i}") for i, p in enumerate(phones))
    )
    assert [s.answer["error"]["code"] for s in answers] == ["unavailable"] * 2, answers
    assert max(s.answered_at - s.sent_at for s in answers) < 7  # 1.5-4.5 s seen
    down = await health(a)
    assert down.status_code == 503
    assert "Redis cannot be reached" in down.json()["reason"]
    assert all(p.client.connected for p in phones)

    proxy.restore()
    again = await _retried(phones[1], pid, "silent1")  # the same request_id, resent
    assert again == {"ok": True, "round": 1}, again
    logged = logged_request_ids(redis_server, created["session_id"])
    assert "before" in logged
    assert logged.count("silent1") == 1
    verified = plenary("verify", "--redis", redis_server.url, created["session_id"])
    assert verified.returncode == 0, verified.stdout + verified.stderr


async def _rate_once(phone: Peer, pid: str, request_id: str) -> Sent:
    payload = {"proposition_id": pid, "value": "confused", "request_id": request_id}
    began = time.monotonic()
    answer = await phone.call("rating:submit", payload, timeout=30)
    return Sent("a", request_id, began, time.monotonic(), answer)


async def _is_up(worker: LiveServer) -> bool:
    return (await health(worker)).status_code == 200


async def _retried(phone: Peer, pid: str, request_id: str) -> dict[str, Any]:
    """A rating retried with the same request_id while it is answered `unavailable`."""
    payload = {"proposition_id": pid, "value": "neutral", "request_id": request_id}
    deadline = time.monotonic() + 15
    while True:
        answer = await phone.call("rating:submit", payload, timeout=20)
        if answer["ok"] or answer["error"]["code"] != "unavailable":
            return answer
        assert time.monotonic() < deadline, answer
        await asyncio.sleep(0.3)

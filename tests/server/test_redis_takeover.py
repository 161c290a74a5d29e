"""One owner per session across workers: a second worker never writes a session
another owns, and takes it over within the lease's bound once the owner is killed."""

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx

from server.lease import TTL_MS
from tests.live import LiveServer, Peer, latest_round
from tests.redis_live import RedisServer


def get_results(worker: LiveServer, session_id: str, token: str) -> httpx.Response:
    return httpx.get(
        f"{worker.url}/api/sessions/{session_id}/results",
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    )


def owns(worker: LiveServer, sessions: int, within: float) -> float:
    """Wait until `worker` owns `sessions` sessions (its /healthz); the seconds it took."""
    began = time.monotonic()
    while httpx.get(worker.url + "/healthz", timeout=5).json()["owned_sessions"] != sessions:
        assert time.monotonic() - began < within, f"{worker.url} never owned {sessions}"
        time.sleep(0.05)
    return time.monotonic() - began


async def _two_workers_one_open_proposition(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> tuple[LiveServer, LiveServer, dict[str, Any]]:
    """Two workers on one Redis; a session made on the first (its owner), with its one
    proposition open."""
    owner = server_factory(tmp_path / "a", redis=redis_server.url).start()
    other = server_factory(tmp_path / "b", redis=redis_server.url).start()
    created = owner.create_session("Takeover", ["One"])
    pid = created["propositions"][0]["id"]
    facilitator = await Peer(owner.url, created["tokens"]["facilitator"]).connect()
    assert (await facilitator.call("proposition:open", {"proposition_id": pid}))["ok"]
    await facilitator.close()
    return owner, other, created


async def test_owner_sigkill_another_worker_takes_over_within_the_lease(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    owner, other, created = await _two_workers_one_open_proposition(
        server_factory, tmp_path, redis_server
    )
    session_id, pid = created["session_id"], created["propositions"][0]["id"]
    console = created["tokens"]["facilitator"]
    tokens = [owner.join(created["join_code"])["token"] for _ in range(10)]
    phones = await asyncio.gather(*(Peer(owner.url, t).connect() for t in tokens))
    acks = await asyncio.gather(
        *(p.call("rating:submit", {"proposition_id": pid, "value": "agree"}) for p in phones)
    )
    assert all(a == {"ok": True, "round": 1} for a in acks)
    retried = {"proposition_id": pid, "value": "disagree", "request_id": "change-1"}
    first_answer = await phones[1].call("rating:submit", retried)
    assert first_answer == {"ok": True, "round": 1}

    # While the owner lives, the other worker serves a replica and never writes.
    replicated = await asyncio.to_thread(get_results, other, session_id, console)
    assert replicated.status_code == 200, replicated.text
    assert latest_round(replicated.json(), pid)["counts"]["disagree"] == 1
    health = await asyncio.to_thread(httpx.get, other.url + "/healthz")
    assert health.json()["replicated_sessions"] == 1
    lease = redis_server.client().get(f"plenary:lease:{session_id}")
    assert lease.split()[1] == "1"

    owner.kill()
    killed = time.monotonic()
    await asyncio.to_thread(owns, other, 1, TTL_MS / 1000 + 2)
    print(f"takeover after SIGKILL: {time.monotonic() - killed:.2f} s")
    answer = await asyncio.to_thread(get_results, other, session_id, console)
    assert answer.status_code == 200, answer.text
    assert latest_round(answer.json(), pid)["total"] == 10

    phone = await Peer(other.url, tokens[0]).connect()
    assert phone.view["me"]["ratings"][pid]["value"] == "agree"
    ack = await phone.call("rating:submit", {"proposition_id": pid, "value": "neutral"})
    assert ack == {"ok": True, "round": 1}
    await phone.close()
    # A command retried on the new owner with its request_id is answered, not re-applied.
    logged = redis_server.client().xlen(f"plenary:log:{session_id}")
    again = await Peer(other.url, tokens[1]).connect()
    assert await again.call("rating:submit", retried) == first_answer
    await again.close()
    assert redis_server.client().xlen(f"plenary:log:{session_id}") == logged
    entries = redis_server.client().xrange(f"plenary:log:{session_id}")
    assert [int(i.split("-")[0]) for i, _ in entries] == list(range(1, len(entries) + 1))
    epoch = redis_server.client().get(f"plenary:lease:{session_id}").split()[1]
    assert epoch == "2"  # one takeover, one new epoch


async def test_an_owner_paused_past_its_lease_is_fenced_and_acknowledges_nothing(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    owner, other, created = await _two_workers_one_open_proposition(
        server_factory, tmp_path, redis_server
    )
    session_id, pid = created["session_id"], created["propositions"][0]["id"]
    console = created["tokens"]["facilitator"]
    phones = [await Peer(owner.url, owner.join(created["join_code"])["token"]).connect()]
    phones.append(await Peer(owner.url, owner.join(created["join_code"])["token"]).connect())
    for phone in phones:
        assert (await phone.call("rating:submit", {"proposition_id": pid, "value": "agree"}))["ok"]
    logged = redis_server.client().xlen(f"plenary:log:{session_id}")

    # The other worker serves the session too (a replica), and watches its lease.
    assert (await asyncio.to_thread(get_results, other, session_id, console)).status_code == 200
    assert owner.process is not None
    os.kill(owner.process.pid, signal.SIGSTOP)  # paused: its lease runs out
    try:
        sent = [
            asyncio.create_task(
                p.call("rating:submit", {"proposition_id": pid, "value": "disagree"}, timeout=30)
            )
            for p in phones
        ]
        await asyncio.to_thread(owns, other, 1, TTL_MS / 1000 + 3)
    finally:
        os.kill(owner.process.pid, signal.SIGCONT)
    answers = await asyncio.gather(*sent)
    assert all(a["ok"] is False for a in answers), answers  # the fenced owner acks nothing
    assert {a["error"]["code"] for a in answers} == {"unavailable"}
    assert redis_server.client().xlen(f"plenary:log:{session_id}") == logged
    assert "fenced" in owner.log.read_text()  # its append was attempted, and refused
    results = await asyncio.to_thread(get_results, other, session_id, console)
    assert latest_round(results.json(), pid)["counts"]["agree"] == 2

"""One session served by three workers on one Redis: commands from any worker are
forwarded to the owner, and every worker serves its own connections from the
committed log (a replica), with the same views as the owner's."""

import asyncio
import itertools
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from facilitation.vocabulary import DEFAULT_GROUPS, SCALE
from server.lease import TTL_MS
from tests.live import LiveServer, Peer, latest_round, plenary, proposition, try_connect
from tests.redis_live import RedisServer

GROUPS = DEFAULT_GROUPS[:3]


async def three_workers(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> list[LiveServer]:
    workers = [server_factory(tmp_path / n, redis=redis_server.url) for n in "abc"]
    await asyncio.gather(*(asyncio.to_thread(w.start) for w in workers))
    return workers


async def fresh_snapshot(peer: Peer) -> dict[str, Any]:
    """A snapshot asked for now (`sync`)."""
    before = len(peer.snapshots)
    assert (await peer.call("sync"))["ok"]
    await peer.until(lambda _: len(peer.snapshots) > before)
    return peer.snapshots[-1]


def health(worker: LiveServer) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(worker.url + "/healthz", timeout=5).json()
    return body


def the_log(redis_server: RedisServer, session_id: str) -> list[tuple[int, dict[str, Any]]]:
    entries = redis_server.client().xrange(f"plenary:log:{session_id}")
    return [(int(i.split("-")[0]), json.loads(f["b"])) for i, f in entries]


def rated_in_log(log: list[tuple[int, dict[str, Any]]]) -> list[tuple[str, Any]]:
    return [(b["participant_id"], b["value"]) for _, b in log if b["type"] == "rating_submitted"]


def verify(redis_server: RedisServer, session_id: str, head: str) -> None:
    checked = plenary("verify", "--redis", redis_server.url, session_id, "--head", head)
    assert checked.returncode == 0, checked.stdout + checked.stderr


async def test_a_session_across_three_workers(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    a, b, c = workers = await three_workers(server_factory, tmp_path, redis_server)
    created = a.create_session("Across workers", ["Open standards", "Hubs count"])
    session_id, code = created["session_id"], created["join_code"]
    first, _ = (p["id"] for p in created["propositions"])
    console = await Peer(a.url, created["tokens"]["facilitator"]).connect()
    projector = await Peer(b.url, created["tokens"]["display"]).connect()

    # Twelve people join over HTTP on each worker in turn (C's joins are forwarded),
    # and each connects to the next worker.
    joined = [workers[i % 3].join(code, GROUPS[i % 3]) for i in range(12)]
    phones = await asyncio.gather(
        *(Peer(workers[(i + 1) % 3].url, j["token"]).connect() for i, j in enumerate(joined))
    )
    hub = await console.call("hub:invite", {"name": "Hub on C", "attendance": 20})
    hub_peer = await Peer(c.url, hub["token"]).connect()
    assert await console.call("proposition:open", {"proposition_id": first}) == {
        "ok": True,
        "round": 1,
    }

    # Everyone rates, every other phone with a request_id; four change their minds.
    acked: dict[str, str] = {}  # participant -> last value acknowledged
    sent: list[tuple[str, str]] = []
    values = itertools.cycle(["agree", "strongly_agree", "neutral", "disagree", "confused"])

    async def rate(i: int, value: str, request_id: str | None) -> None:
        payload: dict[str, Any] = {"proposition_id": first, "value": value}
        if request_id is not None:
            payload["request_id"] = request_id
        ack = await phones[i].call("rating:submit", payload)
        assert ack == {"ok": True, "round": 1}, ack
        pid = joined[i]["participant_id"]
        acked[pid] = value
        sent.append((pid, value))

    await asyncio.gather(*(rate(i, next(values), f"r-{i}" if i % 2 else None) for i in range(12)))
    await asyncio.gather(*(rate(i, "strongly_disagree", f"change-{i}") for i in (1, 4, 8, 11)))
    # The same request_id again, from the same phone on another worker: answered, not re-applied.
    again = await Peer(workers[(1 + 2) % 3].url, joined[1]["token"]).connect()
    logged = len(the_log(redis_server, session_id))
    retried = {"proposition_id": first, "value": "strongly_disagree", "request_id": "change-1"}
    assert await again.call("rating:submit", retried) == {"ok": True, "round": 1}
    assert len(the_log(redis_server, session_id)) == logged
    await again.close()

    # The queue, from phones on B and C and the console on A.
    for i in (1, 2, 4):
        assert (await phones[i].call("hand:raise", {"intent": "speak"}))["ok"]
    entries = (await console.until(lambda v: len(v["queue"]["entries"]) == 3))["queue"]["entries"]
    last = entries[-1]["entry_id"]
    assert (await console.call("queue:move", {"entry_id": last, "position": 1}))["ok"]
    assert (await console.call("queue:next"))["current"]["name"] == entries[-1]["name"]
    assert (await console.call("queue:close", {"closed": True}))["ok"]
    refused = await phones[5].call("hand:raise", {"intent": "speak"})
    assert refused["ok"] is False
    tally = {"agree": 7, "disagree": 3}
    assert (await hub_peer.call("hub:tally", {"proposition_id": first, "counts": tally}))["ok"]

    assert (await console.call("proposition:close", {"proposition_id": first}))["ok"]
    assert (await phones[6].call("rating:submit", {"proposition_id": first, "value": "agree"}))[
        "error"
    ]["code"] == "closed"
    assert (await console.call("results:reveal", {"proposition_id": first, "visible": True}))["ok"]
    mark = {"proposition_id": first, "status": "rough_consensus", "note": "Weighed"}
    assert (await console.call("consensus:mark", mark))["ok"]

    # An independent recount of what was acknowledged.
    counts = Counter(acked.values()) + Counter(tally)
    expected = {v: counts[v] for v in SCALE}
    final = await projector.until(lambda v: proposition(v, first)["mark"] is not None)
    assert latest_round(final, first)["counts"] == expected
    assert proposition(final, first)["mark"]["note"] == "Weighed"
    seen = await console.until(lambda v: proposition(v, first)["mark"] is not None)
    assert latest_round(seen, first)["counts"] == expected
    assert seen["queue"]["closed"] is True
    assert [e["name"] for e in seen["queue"]["entries"]] == [e["name"] for e in entries[:2]]
    for phone, person in zip(phones, joined, strict=True):
        await phone.until(lambda v: "counts" in latest_round(v, first))
        mine = await fresh_snapshot(phone)  # `me` comes with snapshots only
        assert mine["me"]["ratings"][first]["value"] == acked[person["participant_id"]]
        assert latest_round(mine, first)["counts"] == expected

    # The log: contiguous, every acknowledged rating in it once, nothing else rated.
    log = the_log(redis_server, session_id)
    assert [seq for seq, _ in log] == list(range(1, len(log) + 1))
    assert Counter(rated_in_log(log)) == Counter(sent)
    results = c.results(session_id, created["tokens"]["facilitator"])
    assert latest_round(results, first)["counts"] == expected
    verify(redis_server, session_id, results["head"])
    exported = plenary("export", "--redis", redis_server.url, session_id, "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["session"]["session_id"] == session_id
    # The operator's page on a worker that only replicates the session closes it there.
    closing = await asyncio.to_thread(
        httpx.post,
        f"{c.url}/api/sessions/{session_id}/status",
        json={"status": "closed"},
        headers={"Authorization": f"Bearer {c.admin_token}"},
    )
    assert closing.status_code == 200, closing.text
    await projector.until(lambda v: v["session"]["status"] == "closed")
    healths = await asyncio.gather(*(asyncio.to_thread(health, w) for w in workers))
    assert [h["owned_sessions"] for h in healths] == [1, 0, 0]
    assert [h["replicated_sessions"] for h in healths] == [0, 1, 1]
    for peer in [console, projector, hub_peer, *phones]:
        await peer.close()


async def test_a_revoked_link_is_refused_and_closed_on_every_worker(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    a, b, c = await three_workers(server_factory, tmp_path, redis_server)
    created = a.create_session("Revocation", ["One"])
    display_token = created["tokens"]["display"]
    console = await Peer(b.url, created["tokens"]["facilitator"]).connect()  # forwarded
    projectors = [await Peer(w.url, display_token).connect() for w in (a, b, c)]
    removed = c.join(created["join_code"])
    phone = await Peer(c.url, removed["token"]).connect()

    rotated = await console.call("links:rotate", {"role": "display"})
    assert rotated["ok"]
    removal = {"participant_id": removed["participant_id"]}
    assert (await console.call("participant:remove", removal))["ok"]
    # B ran the commands; A and C close their own sockets as their logs show the change.
    for peer in [*projectors, phone]:
        await asyncio.wait_for(peer.disconnected.wait(), 5)
    assert not console.disconnected.is_set()  # the console that rotated nothing of its own
    for worker in (a, b, c):
        refused = await try_connect(worker.url, display_token)
        assert refused is not None
        assert refused["code"] == "unauthorized", refused
        fresh = await Peer(worker.url, rotated["token"]).connect()
        assert fresh.view["version"] >= 1
        await fresh.close()
    await console.close()


async def test_owner_sigkill_mid_burst_another_worker_takes_over(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    a, b, c = await three_workers(server_factory, tmp_path, redis_server)
    created = a.create_session("Failover", ["One"])
    session_id, code = created["session_id"], created["join_code"]
    first = created["propositions"][0]["id"]
    console = await Peer(b.url, created["tokens"]["facilitator"]).connect()
    assert (await console.call("proposition:open", {"proposition_id": first}))["ok"]
    # Phones on B and C (joined there, so forwarded to A), and two on A, which dies.
    places = [b, c] * 4 + [a, a]
    joined = [await asyncio.to_thread(w.join, code) for w in places]
    phones = await asyncio.gather(
        *(Peer(w.url, j["token"]).connect() for w, j in zip(places, joined, strict=True))
    )
    sent: list[tuple[str, float, dict[str, Any]]] = []  # (comment, sent at, answer)
    stop = asyncio.Event()

    async def burst(i: int) -> None:
        """Ratings one after another, each told apart by its comment; half the phones
        give request_ids. A phone on the killed worker stops when its socket does."""
        n = 0
        while not stop.is_set() and phones[i].client.connected:
            comment = f"p{i}-{n}"
            payload = {"proposition_id": first, "value": SCALE[n % 6], "comment": comment}
            if i % 2:
                payload["request_id"] = comment
            began = time.monotonic()
            try:
                answer = await phones[i].call("rating:submit", payload, timeout=30)
            except Exception:  # the killed worker's sockets go without an answer
                return
            sent.append((comment, began, answer))
            n += 1
            await asyncio.sleep(0.25)  # within a phone's allowance of 5 a second

    bursts = [asyncio.create_task(burst(i)) for i in range(len(phones))]
    deadline = time.monotonic() + 15
    while sum(ack["ok"] for _, _, ack in sent) < 40:
        assert time.monotonic() < deadline, sent[-5:]
        await asyncio.sleep(0.05)
    a.kill()
    killed = time.monotonic()
    while not any(ack["ok"] for _, at, ack in sent if at > killed):
        assert time.monotonic() - killed < 8, "no acknowledged command after the kill"
        await asyncio.sleep(0.02)
    took = min(t for _, t, ack in sent if t > killed and ack["ok"])  # sent, not answered
    answered = time.monotonic() - killed
    while sum(ack["ok"] for _, at, ack in sent if at > killed) < 20:
        assert time.monotonic() - killed < 20
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*bursts)
    print(f"first ack after SIGKILL: {answered:.2f} s (sent {took - killed:.2f} s after)")
    assert answered < TTL_MS / 1000 + 2

    owners = [h["owned_sessions"] for h in [health(b), health(c)]]
    assert sorted(owners) == [0, 1]
    assert all(not p.disconnected.is_set() for p in phones[:8])  # their workers lived
    log = the_log(redis_server, session_id)
    assert [seq for seq, _ in log] == list(range(1, len(log) + 1))
    in_log = Counter(b["comment"] for _, b in log if b["type"] == "rating_submitted")
    acked = [comment for comment, _, ack in sent if ack["ok"]]
    assert all(in_log[comment] == 1 for comment in acked), [c for c in acked if in_log[c] != 1]
    assert set(in_log.values()) == {1}  # nothing twice, acknowledged or not
    assert {ack["error"]["code"] for _, _, ack in sent if not ack["ok"]} <= {"unavailable"}
    # On the workers that lived, every command was acknowledged, even one forwarded
    # to the owner as it died (sent on to the next owner, not refused).
    lived = [(c, ack) for c, _, ack in sent if int(c[1:].split("-")[0]) < 8]
    assert all(ack["ok"] for _, ack in lived), [a for a in lived if not a[1]["ok"]]
    results = b.results(session_id, created["tokens"]["facilitator"])
    verify(redis_server, session_id, results["head"])
    for peer in [console, *phones[:8]]:
        await peer.close()

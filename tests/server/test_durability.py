"""Nothing acknowledged is lost: SIGKILL in the middle of a rating burst."""

import asyncio
import contextlib
import json
import sqlite3
from pathlib import Path

import pytest

from facilitation.vocabulary import SCALE
from tests.live import LiveServer, Peer, latest_round


@pytest.mark.parametrize("durability", ["process", "power"])
async def test_sigkill_mid_burst_keeps_every_acked_rating(
    server_factory: type[LiveServer], tmp_path: Path, durability: str
) -> None:
    # Frequent snapshots, so the restart goes through snapshot + log replay.
    server = server_factory(tmp_path / "data", snapshot_every="40", durability=durability).start()
    created = server.create_session("Crash", ["One"])
    pid, code = created["propositions"][0]["id"], created["join_code"]
    facilitator = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    await facilitator.call("proposition:open", {"proposition_id": pid})
    tokens = [server.join(code)["token"] for _ in range(80)]
    phones = await asyncio.gather(*(Peer(server.url, t).connect() for t in tokens))

    acked: dict[int, str] = {}  # phone -> value of its last acknowledged rating
    in_flight: dict[int, str] = {}
    enough = asyncio.Event()

    async def rate(i: int, phone: Peer) -> None:
        for n in range(1000):
            value = SCALE[(i + n) % len(SCALE)]
            in_flight[i] = value
            try:
                ack = await phone.call(
                    "rating:submit", {"proposition_id": pid, "value": value}, timeout=5
                )
            except Exception:  # the server died under us
                return
            assert ack == {"ok": True, "round": 1}
            acked[i] = value
            del in_flight[i]
            if sum(1 for _ in acked) >= 60 and n >= 3:
                enough.set()

    burst = [asyncio.create_task(rate(i, p)) for i, p in enumerate(phones)]
    await asyncio.wait_for(enough.wait(), 60)
    server.kill()
    await asyncio.gather(*burst)
    for peer in [facilitator, *phones]:
        with contextlib.suppress(Exception):
            await peer.close()
    assert len(acked) >= 60

    server.start()
    total = 0
    for i, token in enumerate(tokens):
        phone = await Peer(server.url, token).connect()
        stored = phone.view["me"]["ratings"].get(pid, {}).get("value")
        await phone.close()
        allowed = {acked.get(i), in_flight.get(i)} - {None}
        if i in acked:
            # The acknowledged rating, or the one sent after it that had no answer yet.
            assert stored in allowed, (i, stored, allowed)
        else:
            assert stored is None or stored == in_flight.get(i), (i, stored)
        total += stored is not None
    results = server.results(created["session_id"], created["tokens"]["facilitator"])
    assert latest_round(results, pid)["total"] == total


async def test_restart_restores_queue_marks_and_hubs(live_server: LiveServer) -> None:
    created = live_server.create_session("Restart", ["One", "Two"])
    first = created["propositions"][0]["id"]
    facilitator = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    phone = await Peer(
        live_server.url, live_server.join(created["join_code"], name="Ana")["token"]
    ).connect()
    await facilitator.call("proposition:open", {"proposition_id": first})
    await phone.call("hand:raise", {"intent": "clarify", "proposition_id": first})
    await facilitator.call(
        "consensus:mark",
        {"proposition_id": first, "status": "needs_revision", "note": "Reword the second clause"},
    )
    hub = await facilitator.call("hub:invite", {"name": "Hub", "attendance": 12})
    before = live_server.results(created["session_id"], created["tokens"]["facilitator"])
    await facilitator.close()
    await phone.close()
    live_server.kill()
    live_server.start()
    after = live_server.results(created["session_id"], created["tokens"]["facilitator"])
    assert after == before
    assert after["queue"]["entries"][0]["name"] == "Ana"
    assert after["hubs"] == [{"hub_id": hub["hub_id"], "name": "Hub", "attendance": 12}]
    # Tokens issued before the restart still work: the secret is kept on disk.
    again = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    assert again.view["version"] == after["version"]
    await again.close()


async def test_a_failed_commit_acks_nothing_and_rebuilds_from_the_log(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session("Commit failure", ["One"])
    pid, session_id = created["propositions"][0]["id"], created["session_id"]
    facilitator = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    await facilitator.call("proposition:open", {"proposition_id": pid})
    phone = await Peer(live_server.url, live_server.join(created["join_code"])["token"]).connect()
    version = live_server.results(session_id, created["tokens"]["facilitator"])["version"]

    # Another writer takes the next place in the log, so the server's next
    # commit fails on SQLite's primary key, as a real write error would.
    foreign = {
        "v": 1,
        "type": "proposition_added",
        "proposition_id": "written-elsewhere",
        "text": "Written behind the server's back",
        "source": None,
        "at": 1.0,
    }
    with sqlite3.connect(live_server.data / "plenary.sqlite3") as db:
        db.execute(
            "INSERT INTO events (session_id, seq, body, hash) VALUES (?, ?, ?, ?)",
            (session_id, version + 1, json.dumps(foreign), "0" * 64),
        )

    failed = await phone.call("rating:submit", {"proposition_id": pid, "value": "agree"})
    assert failed["ok"] is False
    assert failed["error"]["code"] == "internal"
    assert "nothing was changed" in failed["error"]["message"]
    # The session was rebuilt from the log: the rating that failed is not
    # there, the log's own event is, and the next command goes through.
    results = live_server.results(session_id, created["tokens"]["facilitator"])
    assert results["version"] == version + 1
    assert latest_round(results, pid)["total"] == 0
    assert [p["id"] for p in results["propositions"]] == [pid, "written-elsewhere"]
    retried = await phone.call("rating:submit", {"proposition_id": pid, "value": "agree"})
    assert retried == {"ok": True, "round": 1}
    assert (
        latest_round(live_server.results(session_id, created["tokens"]["facilitator"]), pid)[
            "total"
        ]
        == 1
    )
    await phone.close()
    await facilitator.close()

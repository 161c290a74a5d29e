"""Rating windows through the real server: they open and close on their own,
ratings inside them count outside the live hour, and a window whose deadline
passed while the server was down is closed at the deadline when it starts."""

import asyncio
import contextlib
import json
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.live import LiveServer, Peer
from tests.redis_live import RedisServer

ZONE = "America/Sao_Paulo"


def local(seconds_from_now: float, zone: str = ZONE) -> str:
    """A wall-clock time in `zone`, as the chair would type it."""
    moment = datetime.now(ZoneInfo(zone)) + timedelta(seconds=seconds_from_now)
    return moment.replace(tzinfo=None).isoformat()


def logged(data: Path, session_id: str, kind: str) -> list[dict[str, Any]]:
    """The session's events of one type, read from the SQLite log (read-only)."""
    uri = (data / "plenary.sqlite3").resolve().as_uri() + "?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        rows = db.execute(
            "SELECT body FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
        ).fetchall()
    return [body for (raw,) in rows if (body := json.loads(raw))["type"] == kind]


def proposition(view: dict[str, Any], pid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in view["propositions"] if p["id"] == pid)
    return found


async def test_a_window_before_the_live_hour(live_server: LiveServer) -> None:
    created = live_server.create_session(
        "Before", ["First", "Second"], settings={"time_zone": ZONE}
    )
    first, second = (p["id"] for p in created["propositions"])
    chair = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    phone = await Peer(live_server.url, live_server.join(created["join_code"])["token"]).connect()
    set_ = await chair.call(
        "window:set", {"proposition_id": first, "opens_at": local(1.0), "closes_at": local(600)}
    )
    assert set_["ok"], set_
    assert set_["window_id"]
    early = await phone.call("rating:submit", {"proposition_id": first, "value": "agree"})
    assert early["ok"] is False
    assert early["error"]["code"] == "closed"

    # Nobody acts: the scheduler opens it, and the phone learns until when it may rate.
    seen = await phone.until(lambda v: "window" in proposition(v, first), timeout=10)
    window = proposition(seen, first)["window"]
    assert window["status"] == "open"
    assert "window" not in proposition(seen, second)
    assert abs(window["closes_at"] - (time.time() + 600)) < 30
    rated = await phone.call("rating:submit", {"proposition_id": first, "value": "agree"})
    assert rated == {"ok": True, "round": 1}
    refused = await phone.call("rating:submit", {"proposition_id": second, "value": "agree"})
    assert refused["error"]["code"] == "closed"
    outside = {"live": _counts(), "window": _counts(agree=1)}
    await chair.until(lambda v: proposition(v, first)["rounds"][0].get("by_timing") == outside)

    # The live hour: the chair opens it, a new round whose ratings are inside it.
    assert (await chair.call("proposition:open", {"proposition_id": first}))["round"] == 2
    live = await phone.call("rating:submit", {"proposition_id": first, "value": "disagree"})
    assert live == {"ok": True, "round": 2}
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            f"{live_server.url}/api/sessions/{created['session_id']}/report.json",
            headers={"Authorization": f"Bearer {created['tokens']['facilitator']}"},
        )
        page = await http.get(
            f"{live_server.url}/api/sessions/{created['session_id']}/report.md",
            headers={"Authorization": f"Bearer {created['tokens']['facilitator']}"},
        )
    report = answer.json()
    assert "Outside the live hour" in page.text
    rounds = report["propositions"][0]["rounds"]
    timing = [(r["by_timing"]["live"]["total"], r["by_timing"]["window"]["total"]) for r in rounds]
    assert timing == [(0, 1), (1, 0)]
    assert report["windows"][0]["opened_at"] == report["windows"][0]["opens_at"]
    for peer in (chair, phone):
        await peer.close()


async def test_a_window_closes_at_its_deadline_across_a_restart(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    server = server_factory(data).start()
    created = server.create_session("After", ["Only"], settings={"time_zone": ZONE})
    session_id, pid = created["session_id"], created["propositions"][0]["id"]
    chair = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    token = server.join(created["join_code"])["token"]
    phone = await Peer(server.url, token).connect()
    # Open already (its opening time has passed), closing in two seconds.
    await chair.call("window:set", {"opens_at": local(-60), "closes_at": local(2.0)})
    assert (await phone.call("rating:submit", {"proposition_id": pid, "value": "agree"}))["ok"]
    (window,) = logged(data, session_id, "window_set")
    await chair.close()
    await phone.close()
    server.kill()  # down before the deadline: nothing closes it
    await asyncio.sleep(max(0.0, window["closes_at"] + 1.0 - time.time()))
    assert logged(data, session_id, "window_closed") == []

    server.start()  # nobody opens the session: the server closes it on its own
    deadline = time.monotonic() + 10
    while not (closed := logged(data, session_id, "window_closed")):
        assert time.monotonic() < deadline, "the window was not closed after the restart"
        await asyncio.sleep(0.05)
    assert closed[0]["at"] == window["closes_at"]  # the deadline, not the restart's time
    phone = await Peer(server.url, token).connect()
    late = await phone.call("rating:submit", {"proposition_id": pid, "value": "disagree"})
    assert late["ok"] is False
    assert late["error"]["code"] == "closed"
    await phone.close()


def _counts(**given: int) -> dict[str, int]:
    scale = ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "confused")
    return {value: given.get(value, 0) for value in scale}


async def test_workers_on_redis_keep_each_others_deadlines_across_a_restart(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    """Two workers own a session each, both with a window to close; both stop before
    the deadlines. One worker started again closes both windows on its own: each
    owner recorded its own session in the shared store without dropping the other's."""
    a, b = (server_factory(tmp_path / n, redis=redis_server.url) for n in "ab")
    await asyncio.gather(asyncio.to_thread(a.start), asyncio.to_thread(b.start))
    sessions: list[str] = []
    closes: list[float] = []
    for worker in (a, b):  # a session is owned by the worker that created it
        created = worker.create_session("Deadline", ["Only"], settings={"time_zone": ZONE})
        sessions.append(created["session_id"])
        chair = await Peer(worker.url, created["tokens"]["facilitator"]).connect()
        set_at = await chair.call("window:set", {"opens_at": local(-60), "closes_at": local(3.0)})
        assert set_at["ok"], set_at
        await chair.close()
    for worker in (a, b):
        health = await asyncio.to_thread(httpx.get, worker.url + "/healthz", timeout=5)
        assert health.json()["owned_sessions"] == 1
    for session_id in sessions:
        (window,) = redis_logged(redis_server, session_id, "window_set")
        closes.append(window["closes_at"])
    a.kill()
    b.kill()
    await asyncio.sleep(max(0.0, max(closes) + 1.0 - time.time()))
    assert all(redis_logged(redis_server, s, "window_closed") == [] for s in sessions)

    b.start()  # nobody opens either session
    deadline = time.monotonic() + 15
    while not all(redis_logged(redis_server, s, "window_closed") for s in sessions):
        assert time.monotonic() < deadline, "a window was not closed after the restart"
        await asyncio.sleep(0.1)
    for session_id, closes_at in zip(sessions, closes, strict=True):
        assert redis_logged(redis_server, session_id, "window_closed")[0]["at"] == closes_at


def redis_logged(redis_server: RedisServer, session_id: str, kind: str) -> list[dict[str, Any]]:
    """The session's events of one type, read from its Redis stream."""
    entries = redis_server.client().xrange(f"plenary:log:{session_id}")
    return [body for _, fields in entries if (body := json.loads(fields["b"]))["type"] == kind]

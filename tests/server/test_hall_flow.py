"""The hall through the real server and real socket.io clients: join codes read
forgivingly, the projector's choice, the list of speakers closed and reopened,
a speaker ending their own turn, per-intent times, hub counts by group, and
the chair's mark reaching phones and hubs."""

import httpx

from tests.live import LiveServer, Peer, latest_round, proposition


def typed_badly(code: str) -> str:
    """The code as someone might type it: lower case, a hyphen, look-alike letters."""
    typed = code.lower().replace("0", "o").replace("1", "l")
    return f" {typed[:4]}-{typed[4:]} "


def test_join_codes_are_read_forgivingly(live_server: LiveServer) -> None:
    # Codes hold 0 and 1 (never O, I or L): make sure this one has a look-alike to forgive.
    created = live_server.create_session("Codes")
    while not {"0", "1"} & set(created["join_code"]):
        created = live_server.create_session("Codes")
    code = created["join_code"]
    assert not {"O", "I", "L"} & set(code)
    typed = typed_badly(code)
    assert typed.strip().upper() != code
    info = httpx.get(f"{live_server.url}/api/join/{typed.strip()}", timeout=10)
    assert info.status_code == 200, info.text
    joined = live_server.post_join(typed)
    assert joined.status_code == 201, joined.text
    assert joined.json()["session_id"] == created["session_id"]
    wrong = httpx.get(f"{live_server.url}/api/join/ZZZZ-ZZZZ", timeout=10)
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "not_found"


async def test_floor_list_projector_hub_groups_and_marks(live_server: LiveServer) -> None:
    created = live_server.create_session(
        "Hall",
        ["Open standards first"],
        settings={"intent_seconds": {"point_of_order": 30}},
    )
    code, pid = created["join_code"], created["propositions"][0]["id"]
    chair = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    display = await Peer(live_server.url, created["tokens"]["display"]).connect()
    amina = await Peer(live_server.url, live_server.join(code, name="Amina")["token"]).connect()
    bo = await Peer(live_server.url, live_server.join(code, name="Bo")["token"]).connect()
    assert display.view["session"]["display"] == {
        "mode": "auto",
        "proposition_id": None,
        "shown": None,
    }

    # The chair keeps one proposition on the projector; the projector hears it.
    answer = await chair.call("display:show", {"mode": "proposition", "proposition_id": pid})
    assert answer == {"ok": True}
    await display.until(lambda v: v["session"]["display"]["shown"] == pid)
    refused = await chair.call("display:show", {"mode": "proposition"})
    assert refused["error"]["code"] == "bad_request"
    assert (await display.call("display:show", {"mode": "agenda"}))["error"]["code"] == "forbidden"

    # A point of order gets its own time; the speaker ends the turn themselves.
    raised = await amina.call("hand:raise", {"intent": "point_of_order"})
    assert raised["ok"], raised
    assert (await chair.call("queue:close", {"closed": True})) == {"ok": True}
    late = await bo.call("hand:raise", {"intent": "speak"})
    assert late["ok"] is False
    assert late["error"]["code"] == "closed"
    assert "list of speakers is closed" in late["error"]["message"]
    await bo.until(lambda v: v["queue"]["closed"] is True)
    assert (await chair.call("queue:next", {}))["current"]["name"] == "Amina"
    timer = (await amina.until(lambda v: v["timer"]["duration"] is not None))["timer"]
    assert timer["duration"] == 30.0
    assert timer["running"] is True
    assert (await bo.call("queue:yield", {}))["error"]["code"] == "conflict"
    assert (await amina.call("queue:yield", {})) == {"ok": True}
    await display.until(lambda v: v["queue"]["current"] is None and v["timer"]["duration"] is None)
    assert (await chair.call("queue:close", {"closed": False})) == {"ok": True}
    assert (await bo.call("hand:raise", {"intent": "speak"}))["ok"] is True
    # The chair's time for the next speaker, not the session's default.
    assert (await chair.call("queue:next", {"seconds": 45}))["ok"] is True
    await bo.until(lambda v: v["timer"]["duration"] == 45.0)

    # A hub counts by group; the console sees them under those groups.
    invited = await chair.call("hub:invite", {"name": "Nairobi hub", "attendance": 20})
    hub = await Peer(live_server.url, invited["token"]).connect()
    await chair.call("proposition:open", {"proposition_id": pid})
    by_group = {"government": {"agree": 4}, "academia": {"agree": 2, "disagree": 3}}
    tallied = await hub.call(
        "hub:tally",
        {"proposition_id": pid, "counts": {"agree": 6, "disagree": 3}, "by_group": by_group},
    )
    assert tallied == {"ok": True, "round": 1}
    seen = await chair.until(lambda v: latest_round(v, pid).get("total") == 9)
    groups = latest_round(seen, pid)["by_group"]
    assert groups["government"]["agree"] == 4
    assert groups["academia"]["disagree"] == 3
    assert "other" not in groups

    # The mark and its note reach a phone and a hub.
    note = "Hubs to be consulted on the wording."
    marked = await chair.call(
        "consensus:mark", {"proposition_id": pid, "status": "rough_consensus", "note": note}
    )
    assert marked == {"ok": True}
    expected = {"status": "rough_consensus", "note": note}
    for peer in (amina, hub, display):
        await peer.until(lambda v: proposition(v, pid)["mark"] == expected)
    for peer in (chair, display, amina, bo, hub):
        await peer.close()

"""Wording on the record through the real server and real socket.io clients:
revise between rounds, withdraw, undo a close, amendments from a phone,
translations from a file; the results and the report after a restart."""

from pathlib import Path
from typing import Any

import httpx

from tests.live import LiveServer, Peer, latest_round, proposition

ORIGINAL = "Member states keep the Forum open to all stakeholders"
REVISED = "Member states keep the Forum open and free to all stakeholders"


def report(server: LiveServer, session_id: str, token: str, fmt: str = "json") -> Any:
    answer = httpx.get(
        f"{server.url}/api/sessions/{session_id}/report.{fmt}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json() if fmt == "json" else answer.text


def post_file(server: LiveServer, session_id: str, token: str, content: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/sessions/{session_id}/translations",
        json={"format": "csv", "content": content},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


async def ok(peer: Peer, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    ack = await peer.call(name, payload)
    assert ack["ok"], (name, ack)
    return ack


async def test_revise_withdraw_and_undo_close_survive_a_restart(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data").start()
    created = server.create_session(
        "Draft outcome",
        [ORIGINAL, "A paragraph to drop", "Hubs count equally"],
        languages=["en", "fr", "ar"],
    )
    sid, token = created["session_id"], created["tokens"]["facilitator"]
    a, b, c = (p["id"] for p in created["propositions"])
    console = await Peer(server.url, token).connect()
    phones = [
        await Peer(server.url, server.join(created["join_code"], **extra)["token"]).connect()
        for extra in ({"language": "fr"}, {"language": "ar"}, {})
    ]
    await ok(console, "proposition:open", {"proposition_id": a})
    for phone, value in zip(phones, ("agree", "disagree", "agree"), strict=True):
        await ok(phone, "rating:submit", {"proposition_id": a, "value": value})
    await ok(console, "proposition:close", {"proposition_id": a})

    # Revised between round 1 and round 2; round 2 rates the new wording.
    ack = await ok(
        console, "proposition:edit", {"proposition_id": a, "text": REVISED, "new_round": True}
    )
    assert ack == {"ok": True, "revision": 2, "round": 2}
    view = await phones[0].until(lambda v: proposition(v, a)["round"] == 2)
    assert proposition(view, a)["text"] == REVISED
    assert proposition(view, a)["earlier"][0]["text"] == ORIGINAL
    assert [r["revision"] for r in proposition(view, a)["rounds"]] == [1, 2]
    await ok(phones[0], "rating:submit", {"proposition_id": a, "value": "strongly_agree"})

    # Withdrawn: gone from phones, kept on the console.
    await ok(console, "proposition:withdraw", {"proposition_id": b})
    await phones[1].until(lambda v: b not in [p["id"] for p in v["propositions"]])
    view = await console.until(lambda v: proposition(v, b)["status"] == "withdrawn")
    refused = await console.call("proposition:open", {"proposition_id": b})
    assert refused["error"]["code"] == "conflict"

    # A close undone: the same round goes on.
    await ok(console, "proposition:open", {"proposition_id": c})
    await ok(phones[2], "rating:submit", {"proposition_id": c, "value": "neutral"})
    await ok(console, "proposition:close", {"proposition_id": c})
    assert await ok(console, "proposition:undo_close", {"proposition_id": c}) == {
        "ok": True,
        "round": 1,
    }
    await ok(phones[1], "rating:submit", {"proposition_id": c, "value": "agree"})
    view = await console.until(lambda v: latest_round(v, c).get("total") == 2)
    assert proposition(view, c)["status"] == "open"

    results = server.results(sid, token)
    rounds = proposition(results, a)["rounds"]
    assert [(r["round"], r["revision"], r["total"]) for r in rounds] == [(1, 1, 3), (2, 2, 1)]
    record = report(server, sid, token)
    a_record = record["propositions"][0]
    assert [r["text"] for r in a_record["rounds"]] == [ORIGINAL, REVISED]
    assert a_record["rounds"][0]["changes"] is None
    assert {"op": "added", "text": "and free"} in a_record["rounds"][1]["changes"]
    assert a_record["rounds"][0]["by_language"] == {"fr": 1, "ar": 1, "unspecified": 1}
    assert record["propositions"][1]["status"] == "withdrawn"
    markdown = report(server, sid, token, "md")
    assert "Changed since round 1: Member states keep the Forum open **and free** to" in markdown
    assert "Withdrawn " in markdown

    # A restart replays the log: the same results, the same record.
    for peer in (console, *phones):
        await peer.close()
    server.stop()
    server.start()
    assert server.results(sid, token) == results
    assert report(server, sid, token)["propositions"] == record["propositions"]


async def test_an_amendment_from_a_phone_accepted_and_one_declined(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session("Amendments", [ORIGINAL])
    sid, token = created["session_id"], created["tokens"]["facilitator"]
    (a,) = (p["id"] for p in created["propositions"])
    console = await Peer(live_server.url, token).connect()
    joined = live_server.join(created["join_code"], "academia", "remote", name="Dana Okoye")
    proposer = await Peer(live_server.url, joined["token"]).connect()
    other = await Peer(live_server.url, live_server.join(created["join_code"])["token"]).connect()
    await ok(console, "proposition:open", {"proposition_id": a})

    proposed = await ok(
        proposer,
        "amendment:propose",
        {"proposition_id": a, "text": REVISED, "why": "Free as in cost"},
    )
    view = await console.until(lambda v: proposition(v, a)["amendments"] != [])
    (seen,) = proposition(view, a)["amendments"]
    assert (seen["text"], seen["why"], seen["stakeholder_group"], seen["channel"]) == (
        REVISED,
        "Free as in cost",
        "academia",
        "remote",
    )
    assert joined["participant_id"] not in str(seen)
    assert "Dana" not in str(seen)

    # Accepted with the chair's edit, into a new round the phones rate.
    edited = REVISED + ", online and in person"
    ack = await ok(
        console,
        "amendment:accept",
        {"amendment_id": proposed["amendment_id"], "text": edited, "new_round": True},
    )
    assert ack == {"ok": True, "proposition_id": a, "revision": 2, "round": 2}
    mine = await proposer.until(lambda v: v["me"]["amendments"][0]["status"] == "accepted")
    assert mine["me"]["amendments"][0]["revision"] == 2
    await other.until(lambda v: proposition(v, a)["round"] == 2)
    assert other.view["me"]["amendments"] == []
    assert all("me" not in state for state in other.states)
    await ok(other, "rating:submit", {"proposition_id": a, "value": "agree"})
    assert proposition(await other.until(lambda v: True), a)["text"] == edited

    # A second one, declined with a note the proposer reads.
    second = await ok(proposer, "amendment:propose", {"proposition_id": a, "text": "Shorter"})
    await ok(
        console,
        "amendment:decline",
        {"amendment_id": second["amendment_id"], "note": "Out of scope today"},
    )
    mine = await proposer.until(
        lambda v: (
            len(v["me"]["amendments"]) == 2 and v["me"]["amendments"][1]["status"] != "proposed"
        )
    )
    assert mine["me"]["amendments"][1]["status"] == "declined"
    assert mine["me"]["amendments"][1]["note"] == "Out of scope today"

    record = report(live_server, sid, token)["propositions"][0]
    assert [(m["status"], m["revision"]) for m in record["amendments"]] == [
        ("accepted", 2),
        ("declined", None),
    ]
    assert [r["text"] for r in record["rounds"]] == [ORIGINAL, edited]
    assert joined["participant_id"] not in str(record)
    assert "Dana" not in str(record)
    too_long = await proposer.call("amendment:propose", {"proposition_id": a, "text": "x" * 2001})
    assert too_long["error"]["code"] == "too_large"

    # A hub's moderator proposes for the room, and reads the outcome in its own view.
    invited = await ok(console, "hub:invite", {"name": "Lagos hub", "attendance": 30})
    hub = await Peer(live_server.url, invited["token"]).connect()
    from_hub = await ok(
        hub,
        "amendment:propose",
        {"proposition_id": a, "text": "Hubs' wording", "stakeholder_group": "academia"},
    )
    view = await console.until(lambda v: len(proposition(v, a)["amendments"]) == 3)
    assert proposition(view, a)["amendments"][2]["channel"] == "hub"
    await ok(console, "amendment:decline", {"amendment_id": from_hub["amendment_id"]})
    view = await hub.until(lambda v: v["hub"]["amendments"][0]["status"] == "declined")
    assert view["hub"]["amendments"][0]["text"] == "Hubs' wording"
    for peer in (console, proposer, other, hub):
        await peer.close()


async def test_translations_from_a_file_and_typed_in_the_console(live_server: LiveServer) -> None:
    created = live_server.create_session(
        "Translations", ["First paragraph", "Second paragraph"], languages=["en", "fr", "ar"]
    )
    sid, token = created["session_id"], created["tokens"]["facilitator"]
    a, b = (p["id"] for p in created["propositions"])
    phone = await Peer(live_server.url, live_server.join(created["join_code"])["token"]).connect()
    bad = "position,fr,de\n1,Premier,Erster\n"
    answer = post_file(live_server, sid, token, bad)
    assert answer.status_code == 400
    assert "Column 'de' is not one of" in answer.json()["error"]["message"]
    bad = "position,fr,ar\n1,Premier,الأولى\n7,Septième,\n"
    answer = post_file(live_server, sid, token, bad)
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("Row 3: there is no proposition at")
    assert proposition(live_server.results(sid, token), a)["translations"] == {}

    good = "position,original,fr,ar\n1,First paragraph,Premier paragraphe,الفقرة الأولى\n"
    answer = post_file(live_server, sid, token, good)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ok": True, "translations": 2}
    view = await phone.until(lambda v: proposition(v, a)["translations"] != {})
    assert proposition(view, a)["translations"] == {
        "fr": "Premier paragraphe",
        "ar": "الفقرة الأولى",
    }
    assert post_file(live_server, sid, created["tokens"]["display"], good).status_code == 403

    console = await Peer(live_server.url, token).connect()
    await ok(
        console,
        "proposition:translate",
        {"proposition_id": b, "language": "fr", "text": "Deuxième paragraphe"},
    )
    refused = await console.call(
        "proposition:translate", {"proposition_id": b, "language": "es", "text": "Segundo"}
    )
    assert refused["error"]["code"] == "bad_request"
    record = report(live_server, sid, token)
    assert record["propositions"][1]["wordings"][0]["translations"] == {"fr": "Deuxième paragraphe"}
    for peer in (console, phone):
        await peer.close()

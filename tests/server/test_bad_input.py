"""Bad input gets a clear, coded error, changes nothing, and the server stays up."""

import asyncio
import time
from typing import Any

import httpx
import jwt
import pytest
import socketio

from tests.live import LiveServer, Peer, latest_round, try_connect

Created = dict[str, Any]


@pytest.fixture
def session(live_server: LiveServer) -> Created:
    return live_server.create_session("Edges", ["One"])


async def refused(url: str, token: object) -> dict[str, Any]:
    error = await try_connect(url, token)
    assert error is not None, "the server accepted the token"
    return error


def forge(
    claims: dict[str, Any], key: str = "a-forger-s-own-secret-of-32-bytes!!", alg: str = "HS256"
) -> str:
    return jwt.encode(claims, key, algorithm=alg)


async def test_bad_tokens_are_unauthorized(live_server: LiveServer, session: Created) -> None:
    real = jwt.decode(session["tokens"]["facilitator"], options={"verify_signature": False})
    other = live_server.create_session("Other session")
    header, body, _ = session["tokens"]["facilitator"].split(".")
    unsigned = jwt.encode(real, None, algorithm="none")  # alg: none
    expired = {**real, "exp": int(time.time()) - 10}
    tampered = f"{header}.{body[:-2]}xx.{_}"
    for token in [None, "", "garbage", forge(real), unsigned, forge(expired), tampered, 42]:
        error = await refused(live_server.url, token)
        assert error["code"] == "unauthorized", (token, error)
        assert error["message"]
    # A real token of another session cannot read this session's results.
    answer = httpx.get(  # noqa: ASYNC210 - a test's single request; nothing else runs meanwhile
        f"{live_server.url}/api/sessions/{session['session_id']}/results",
        headers={"Authorization": f"Bearer {other['tokens']['facilitator']}"},
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    # The server still serves the next good client.
    good = await Peer(live_server.url, session["tokens"]["display"]).connect()
    assert good.view["role"] == "display"
    await good.close()


async def test_expired_token_message_says_so(live_server: LiveServer, session: Created) -> None:
    secret = (live_server.data / "secret.key").read_text().strip()
    claims = jwt.decode(session["tokens"]["display"], options={"verify_signature": False})
    expired = jwt.encode({**claims, "exp": int(time.time()) - 1}, secret, algorithm="HS256")
    error = await refused(live_server.url, expired)
    assert error == {"code": "unauthorized", "message": error["message"]}
    assert "expired" in error["message"]


async def test_malformed_commands(live_server: LiveServer, session: Created) -> None:
    pid = session["propositions"][0]["id"]
    facilitator = await Peer(live_server.url, session["tokens"]["facilitator"]).connect()
    phone = await Peer(live_server.url, live_server.join(session["join_code"])["token"]).connect()
    display = await Peer(live_server.url, session["tokens"]["display"]).connect()
    await facilitator.call("proposition:open", {"proposition_id": pid})
    version = live_server.results(session["session_id"], session["tokens"]["facilitator"])[
        "version"
    ]
    cases: list[tuple[Peer, str, Any, str]] = [
        (phone, "rating:submit", {"proposition_id": pid, "value": "maybe"}, "bad_request"),
        (phone, "rating:submit", {"proposition_id": pid}, "bad_request"),
        (phone, "rating:submit", {"proposition_id": pid, "value": "agree", "x": 1}, "bad_request"),
        (phone, "rating:submit", ["not", "an", "object"], "bad_request"),
        (phone, "rating:submit", "text", "bad_request"),
        (phone, "rating:submit", {"proposition_id": "nope", "value": "agree"}, "not_found"),
        (
            phone,
            "rating:submit",
            {"proposition_id": pid, "value": "agree", "comment": "x" * 1001},
            "too_large",
        ),
        (phone, "hand:raise", {"intent": "shout"}, "bad_request"),
        (phone, "proposition:open", {"proposition_id": pid}, "forbidden"),
        (phone, "no:such:command", {}, "bad_request"),
        (display, "queue:next", {}, "forbidden"),
        (display, "rating:submit", {"proposition_id": pid, "value": "agree"}, "forbidden"),
        (facilitator, "rating:submit", {"proposition_id": pid, "value": "agree"}, "forbidden"),
        (facilitator, "proposition:open", {"proposition_id": pid}, "conflict"),
        (facilitator, "queue:next", {}, "conflict"),
        (facilitator, "proposition:add", {"text": "y" * 5000}, "too_large"),
        (facilitator, "hub:invite", {"name": "Hub", "attendance": -3}, "bad_request"),
        (facilitator, "timer:set", {"action": "start"}, "bad_request"),
        (facilitator, "queue:remove", {"entry_id": "ghost"}, "not_found"),
        (facilitator, "consensus:mark", {"proposition_id": pid, "status": "yes"}, "bad_request"),
        (facilitator, "sync", {"request_id": "x" * 65}, "bad_request"),
    ]
    for peer, name, payload, code in cases:
        ack = await peer.call(name, payload)
        assert ack["ok"] is False, (name, payload, ack)
        assert ack["error"]["code"] == code, (name, payload, ack)
        assert isinstance(ack["error"]["message"], str)
        assert len(ack["error"]["message"]) > 10
    # Nothing changed: the facilitator's view has the same version, no rating counted.
    results = live_server.results(session["session_id"], session["tokens"]["facilitator"])
    assert results["version"] == version
    assert latest_round(results, pid)["total"] == 0
    for peer in (facilitator, phone, display):
        await peer.close()


async def test_hub_counts_above_attendance(live_server: LiveServer, session: Created) -> None:
    pid = session["propositions"][0]["id"]
    facilitator = await Peer(live_server.url, session["tokens"]["facilitator"]).connect()
    await facilitator.call("proposition:open", {"proposition_id": pid})
    hub = await facilitator.call("hub:invite", {"name": "Hub", "attendance": 10})
    peer = await Peer(live_server.url, hub["token"]).connect()
    ack = await peer.call("hub:tally", {"proposition_id": pid, "counts": {"agree": 11}})
    assert ack["error"]["code"] == "bad_request"
    assert "attendance" in ack["error"]["message"]
    assert (await peer.call("hub:tally", {"proposition_id": pid, "counts": {"agree": 10}}))["ok"]
    # Rotating the hub's token closes the old link and refuses it afterwards.
    rotated = await facilitator.call("hub:rotate", {"hub_id": hub["hub_id"]})
    assert rotated["ok"]
    assert rotated["token"] != hub["token"]
    error = await refused(live_server.url, hub["token"])
    assert error["code"] == "unauthorized"
    fresh = await Peer(live_server.url, rotated["token"]).connect()
    assert fresh.view["hub"]["tallies"][pid]["counts"]["agree"] == 10
    await fresh.close()
    await facilitator.close()


async def test_removed_participant_is_disconnected_and_refused(
    live_server: LiveServer, session: Created
) -> None:
    joined = live_server.join(session["join_code"])
    phone = await Peer(live_server.url, joined["token"]).connect()
    facilitator = await Peer(live_server.url, session["tokens"]["facilitator"]).connect()
    ack = await facilitator.call("participant:remove", {"participant_id": joined["participant_id"]})
    assert ack == {"ok": True}
    for _ in range(100):
        if not phone.client.connected:
            break
        await asyncio.sleep(0.05)
    assert not phone.client.connected
    error = await refused(live_server.url, joined["token"])
    assert error["code"] == "unauthorized"
    assert "removed" in error["message"]
    await facilitator.close()


async def test_request_id_applies_once(live_server: LiveServer, session: Created) -> None:
    pid = session["propositions"][0]["id"]
    facilitator = await Peer(live_server.url, session["tokens"]["facilitator"]).connect()
    await facilitator.call("proposition:open", {"proposition_id": pid})
    phone = await Peer(live_server.url, live_server.join(session["join_code"])["token"]).connect()
    raise_hand = {"intent": "speak", "request_id": "r-1"}
    first = await phone.call("hand:raise", raise_hand)
    assert await phone.call("hand:raise", raise_hand) == first
    other = await phone.call("hand:raise", {"intent": "reply", "request_id": "r-1"})
    assert other["error"]["code"] == "conflict"
    add = {"text": "Added once", "request_id": "add-1"}
    added = await facilitator.call("proposition:add", add)
    live_server.kill()  # the answer was made durable with the command's event
    live_server.start()
    again = await Peer(live_server.url, session["tokens"]["facilitator"]).connect()
    assert await again.call("proposition:add", add) == added
    texts = [p["text"] for p in again.view["propositions"]]
    assert texts.count("Added once") == 1
    await again.close()


async def test_flood_is_rate_limited_and_server_stays_up(
    live_server: LiveServer, session: Created
) -> None:
    phone = await Peer(live_server.url, live_server.join(session["join_code"])["token"]).connect()
    acks = await asyncio.gather(
        *(phone.call("hand:raise", {"intent": "speak"}) for _ in range(100))
    )
    codes = {a["error"]["code"] for a in acks if not a["ok"]}
    assert codes == {"rate_limited"}
    assert sum(a["ok"] for a in acks) >= 10
    await phone.close()
    other = await Peer(live_server.url, session["tokens"]["display"]).connect()
    assert other.view["role"] == "display"
    await other.close()


async def test_oversized_websocket_message_drops_only_that_client(
    live_server: LiveServer, session: Created
) -> None:
    phone = await Peer(live_server.url, live_server.join(session["join_code"])["token"]).connect()
    # The server closes that socket at once: no ack ever comes, the call fails.
    with pytest.raises((socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError)):
        await phone.call(
            "rating:submit",
            {"proposition_id": "p", "value": "agree", "comment": "z" * 100_000},
            timeout=3,
        )
    good = await Peer(live_server.url, session["tokens"]["display"]).connect()
    assert good.view["role"] == "display"
    await good.close()


def test_http_edges(live_server: LiveServer, session: Created) -> None:
    url = live_server.url
    assert httpx.post(url + "/api/sessions", json={"title": "x"}).status_code == 401
    bad = httpx.post(
        url + "/api/sessions",
        json={"title": "x", "settings": {"nope": 1}},
        headers={"Authorization": f"Bearer {live_server.admin_token}"},
    )
    assert bad.status_code == 400
    assert "nope" in bad.json()["error"]["message"]
    big = httpx.post(
        url + "/api/join",
        content=b"{" + b" " * 300_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413
    assert big.json()["error"]["code"] == "too_large"
    assert httpx.post(url + "/api/join", content=b"{not json").json()["error"]["code"] == (
        "bad_request"
    )
    wrong_group = httpx.post(
        url + "/api/join",
        json={
            "join_code": session["join_code"],
            "stakeholder_group": "aliens",
            "channel": "remote",
        },
    )
    assert wrong_group.status_code == 400
    long_name = httpx.post(
        url + "/api/join",
        json={
            "join_code": session["join_code"],
            "stakeholder_group": "academia",
            "channel": "remote",
            "name": "n" * 81,
        },
    )
    assert long_name.status_code == 413
    display = httpx.get(
        f"{url}/api/sessions/{session['session_id']}/results",
        headers={"Authorization": f"Bearer {session['tokens']['display']}"},
    )
    assert display.status_code == 200
    phone_token = live_server.join(session["join_code"])["token"]
    phone = httpx.get(
        f"{url}/api/sessions/{session['session_id']}/results",
        headers={"Authorization": f"Bearer {phone_token}"},
    )
    assert phone.status_code == 403
    assert phone.json()["error"]["code"] == "forbidden"
    assert httpx.get(url + "/api/join/NOPE2345").status_code == 404
    assert httpx.get(url + "/healthz").json() == {"ok": True}


def test_guessing_join_codes_is_rate_limited(live_server: LiveServer, session: Created) -> None:
    with httpx.Client(base_url=live_server.url) as client:
        codes = [client.get(f"/api/join/GUESS{i:03d}").status_code for i in range(150)]
    # 20 wrong codes at full price, then ten attempts each: the allowance runs out.
    assert codes[:20] == [404] * 20
    assert codes[-1] == 429
    assert set(codes) == {404, 429}


def test_join_qr_code_is_a_standalone_svg(live_server: LiveServer, session: Created) -> None:
    answer = httpx.get(f"{live_server.url}/api/join/{session['join_code']}/qr.svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/svg+xml"
    # Without the namespace a browser shows a broken image instead of the code.
    assert 'xmlns="http://www.w3.org/2000/svg"' in answer.text

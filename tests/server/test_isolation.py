"""One bad input harms no one else; tokens that expire or are replaced stop working."""

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import websockets

from tests.live import LiveServer, Peer, try_connect


def server_log_mentions(server: LiveServer, text: str) -> bool:
    return text in server.log.read_text()


async def test_a_lone_surrogate_is_refused_alone_while_nineteen_others_commit(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session(propositions=["Open standards"])
    code, session_id = created["join_code"], created["session_id"]
    pid = created["propositions"][0]["id"]
    chair = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    assert (await chair.call("proposition:open", {"proposition_id": pid}))["ok"]
    phones = [
        await Peer(live_server.url, live_server.join(code)["token"]).connect() for _ in range(20)
    ]
    # The bad one as raw JSON text: a lone surrogate escaped, as a hostile client sends it.
    answers = await asyncio.gather(
        *(
            phone.call(
                "rating:submit",
                {"proposition_id": pid, "value": "agree", "comment": "\ud800" if i == 0 else "ok"},
            )
            for i, phone in enumerate(phones)
        )
    )
    assert answers[0]["error"]["code"] == "bad_request"
    assert "Unicode" in answers[0]["error"]["message"]
    assert all(a["ok"] for a in answers[1:])
    results = live_server.results(session_id, created["tokens"]["facilitator"])
    assert results["propositions"][0]["rounds"][0]["total"] == 19
    assert not server_log_mentions(live_server, "rebuilding session")
    for peer in [chair, *phones]:
        await peer.close()


def secret_of(server: LiveServer) -> str:
    return (server.data / "secret.key").read_text().strip()


def short_display_token(server: LiveServer, session_id: str, seconds: int) -> str:
    """A display token of the session that expires `seconds` from now."""
    now = int(time.time())
    claims = {
        "iss": "plenary",
        "aud": f"plenary:{session_id}",
        "sub": "",
        "role": "display",
        "epoch": 0,
        "iat": now,
        "exp": now + seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret_of(server), algorithm="HS256")


async def test_a_token_that_expires_while_connected_is_refused_then_closed(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session(propositions=["Open standards"])
    short = short_display_token(live_server, created["session_id"], 3)
    display = await Peer(live_server.url, short).connect()
    assert (await display.call("sync"))["ok"]
    await asyncio.wait_for(display.disconnected.wait(), 10)
    assert not display.client.connected, "the socket stays open after its token expired"
    refused = await try_connect(live_server.url, short)
    assert refused is not None
    assert refused["code"] == "unauthorized"


async def test_a_refreshed_token_keeps_its_socket_open_past_the_old_expiry(
    live_server: LiveServer,
) -> None:
    """Sockets whose tokens expire in the same second share one timer: the one
    that refreshed its token has left it, the other is closed."""
    created = live_server.create_session(propositions=["Open standards"])
    short = short_display_token(live_server, created["session_id"], 3)
    staying, leaving = [await Peer(live_server.url, short).connect() for _ in range(2)]
    assert (await staying.call("auth:refresh"))["ok"]
    await asyncio.wait_for(leaving.disconnected.wait(), 10)
    assert staying.client.connected
    assert (await staying.call("sync"))["ok"]
    await staying.close()


async def test_rotating_the_projector_link_closes_the_old_one(live_server: LiveServer) -> None:
    created = live_server.create_session()
    old_display = created["tokens"]["display"]
    chair = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    display = await Peer(live_server.url, old_display).connect()
    answer = await chair.call("links:rotate", {"role": "display"})
    assert answer["ok"]
    assert answer["role"] == "display"
    assert answer["url"].endswith("/display#token=" + answer["token"])
    await asyncio.wait_for(display.disconnected.wait(), 10)
    assert not display.client.connected
    assert (await try_connect(live_server.url, old_display) or {})["code"] == "unauthorized"
    assert await try_connect(live_server.url, answer["token"]) is None
    await chair.close()


async def test_rotating_the_console_link_keeps_the_chair_who_asked(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session()
    old = created["tokens"]["facilitator"]
    chair = await Peer(live_server.url, old).connect()
    other_console = await Peer(live_server.url, old).connect()
    answer = await chair.call("links:rotate", {"role": "facilitator"})
    assert answer["ok"]
    await asyncio.wait_for(other_console.disconnected.wait(), 10)
    assert not other_console.client.connected  # the old link's other console is closed
    assert chair.client.connected
    assert (await chair.call("proposition:add", {"text": "Still the chair"}))["ok"]
    assert (await try_connect(live_server.url, old) or {})["code"] == "unauthorized"
    results = live_server.results(created["session_id"], answer["token"])
    assert results["propositions"][0]["text"] == "Still the chair"
    await chair.close()


async def test_deep_nesting_and_huge_numbers_get_coded_answers_on_sockets(
    live_server: LiveServer,
) -> None:
    """Raw socket.io packets, as a hostile client writes them: each gets its own answer."""
    created = live_server.create_session(propositions=["Open standards"])
    token = live_server.join(created["join_code"])["token"]
    url = live_server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    sent = {
        "1": '["rating:submit",{"proposition_id":"a","comment":' + "[" * 5000 + "]" * 5000 + "}]",
        "2": '["rating:submit",{"proposition_id":"a","value":' + "9" * 5000 + "}]",
        "3": '["rating:submit",{"proposition_id":"a","value":"agree","comment":"\\ud800"}]',
        "4": '["sync",{}]',
    }
    async with websockets.connect(url) as ws:
        assert str(await ws.recv()).startswith("0{")
        await ws.send("40" + json.dumps({"token": token}))
        assert str(await ws.recv()).startswith("40{")
        answers: dict[str, Any] = {}
        for ack_id, packet in sent.items():
            await ws.send(f"42{ack_id}{packet}")
        while len(answers) < len(sent):
            message = str(await asyncio.wait_for(ws.recv(), 10))
            if message.startswith("43"):
                ack_id, _, body = message[2:].partition("[")
                answers[ack_id] = json.loads("[" + body)[0]
    assert answers["1"]["error"] == {
        "code": "bad_request",
        "message": "The message is nested too deeply to be a command.",
    }
    assert answers["2"]["error"]["code"] == "bad_request"
    assert "too large" in answers["2"]["error"]["message"]
    assert answers["3"]["error"]["code"] == "bad_request"
    assert answers["4"] == {"ok": True}


def test_deep_nesting_and_huge_numbers_are_bad_requests_over_http(
    live_server: LiveServer,
) -> None:
    code = live_server.create_session()["join_code"]
    bodies = [
        '{"join_code":"' + code + '","stakeholder_group":' + "[" * 5000 + "]" * 5000 + "}",
        '{"join_code":"' + code + '","stakeholder_group":"academia","name":' + "9" * 5000 + "}",
        '{"join_code":"'
        + code
        + '","stakeholder_group":"academia","channel":"in_room","name":"\\udfff"}',
    ]
    for body in bodies:
        answer = httpx.post(
            live_server.url + "/api/join",
            content=body,
            headers={"content-type": "application/json"},
            timeout=10,
        )
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "bad_request"


async def test_the_demo_banner_prints_the_current_generation_of_the_links(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    first = server_factory(tmp_path / "data", "--demo").start()
    console = link_in(first.log.read_text(), "Facilitator console:")
    chair = await Peer(first.url, console.split("#token=")[1]).connect()
    assert (await chair.call("links:rotate", {"role": "display"}))["ok"]
    await chair.close()
    first.stop()
    first.log.write_text("")
    again = server_factory(tmp_path / "data", "--demo").start()
    display = link_in(again.log.read_text(), "Projector display:")
    assert await try_connect(again.url, display.split("#token=")[1]) is None


def link_in(banner: str, label: str) -> str:
    line = next(line for line in banner.splitlines() if label in line)
    return line.split(label, 1)[1].strip()


async def test_an_over_long_text_sent_fully_escaped_gets_too_large_not_a_closed_socket(
    live_server: LiveServer,
) -> None:
    """2,001 characters, each as a JSON `\\u` escape (12 KB on the wire): a coded answer,
    and the connection goes on; the same at the limit is accepted."""
    created = live_server.create_session(propositions=["Open standards"])
    url = live_server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"

    def escaped(n: int) -> str:
        return '["proposition:add",{"text":"' + "\\u00e9" * n + '"}]'

    async with websockets.connect(url) as ws:
        assert str(await ws.recv()).startswith("0{")
        await ws.send("40" + json.dumps({"token": created["tokens"]["facilitator"]}))
        assert str(await ws.recv()).startswith("40{")
        answers: dict[str, Any] = {}
        for ack_id, packet in {"1": escaped(2001), "2": escaped(2000)}.items():
            await ws.send(f"42{ack_id}{packet}")
        while len(answers) < 2:
            message = str(await asyncio.wait_for(ws.recv(), 10))
            if message.startswith("43"):
                ack_id, _, body = message[2:].partition("[")
                answers[ack_id] = json.loads("[" + body)[0]
    assert answers["1"]["error"]["code"] == "too_large", answers["1"]
    assert answers["2"]["ok"], answers["2"]

"""The operator's API through the real server: list, links, settings, close and archive."""

import httpx

from facilitation.settings import SESSION_SETTINGS
from tests.live import ADMIN, LiveServer, Peer

ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


def get(server: LiveServer, path: str, token: str = ADMIN) -> httpx.Response:
    return httpx.get(server.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def post(server: LiveServer, path: str, body: object, token: str = ADMIN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.post(server.url + path, json=body, headers=headers, timeout=10)


async def test_operator_lists_links_closes_archives_and_reopens(live_server: LiveServer) -> None:
    first = live_server.create_session("Older one")
    created = live_server.create_session(
        "Main session",
        ["Open standards"],
        languages=["en", "fr"],
        stakeholder_groups=["Youth", "Parliamentarians"],
    )
    sid, code = created["session_id"], created["join_code"]
    joined = live_server.join(code, "Youth")

    listed = get(live_server, "/api/sessions").json()["sessions"]
    assert [s["session_id"] for s in listed] == [sid, first["session_id"]]  # newest first
    mine = listed[0]
    assert (mine["title"], mine["status"], mine["joined"], mine["propositions"]) == (
        "Main session",
        "open",
        1,
        1,
    )
    assert mine["languages"] == ["en", "fr"]
    assert mine["stakeholder_groups"] == ["Youth", "Parliamentarians"]
    assert mine["urls"]["join"].endswith(f"/join/{code}")
    assert (
        f"plenary verify --data {live_server.data.resolve()} {sid} --head "
        in mine["commands"]["verify"]
    )

    # The listed console link works, and asking for links rotates nothing.
    console_token = mine["urls"]["console"].split("#token=")[1]
    facilitator = await Peer(live_server.url, console_token).connect()
    invited = await facilitator.call("hub:invite", {"name": "Hub Nairobi", "attendance": 20})
    links = get(live_server, f"/api/sessions/{sid}/links", console_token).json()
    assert links["hubs"] == [
        {"hub_id": invited["hub_id"], "name": "Hub Nairobi", "url": links["hubs"][0]["url"]}
    ]
    assert links["display_qr"].startswith("data:image/svg+xml")
    hub = await Peer(live_server.url, links["hubs"][0]["url"].split("#token=")[1]).connect()
    old_display = await Peer(live_server.url, created["tokens"]["display"]).connect()
    assert hub.view["role"] == "hub"
    assert old_display.view["role"] == "display"
    opened = await facilitator.call(
        "proposition:open", {"proposition_id": created["propositions"][0]["id"]}
    )
    assert opened["ok"]

    # Closing is durable and refuses ratings, joins and hands with `closed`.
    closed = post(live_server, f"/api/sessions/{sid}/status", {"status": "closed"})
    assert closed.status_code == 200
    assert closed.json() == {"ok": True, "status": "closed"}
    await facilitator.until(lambda v: v["session"]["status"] == "closed")
    phone = await Peer(live_server.url, joined["token"]).connect()
    rating = await phone.call(
        "rating:submit", {"proposition_id": created["propositions"][0]["id"], "value": "agree"}
    )
    assert rating["ok"] is False
    assert rating["error"]["code"] == "closed"
    assert "closed" in rating["error"]["message"]
    refused = live_server.post_join(code, "Youth")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "closed"
    assert (await phone.call("hand:raise", {"intent": "speak"}))["error"]["code"] == "closed"

    assert (
        post(live_server, f"/api/sessions/{sid}/status", {"status": "archived"}).status_code == 200
    )
    assert get(live_server, "/api/sessions").json()["sessions"][0]["status"] == "archived"
    assert post(live_server, f"/api/sessions/{sid}/status", {"status": "open"}).status_code == 200
    again = await phone.call(
        "rating:submit", {"proposition_id": created["propositions"][0]["id"], "value": "agree"}
    )
    assert again == {"ok": True, "round": 1}
    for peer in (facilitator, hub, old_display, phone):
        await peer.close()

    # The state survives a restart: it is in the log.
    post(live_server, f"/api/sessions/{sid}/status", {"status": "archived"})
    live_server.stop()
    live_server.start()
    assert get(live_server, "/api/sessions").json()["sessions"][0]["status"] == "archived"


def test_operator_routes_refuse_anything_but_the_admin_token(live_server: LiveServer) -> None:
    created = live_server.create_session("Guarded")
    sid = created["session_id"]
    facilitator = created["tokens"]["facilitator"]
    for answer in (
        get(live_server, "/api/sessions", "not-the-admin-token"),
        get(live_server, "/api/sessions", facilitator),
        post(live_server, f"/api/sessions/{sid}/status", {"status": "closed"}, facilitator),
        get(live_server, f"/api/sessions/{sid}/links", created["tokens"]["display"]),
    ):
        assert answer.status_code in (401, 403), answer.text
        assert answer.json()["error"]["code"] in ("unauthorized", "forbidden")
    bad = post(live_server, f"/api/sessions/{sid}/status", {"status": "finished"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "bad_request"
    missing = post(live_server, "/api/sessions/nope/status", {"status": "closed"})
    assert missing.status_code == 404
    assert get(live_server, "/api/sessions").json()["sessions"][0]["status"] == "open"


def test_settings_are_described_from_their_declaration_and_checked(live_server: LiveServer) -> None:
    described = httpx.get(live_server.url + "/api/settings", timeout=10).json()
    assert [f["name"] for f in described["settings"]] == [name for name, _, _ in SESSION_SETTINGS]
    by_name = {f["name"]: f for f in described["settings"]}
    assert by_name["queue_policy"]["choices"] == ["default", "fifo"]
    assert by_name["speaking_seconds"]["kind"] == "integer"
    consensus = {f["name"]: f for f in by_name["consensus"]["fields"]}
    assert consensus["min_agree_share"] | {} == {
        "name": "min_agree_share",
        "default": 0.7,
        "help": "Share of agree + strongly agree needed.",
        "kind": "number",
        "min": 0,
        "max": 1,
    }
    ok = post(live_server, "/api/settings/check", {"settings": {"speaking_seconds": 90}})
    assert ok.json()["settings"]["speaking_seconds"] == 90
    wrong = post(live_server, "/api/settings/check", {"settings": {"speaking_seconds": 0}})
    assert wrong.status_code == 400
    assert "settings.speaking_seconds" in wrong.json()["error"]["message"]

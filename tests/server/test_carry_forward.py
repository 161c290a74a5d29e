"""A past session's outcome carried into a new session, through the real server:
by id on the same server and by uploading its published JSON; what had no
consensus or needed revision comes back as drafts with their provenance."""

from typing import Any

import httpx

from tests.live import LiveServer, Peer


async def publish_past(server: LiveServer) -> dict[str, Any]:
    """A past session: one text recognised, one to revise (rated), one without consensus."""
    created = server.create_session("IGF 2025", ["Adopted text.", "Revise me.", "No accord."])
    adopted, revise, none = (p["id"] for p in created["propositions"])
    chair = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    phones = [await Peer(server.url, server.join(created["join_code"])["token"]).connect()]
    phones.append(await Peer(server.url, server.join(created["join_code"])["token"]).connect())
    await chair.call("proposition:open", {"proposition_id": revise})
    for phone, value in zip(phones, ("agree", "disagree"), strict=True):
        assert (await phone.call("rating:submit", {"proposition_id": revise, "value": value}))["ok"]
    for pid, status in (
        (adopted, "rough_consensus"),
        (revise, "needs_revision"),
        (none, "no_consensus"),
    ):
        await chair.call("consensus:mark", {"proposition_id": pid, "status": status})
    assert (await chair.call("outcome:publish"))["ok"]
    for peer in (chair, *phones):
        await peer.close()
    return created


async def test_a_past_outcome_comes_back_with_its_provenance(live_server: LiveServer) -> None:
    past = await publish_past(live_server)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        outcome = (await http.get(f"/outcome/{past['session_id']}.json")).json()
        new = live_server.create_session("IGF 2026", ["A new text."])
        chair = await Peer(live_server.url, new["tokens"]["facilitator"]).connect()
        auth = {"Authorization": f"Bearer {new['tokens']['facilitator']}"}
        route = f"/api/sessions/{new['session_id']}/carry-forward"

        # A malformed upload is refused, naming the problem, and changes nothing.
        bad = await http.post(
            route, json={"outcome": {**outcome, "head": "not a head"}}, headers=auth
        )
        assert bad.status_code == 400
        assert "outcome.head" in bad.json()["error"]["message"]
        anonymous = await http.post(route, json={"session_id": past["session_id"]})
        assert anonymous.status_code == 401

        by_id = await http.post(route, json={"session_id": past["session_id"]}, headers=auth)
        assert by_id.status_code == 201, by_id.text
        uploaded = await http.post(route, json={"outcome": outcome}, headers=auth)
        assert uploaded.status_code == 201, uploaded.text
        report = (
            await http.get(f"/api/sessions/{new['session_id']}/report.json", headers=auth)
        ).json()
        page = (await http.get(f"/api/sessions/{new['session_id']}/report.html", headers=auth)).text

    carried_ids = by_id.json()["proposition_ids"] + uploaded.json()["proposition_ids"]
    assert len(carried_ids) == 4  # two from each import, never the recognised text
    view = await chair.until(lambda v: len(v["propositions"]) == 5)
    assert [p["text"] for p in view["propositions"]] == [
        "A new text.",
        "No accord.",
        "Revise me.",
        "No accord.",
        "Revise me.",
    ]
    revised = view["propositions"][2]
    assert revised["status"] == "draft"
    assert revised["rounds"] == []
    assert revised["provenance"] == {
        "session_id": past["session_id"],
        "title": "IGF 2025",
        "head": outcome["head"],
        "status": "needs_revision",
        "round": 1,
        "total": 2,
        "agree_share": 0.5,
        "counts": {"agree": 1, "disagree": 1},
    }
    assert report["propositions"][2]["provenance"] == revised["provenance"]
    assert report["propositions"][0]["provenance"] is None
    assert f"Carried forward from \u201cIGF 2025\u201d (session {past['session_id']}" in page
    await chair.close()

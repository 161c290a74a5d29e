"""Privacy of the vote through the real server: no small group reaches a phone or the display."""

import json

from tests.live import LiveServer, Peer, latest_round


async def test_one_academia_rater_among_twelve_reaches_no_phone_or_display(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session("Privacy", ["Open standards first"])
    first = created["propositions"][0]["id"]
    code = created["join_code"]
    facilitator = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    display = await Peer(live_server.url, created["tokens"]["display"]).connect()
    groups = ["academia"] + ["government"] * 6 + ["civil_society"] * 5
    joined = [live_server.join(code, g, "in_room", name=f"P{i}") for i, g in enumerate(groups)]
    phones = [await Peer(live_server.url, j["token"]).connect() for j in joined]
    assert (await facilitator.call("proposition:open", {"proposition_id": first}))["ok"]
    for i, phone in enumerate(phones):
        value = "strongly_disagree" if i == 0 else "agree"
        ack = await phone.call("rating:submit", {"proposition_id": first, "value": value})
        assert ack["ok"]
    assert (await facilitator.call("results:reveal", {"proposition_id": first, "visible": True}))[
        "ok"
    ]
    seen = await display.until(lambda v: "counts" in latest_round(v, first))
    await phones[0].until(lambda v: "counts" in latest_round(v, first))
    public = latest_round(seen, first)
    # academia (1) cannot hide alone, so civil_society (5) is merged with it.
    assert sorted(public["by_group"]) == ["government"]
    assert public["by_group_merged"]["strongly_disagree"] == 1
    assert public["by_group_merged"]["agree"] == 5
    # The chair still sees academia's single rating.
    chair = await facilitator.until(lambda v: latest_round(v, first).get("total") == 12)
    assert latest_round(chair, first)["by_group"]["academia"]["strongly_disagree"] == 1
    for peer in [display, *phones]:
        for message in [*peer.snapshots, *peer.states]:
            for p in message.get("propositions", []):
                for r in p["rounds"]:
                    assert "academia" not in r.get("by_group", {}), json.dumps(r)
                    assert ((r.get("metrics") or {}).get("weakest_group") or {}).get(
                        "group"
                    ) != "academia"
    for peer in [facilitator, display, *phones]:
        await peer.close()

"""Opinion groups in the views, through the real server (docs/opinions.md, docs/protocol.md).

The console gets the map, the groups and both consensus figures; the projector
the map of groups big enough to hide in, after a reveal; each phone its own
group, on its own socket only. No message to a phone or the projector carries
a participant's id, name or map position.
"""

import json

import pytest

from tests.live import LiveServer, Peer, latest_round, proposition
from tests.opinion_play import (
    OPINION_CONSENSUS_P1,
    STAKEHOLDER_CONSENSUS_P1,
    Played,
    grouped,
    play,
)


def text_of(peer: Peer) -> str:
    return json.dumps(peer.messages, ensure_ascii=False)


async def reveal_first(played: Played) -> None:
    first = played.proposition_ids[0]
    ack = await played.facilitator.call(
        "results:reveal", {"proposition_id": first, "visible": True}
    )
    assert ack["ok"]


async def test_console_gets_map_groups_and_both_figures_phones_only_their_own_group(
    live_server: LiveServer,
) -> None:
    played = await play(live_server)
    display = await Peer(live_server.url, played.created["tokens"]["display"]).connect()
    console = await played.facilitator.until(grouped, timeout=15)
    section = console["opinions"]
    assert len(section["points"]) == 15
    assert all(len(point) == 3 and point[2] in (1, 2, 3) for point in section["points"])
    assert all(g["representative"] for g in section["groups"])
    first = played.proposition_ids[0]
    figures = proposition(console, first)["consensus"]
    assert figures["opinion_groups"] == pytest.approx(OPINION_CONSENSUS_P1)
    assert figures["stakeholder_groups"] == pytest.approx(STAKEHOLDER_CONSENSUS_P1)

    # Before a reveal, neither the projector nor any phone is told anything of the groups.
    assert display.view.get("opinions") is None
    assert all(not phone.personal for phone in played.phones)
    await reveal_first(played)
    shown = (await display.until(lambda v: v.get("opinions") is not None))["opinions"]
    assert sorted(g["size"] for g in shown["groups"]) == [5, 5, 5]
    assert len(shown["points"]) == 15

    # Then each phone learns its own group: the same label within a profile, three in all.
    for phone in played.phones:
        await phone.until(lambda v: v.get("opinion_group") is not None, timeout=10)
    labels = [phone.view["opinion_group"]["label"] for phone in played.phones]
    for i, label in enumerate(labels):
        assert label == labels[played.profile(i) * 5]
    assert len(set(labels)) == 3
    assert all(phone.view["opinion_group"]["groups"] == 3 for phone in played.phones)
    # A reconnecting phone finds its group in its snapshot.
    await played.phones[0].call("sync")
    await played.phones[0].until(lambda v: len(played.phones[0].snapshots) >= 2)
    assert played.phones[0].snapshots[-1]["opinion_group"]["label"] == labels[0]

    # No participant id, name or map position reaches the projector; a phone gets
    # no one else's id or name, no map and no group but through its own socket.
    assert all(v["opinion_group"] is not None for v in (p.view for p in played.phones))
    display_text = text_of(display)
    for pid, name in zip(played.participant_ids, played.names, strict=True):
        assert pid not in display_text
        assert name not in display_text
    console_points = {(x, y) for x, y, _ in section["points"]}
    assert not {(x, y) for x, y, _ in shown["points"]} & console_points - {(0.0, 0.0)}
    for i, phone in enumerate(played.phones):
        text = text_of(phone)
        assert '"opinions"' not in text
        assert '"points"' not in text
        for j, (pid, name) in enumerate(zip(played.participant_ids, played.names, strict=True)):
            if j != i:
                assert pid not in text
                assert name not in text
        assert phone.personal  # told through its own socket
        assert all(set(m) == {"version", "opinion_group"} for m in phone.personal)
        assert not any("opinion_group" in m for m in phone.states)
    await display.close()
    await played.close()


async def test_groups_below_the_minimum_size_reach_only_the_console(
    live_server: LiveServer,
) -> None:
    played = await play(live_server, min_group_size=6, results_visibility="live")
    display = await Peer(live_server.url, played.created["tokens"]["display"]).connect()
    await played.facilitator.until(grouped, timeout=15)
    # The console keeps all three groups of five; nobody else sees any of them.
    last = played.phones[-1]
    await last.call("sync")
    await last.until(lambda v: len(last.snapshots) >= 2)
    for peer in [display, *played.phones]:
        for message in peer.messages:
            assert message.get("opinions") is None
            assert message.get("opinion_group") is None
    await display.close()
    await played.close()


async def test_requiring_opinion_consensus_changes_the_suggestion(
    live_server: LiveServer,
) -> None:
    plain = await play(live_server)
    strict = await play(live_server, consensus={"min_opinion_consensus": 0.6})
    first = plain.proposition_ids[0]
    for played in (plain, strict):
        await played.facilitator.until(grouped, timeout=15)
    suggests = [
        latest_round(p.facilitator.view, p.proposition_ids[0])["metrics"][
            "suggests_rough_consensus"
        ]
        for p in (plain, strict)
    ]
    # Same ratings: the tally suggests consensus, but opinion group C does not agree
    # (figure about 0.47 < 0.6), so the session that requires it gets no suggestion.
    assert suggests == [True, False]
    flags = [
        latest_round(p.facilitator.view, p.proposition_ids[0])["metrics"]["flags"]
        for p in (plain, strict)
    ]
    assert flags == [[], ["opinion_split"]]
    assert proposition(plain.facilitator.view, first)["consensus"]["opinion_groups"] < 0.6
    for played in (plain, strict):
        await played.close()

"""Opinion groups on three workers: only the session's owner computes them, and the
workers that replicate the session show the owner's result (server/opinions.py,
server/replica.py), checked against a computation of the log's ratings made here."""

import json
from pathlib import Path
from typing import Any

import pytest

from facilitation import SessionState, apply
from facilitation import events as ev
from facilitation.opinion_record import console
from facilitation.opinions import compute
from tests.live import LiveServer, Peer, proposition
from tests.opinion_play import OPINION_CONSENSUS_P1, grouped, play
from tests.redis_live import RedisServer
from tests.server.test_redis_cluster import three_workers


def from_the_log(redis_server: RedisServer, session_id: str) -> SessionState:
    """The session's state from its log in Redis, applied by the pure core here."""
    state = SessionState()
    for _, fields in redis_server.client().xrange(f"plenary:log:{session_id}"):
        apply(state, ev.from_json(json.loads(fields["b"])))
    return state


def partition(points: list[list[Any]]) -> set[frozenset[tuple[float, float]]]:
    """The map's points grouped by label, labels themselves left out."""
    by_label: dict[Any, set[tuple[float, float]]] = {}
    for x, y, label in points:
        by_label.setdefault(label, set()).add((x, y))
    return {frozenset(found) for found in by_label.values()}


async def test_replicas_show_the_owners_opinion_groups(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    a, b, c = await three_workers(server_factory, tmp_path, redis_server)
    played = await play(a)  # created on A, so A owns the session and computes its groups
    tokens = played.created["tokens"]
    console_b = await Peer(b.url, tokens["facilitator"]).connect()
    display_c = await Peer(c.url, tokens["display"]).connect()
    phone_c = await Peer(c.url, played.tokens[0]).connect()

    owners = (await played.facilitator.until(grouped, timeout=15))["opinions"]
    seen = await console_b.until(lambda v: v.get("opinions") == owners, timeout=15)
    # What the owner shows is what the ratings in the log give, computed here.
    state = from_the_log(redis_server, played.session_id)
    expected = console(state, compute(state.opinions))
    assert sorted(p[:2] for p in owners["points"]) == sorted(p[:2] for p in expected["points"])
    assert partition(owners["points"]) == partition(expected["points"])
    first = played.proposition_ids[0]
    figure = proposition(seen, first)["consensus"]["opinion_groups"]
    assert figure == pytest.approx(OPINION_CONSENSUS_P1)
    # The groups went to the replicas through Redis: the latest result only.
    assert redis_server.client().xlen(f"plenary:opinions:{played.session_id}") == 1

    # After a reveal, the projector and a phone on C get what the owner's phones get.
    assert display_c.view.get("opinions") is None
    assert not phone_c.personal
    reveal = {"proposition_id": first, "visible": True}
    assert (await played.facilitator.call("results:reveal", reveal))["ok"]
    shown = (await display_c.until(lambda v: v.get("opinions") is not None))["opinions"]
    assert sorted(g["size"] for g in shown["groups"]) == [5, 5, 5]
    on_a = (await played.phones[0].until(lambda v: v.get("opinion_group") is not None))[
        "opinion_group"
    ]
    on_c = (await phone_c.until(lambda v: v.get("opinion_group") is not None))["opinion_group"]
    assert on_c == on_a
    projected = json.dumps(display_c.messages)
    assert not any(pid in projected for pid in played.participant_ids)
    for peer in (console_b, display_c, phone_c):
        await peer.close()
    await played.close()

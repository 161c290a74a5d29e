"""Propositions: add, move, open, close, reopen as a new round, reveal, consensus marks."""

import pytest

from facilitation import commands as c
from facilitation import events as ev
from facilitation.state import Mark, Proposition, RoundState

from .conftest import (
    DISPLAY,
    FACILITATOR,
    GUEST,
    NOW,
    hub_actor,
    invite,
    join,
    off_vocabulary,
    person,
    refuse,
    session,
    snapshot,
    step,
)

NOT_FACILITATORS = (DISPLAY, GUEST, hub_actor("h1"))


def test_add_proposition() -> None:
    state = session(propositions=("a",))
    before = snapshot(state)
    events = step(state, c.AddProposition("b", "  Keep the IGF open  ", "  Draft 2 "), FACILITATOR)
    assert events == [ev.PropositionAdded("b", "Keep the IGF open", "Draft 2", NOW)]
    expected = before
    expected.propositions["b"] = Proposition("b", "Keep the IGF open", "Draft 2")
    expected.order.append("b")
    expected.version += 1
    assert state == expected

    step(state, c.AddProposition("c", "No source", "  "), FACILITATOR)
    assert state.propositions["c"] == Proposition("c", "No source", None)
    assert state.order == ["a", "b", "c"]


def test_add_proposition_refusals() -> None:
    state = session(propositions=("a",))
    join(state, "p1")
    invite(state, "h1")
    refuse(state, c.AddProposition("a", "Again"), FACILITATOR, "conflict")
    refuse(state, lambda: c.AddProposition("b", "   "), FACILITATOR, "bad_request")
    refuse(state, lambda: c.AddProposition("b", "x" * 2001), FACILITATOR, "too_large")
    refuse(state, lambda: c.AddProposition("b", "ok", "s" * 501), FACILITATOR, "too_large")
    for actor in (*NOT_FACILITATORS, person("p1")):
        refuse(state, c.AddProposition("b", "Text"), actor, "forbidden")


@pytest.mark.parametrize(
    ("proposition_id", "position", "order"),
    [
        ("c", 1, ["c", "a", "b", "d"]),
        ("a", 3, ["b", "c", "a", "d"]),
        ("b", 4, ["a", "c", "d", "b"]),
        ("a", 99, ["b", "c", "d", "a"]),
    ],
)
def test_move_proposition(proposition_id: str, position: int, order: list[str]) -> None:
    state = session(propositions=("a", "b", "c", "d"))
    before = snapshot(state)
    events = step(state, c.MoveProposition(proposition_id, position), FACILITATOR)
    assert events == [ev.PropositionMoved(proposition_id, min(position, 4), NOW)]
    expected = before
    expected.order = order
    expected.version += 1
    assert state == expected


def test_move_proposition_to_where_it_is_decides_nothing() -> None:
    state = session(propositions=("a", "b"))
    before = snapshot(state)
    assert step(state, c.MoveProposition("b", 2), FACILITATOR) == []
    assert step(state, c.MoveProposition("b", 7), FACILITATOR) == []
    assert state == before


def test_move_proposition_refusals() -> None:
    state = session(propositions=("a", "b"))
    refuse(state, c.MoveProposition("z", 1), FACILITATOR, "not_found")
    refuse(state, lambda: c.MoveProposition("a", 0), FACILITATOR, "bad_request")
    refuse(state, lambda: c.MoveProposition("a", True), FACILITATOR, "bad_request")
    for actor in NOT_FACILITATORS:
        refuse(state, c.MoveProposition("a", 2), actor, "forbidden")


def test_open_close_and_reopen_as_a_new_round() -> None:
    state = session(propositions=("a",))
    before = snapshot(state)
    assert step(state, c.OpenProposition("a"), FACILITATOR, NOW) == [
        ev.PropositionOpened("a", 1, NOW)
    ]
    expected = snapshot(before)
    expected.propositions["a"] = Proposition(
        "a", "Text of a", None, status="open", rounds=[RoundState(1, NOW)]
    )
    expected.version += 1
    assert state == expected

    assert step(state, c.CloseProposition("a"), FACILITATOR, NOW + 60) == [
        ev.PropositionClosed("a", NOW + 60)
    ]
    expected.propositions["a"] = Proposition(
        "a", "Text of a", None, status="closed", rounds=[RoundState(1, NOW, NOW + 60)]
    )
    expected.version += 1
    assert state == expected

    step(state, c.RevealResults("a", True), FACILITATOR, NOW + 61)
    assert step(state, c.OpenProposition("a"), FACILITATOR, NOW + 600) == [
        ev.PropositionOpened("a", 2, NOW + 600)
    ]
    # The new round starts hidden again, and apart from the first.
    expected.propositions["a"] = Proposition(
        "a",
        "Text of a",
        None,
        status="open",
        revealed=False,
        rounds=[RoundState(1, NOW, NOW + 60), RoundState(2, NOW + 600)],
    )
    expected.version += 2
    assert state == expected
    assert state.propositions["a"].round == 2


def test_open_and_close_refusals() -> None:
    state = session(propositions=("a", "b"))
    step(state, c.OpenProposition("a"), FACILITATOR)
    refuse(state, c.OpenProposition("a"), FACILITATOR, "conflict")
    refuse(state, c.CloseProposition("b"), FACILITATOR, "conflict")
    refuse(state, c.OpenProposition("z"), FACILITATOR, "not_found")
    refuse(state, c.CloseProposition("z"), FACILITATOR, "not_found")
    for actor in NOT_FACILITATORS:
        refuse(state, c.OpenProposition("b"), actor, "forbidden")
        refuse(state, c.CloseProposition("a"), actor, "forbidden")
    step(state, c.CloseProposition("a"), FACILITATOR)
    refuse(state, c.CloseProposition("a"), FACILITATOR, "conflict")


def test_several_propositions_may_be_open_at_once() -> None:
    state = session(propositions=("a", "b"))
    step(state, c.OpenProposition("a"), FACILITATOR)
    step(state, c.OpenProposition("b"), FACILITATOR)
    assert [state.propositions[p].status for p in ("a", "b")] == ["open", "open"]


def test_reveal_and_hide_results() -> None:
    state = session(propositions=("a",))
    refuse(state, c.RevealResults("a", True), FACILITATOR, "conflict")
    refuse(state, c.RevealResults("z", True), FACILITATOR, "not_found")
    refuse(state, lambda: c.RevealResults("a", 1), FACILITATOR, "bad_request")  # type: ignore[arg-type]
    step(state, c.OpenProposition("a"), FACILITATOR)
    for actor in NOT_FACILITATORS:
        refuse(state, c.RevealResults("a", True), actor, "forbidden")

    before = snapshot(state)
    assert step(state, c.RevealResults("a", False), FACILITATOR) == []
    assert state == before
    assert step(state, c.RevealResults("a", True), FACILITATOR) == [
        ev.ResultsRevealed("a", True, NOW)
    ]
    expected = snapshot(before)
    expected.propositions["a"].revealed = True
    expected.version += 1
    assert state == expected
    assert step(state, c.RevealResults("a", True), FACILITATOR) == []
    assert step(state, c.RevealResults("a", False), FACILITATOR) == [
        ev.ResultsRevealed("a", False, NOW)
    ]
    expected.propositions["a"].revealed = False
    expected.version += 1
    assert state == expected


def test_consensus_marks_are_changeable_and_unmarked_clears() -> None:
    state = session(propositions=("a",))
    before = snapshot(state)
    # A mark needs no open round: it belongs to the proposition.
    assert step(
        state, c.MarkConsensus("a", "rough_consensus", "  Objections addressed  "), FACILITATOR
    ) == [ev.ConsensusMarked("a", "rough_consensus", "Objections addressed", NOW)]
    expected = before
    expected.propositions["a"].mark = Mark("rough_consensus", "Objections addressed", NOW)
    expected.version += 1
    assert state == expected

    step(state, c.MarkConsensus("a", "needs_revision"), FACILITATOR, NOW + 1)
    expected.propositions["a"].mark = Mark("needs_revision", None, NOW + 1)
    expected.version += 1
    assert state == expected

    # Reopening keeps the mark.
    step(state, c.OpenProposition("a"), FACILITATOR, NOW + 2)
    assert state.propositions["a"].mark == Mark("needs_revision", None, NOW + 1)

    before = snapshot(state)
    assert step(state, c.MarkConsensus("a", "unmarked", "dropped note"), FACILITATOR, NOW + 3) == [
        ev.ConsensusMarked("a", "unmarked", None, NOW + 3)
    ]
    expected = before
    expected.propositions["a"].mark = None
    expected.version += 1
    assert state == expected


def test_consensus_mark_refusals() -> None:
    state = session(propositions=("a",))
    refuse(state, c.MarkConsensus("z", "no_consensus"), FACILITATOR, "not_found")
    refuse(
        state, lambda: c.MarkConsensus("a", off_vocabulary("consensus")), FACILITATOR, "bad_request"
    )
    refuse(
        state, lambda: c.MarkConsensus("a", "no_consensus", "n" * 2001), FACILITATOR, "too_large"
    )
    for actor in NOT_FACILITATORS:
        refuse(state, c.MarkConsensus("a", "no_consensus"), actor, "forbidden")

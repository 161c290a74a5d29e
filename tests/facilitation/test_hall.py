"""The hall's commands: a speaker ends their own turn, the chair closes the list
of speakers, gives the next speaker a time, and chooses what the projector shows.
Each test compares the whole state with the one expected."""

import pytest

from facilitation import commands as c
from facilitation.errors import BadRequest
from facilitation.settings import SessionSettings
from facilitation.state import Timer
from facilitation.views import shown_on_display

from .conftest import (
    FACILITATOR,
    NOW,
    invite,
    join,
    open_,
    person,
    refuse,
    session,
    snapshot,
    step,
)


def test_the_speaker_yields_the_floor_and_the_turn_is_logged() -> None:
    state = session(settings={"intent_seconds": {"point_of_order": 45}})
    amina = join(state, "p1", name="Amina")
    step(state, c.RaiseHand("e1", "point_of_order"), amina, NOW - 10)
    step(state, c.QueueNext(), FACILITATOR, NOW)
    # A point of order starts with its own, shorter, time.
    assert state.timer == Timer(45.0, 45.0, NOW)
    refuse(state, c.YieldFloor(), join(state, "p2"), "conflict")
    expected = snapshot(state)
    turn = expected.queue.current
    assert turn is not None
    turn.ended_at = NOW + 20
    expected.queue.turns.append(turn)
    expected.queue.current = None
    expected.timer = Timer()
    expected.version += 1
    step(state, c.YieldFloor(), amina, NOW + 20)
    assert state == expected
    refuse(state, c.YieldFloor(), amina, "conflict")


def test_a_hub_yields_for_its_own_speaker_only() -> None:
    state = session()
    nairobi, lima = invite(state, "h1"), invite(state, "h2", name="Lima hub")
    step(state, c.HubSpeaker("x1", "Omar", "academia", "speak"), nairobi)
    step(state, c.QueueNext(seconds=75), FACILITATOR, NOW)
    # The chair's time for this speaker, not the session's 120 seconds.
    assert state.timer == Timer(75.0, 75.0, NOW)
    refuse(state, c.YieldFloor(), lima, "conflict")
    step(state, c.YieldFloor(), nairobi, NOW + 5)
    assert state.queue.current is None
    assert [t.entry.name for t in state.queue.turns] == ["Omar"]


def test_a_closed_list_takes_no_new_hands_but_keeps_those_waiting() -> None:
    state = session()
    amina, bo = join(state, "p1", name="Amina"), join(state, "p2", name="Bo")
    nairobi = invite(state, "h1")
    step(state, c.RaiseHand("e1", "speak"), amina)
    expected = snapshot(state)
    expected.queue.closed = True
    expected.version += 1
    step(state, c.CloseQueue(True), FACILITATOR)
    assert state == expected
    assert step(state, c.CloseQueue(True), FACILITATOR) == []  # closed already
    error = refuse(state, c.RaiseHand("e2", "speak"), bo, "closed")
    assert "list of speakers is closed" in error.message
    refuse(state, c.HubSpeaker("x1", "Omar", "academia", "speak"), nairobi, "closed")
    # Those waiting keep their place and may change their reason.
    step(state, c.RaiseHand("e9", "reply"), amina)
    assert state.queue.entries["e1"].intent == "reply"
    step(state, c.CloseQueue(False), FACILITATOR)
    step(state, c.RaiseHand("e2", "speak"), bo)
    assert list(state.queue.entries) == ["e1", "e2"]


def test_the_chair_chooses_what_the_projector_shows() -> None:
    state = session(propositions=("a", "b"))
    assert (state.display_mode, state.display_proposition) == ("auto", None)
    expected = snapshot(state)
    expected.display_mode, expected.display_proposition = "proposition", "b"
    expected.version += 1
    step(state, c.ShowOnDisplay("proposition", "b"), FACILITATOR)
    assert state == expected
    assert step(state, c.ShowOnDisplay("proposition", "b"), FACILITATOR) == []
    refuse(state, c.ShowOnDisplay("proposition", "zz"), FACILITATOR, "not_found")
    refuse(state, lambda: c.ShowOnDisplay("proposition"), FACILITATOR, "bad_request")
    refuse(state, lambda: c.ShowOnDisplay("agenda", "a"), FACILITATOR, "bad_request")
    refuse(state, c.ShowOnDisplay("agenda"), person("p1"), "forbidden")
    step(state, c.ShowOnDisplay("agenda"), FACILITATOR)
    assert (state.display_mode, state.display_proposition) == ("agenda", None)


def test_auto_follows_the_open_proposition_then_the_last_opened() -> None:
    state = session(propositions=("a", "b"))
    assert shown_on_display(state) is None  # nothing opened yet: the agenda
    open_(state, "a", NOW)
    assert shown_on_display(state) == "a"
    open_(state, "b", NOW + 10)
    assert shown_on_display(state) is None  # two open: the agenda
    step(state, c.CloseProposition("b"), FACILITATOR, NOW + 20)
    assert shown_on_display(state) == "a"
    step(state, c.CloseProposition("a"), FACILITATOR, NOW + 30)
    assert shown_on_display(state) == "b"  # none open: the one opened last
    step(state, c.ShowOnDisplay("proposition", "a"), FACILITATOR)
    assert shown_on_display(state) == "a"
    step(state, c.ShowOnDisplay("agenda"), FACILITATOR)
    assert shown_on_display(state) is None


def test_per_intent_times_are_validated() -> None:
    for bad in ({"shout": 30}, {"reply": 0}, {"reply": "60"}, ["reply"]):
        with pytest.raises(BadRequest, match="intent_seconds"):
            SessionSettings.from_dict({"intent_seconds": bad})
    settings = SessionSettings.from_dict({"intent_seconds": {"reply": 90}})
    assert (settings.seconds_for("reply"), settings.seconds_for("speak")) == (90, 120)

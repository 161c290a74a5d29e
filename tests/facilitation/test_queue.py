"""The speaker queue: hands, hub speakers, next/move/remove, the default order, the log."""

import pytest

from facilitation import SessionState
from facilitation import commands as c
from facilitation import events as ev
from facilitation.queue import ordered, position
from facilitation.state import Entry, Timer, Turn
from facilitation.views import speaker_log
from facilitation.vocabulary import Intent, ParticipantChannel

from .conftest import (
    DISPLAY,
    FACILITATOR,
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


def waiting(state: SessionState) -> list[str]:
    return [e.entry_id for e in ordered(state.queue, state.settings.queue_policy)]


def raise_hand(
    state: SessionState, pid: str, intent: Intent = "speak", now: float = NOW, entry: str = ""
) -> None:
    step(state, c.RaiseHand(entry or "e-" + pid, intent), person(pid), now)


def give_floor(state: SessionState, now: float = NOW) -> str | None:
    (event,) = step(state, c.QueueNext(), FACILITATOR, now)
    assert isinstance(event, ev.FloorGiven)
    return event.entry_id


def people(state: SessionState, **channels: ParticipantChannel) -> None:
    """Join participants named by keyword: r1="in_room", m1="remote", ..."""
    for pid, channel in channels.items():
        join(state, pid, "government", channel)


# --- hands ------------------------------------------------------------------


def test_raise_hand_adds_one_entry() -> None:
    state = session(propositions=("a",))
    join(state, "p1", "academia", "remote", "Ana")
    join(state, "p2", "government", "in_room")
    before = snapshot(state)
    events = step(state, c.RaiseHand("e1", "clarify", "a"), person("p1"), NOW)
    assert events == [ev.HandRaised("e1", "p1", "clarify", "a", NOW)]
    expected = before
    entry = Entry("e1", "p:p1", "Ana", "academia", "remote", "clarify", "a", None, 0, NOW)
    expected.queue.entries["e1"] = entry
    expected.queue.by_owner["p:p1"] = "e1"
    expected.queue.next_seq = 1
    expected.version += 1
    assert state == expected

    # Without a name, the entry shows the person's group.
    step(state, c.RaiseHand("e2", "speak"), person("p2"), NOW + 1)
    assert state.queue.entries["e2"] == Entry(
        "e2", "p:p2", "government", "government", "in_room", "speak", None, None, 1, NOW + 1
    )


def test_raising_again_keeps_the_place_and_changes_the_intent() -> None:
    state = session(propositions=("a",))
    people(state, p1="in_room", p2="in_room")
    raise_hand(state, "p1", "speak", NOW)
    raise_hand(state, "p2", "speak", NOW + 1)
    assert waiting(state) == ["e-p1", "e-p2"]
    before = snapshot(state)
    # The new entry id is ignored: one entry per person.
    events = step(state, c.RaiseHand("other", "reply", "a"), person("p1"), NOW + 5)
    assert events == [ev.HandRaised("e-p1", "p1", "reply", "a", NOW + 5)]
    expected = before
    expected.queue.entries["e-p1"].intent = "reply"
    expected.queue.entries["e-p1"].proposition_id = "a"
    expected.version += 1
    assert state == expected
    assert len(state.queue.entries) == 2
    # Back to `speak`: the arrival order (seq) was kept, so p1 is first again.
    raise_hand(state, "p1", "speak", NOW + 9)
    assert waiting(state) == ["e-p1", "e-p2"]


def test_raise_hand_refusals() -> None:
    state = session(propositions=("a",))
    people(state, p1="in_room", p2="remote")
    invite(state, "h1")
    raise_hand(state, "p1")
    refuse(state, lambda: c.RaiseHand("e9", off_vocabulary("shout")), person("p2"), "bad_request")
    refuse(state, c.RaiseHand("e9", "speak", "z"), person("p2"), "not_found")
    refuse(state, c.RaiseHand("e-p1", "speak"), person("p2"), "conflict")
    refuse(state, c.RaiseHand("e9", "speak"), person("stranger"), "unauthorized")
    for actor in (FACILITATOR, DISPLAY, hub_actor("h1")):
        refuse(state, c.RaiseHand("e9", "speak"), actor, "forbidden")
        refuse(state, c.LowerHand(), actor, "forbidden")
    refuse(state, c.LowerHand(), person("stranger"), "unauthorized")


def test_lower_hand() -> None:
    state = session()
    people(state, p1="in_room", p2="remote")
    raise_hand(state, "p1")
    raise_hand(state, "p2")
    before = snapshot(state)
    assert step(state, c.LowerHand(), person("p1"), NOW + 3) == [
        ev.EntryRemoved("e-p1", False, NOW + 3)
    ]
    expected = before
    del expected.queue.entries["e-p1"]
    del expected.queue.by_owner["p:p1"]
    expected.version += 1
    assert state == expected
    assert step(state, c.LowerHand(), person("p1")) == []
    assert state == expected


# --- hub speakers -----------------------------------------------------------


def test_hub_speakers_are_one_entry_per_hub_and_name() -> None:
    state = session()
    invite(state, "h1")
    invite(state, "h2", name="Dakar hub")
    before = snapshot(state)
    events = step(
        state, c.HubSpeaker("x1", "  Wanjiru  ", "civil_society", "speak"), hub_actor("h1"), NOW
    )
    assert events == [ev.HubSpeakerAdded("x1", "h1", "Wanjiru", "civil_society", "speak", NOW)]
    expected = before
    expected.queue.entries["x1"] = Entry(
        "x1", "h:h1:Wanjiru", "Wanjiru", "civil_society", "hub", "speak", None, "h1", 0, NOW
    )
    expected.queue.by_owner["h:h1:Wanjiru"] = "x1"
    expected.queue.next_seq = 1
    expected.version += 1
    assert state == expected

    # The same name from the same hub updates that entry...
    assert step(
        state, c.HubSpeaker("x2", "Wanjiru", "civil_society", "reply"), hub_actor("h1"), NOW + 1
    ) == [ev.HubSpeakerAdded("x1", "h1", "Wanjiru", "civil_society", "reply", NOW + 1)]
    assert state.queue.entries["x1"].intent == "reply"
    assert len(state.queue.entries) == 1
    # ...another name, or the same name from another hub, is another entry.
    step(state, c.HubSpeaker("x3", "Omar", "academia", "speak"), hub_actor("h1"), NOW + 2)
    step(state, c.HubSpeaker("x4", "Wanjiru", "academia", "speak"), hub_actor("h2"), NOW + 3)
    assert sorted(state.queue.by_owner) == ["h:h1:Omar", "h:h1:Wanjiru", "h:h2:Wanjiru"]


def test_hub_speaker_refusals() -> None:
    state = session()
    invite(state, "h1")
    join(state, "p1")
    raise_hand(state, "p1")
    h1 = hub_actor("h1")
    refuse(state, c.HubSpeaker("x1", "Omar", "martians", "speak"), h1, "bad_request")
    refuse(state, lambda: c.HubSpeaker("x1", "  ", "academia", "speak"), h1, "bad_request")
    refuse(state, lambda: c.HubSpeaker("x1", "n" * 81, "academia", "speak"), h1, "too_large")
    refuse(
        state,
        lambda: c.HubSpeaker("x1", "Omar", "academia", off_vocabulary("yell")),
        h1,
        "bad_request",
    )
    refuse(state, c.HubSpeaker("e-p1", "Omar", "academia", "speak"), h1, "conflict")
    refuse(state, c.HubSpeaker("x1", "Omar", "academia", "speak"), hub_actor("h9"), "unauthorized")
    for actor in (FACILITATOR, DISPLAY, person("p1")):
        refuse(state, c.HubSpeaker("x1", "Omar", "academia", "speak"), actor, "forbidden")


# --- next, move, remove -----------------------------------------------------


def test_queue_next_gives_the_floor_and_starts_the_timer() -> None:
    state = session(settings={"speaking_seconds": 90})
    people(state, r1="in_room", m1="remote")
    raise_hand(state, "r1", now=NOW - 10)
    raise_hand(state, "m1", now=NOW - 9)
    before = snapshot(state)
    assert give_floor(state, NOW) == "e-r1"
    expected = before
    entry = expected.queue.entries.pop("e-r1")
    del expected.queue.by_owner["p:r1"]
    expected.queue.current = Turn(entry, NOW)
    expected.queue.had_floor = {"p:r1"}
    expected.queue.last_side = "room"
    expected.timer = Timer(90.0, 90.0, NOW)
    expected.version += 1
    assert state == expected

    before = snapshot(state)
    assert give_floor(state, NOW + 75) == "e-m1"
    expected = before
    finished = expected.queue.current
    assert finished is not None
    finished.ended_at = NOW + 75
    expected.queue.turns.append(finished)
    entry = expected.queue.entries.pop("e-m1")
    del expected.queue.by_owner["p:m1"]
    expected.queue.current = Turn(entry, NOW + 75)
    expected.queue.had_floor = {"p:r1", "p:m1"}
    expected.queue.last_side = "remote"
    expected.timer = Timer(90.0, 90.0, NOW + 75)
    expected.version += 1
    assert state == expected

    # Nobody waiting: the turn ends and nobody has the floor.
    before = snapshot(state)
    assert give_floor(state, NOW + 100) is None
    expected = before
    finished = expected.queue.current
    assert finished is not None
    finished.ended_at = NOW + 100
    expected.queue.turns.append(finished)
    expected.queue.current = None
    expected.timer = Timer()
    expected.version += 1
    assert state == expected

    refuse(state, c.QueueNext(), FACILITATOR, "conflict")
    for actor in (DISPLAY, person("r1")):
        refuse(state, c.QueueNext(), actor, "forbidden")


def test_queue_remove() -> None:
    state = session()
    people(state, r1="in_room", r2="in_room")
    raise_hand(state, "r1")
    raise_hand(state, "r2")
    before = snapshot(state)
    assert step(state, c.QueueRemove("e-r1"), FACILITATOR) == [ev.EntryRemoved("e-r1", True, NOW)]
    expected = before
    del expected.queue.entries["e-r1"]
    del expected.queue.by_owner["p:r1"]
    expected.version += 1
    assert state == expected
    refuse(state, c.QueueRemove("e-r1"), FACILITATOR, "not_found")
    refuse(state, c.QueueRemove("e-r2"), person("r2"), "forbidden")
    # Removed by the facilitator, one may raise one's hand again (at the back).
    raise_hand(state, "r1", now=NOW + 1, entry="e-r1-again")
    assert waiting(state) == ["e-r2", "e-r1-again"]


def _five_in_the_room() -> SessionState:
    state = session()
    for i in range(1, 6):
        join(state, f"r{i}", "government", "in_room")
        raise_hand(state, f"r{i}", now=NOW + i)
    return state


def test_queue_move_pins_the_entry() -> None:
    state = _five_in_the_room()
    before = snapshot(state)
    assert step(state, c.QueueMove("e-r4", 2), FACILITATOR) == [ev.EntryMoved("e-r4", 2, NOW)]
    expected = before
    expected.queue.entries["e-r4"].pin = 2
    expected.version += 1
    assert state == expected
    assert waiting(state) == ["e-r1", "e-r4", "e-r2", "e-r3", "e-r5"]
    assert position(state.queue, "e-r4") == 2
    # Beyond the end: the last place. The others keep their order, as in a list:
    # r4, pinned behind r1, moves up one place with everyone else.
    assert step(state, c.QueueMove("e-r1", 50), FACILITATOR) == [ev.EntryMoved("e-r1", 5, NOW)]
    assert waiting(state) == ["e-r4", "e-r2", "e-r3", "e-r5", "e-r1"]
    assert [state.queue.entries[e].pin for e in ("e-r4", "e-r1")] == [1, 5]


def test_a_pinned_entry_moves_up_as_people_ahead_leave() -> None:
    state = _five_in_the_room()
    step(state, c.QueueMove("e-r5", 3), FACILITATOR)
    assert waiting(state) == ["e-r1", "e-r2", "e-r5", "e-r3", "e-r4"]
    assert give_floor(state) == "e-r1"
    assert waiting(state) == ["e-r2", "e-r5", "e-r3", "e-r4"]
    assert state.queue.entries["e-r5"].pin == 2
    # Someone behind it leaving does not move it.
    step(state, c.LowerHand(), person("r4"))
    assert waiting(state) == ["e-r2", "e-r5", "e-r3"]
    step(state, c.QueueRemove("e-r2"), FACILITATOR)
    assert waiting(state) == ["e-r5", "e-r3"]
    assert give_floor(state) == "e-r5"
    # Given the floor, an entry is no longer pinned.
    assert state.queue.current is not None
    assert state.queue.current.entry.pin is None
    # New arrivals go behind a pinned entry only up to its place.
    step(state, c.QueueMove("e-r3", 1), FACILITATOR)
    raise_hand(state, "r1", now=NOW + 20)
    assert waiting(state) == ["e-r3", "e-r1"]


def test_the_latest_move_to_a_place_wins_it() -> None:
    state = _five_in_the_room()
    step(state, c.QueueMove("e-r5", 1), FACILITATOR)
    step(state, c.QueueMove("e-r4", 1), FACILITATOR)
    assert waiting(state) == ["e-r4", "e-r5", "e-r1", "e-r2", "e-r3"]
    # The earlier-arrived entry moved last still wins the place it was moved to.
    step(state, c.QueueMove("e-r2", 1), FACILITATOR)
    assert waiting(state) == ["e-r2", "e-r4", "e-r5", "e-r1", "e-r3"]
    step(state, c.QueueMove("e-r1", 2), FACILITATOR)
    assert waiting(state) == ["e-r2", "e-r1", "e-r4", "e-r5", "e-r3"]
    # Each leaving moves the pinned ones up, keeping their order.
    assert give_floor(state) == "e-r2"
    assert waiting(state) == ["e-r1", "e-r4", "e-r5", "e-r3"]


def test_a_pinned_entry_changes_which_side_comes_after_it() -> None:
    state = session()
    people(state, m0="remote", r1="in_room", m1="remote", x="in_room")
    raise_hand(state, "m0", now=NOW)
    assert give_floor(state, NOW + 1) == "e-m0"  # the remote side spoke last
    for i, pid in enumerate(("r1", "m1", "x")):
        raise_hand(state, pid, now=NOW + 2 + i)
    assert waiting(state) == ["e-r1", "e-m1", "e-x"]
    step(state, c.QueueMove("e-x", 1), FACILITATOR)
    # x, from the room, will have spoken when the next is called: the remote side follows.
    assert waiting(state) == ["e-x", "e-m1", "e-r1"]
    assert [give_floor(state, NOW + 10 + i) for i in range(3)] == ["e-x", "e-m1", "e-r1"]


def test_queue_move_refusals() -> None:
    state = _five_in_the_room()
    refuse(state, c.QueueMove("nope", 1), FACILITATOR, "not_found")
    refuse(state, lambda: c.QueueMove("e-r1", 0), FACILITATOR, "bad_request")
    refuse(state, c.QueueMove("e-r1", 2), person("r1"), "forbidden")
    give_floor(state)
    # The current speaker is not waiting any more.
    refuse(state, c.QueueMove("e-r1", 2), FACILITATOR, "not_found")
    refuse(state, c.QueueRemove("e-r1"), FACILITATOR, "not_found")


def test_removed_participant_leaves_the_queue_and_pins_behind_move_up() -> None:
    state = _five_in_the_room()
    step(state, c.QueueMove("e-r5", 3), FACILITATOR)
    step(state, c.RemoveParticipant("r1"), FACILITATOR)
    assert waiting(state) == ["e-r2", "e-r5", "e-r3", "e-r4"]
    assert "p:r1" not in state.queue.by_owner


# --- the default order ------------------------------------------------------


def test_point_of_order_first_then_reply_then_clarify_and_speak_together() -> None:
    state = session()
    people(state, a="in_room", b="in_room", c="in_room", d="in_room", e="in_room")
    raise_hand(state, "a", "speak", NOW + 1)
    raise_hand(state, "b", "clarify", NOW + 2)
    raise_hand(state, "c", "reply", NOW + 3)
    raise_hand(state, "d", "point_of_order", NOW + 4)
    raise_hand(state, "e", "speak", NOW + 5)
    assert waiting(state) == ["e-d", "e-c", "e-a", "e-b", "e-e"]


def test_with_nobody_given_the_floor_the_earliest_entrys_side_starts() -> None:
    state = session()
    people(state, m1="remote", r1="in_room", r2="in_room", r3="in_room", m2="remote")
    for i, pid in enumerate(("m1", "r1", "r2", "r3", "m2")):
        raise_hand(state, pid, now=NOW + i)
    assert waiting(state) == ["e-m1", "e-r1", "e-m2", "e-r2", "e-r3"]


def test_sides_alternate_starting_opposite_the_last_speaker() -> None:
    state = session()
    people(state, r1="in_room", r2="in_room", r3="in_room", m1="remote", m2="remote")
    for i, pid in enumerate(("r1", "r2", "r3", "m1", "m2")):
        raise_hand(state, pid, now=NOW + i)
    assert waiting(state) == ["e-r1", "e-m1", "e-r2", "e-m2", "e-r3"]
    assert give_floor(state) == "e-r1"  # the room spoke last
    assert waiting(state) == ["e-m1", "e-r2", "e-m2", "e-r3"]
    # The remote side (remote participants and hubs) starts after a room speaker,
    # even when a room hand is older.
    invite(state, "h1")
    step(state, c.LowerHand(), person("m1"))
    step(state, c.LowerHand(), person("m2"))
    step(state, c.HubSpeaker("x1", "Omar", "academia", "speak"), hub_actor("h1"), NOW + 10)
    assert waiting(state) == ["x1", "e-r2", "e-r3"]
    assert give_floor(state) == "x1"  # the remote side spoke last
    raise_hand(state, "m1", now=NOW + 11)
    assert waiting(state) == ["e-r2", "e-m1", "e-r3"]


def test_the_side_that_spoke_last_carries_on_across_intent_classes() -> None:
    state = session()
    people(state, r1="in_room", r2="in_room", m1="remote", m2="remote")
    raise_hand(state, "r1", "speak", NOW + 1)
    raise_hand(state, "m1", "speak", NOW + 2)
    raise_hand(state, "r2", "point_of_order", NOW + 3)
    raise_hand(state, "m2", "reply", NOW + 4)
    # Point of order (room), then reply (remote), then speak starting opposite
    # the remote reply, i.e. with the room: exactly the order `next` will follow.
    expected = ["e-r2", "e-m2", "e-r1", "e-m1"]
    assert waiting(state) == expected
    assert [give_floor(state) for _ in expected] == expected


def test_first_time_speakers_go_first_within_a_side() -> None:
    state = session()
    people(state, r1="in_room", r2="in_room", r3="in_room", m1="remote")
    raise_hand(state, "r1", now=NOW)
    assert give_floor(state) == "e-r1"
    raise_hand(state, "r1", now=NOW + 1, entry="e-r1-b")  # has had the floor
    raise_hand(state, "r2", now=NOW + 2)
    raise_hand(state, "m1", now=NOW + 3)
    raise_hand(state, "r3", now=NOW + 4)
    assert waiting(state) == ["e-m1", "e-r2", "e-r3", "e-r1-b"]
    # Intent class still comes first: a reply from a repeat speaker leads.
    raise_hand(state, "r1", "reply", NOW + 5)
    assert waiting(state) == ["e-r1-b", "e-m1", "e-r2", "e-r3"]


def test_fifo_policy_keeps_arrival_order() -> None:
    state = session(settings={"queue_policy": "fifo"})
    people(state, r1="in_room", r2="in_room", m1="remote")
    raise_hand(state, "r1", "speak", NOW + 1)
    raise_hand(state, "r2", "speak", NOW + 2)
    raise_hand(state, "m1", "point_of_order", NOW + 3)
    assert waiting(state) == ["e-r1", "e-r2", "e-m1"]
    step(state, c.QueueMove("e-m1", 1), FACILITATOR)
    assert waiting(state) == ["e-m1", "e-r1", "e-r2"]


# --- timer ------------------------------------------------------------------


def test_timer_start_pause_resume_reset_and_overtime() -> None:
    state = session()
    refuse(state, c.SetTimer("start"), FACILITATOR, "bad_request")
    refuse(state, c.SetTimer("start", 60), DISPLAY, "forbidden")
    before = snapshot(state)
    assert step(state, c.SetTimer("pause"), FACILITATOR) == []
    assert step(state, c.SetTimer("reset"), FACILITATOR) == []
    assert state == before

    assert step(state, c.SetTimer("start", 60), FACILITATOR, NOW) == [
        ev.TimerChanged("start", 60, NOW)
    ]
    expected = before
    expected.timer = Timer(60.0, 60.0, NOW)
    expected.version += 1
    assert state == expected
    assert state.timer.remaining_at(NOW + 15) == 45.0

    step(state, c.SetTimer("pause"), FACILITATOR, NOW + 10)
    expected.timer = Timer(60.0, 50.0, None)
    expected.version += 1
    assert state == expected
    assert state.timer.remaining_at(NOW + 500) == 50.0
    assert step(state, c.SetTimer("pause"), FACILITATOR, NOW + 11) == []

    # A start without seconds resumes; starting a running timer decides nothing.
    assert step(state, c.SetTimer("start"), FACILITATOR, NOW + 20) == [
        ev.TimerChanged("start", None, NOW + 20)
    ]
    expected.timer = Timer(60.0, 50.0, NOW + 20)
    expected.version += 1
    assert state == expected
    assert step(state, c.SetTimer("start"), FACILITATOR, NOW + 21) == []
    assert state.timer.remaining_at(NOW + 30) == 40.0
    # Past zero: overtime, negative.
    assert state.timer.remaining_at(NOW + 100) == -30.0

    step(state, c.SetTimer("reset", 999), FACILITATOR, NOW + 101)
    expected.timer = Timer(60.0, 60.0, None)
    expected.version += 1
    assert state == expected

    # A start with seconds sets a new duration, even while running.
    step(state, c.SetTimer("start"), FACILITATOR, NOW + 200)
    step(state, c.SetTimer("start", 30), FACILITATOR, NOW + 210)
    assert state.timer == Timer(30.0, 30.0, NOW + 210)


@pytest.mark.parametrize(
    ("action", "seconds"), [("stop", None), ("start", 0), ("start", 86_401), ("start", True)]
)
def test_timer_refusals(action: str, seconds: int | None) -> None:
    state = session()
    refuse(state, lambda: c.SetTimer(action, seconds), FACILITATOR, "bad_request")  # type: ignore[arg-type]


# --- speaker log ------------------------------------------------------------


def test_speaker_log_records_who_spoke_when_and_for_how_long() -> None:
    state = session()
    invite(state, "h1")
    join(state, "r1", "academia", "in_room", "Ana")
    raise_hand(state, "r1", "clarify", NOW - 5)
    step(state, c.HubSpeaker("x1", "Omar", "civil_society", "speak"), hub_actor("h1"), NOW - 4)
    give_floor(state, NOW)
    give_floor(state, NOW + 95.5)
    assert speaker_log(state) == [
        {
            "entry_id": "e-r1",
            "name": "Ana",
            "stakeholder_group": "academia",
            "channel": "in_room",
            "intent": "clarify",
            "hub_id": None,
            "started_at": NOW,
            "duration": 95.5,
        },
        {
            "entry_id": "x1",
            "name": "Omar",
            "stakeholder_group": "civil_society",
            "channel": "hub",
            "intent": "speak",
            "hub_id": "h1",
            "started_at": NOW + 95.5,
            "duration": None,
        },
    ]
    give_floor(state, NOW + 200)
    assert [turn["duration"] for turn in speaker_log(state)] == [95.5, 104.5]

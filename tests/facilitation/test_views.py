"""Role views: what each role may see, asserted as whole dicts."""

from typing import Any

import pytest

from facilitation import SessionState, outcome
from facilitation import commands as c
from facilitation import events as ev
from facilitation.settings import SessionSettings
from facilitation.views import ROLE_SECTIONS, TOUCHES, results, view
from facilitation.vocabulary import Value

from .conftest import (
    FACILITATOR,
    GUEST,
    JOIN_CODE,
    NOW,
    OPERATOR,
    hub_actor,
    invite,
    join,
    open_,
    person,
    rate,
    session,
    step,
)

SCALE_KEYS = ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "confused")


def counts(**given: int) -> dict[str, int]:
    return {key: given.get(key, 0) for key in SCALE_KEYS}


def scene(settings: dict[str, object] | None = None) -> SessionState:
    """Three participants and a hub rated proposition a; Bo raised a hand; b is a draft."""
    state = session(propositions=("a", "b"), settings=settings)
    join(state, "p1", "government", "in_room", "Ana")
    join(state, "p2", "civil_society", "remote", "Bo")
    join(state, "p3", "academia", "in_room")
    invite(state, "h1", attendance=40)
    open_(state, "a", NOW - 30)
    rate(state, "p1", "a", "agree", "Fine by me", NOW - 9)
    rate(state, "p2", "a", "disagree", "Too vague", NOW - 8)
    rate(state, "p3", "a", "confused", "What is 'open'?", NOW - 7)
    step(state, c.HubTally("a", {"agree": 4}), hub_actor("h1"), NOW - 6)
    # The distribution outside the console moves in steps of three raters: the
    # hub began a step; p1 and p2 confirming their ratings fill it, so every
    # view below shows the whole tally.
    rate(state, "p1", "a", "agree", "Fine by me", NOW - 9)
    rate(state, "p2", "a", "disagree", "Too vague", NOW - 8)
    step(state, c.RaiseHand("e2", "reply", "a"), person("p2"), NOW - 5)
    return state


SESSION_VIEW = {
    "session_id": "s1",
    "title": "Plenary",
    "join_code": JOIN_CODE,
    "languages": ["ar", "zh", "en", "fr", "ru", "es"],
    "stakeholder_groups": [
        "government",
        "private_sector",
        "civil_society",
        "technical_community",
        "academia",
        "intergovernmental_organization",
        "other",
    ],
    "settings": SessionSettings().to_dict(),
    "status": "open",
    "display": {"mode": "auto", "proposition_id": None, "shown": "a"},
}
QUEUE_VIEW: dict[str, Any] = {
    "current": None,
    "entries": [
        {
            "entry_id": "e2",
            "name": "Bo",
            "stakeholder_group": "civil_society",
            "channel": "remote",
            "intent": "reply",
            "proposition_id": "a",
            "hub_id": None,
            "pinned": False,
        }
    ],
    "length": 1,
    "closed": False,
}
STOPPED = {"running": False, "duration": None, "remaining": None}
FULL_ROUND: dict[str, Any] = {
    "round": 1,
    "revision": 1,
    "total": 7,
    "counts": counts(agree=5, disagree=1, confused=1),
    "by_group": {
        "academia": counts(confused=1),
        "civil_society": counts(disagree=1),
        "government": counts(agree=1),
        "other": counts(agree=4),
    },
    "by_channel": {
        "in_room": counts(agree=1, confused=1),
        "remote": counts(disagree=1),
        "hub": counts(agree=4),
    },
    "metrics": {
        "agree_share": 5 / 7,
        "oppose_share": 1 / 7,
        "strong_oppose_share": 0.0,
        "confused_share": 1 / 7,
        "agreement_score": pytest.approx((25 - 5) / 6),
        "group_consensus": pytest.approx(2 / 3 * 1 / 3 * 1 / 3 * 5 / 6),
        "weakest_group": {"group": "other", "agree_share": 1.0},
        "flags": ["low_sample"],
        "suggests_rough_consensus": False,
    },
}

# The same round outside the console (min_group_size 3): the three single
# raters are merged, and so are the in-room and remote channels (2 and 1).
PUBLIC_ROUND = {
    **FULL_ROUND,
    "by_group": {"other": counts(agree=4)},
    "by_group_merged": counts(agree=1, disagree=1, confused=1),
    "by_channel": {"hub": counts(agree=4)},
    "by_channel_merged": counts(agree=1, disagree=1, confused=1),
    "metrics": {
        **FULL_ROUND["metrics"],
        "group_consensus": pytest.approx(5 / 6 * 2 / 5),
        "weakest_group": {"group": None, "agree_share": 1 / 3},
    },
}


# A proposition's wording as added: revision 1, no translations, nothing earlier.
FIRST_WORDING: dict[str, Any] = {"revision": 1, "translations": {}, "earlier": []}


def propositions(rounds_of_a: list[dict[str, Any]], revealed: bool = False) -> list[Any]:
    return [
        {
            "id": "a",
            "text": "Text of a",
            "source": None,
            "section": None,
            "status": "open",
            "round": 1,
            "revealed": revealed,
            "mark": None,
            "rounds": rounds_of_a,
            **FIRST_WORDING,
        },
        {
            "id": "b",
            "text": "Text of b",
            "source": None,
            "section": None,
            "status": "draft",
            "round": 0,
            "revealed": False,
            "mark": None,
            "rounds": [],
            **FIRST_WORDING,
        },
    ]


def test_sections_per_role() -> None:
    state = scene()
    assert list(view(state, "participant", "p1", NOW)) == [
        "session",
        "propositions",
        "queue",
        "timer",
        "me",
        "windows",
        "place",
    ]
    assert list(view(state, "display", "", NOW)) == [
        "session",
        "propositions",
        "queue",
        "timer",
        "participation",
        "hubs",
        "windows",
    ]
    assert list(view(state, "hub", "h1", NOW)) == [*ROLE_SECTIONS["hub"]]
    assert view(state, "display", "", NOW, sections=["queue", "me", "hub"]) == {"queue": QUEUE_VIEW}


def test_participant_sees_only_their_own_and_no_distribution_before_reveal() -> None:
    state = scene()
    assert view(state, "participant", "p1", NOW) == {
        "session": SESSION_VIEW,
        "propositions": propositions([{"round": 1, "revision": 1}]),
        "queue": QUEUE_VIEW,
        "timer": STOPPED,
        "me": {
            "participant_id": "p1",
            "name": "Ana",
            "stakeholder_group": "government",
            "channel": "in_room",
            "language": None,
            "entry_id": None,
            "ratings": {"a": {"round": 1, "value": "agree", "comment": "Fine by me"}},
            "amendments": [],
        },
        "windows": [],
        "place": None,  # no hand raised
    }
    me = view(state, "participant", "p2", NOW)["me"]
    assert me["entry_id"] == "e2"
    assert view(state, "participant", "p2", NOW)["place"] == {
        "entry_id": "e2",
        "position": 1,
        "intent": "reply",
    }
    assert me["ratings"] == {"a": {"round": 1, "value": "disagree", "comment": "Too vague"}}


def test_a_speaker_keeps_their_entry_while_they_have_the_floor() -> None:
    state = scene()
    step(state, c.QueueNext(), FACILITATOR)  # Bo (e2) gets the floor
    assert view(state, "participant", "p2", NOW)["me"]["entry_id"] == "e2"
    step(state, c.QueueNext(), FACILITATOR)  # the turn ends: nothing left to point at
    assert view(state, "participant", "p2", NOW)["me"]["entry_id"] is None


def test_participant_sees_the_distribution_once_revealed() -> None:
    state = scene()
    step(state, c.RevealResults("a", True), FACILITATOR)
    assert view(state, "participant", "p3", NOW)["propositions"] == propositions(
        [PUBLIC_ROUND], revealed=True
    )


def test_display_sees_the_total_always_and_the_distribution_once_revealed() -> None:
    state = scene()
    hidden = {
        "session": SESSION_VIEW,
        "propositions": propositions([{"round": 1, "revision": 1, "total": 7}]),
        "queue": QUEUE_VIEW,
        "timer": STOPPED,
        "participation": {
            "joined": 3,
            "in_room": 2,
            "remote": 1,
            "hubs": 1,
            "hub_attendance": 40,
        },
        "hubs": [{"hub_id": "h1", "name": "Nairobi hub", "attendance": 40}],
        "windows": [],
    }
    assert view(state, "display", "", NOW) == hidden
    step(state, c.RevealResults("a", True), FACILITATOR)
    assert view(state, "display", "", NOW) == {
        **hidden,
        "propositions": propositions([PUBLIC_ROUND], revealed=True),
    }
    step(state, c.RevealResults("a", False), FACILITATOR)
    assert view(state, "display", "", NOW) == hidden


def test_live_results_show_the_distribution_to_everyone_at_once() -> None:
    state = scene(settings={"results_visibility": "live"})
    live = propositions([PUBLIC_ROUND])
    assert view(state, "display", "", NOW)["propositions"] == live
    assert view(state, "participant", "p1", NOW)["propositions"] == live
    assert view(state, "hub", "h1", NOW)["propositions"] == live


def test_hub_sees_its_own_counts_and_results_only_once_revealed() -> None:
    state = scene()
    invite(state, "h2", attendance=5, name="Dakar hub")
    step(state, c.HubTally("a", {"disagree": 2}), hub_actor("h2"))
    own = {
        "hub_id": "h1",
        "name": "Nairobi hub",
        "attendance": 40,
        "tallies": {
            "a": {"round": 1, "counts": counts(agree=4), "by_group": {"other": counts(agree=4)}}
        },
        "amendments": [],
    }
    hub_view = view(state, "hub", "h1", NOW)
    assert hub_view == {
        "session": SESSION_VIEW,
        "propositions": propositions([{"round": 1, "revision": 1}]),
        "queue": {**QUEUE_VIEW, "own": []},  # no speaker of this hub waits
        "timer": STOPPED,
        "hubs": [
            {"hub_id": "h1", "name": "Nairobi hub", "attendance": 40},
            {"hub_id": "h2", "name": "Dakar hub", "attendance": 5},
        ],
        "hub": own,
    }
    step(state, c.RevealResults("a", True), FACILITATOR)
    revealed = view(state, "hub", "h1", NOW)
    # Dakar's tally is one rater's change: it waits for the step to fill.
    assert revealed["propositions"][0]["rounds"][0]["total"] == 7
    assert view(state, "facilitator", "", NOW)["propositions"][0]["rounds"][0]["total"] == 9
    # Closing publishes the remainder: the final figures.
    step(state, c.CloseProposition("a"), FACILITATOR)
    closed = view(state, "hub", "h1", NOW)
    assert closed["propositions"][0]["rounds"][0]["total"] == 9
    assert closed["propositions"][0]["rounds"][0]["counts"] == counts(
        agree=5, disagree=3, confused=1
    )
    # A new round: the hub's own counts are those of the open round (none yet).
    open_(state, "a")
    assert view(state, "hub", "h1", NOW)["hub"]["tallies"] == {}
    assert view(state, "hub", "h1", NOW)["propositions"][0]["rounds"] == [
        {"round": 1, "revision": 1},
        {"round": 2, "revision": 1},
    ]


def test_facilitator_sees_everything_and_objections_without_identity() -> None:
    state = scene()
    step(state, c.MarkConsensus("b", "needs_revision", "Split it"), FACILITATOR)
    full = view(state, "facilitator", "", NOW)
    objections = [
        {
            "round": 1,
            "value": "disagree",
            "comment": "Too vague",
            "stakeholder_group": "civil_society",
            "channel": "remote",
        },
        {
            "round": 1,
            "value": "confused",
            "comment": "What is 'open'?",
            "stakeholder_group": "academia",
            "channel": "in_room",
        },
    ]
    shown = propositions([FULL_ROUND])
    shown[0]["objections"] = objections
    shown[1]["objections"] = []
    shown[0]["amendments"] = shown[1]["amendments"] = []
    shown[1]["mark"] = {"status": "needs_revision", "note": "Split it"}
    assert full == {
        "session": SESSION_VIEW,
        "propositions": shown,
        "queue": QUEUE_VIEW,
        "timer": STOPPED,
        "participation": {
            "joined": 3,
            "in_room": 2,
            "remote": 1,
            "hubs": 1,
            "hub_attendance": 40,
        },
        "hubs": [{"hub_id": "h1", "name": "Nairobi hub", "attendance": 40}],
        "participants": [
            {
                "participant_id": "p1",
                "name": "Ana",
                "stakeholder_group": "government",
                "channel": "in_room",
                "language": None,
                "removed": False,
                "registered": False,
            },
            {
                "participant_id": "p2",
                "name": "Bo",
                "stakeholder_group": "civil_society",
                "channel": "remote",
                "language": None,
                "removed": False,
                "registered": False,
            },
            {
                "participant_id": "p3",
                "name": None,
                "stakeholder_group": "academia",
                "channel": "in_room",
                "language": None,
                "removed": False,
                "registered": False,
            },
        ],
        "speaker_log": [],
        "windows": [],
        "publication": {"published": False},
    }


def test_objections_follow_the_latest_ratings_across_rounds() -> None:
    state = scene()
    step(state, c.CloseProposition("a"), FACILITATOR)
    open_(state, "a", NOW)
    rate(state, "p1", "a", "strongly_disagree", "Changed my mind", NOW + 1)
    rate(state, "p2", "a", "agree", "Better now", NOW + 2)  # agreeing: not an objection
    rate(state, "p3", "a", "confused", None, NOW + 3)  # no comment: nothing to weigh
    objections = view(state, "facilitator", "", NOW)["propositions"][0]["objections"]
    assert [(o["round"], o["comment"], o["stakeholder_group"]) for o in objections] == [
        (1, "Too vague", "civil_society"),
        (1, "What is 'open'?", "academia"),
        (2, "Changed my mind", "government"),
    ]


def test_a_removed_participant_leaves_participation_counts() -> None:
    state = scene()
    step(state, c.RemoveParticipant("p2"), FACILITATOR)
    display = view(state, "display", "", NOW)
    assert display["participation"] == {
        "joined": 2,
        "in_room": 2,
        "remote": 0,
        "hubs": 1,
        "hub_attendance": 40,
    }
    assert display["queue"] == {"current": None, "entries": [], "length": 0, "closed": False}
    # Their rating stays in the total.
    assert display["propositions"][0]["rounds"] == [{"round": 1, "revision": 1, "total": 7}]


def test_timer_view_computes_remaining_from_now() -> None:
    state = scene()
    step(state, c.QueueNext(), FACILITATOR, NOW)
    assert view(state, "display", "", NOW + 30, ["timer"]) == {
        "timer": {"running": True, "duration": 120.0, "remaining": 90.0}
    }
    assert view(state, "participant", "p1", NOW + 150, ["timer"])["timer"]["remaining"] == -30.0
    step(state, c.SetTimer("pause"), FACILITATOR, NOW + 40)
    assert view(state, "hub", "h1", NOW + 999, ["timer"]) == {
        "timer": {"running": False, "duration": 120.0, "remaining": 80.0}
    }


def test_queue_view_shows_the_current_speaker_and_pins() -> None:
    state = scene()
    join(state, "p4", "other", "in_room", "Dee")
    step(state, c.RaiseHand("e4", "speak"), person("p4"), NOW - 1)
    step(state, c.QueueNext(), FACILITATOR, NOW)
    step(state, c.HubSpeaker("x1", "Omar", "academia", "speak"), hub_actor("h1"), NOW + 1)
    step(state, c.QueueMove("x1", 1), FACILITATOR, NOW + 2)
    assert view(state, "participant", "p1", NOW, ["queue"])["queue"] == {
        "current": {**QUEUE_VIEW["entries"][0], "started_at": NOW},
        "entries": [
            {
                "entry_id": "x1",
                "name": "Omar",
                "stakeholder_group": "academia",
                "channel": "hub",
                "intent": "speak",
                "proposition_id": None,
                "hub_id": "h1",
                "pinned": True,
            },
            {
                "entry_id": "e4",
                "name": "Dee",
                "stakeholder_group": "other",
                "channel": "in_room",
                "intent": "speak",
                "proposition_id": None,
                "hub_id": None,
                "pinned": False,
            },
        ],
        "length": 2,
        "closed": False,
    }


def test_phones_get_the_head_of_a_long_queue_and_their_own_place() -> None:
    state = scene()
    for n in range(4, 12):
        join(state, f"p{n}", "other", "in_room", f"Person {n}")
        step(state, c.RaiseHand(f"e{n}", "speak"), person(f"p{n}"), NOW + n)
    console = view(state, "facilitator", "", NOW, ["queue"])["queue"]
    phone = view(state, "participant", "p11", NOW, ["queue", "place"])
    assert console["length"] == phone["queue"]["length"] == len(console["entries"]) == 9
    assert phone["queue"]["entries"] == console["entries"][:5]
    last = console["entries"][-1]
    assert phone["place"] == {"entry_id": last["entry_id"], "position": 9, "intent": "speak"}


def test_results_document_by_role() -> None:
    state = scene()
    display = results(state, "display")
    assert display == {
        "session_id": "s1",
        "version": state.version,
        "propositions": propositions([{"round": 1, "revision": 1, "total": 7}]),
        "queue": QUEUE_VIEW,
    }
    full = results(state, "facilitator")
    facilitator_view = view(state, "facilitator", "", NOW)
    assert full == {
        "session_id": "s1",
        "version": state.version,
        "propositions": facilitator_view["propositions"],
        "queue": QUEUE_VIEW,
        "participants": facilitator_view["participants"],
        "hubs": facilitator_view["hubs"],
    }


def test_every_event_type_declares_the_sections_it_touches() -> None:
    assert set(TOUCHES) == set(ev.EVENT_TYPES.values())
    every_section = {s for sections in ROLE_SECTIONS.values() for s in sections}
    assert all(sections <= every_section for sections in TOUCHES.values())


# --- acks -------------------------------------------------------------------


def test_outcomes_answer_what_the_protocol_promises() -> None:
    state = session(propositions=("a",))
    create = c.CreateSession("s9", "T", JOIN_CODE)
    assert outcome(state, create, OPERATOR) == {"session_id": "s9"}
    join_cmd = c.Join("p1", "government", "in_room")
    step(state, join_cmd, GUEST)
    assert outcome(state, join_cmd, GUEST) == {"participant_id": "p1"}
    join(state, "p2", "government", "remote")
    add = c.AddProposition("b", "Second")
    step(state, add, FACILITATOR)
    assert outcome(state, add, FACILITATOR) == {"proposition_id": "b"}
    invite_cmd = c.InviteHub("h1", "Hub", 10)
    step(state, invite_cmd, FACILITATOR)
    assert outcome(state, invite_cmd, FACILITATOR) == {"hub_id": "h1"}
    for _ in range(2):
        step(state, c.OpenProposition("a"), FACILITATOR)
        step(state, c.CloseProposition("a"), FACILITATOR)
    open_cmd = c.OpenProposition("a")
    step(state, open_cmd, FACILITATOR)
    assert outcome(state, open_cmd, FACILITATOR) == {"round": 3}
    rating = c.SubmitRating("a", "agree")
    step(state, rating, person("p1"))
    assert outcome(state, rating, person("p1")) == {"round": 3}
    tally = c.HubTally("a", {"agree": 1})
    step(state, tally, hub_actor("h1"))
    assert outcome(state, tally, hub_actor("h1")) == {"round": 3}

    hand = c.RaiseHand("e1", "speak")
    step(state, hand, person("p1"), NOW)
    assert outcome(state, hand, person("p1")) == {"entry_id": "e1", "position": 1}
    speaker = c.HubSpeaker("x1", " Omar ", "academia", "speak")
    step(state, speaker, hub_actor("h1"), NOW + 1)
    # After the room's p1, the remote side's hub speaker: position 2.
    assert outcome(state, speaker, hub_actor("h1")) == {"entry_id": "x1", "position": 2}
    point = c.RaiseHand("e2", "point_of_order")
    step(state, point, person("p2"), NOW + 2)
    assert outcome(state, point, person("p2")) == {"entry_id": "e2", "position": 1}
    again = c.RaiseHand("ignored", "speak")
    step(state, again, person("p2"), NOW + 3)
    assert outcome(state, again, person("p2")) == {"entry_id": "e2", "position": 3}

    next_cmd = c.QueueNext()
    step(state, next_cmd, FACILITATOR, NOW + 4)
    current = outcome(state, next_cmd, FACILITATOR)["current"]
    assert (current["entry_id"], current["started_at"]) == ("e1", NOW + 4)
    for quiet in (c.CloseProposition("a"), c.SetTimer("pause"), c.LowerHand()):
        actor = person("p2") if isinstance(quiet, c.LowerHand) else FACILITATOR
        step(state, quiet, actor)
        assert outcome(state, quiet, actor) == {}


def test_live_figures_outside_the_console_move_in_steps_of_min_group_size() -> None:
    state = session(propositions=("a",), settings={"results_visibility": "live"})
    for n in range(1, 8):
        join(state, f"p{n}", "government", "in_room")
    open_(state, "a", NOW - 30)

    def shown(role: str) -> int:
        rounds = view(state, role, "", NOW, ["propositions"])["propositions"][0]["rounds"]
        total: int = rounds[0]["total"]
        return total

    seen = []
    values: tuple[Value, ...] = ("agree", "disagree", "agree", "neutral", "agree")
    for n, value in enumerate(values, start=1):
        rate(state, f"p{n}", "a", value, None, NOW - 20 + n)
        seen.append((shown("facilitator"), shown("display"), shown("participant")))
    # The console follows every rating; everyone else sees 0 until three raters
    # changed, then 3, and the next two wait for a third.
    assert seen == [(1, 0, 0), (2, 0, 0), (3, 3, 3), (4, 3, 3), (5, 3, 3)]
    # One rater changing twice is one change: the step still waits.
    rate(state, "p4", "a", "agree", None, NOW)
    assert shown("display") == 3
    rate(state, "p6", "a", "agree", None, NOW)
    assert view(state, "display", "", NOW)["propositions"][0]["rounds"][0]["counts"] == counts(
        agree=5, disagree=1
    )
    rate(state, "p7", "a", "confused", None, NOW)
    assert shown("display") == 6
    step(state, c.CloseProposition("a"), FACILITATOR, NOW + 1)  # the remainder, at close
    assert shown("display") == shown("participant") == 7

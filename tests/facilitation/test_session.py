"""Session creation and settings, joining, removing participants."""

import math
from collections.abc import Callable
from typing import Any

import pytest

from facilitation import SessionState
from facilitation import commands as c
from facilitation import events as ev
from facilitation.errors import BadRequest
from facilitation.settings import (
    CONSENSUS_SETTINGS,
    SESSION_SETTINGS,
    ConsensusThresholds,
    SessionSettings,
)
from facilitation.state import (
    Participant,
    Proposition,
    Rating,
    RoundState,
    Tally,
)
from facilitation.vocabulary import DEFAULT_GROUPS, LANGUAGES

from .conftest import (
    DISPLAY,
    FACILITATOR,
    GUEST,
    JOIN_CODE,
    NOW,
    OPERATOR,
    hub_actor,
    join,
    off_vocabulary,
    open_,
    person,
    rate,
    refuse,
    session,
    snapshot,
    step,
)

# --- creation ---------------------------------------------------------------


def test_create_session_with_defaults() -> None:
    state = SessionState()
    events = step(state, c.CreateSession("s1", "  Open plenary  ", JOIN_CODE), OPERATOR)
    assert events == [
        ev.SessionCreated(
            "s1", "Open plenary", JOIN_CODE, LANGUAGES, DEFAULT_GROUPS, SessionSettings(), NOW
        )
    ]
    assert state == SessionState(
        session_id="s1",
        title="Open plenary",
        join_code=JOIN_CODE,
        languages=("ar", "zh", "en", "fr", "ru", "es"),
        stakeholder_groups=(
            "government",
            "private_sector",
            "civil_society",
            "technical_community",
            "academia",
            "intergovernmental_organization",
            "other",
        ),
        settings=SessionSettings(),
        created_at=NOW,
        version=1,
    )
    assert state.settings.to_dict() == {
        "results_visibility": "on_reveal",
        "speaking_seconds": 120,
        "queue_policy": "default",
        "min_group_size": 3,
        "intent_seconds": {},
        "consensus": {
            "min_ratings": 12,
            "min_agree_share": 0.70,
            "max_strong_oppose_share": 0.10,
            "max_confused_share": 0.15,
            "min_group_agree_share": 0.5,
            "min_group_ratings": 3,
            "min_opinion_consensus": 0.0,
        },
        "opinions_every": 200,
        "opinions_seconds": 5,
        "time_zone": "UTC",
        "admission": "open",
        "suggestion_follows": "all",
    }


def test_create_session_with_its_own_groups_languages_settings_and_propositions() -> None:
    settings = SessionSettings.from_dict(
        {
            "results_visibility": "live",
            "speaking_seconds": 90,
            "queue_policy": "fifo",
            "consensus": {"min_ratings": 20.0, "min_agree_share": 0.8},
        }
    )
    state = SessionState()
    events = step(
        state,
        c.CreateSession(
            "s2",
            "Hub plenary",
            JOIN_CODE,
            languages=("en", "fr"),
            stakeholder_groups=("youth", "business"),
            settings=settings,
            propositions=(("a", " First ", " Report p. 3 "), ("b", "Second", "   ")),
        ),
        OPERATOR,
    )
    assert events == [
        ev.SessionCreated(
            "s2", "Hub plenary", JOIN_CODE, ("en", "fr"), ("youth", "business"), settings, NOW
        ),
        ev.PropositionAdded("a", "First", "Report p. 3", NOW),
        ev.PropositionAdded("b", "Second", None, NOW),
    ]
    assert state == SessionState(
        session_id="s2",
        title="Hub plenary",
        join_code=JOIN_CODE,
        languages=("en", "fr"),
        stakeholder_groups=("youth", "business"),
        settings=SessionSettings(
            results_visibility="live",
            speaking_seconds=90,
            queue_policy="fifo",
            consensus=ConsensusThresholds(min_ratings=20, min_agree_share=0.8),
        ),
        created_at=NOW,
        version=3,
        propositions={
            "a": Proposition("a", "First", "Report p. 3"),
            "b": Proposition("b", "Second", None),
        },
        order=["a", "b"],
    )
    # A whole number given as 20.0 is kept as the int 20.
    assert type(state.settings.consensus.min_ratings) is int


def test_create_session_refusals() -> None:
    fresh = SessionState()
    refuse(fresh, c.CreateSession("s1", "T", JOIN_CODE), FACILITATOR, "forbidden")
    refuse(fresh, c.CreateSession("s1", "T", JOIN_CODE), GUEST, "forbidden")
    refuse(fresh, lambda: c.CreateSession("s1", "   ", JOIN_CODE), OPERATOR, "bad_request")
    refuse(fresh, lambda: c.CreateSession("s1", "x" * 201, JOIN_CODE), OPERATOR, "too_large")
    refuse(
        fresh, lambda: c.CreateSession("s1", "T", JOIN_CODE, languages=()), OPERATOR, "bad_request"
    )
    refuse(
        fresh,
        lambda: c.CreateSession("s1", "T", JOIN_CODE, languages=("de",)),
        OPERATOR,
        "bad_request",
    )
    bad_groups: list[tuple[tuple[str, ...], str]] = [
        ((), "bad_request"),
        (tuple(f"g{i}" for i in range(31)), "bad_request"),
        (("a", "a"), "bad_request"),
        ((" a",), "bad_request"),
        (("",), "bad_request"),
        (("g" * 61,), "too_large"),
    ]
    for groups, code in bad_groups:
        refuse(fresh, creating_with_groups(groups), OPERATOR, code)
    refuse(
        fresh,
        lambda: c.CreateSession("s1", "T", JOIN_CODE, propositions=(("p", " ", None),)),
        OPERATOR,
        "bad_request",
    )
    refuse(
        fresh,
        lambda: c.CreateSession("s1", "T", JOIN_CODE, propositions=(("p", "x" * 2001, None),)),
        OPERATOR,
        "too_large",
    )
    refuse(
        fresh,
        lambda: c.CreateSession("s1", "T", JOIN_CODE, propositions=(("p", "ok", "s" * 501),)),
        OPERATOR,
        "too_large",
    )
    assert fresh == SessionState()

    created = session()
    refuse(created, c.CreateSession("s1", "Again", JOIN_CODE), OPERATOR, "conflict")


def creating_with_groups(groups: tuple[str, ...]) -> Callable[[], c.Command]:
    return lambda: c.CreateSession("s1", "T", JOIN_CODE, stakeholder_groups=groups)


def test_every_command_but_create_is_not_found_before_the_session_exists() -> None:
    fresh = SessionState()
    refuse(fresh, c.Join("p1", "government", "in_room"), GUEST, "not_found")
    refuse(fresh, c.AddProposition("a", "Text"), FACILITATOR, "not_found")
    refuse(fresh, c.SubmitRating("a", "agree"), person("p1"), "not_found")


# --- settings ---------------------------------------------------------------


def test_settings_tables_match_the_dataclass_defaults() -> None:
    defaults = SessionSettings().to_dict()
    assert [name for name, _, _ in SESSION_SETTINGS] == list(defaults)
    assert {name: default for name, default, _ in SESSION_SETTINGS if name != "consensus"} == {
        k: v for k, v in defaults.items() if k != "consensus"
    }
    assert {name: default for name, default, _ in CONSENSUS_SETTINGS} == defaults["consensus"]


def test_settings_round_trip_through_a_dict() -> None:
    custom = SessionSettings.from_dict(
        {"speaking_seconds": 60, "consensus": {"min_group_ratings": 5, "max_confused_share": 0}}
    )
    assert custom == SessionSettings(
        speaking_seconds=60,
        consensus=ConsensusThresholds(min_group_ratings=5, max_confused_share=0),
    )
    assert SessionSettings.from_dict(custom.to_dict()) == custom
    assert SessionSettings.from_dict(None) == SessionSettings()
    assert SessionSettings.from_dict({}) == SessionSettings()


BAD_SETTINGS: list[Any] = [
    {"colour": "blue"},
    {"consensus": {"min_votes": 3}},
    {"consensus": ["min_ratings"]},
    {"results_visibility": "always"},
    {"queue_policy": "random"},
    {"speaking_seconds": 0},
    {"speaking_seconds": 86401},
    {"speaking_seconds": 90.0},
    {"speaking_seconds": True},
    {"speaking_seconds": "90"},
    {"consensus": {"min_agree_share": 1.5}},
    {"consensus": {"max_confused_share": -0.1}},
    {"consensus": {"min_agree_share": "0.7"}},
    {"consensus": {"min_agree_share": True}},
    {"consensus": {"min_ratings": 12.5}},
    {"consensus": {"min_ratings": -1}},
    {"consensus": {"min_agree_share": math.nan}},
    {"consensus": {"min_ratings": math.nan}},
    {"consensus": {"min_ratings": math.inf}},
    {"consensus": {"min_group_ratings": -math.inf}},
    ["results_visibility"],
]


@pytest.mark.parametrize("raw", BAD_SETTINGS)
def test_invalid_settings_are_bad_requests(raw: Any) -> None:
    fresh = SessionState()
    refuse(
        fresh,
        lambda: c.CreateSession("s1", "T", JOIN_CODE, settings=SessionSettings.from_dict(raw)),
        OPERATOR,
        "bad_request",
    )


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_thresholds_built_directly_refuse_what_is_not_a_finite_number(value: float) -> None:
    with pytest.raises(BadRequest):
        ConsensusThresholds(min_agree_share=value)
    with pytest.raises(BadRequest):
        ConsensusThresholds(min_ratings=value)  # type: ignore[arg-type]


def test_unknown_setting_names_the_known_ones() -> None:
    error = refuse(
        SessionState(),
        lambda: c.CreateSession(
            "s1", "T", JOIN_CODE, settings=SessionSettings.from_dict({"colour": 1})
        ),
        OPERATOR,
        "bad_request",
    )
    assert "colour" in error.message
    assert "speaking_seconds" in error.message


# --- joining ----------------------------------------------------------------


def test_join_adds_a_participant() -> None:
    state = session()
    before = snapshot(state)
    events = step(state, c.Join("p1", "academia", "remote", "  Ana  ", "fr"), GUEST, NOW)
    assert events == [ev.ParticipantJoined("p1", "academia", "remote", "Ana", "fr", NOW)]
    expected = before
    expected.version += 1
    expected.participants["p1"] = Participant(
        "p1", "academia", "remote", "Ana", "fr", NOW, seq=expected.version
    )
    assert state == expected


def test_join_without_name_or_language() -> None:
    state = session(groups=("youth",))
    before = snapshot(state)
    step(state, c.Join("p1", "youth", "in_room", "   "), GUEST, NOW)
    expected = before
    expected.version += 1
    expected.participants["p1"] = Participant(
        "p1", "youth", "in_room", None, None, NOW, seq=expected.version
    )
    assert state == expected


def test_join_refusals() -> None:
    state = session(groups=("youth", "business"))
    join(state, "p1", "youth")
    refuse(state, c.Join("p2", "government", "in_room"), GUEST, "bad_request")
    refuse(state, lambda: c.Join("p2", "youth", off_vocabulary("hub")), GUEST, "bad_request")
    refuse(state, lambda: c.Join("p2", "youth", off_vocabulary("online")), GUEST, "bad_request")
    refuse(state, lambda: c.Join("p2", "youth", "in_room", "n" * 81), GUEST, "too_large")
    refuse(state, lambda: c.Join("p2", "youth", "in_room", language="de"), GUEST, "bad_request")
    refuse(state, c.Join("p1", "business", "remote"), GUEST, "conflict")
    for actor in (FACILITATOR, DISPLAY, OPERATOR, person("p1")):
        refuse(state, c.Join("p2", "youth", "in_room"), actor, "forbidden")


# --- removing participants --------------------------------------------------


def _rated_session() -> SessionState:
    """p1 (government, in room) and p2 (academia, remote) rated a twice-opened proposition."""
    state = session(propositions=("a",))
    join(state, "p1", "government", "in_room", "Ana")
    join(state, "p2", "academia", "remote")
    open_(state, "a", NOW - 30)
    rate(state, "p1", "a", "agree", None, NOW - 20)
    rate(state, "p2", "a", "disagree", "Too vague", NOW - 20)
    step(state, c.CloseProposition("a"), FACILITATOR, NOW - 15)
    open_(state, "a", NOW - 10)
    rate(state, "p1", "a", "strongly_agree", None, NOW - 5)
    step(state, c.RaiseHand("e1", "speak"), person("p1"), NOW - 5)
    step(state, c.RaiseHand("e2", "speak"), person("p2"), NOW - 4)
    return state


def test_remove_participant_keeps_their_ratings_and_drops_their_hand() -> None:
    state = _rated_session()
    before = snapshot(state)
    events = step(state, c.RemoveParticipant("p1"), FACILITATOR, NOW)
    assert events == [ev.ParticipantRemoved("p1", NOW)]
    expected = before
    expected.participants["p1"].removed = True
    expected.participants["p1"].seq = before.version + 1  # the removal's place in the log
    del expected.queue.entries["e1"]
    del expected.queue.by_owner["p:p1"]
    expected.version += 1
    assert state == expected

    # Their later commands are unauthorized; nothing changes.
    refuse(state, c.SubmitRating("a", "neutral"), person("p1"), "unauthorized")
    refuse(state, c.SubmitRating("a", None), person("p1"), "unauthorized")
    refuse(state, c.RaiseHand("e9", "reply"), person("p1"), "unauthorized")
    refuse(state, c.LowerHand(), person("p1"), "unauthorized")
    # Removing again decides nothing and succeeds.
    assert step(state, c.RemoveParticipant("p1"), FACILITATOR) == []
    assert state == expected
    # Joining again under the same id is taken.
    refuse(state, c.Join("p1", "government", "in_room"), GUEST, "conflict")


def test_remove_participant_discarding_ratings_is_an_event_that_untallies_every_round() -> None:
    state = _rated_session()
    before = snapshot(state)
    events = step(state, c.RemoveParticipant("p1", discard_ratings=True), FACILITATOR, NOW)
    assert events == [ev.ParticipantRemoved("p1", NOW), ev.RatingsDiscarded("p1", NOW)]
    expected = before
    expected.participants["p1"].removed = True
    expected.participants["p1"].seq = before.version + 1  # the removal's place in the log
    del expected.queue.entries["e1"]
    del expected.queue.by_owner["p:p1"]
    round1, round2 = expected.propositions["a"].rounds
    assert round1.ratings.pop("p1") == Rating(1, None, "government", "in_room", NOW - 20)
    round1.tally = Tally(
        counts=[0, 0, 0, 1, 0, 0],
        by_group={"government": [0] * 6, "academia": [0, 0, 0, 1, 0, 0]},
        by_channel={"in_room": [0] * 6, "remote": [0, 0, 0, 1, 0, 0]},
    )
    # Discarding is a change like any other: published once enough raters changed.
    round1.unpublished = {"p1"}
    assert round2.ratings.pop("p1") == Rating(0, None, "government", "in_room", NOW - 5)
    round2.tally = Tally(
        counts=[0] * 6, by_group={"government": [0] * 6}, by_channel={"in_room": [0] * 6}
    )
    expected.version += 2
    assert state == expected


def test_discarding_for_a_removed_participant_and_with_nothing_to_discard() -> None:
    state = _rated_session()
    step(state, c.RemoveParticipant("p2"), FACILITATOR, NOW)
    before = snapshot(state)
    assert step(state, c.RemoveParticipant("p2", True), FACILITATOR, NOW + 1) == [
        ev.RatingsDiscarded("p2", NOW + 1)
    ]
    expected = before
    round1 = expected.propositions["a"].rounds[0]
    del round1.ratings["p2"]
    round1.tally = Tally(
        counts=[0, 1, 0, 0, 0, 0],
        by_group={"government": [0, 1, 0, 0, 0, 0], "academia": [0] * 6},
        by_channel={"in_room": [0, 1, 0, 0, 0, 0], "remote": [0] * 6},
    )
    round1.unpublished = {"p2"}
    expected.version += 1
    assert state == expected

    join(state, "p3", "academia")
    assert step(state, c.RemoveParticipant("p3", True), FACILITATOR, NOW) == [
        ev.ParticipantRemoved("p3", NOW)
    ]


def test_remove_participant_refusals() -> None:
    state = _rated_session()
    refuse(state, c.RemoveParticipant("nobody"), FACILITATOR, "not_found")
    for actor in (person("p2"), DISPLAY, GUEST, OPERATOR, hub_actor("h1")):
        refuse(state, c.RemoveParticipant("p1"), actor, "forbidden")


def test_each_round_keeps_its_own_ratings_and_tally() -> None:
    state = _rated_session()
    first, second = state.propositions["a"].rounds
    first_tally = Tally(
        counts=[0, 1, 0, 1, 0, 0],
        by_group={"government": [0, 1, 0, 0, 0, 0], "academia": [0, 0, 0, 1, 0, 0]},
        by_channel={"in_room": [0, 1, 0, 0, 0, 0], "remote": [0, 0, 0, 1, 0, 0]},
    )
    assert first == RoundState(
        number=1,
        opened_at=NOW - 30,
        closed_at=NOW - 15,
        ratings={
            "p1": Rating(1, None, "government", "in_room", NOW - 20),
            "p2": Rating(3, "Too vague", "academia", "remote", NOW - 20),
        },
        tally=first_tally,
        published=first_tally,  # closing published the remainder
    )
    assert second == RoundState(
        number=2,
        opened_at=NOW - 10,
        ratings={"p1": Rating(0, None, "government", "in_room", NOW - 5)},
        tally=Tally(
            counts=[1, 0, 0, 0, 0, 0],
            by_group={"government": [1, 0, 0, 0, 0, 0]},
            by_channel={"in_room": [1, 0, 0, 0, 0, 0]},
        ),
        unpublished={"p1"},
    )

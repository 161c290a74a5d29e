"""Ratings on the Idea Rating Sheet scale: submit, replace, withdraw, comments, rounds."""

import pytest

from facilitation import SessionState
from facilitation import commands as c
from facilitation import events as ev
from facilitation.state import Rating, Tally
from facilitation.vocabulary import SCALE

from .conftest import (
    DISPLAY,
    FACILITATOR,
    NOW,
    hub_actor,
    invite,
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


def one_hot(index: int) -> list[int]:
    return [1 if i == index else 0 for i in range(6)]


def _open_session() -> SessionState:
    state = session(propositions=("a", "b"))
    join(state, "p1", "civil_society", "remote")
    join(state, "p2", "government", "in_room")
    open_(state, "a")
    return state


@pytest.mark.parametrize("index", range(6))
def test_each_of_the_six_values_is_tallied(index: int) -> None:
    state = _open_session()
    before = snapshot(state)
    events = step(state, c.SubmitRating("a", SCALE[index]), person("p1"))
    assert events == [ev.RatingSubmitted("a", 1, "p1", SCALE[index], None, NOW)]
    expected = before
    round_ = expected.propositions["a"].rounds[0]
    round_.ratings["p1"] = Rating(index, None, "civil_society", "remote", NOW)
    round_.tally = Tally(
        one_hot(index), {"civil_society": one_hot(index)}, {"remote": one_hot(index)}
    )
    round_.unpublished = {"p1"}  # one rater: not yet a published step
    expected.version += 1
    assert state == expected


def test_the_latest_rating_counts_and_replaces_the_comment() -> None:
    state = _open_session()
    rate(state, "p1", "a", "disagree", "Too vague", NOW)
    rate(state, "p2", "a", "agree", None, NOW)
    before = snapshot(state)
    events = step(state, c.SubmitRating("a", "agree", "  Now clear  "), person("p1"), NOW + 5)
    assert events == [ev.RatingSubmitted("a", 1, "p1", "agree", "Now clear", NOW + 5)]
    expected = before
    round_ = expected.propositions["a"].rounds[0]
    round_.ratings["p1"] = Rating(1, "Now clear", "civil_society", "remote", NOW + 5)
    round_.tally = Tally(
        [0, 2, 0, 0, 0, 0],
        {"civil_society": [0, 1, 0, 0, 0, 0], "government": [0, 1, 0, 0, 0, 0]},
        {"remote": [0, 1, 0, 0, 0, 0], "in_room": [0, 1, 0, 0, 0, 0]},
    )
    expected.version += 1
    assert state == expected


def test_withdraw_with_none() -> None:
    state = _open_session()
    rate(state, "p1", "a", "confused", "What is meant by 'open'?")
    before = snapshot(state)
    # A comment sent with a withdrawal is dropped.
    events = step(state, c.SubmitRating("a", None, "ignored"), person("p1"), NOW + 1)
    assert events == [ev.RatingSubmitted("a", 1, "p1", None, None, NOW + 1)]
    expected = before
    round_ = expected.propositions["a"].rounds[0]
    round_.ratings = {}
    round_.tally = Tally([0] * 6, {"civil_society": [0] * 6}, {"remote": [0] * 6})
    expected.version += 1
    assert state == expected

    # Withdrawing what one never gave (or withdrew) decides nothing.
    assert step(state, c.SubmitRating("a", None), person("p1")) == []
    assert step(state, c.SubmitRating("a", None), person("p2")) == []
    assert state == expected


def test_comments_up_to_a_thousand_characters() -> None:
    state = _open_session()
    rate(state, "p1", "a", "disagree", "x" * 1000)
    assert state.propositions["a"].rounds[0].ratings["p1"].comment == "x" * 1000
    rate(state, "p1", "a", "disagree", "   ")
    assert state.propositions["a"].rounds[0].ratings["p1"].comment is None
    # Surrounding spaces do not count towards the limit.
    rate(state, "p1", "a", "disagree", "  " + "y" * 1000 + "  ")
    assert state.propositions["a"].rounds[0].ratings["p1"].comment == "y" * 1000
    error = refuse(
        state, lambda: c.SubmitRating("a", "agree", "z" * 1001), person("p1"), "too_large"
    )
    assert "1000" in error.message


def test_rating_refusals() -> None:
    state = _open_session()
    invite(state, "h1")
    step(state, c.OpenProposition("b"), FACILITATOR)
    step(state, c.CloseProposition("b"), FACILITATOR)
    step(state, c.AddProposition("draft", "Not yet"), FACILITATOR)
    refuse(state, c.SubmitRating("b", "agree"), person("p1"), "closed")
    refuse(state, c.SubmitRating("b", None), person("p1"), "closed")
    refuse(state, c.SubmitRating("draft", "agree"), person("p1"), "closed")
    refuse(state, c.SubmitRating("z", "agree"), person("p1"), "not_found")
    refuse(state, c.SubmitRating("a", "agree"), person("stranger"), "unauthorized")
    refuse(
        state,
        lambda: c.SubmitRating("a", off_vocabulary("very_agree")),
        person("p1"),
        "bad_request",
    )
    refuse(state, lambda: c.SubmitRating("a", off_vocabulary("Agree")), person("p1"), "bad_request")
    for actor in (FACILITATOR, DISPLAY, hub_actor("h1")):
        refuse(state, c.SubmitRating("a", "agree"), actor, "forbidden")


def test_rounds_are_kept_apart() -> None:
    state = _open_session()
    rate(state, "p1", "a", "disagree", "Unclear")
    rate(state, "p2", "a", "neutral")
    step(state, c.CloseProposition("a"), FACILITATOR, NOW + 10)
    first = snapshot(state).propositions["a"].rounds[0]
    open_(state, "a", NOW + 20)
    before = snapshot(state)
    assert step(state, c.SubmitRating("a", "agree"), person("p1"), NOW + 30) == [
        ev.RatingSubmitted("a", 2, "p1", "agree", None, NOW + 30)
    ]
    expected = before
    second = expected.propositions["a"].rounds[1]
    second.ratings["p1"] = Rating(1, None, "civil_society", "remote", NOW + 30)
    second.tally = Tally(one_hot(1), {"civil_society": one_hot(1)}, {"remote": one_hot(1)})
    second.unpublished = {"p1"}
    expected.version += 1
    assert state == expected
    assert state.propositions["a"].rounds[0] == first
    # Withdrawing in round 2 leaves round 1 alone.
    rate(state, "p2", "a", None)
    assert step(state, c.SubmitRating("a", None), person("p2")) == []
    rate(state, "p1", "a", None)
    assert state.propositions["a"].rounds[0] == first

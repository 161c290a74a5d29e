"""The operator closes, archives and reopens a session: a closed one takes no ratings."""

from facilitation import commands as c
from facilitation import events as ev

from .conftest import (
    FACILITATOR,
    GUEST,
    NOW,
    OPERATOR,
    join,
    open_,
    person,
    rate,
    refuse,
    session,
    step,
)


def test_a_closed_session_refuses_ratings_joins_hands_and_openings() -> None:
    state = session(propositions=("a", "b"))
    amina = join(state, "p1")
    open_(state, "a")
    assert step(state, c.SetSessionStatus("closed"), OPERATOR) == [
        ev.SessionStatusChanged("closed", NOW)
    ]
    assert state.status == "closed"
    error = refuse(state, c.SubmitRating("a", "agree"), amina, "closed")
    assert "closed" in error.message
    refuse(state, c.Join("p2", "government", "in_room"), GUEST, "closed")
    refuse(state, c.RaiseHand("e1", "speak"), amina, "closed")
    refuse(state, c.OpenProposition("b"), FACILITATOR, "closed")
    # The chair's record goes on: closing the round and marking it.
    step(state, c.CloseProposition("a"), FACILITATOR)
    step(state, c.MarkConsensus("a", "no_consensus"), FACILITATOR)
    assert step(state, c.SetSessionStatus("closed"), OPERATOR) == []  # already so


def test_archived_then_reopened_takes_ratings_again() -> None:
    state = session(propositions=("a",))
    join(state, "p1")
    open_(state, "a")
    step(state, c.SetSessionStatus("archived"), OPERATOR)
    refuse(state, c.SubmitRating("a", "agree"), person("p1"), "closed")
    step(state, c.SetSessionStatus("open"), OPERATOR)
    rate(state, "p1", "a", "agree")
    assert state.propositions["a"].rounds[-1].tally.counts[1] == 1  # one "agree"


def test_only_the_operator_sets_the_state_and_only_to_a_known_one() -> None:
    state = session()
    refuse(state, c.SetSessionStatus("closed"), FACILITATOR, "forbidden")
    refuse(state, lambda: c.SetSessionStatus("finished"), OPERATOR, "bad_request")  # type: ignore[arg-type]

"""Remote hubs: invitation, counts per round, attendance, token rotation."""

from facilitation import SessionState
from facilitation import commands as c
from facilitation import events as ev
from facilitation.state import Hub, HubCounts, Rating, Tally

from .conftest import (
    DISPLAY,
    FACILITATOR,
    GUEST,
    NOW,
    hub_actor,
    invite,
    join,
    open_,
    person,
    rate,
    refuse,
    session,
    snapshot,
    step,
)

H1 = hub_actor("h1")


def test_invite_hub() -> None:
    state = session()
    before = snapshot(state)
    assert step(state, c.InviteHub("h1", "  Nairobi  ", 35), FACILITATOR) == [
        ev.HubInvited("h1", "Nairobi", 35, NOW)
    ]
    expected = before
    expected.hubs["h1"] = Hub("h1", "Nairobi", 35, NOW)
    expected.version += 1
    assert state == expected


def test_invite_hub_refusals() -> None:
    state = session()
    join(state, "p1")
    invite(state, "h1")
    refuse(state, c.InviteHub("h1", "Again", 10), FACILITATOR, "conflict")
    refuse(state, lambda: c.InviteHub("h2", "Dakar", 0), FACILITATOR, "bad_request")
    refuse(state, lambda: c.InviteHub("h2", "Dakar", 100_001), FACILITATOR, "bad_request")
    refuse(state, lambda: c.InviteHub("h2", "Dakar", 10.0), FACILITATOR, "bad_request")  # type: ignore[arg-type]
    refuse(state, lambda: c.InviteHub("h2", "  ", 10), FACILITATOR, "bad_request")
    refuse(state, lambda: c.InviteHub("h2", "n" * 81, 10), FACILITATOR, "too_large")
    for actor in (person("p1"), H1, DISPLAY, GUEST):
        refuse(state, c.InviteHub("h2", "Dakar", 10), actor, "forbidden")


def _hub_session() -> SessionState:
    state = session(propositions=("a", "b"))
    invite(state, "h1", attendance=20)
    join(state, "p1", "government", "in_room")
    open_(state, "a")
    return state


def test_hub_counts_without_groups_count_under_other() -> None:
    state = _hub_session()
    rate(state, "p1", "a", "agree")
    before = snapshot(state)
    events = step(state, c.HubTally("a", {"agree": 5, "disagree": 2, "confused": 0}), H1, NOW + 1)
    # Zero counts are left out of the event.
    assert events == [ev.HubTallied("h1", "a", 1, {"agree": 5, "disagree": 2}, None, NOW + 1)]
    expected = before
    round_ = expected.propositions["a"].rounds[0]
    round_.hub_counts["h1"] = HubCounts([0, 5, 0, 2, 0, 0], {"other": [0, 5, 0, 2, 0, 0]})
    round_.tally = Tally(
        [0, 6, 0, 2, 0, 0],
        {"government": [0, 1, 0, 0, 0, 0], "other": [0, 5, 0, 2, 0, 0]},
        {"in_room": [0, 1, 0, 0, 0, 0], "hub": [0, 5, 0, 2, 0, 0]},
    )
    round_.unpublished = {"p1", "hub:h1"}  # a hub is one rater towards a published step
    expected.version += 1
    assert state == expected


def test_hub_counts_replace_the_hubs_earlier_counts_and_may_split_by_group() -> None:
    state = _hub_session()
    rate(state, "p1", "a", "agree")
    step(state, c.HubTally("a", {"agree": 5, "disagree": 2}), H1)
    before = snapshot(state)
    by_group = {
        "government": {"strongly_agree": 3, "agree": 0},
        "academia": {"strongly_agree": 1, "neutral": 4},
    }
    events = step(
        state, c.HubTally("a", {"strongly_agree": 4, "neutral": 4}, by_group), H1, NOW + 2
    )
    assert events == [
        ev.HubTallied(
            "h1",
            "a",
            1,
            {"strongly_agree": 4, "neutral": 4},
            {"government": {"strongly_agree": 3}, "academia": {"strongly_agree": 1, "neutral": 4}},
            NOW + 2,
        )
    ]
    expected = before
    round_ = expected.propositions["a"].rounds[0]
    round_.hub_counts["h1"] = HubCounts(
        [4, 0, 4, 0, 0, 0], {"government": [3, 0, 0, 0, 0, 0], "academia": [1, 0, 4, 0, 0, 0]}
    )
    round_.tally = Tally(
        [4, 1, 4, 0, 0, 0],
        {
            "government": [3, 1, 0, 0, 0, 0],
            "other": [0] * 6,
            "academia": [1, 0, 4, 0, 0, 0],
        },
        {"in_room": [0, 1, 0, 0, 0, 0], "hub": [4, 0, 4, 0, 0, 0]},
    )
    expected.version += 1
    assert state == expected


def test_two_hubs_add_up_and_rounds_are_apart() -> None:
    state = _hub_session()
    invite(state, "h2", attendance=3)
    step(state, c.HubTally("a", {"agree": 4}), H1)
    step(state, c.HubTally("a", {"agree": 3}), hub_actor("h2"))
    assert state.propositions["a"].rounds[0].tally == Tally(
        [0, 7, 0, 0, 0, 0], {"other": [0, 7, 0, 0, 0, 0]}, {"hub": [0, 7, 0, 0, 0, 0]}
    )
    step(state, c.CloseProposition("a"), FACILITATOR)
    open_(state, "a")
    step(state, c.HubTally("a", {"disagree": 1}), hub_actor("h2"))
    first, second = state.propositions["a"].rounds
    assert first.tally.counts == [0, 7, 0, 0, 0, 0]
    assert second.hub_counts == {"h2": HubCounts([0, 0, 0, 1, 0, 0], {"other": one(3)})}
    assert second.tally == Tally(one(3), {"other": one(3)}, {"hub": one(3)})


def one(index: int) -> list[int]:
    return [1 if i == index else 0 for i in range(6)]


def test_hub_tally_refusals() -> None:
    state = _hub_session()
    error = refuse(state, c.HubTally("a", {"agree": 15, "disagree": 6}), H1, "bad_request")
    assert "20" in error.message  # the attendance, so the moderator can act
    # Exactly the attendance is fine.
    step(state, c.HubTally("a", {"agree": 14, "disagree": 6}), H1)
    refuse(state, c.HubTally("b", {"agree": 1}), H1, "closed")
    refuse(state, c.HubTally("z", {"agree": 1}), H1, "not_found")
    refuse(state, c.HubTally("a", {"agree": 1}), hub_actor("h9"), "unauthorized")
    refuse(state, lambda: c.HubTally("a", {"yes": 1}), H1, "bad_request")
    refuse(state, lambda: c.HubTally("a", {"agree": -1}), H1, "bad_request")
    refuse(state, lambda: c.HubTally("a", {"agree": True}), H1, "bad_request")
    refuse(
        state, lambda: c.HubTally("a", {"agree": 2}, {"academia": {"agree": 1}}), H1, "bad_request"
    )
    refuse(state, c.HubTally("a", {"agree": 2}, {"martians": {"agree": 2}}), H1, "bad_request")
    for actor in (FACILITATOR, DISPLAY, person("p1")):
        refuse(state, c.HubTally("a", {"agree": 1}), actor, "forbidden")
    step(state, c.CloseProposition("a"), FACILITATOR)
    refuse(state, c.HubTally("a", {"agree": 1}), H1, "closed")


def test_update_attendance() -> None:
    state = _hub_session()
    step(state, c.HubTally("a", {"agree": 12}), H1)
    before = snapshot(state)
    assert step(state, c.UpdateHub("h1", 12), FACILITATOR) == [ev.HubUpdated("h1", 12, NOW)]
    expected = before
    expected.hubs["h1"].attendance = 12
    expected.version += 1
    assert state == expected
    # Below what the hub counted on an open proposition: refused.
    refuse(state, c.UpdateHub("h1", 11), FACILITATOR, "bad_request")
    refuse(state, c.HubTally("a", {"agree": 13}), H1, "bad_request")
    # Once the proposition is closed the room may empty.
    step(state, c.CloseProposition("a"), FACILITATOR)
    step(state, c.UpdateHub("h1", 2), FACILITATOR)
    assert state.hubs["h1"] == Hub("h1", "Nairobi hub", 2, NOW - 40)
    refuse(state, c.UpdateHub("h9", 5), FACILITATOR, "not_found")
    refuse(state, lambda: c.UpdateHub("h1", 0), FACILITATOR, "bad_request")
    for actor in (H1, DISPLAY, person("p1")):
        refuse(state, c.UpdateHub("h1", 5), actor, "forbidden")


def test_rotate_hub_token_moves_the_epoch() -> None:
    state = _hub_session()
    before = snapshot(state)
    assert step(state, c.RotateHubToken("h1"), FACILITATOR) == [ev.HubTokenRotated("h1", 1, NOW)]
    assert step(state, c.RotateHubToken("h1"), FACILITATOR) == [ev.HubTokenRotated("h1", 2, NOW)]
    expected = before
    expected.hubs["h1"].epoch = 2
    expected.version += 2
    assert state == expected
    refuse(state, c.RotateHubToken("h9"), FACILITATOR, "not_found")
    refuse(state, c.RotateHubToken("h1"), H1, "forbidden")


def test_hub_counts_do_not_touch_participant_ratings() -> None:
    state = _hub_session()
    rate(state, "p1", "a", "agree")
    step(state, c.HubTally("a", {"agree": 3}), H1)
    assert state.propositions["a"].rounds[0].ratings == {
        "p1": Rating(1, None, "government", "in_room", NOW)
    }


def test_a_session_without_other_still_takes_hub_counts_under_other() -> None:
    state = session(groups=("government", "academia"), propositions=("a",))
    invite(state, "h1", attendance=20)
    open_(state, "a")
    step(state, c.HubTally("a", {"agree": 4}), H1)
    assert state.propositions["a"].rounds[0].tally.by_group == {"other": [0, 4, 0, 0, 0, 0]}
    # Naming `other` explicitly is then consistent with leaving the split out.
    step(
        state, c.HubTally("a", {"agree": 4}, {"other": {"agree": 3}, "academia": {"agree": 1}}), H1
    )
    assert state.propositions["a"].rounds[0].tally.by_group == {
        "other": [0, 3, 0, 0, 0, 0],
        "academia": [0, 1, 0, 0, 0, 0],
    }

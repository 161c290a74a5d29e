"""The wire mapping, entry by entry: a payload builds exactly the domain command.

Every registry entry needs a sample here (a test fails naming the one
without), so changing how a builder maps its payload — a position ignored,
off by one, a field dropped — fails without a browser or a server.
"""

from dataclasses import fields, replace
from typing import Any

import pytest

from facilitation import commands as c
from server.errors import ApiError
from server.registry import COMMANDS, LOCAL
from server.wire import parse

by_group = {"academia": {"agree": 2}, "other": {"agree": 1, "confused": 1}}
SAMPLES: dict[str, tuple[dict[str, Any], c.Command]] = {
    "rating:submit": (
        {"proposition_id": "p1", "value": "agree", "comment": "Why"},
        c.SubmitRating("p1", "agree", "Why"),
    ),
    "hand:raise": (
        {"intent": "reply", "proposition_id": "p2"},
        c.RaiseHand("*", "reply", "p2"),
    ),
    "hand:lower": ({}, c.LowerHand()),
    "hub:tally": (
        {"proposition_id": "p1", "counts": {"agree": 3, "confused": 1}, "by_group": by_group},
        c.HubTally("p1", {"agree": 3, "confused": 1}, by_group),
    ),
    "hub:speaker": (
        {"name": "Omar", "stakeholder_group": "academia", "intent": "clarify"},
        c.HubSpeaker("*", "Omar", "academia", "clarify"),
    ),
    "proposition:add": (
        {"text": "Keep it open", "source": "§3"},
        c.AddProposition("*", "Keep it open", "§3"),
    ),
    "proposition:move": ({"proposition_id": "p1", "position": 3}, c.MoveProposition("p1", 3)),
    "proposition:open": ({"proposition_id": "p1"}, c.OpenProposition("p1")),
    "proposition:close": ({"proposition_id": "p1"}, c.CloseProposition("p1")),
    "results:reveal": ({"proposition_id": "p1", "visible": False}, c.RevealResults("p1", False)),
    "queue:next": ({}, c.QueueNext()),
    "queue:yield": ({}, c.YieldFloor()),
    "queue:close": ({"closed": True}, c.CloseQueue(True)),
    "display:show": (
        {"mode": "proposition", "proposition_id": "p1"},
        c.ShowOnDisplay("proposition", "p1"),
    ),
    "queue:move": ({"entry_id": "e7", "position": 4}, c.QueueMove("e7", 4)),
    "queue:remove": ({"entry_id": "e7"}, c.QueueRemove("e7")),
    "timer:set": ({"action": "start", "seconds": 45}, c.SetTimer("start", 45)),
    "consensus:mark": (
        {"proposition_id": "p1", "status": "needs_revision", "note": "Redraft"},
        c.MarkConsensus("p1", "needs_revision", "Redraft"),
    ),
    "hub:invite": ({"name": "Lima hub", "attendance": 30}, c.InviteHub("*", "Lima hub", 30)),
    "hub:update": ({"hub_id": "h1", "attendance": 12}, c.UpdateHub("h1", 12)),
    "hub:rotate": ({"hub_id": "h1"}, c.RotateHubToken("h1")),
    "links:rotate": ({"role": "display"}, c.RotateLinks("display")),
    "participant:remove": (
        {"participant_id": "x1", "discard_ratings": True},
        c.RemoveParticipant("x1", True),
    ),
    "proposition:edit": (
        {"proposition_id": "p1", "text": "Keep it free", "source": "", "new_round": True},
        c.EditProposition("p1", "Keep it free", "", True),
    ),
    "proposition:withdraw": ({"proposition_id": "p1"}, c.WithdrawProposition("p1")),
    "proposition:undo_close": ({"proposition_id": "p1"}, c.UndoClose("p1")),
    "amendment:propose": (
        {"proposition_id": "p1", "text": "Keep it free", "why": "Shorter"},
        c.ProposeAmendment("*", "p1", "Keep it free", "Shorter"),
    ),
    "amendment:accept": (
        {"amendment_id": "a1", "text": "Keep it", "note": "Edited", "new_round": True},
        c.AcceptAmendment("a1", "Keep it", "Edited", True),
    ),
    "amendment:decline": (
        {"amendment_id": "a1", "note": "Out of scope"},
        c.DeclineAmendment("a1", "Out of scope"),
    ),
    "proposition:translate": (
        {"proposition_id": "p1", "language": "fr", "text": "Le garder"},
        c.TranslateProposition("p1", "fr", "Le garder"),
    ),
    "window:set": (
        {"proposition_id": "p1", "opens_at": "2026-12-03T09:00", "closes_at": "2026-12-04T09:00"},
        c.SetWindow("*", "p1", "2026-12-03T09:00", "2026-12-04T09:00"),
    ),
    "window:cancel": ({"window_id": "w1"}, c.CancelWindow("w1")),
    "outcome:publish": ({"note": "Thanks"}, c.PublishOutcome("Thanks")),
    "outcome:unpublish": ({}, c.UnpublishOutcome()),
    "registrant:remove": ({"registrant_id": "r9"}, c.RemoveRegistrant("r9")),
    "admission:set": (
        {"admission": "both", "suggestion_follows": "registered"},
        c.SetAdmission("both", "registered"),
    ),
}
# chosen by the server: compared as "*"
NEW_IDS = ("entry_id", "proposition_id", "hub_id", "window_id", "amendment_id")


def built(name: str, payload: dict[str, Any]) -> c.Command:
    entry = COMMANDS[name]
    command = entry.build(parse(entry.payload, payload))
    assert isinstance(command, entry.command)
    fresh = {
        f.name: "*"
        for f in fields(command)
        if f.name in NEW_IDS and getattr(command, f.name) not in str(payload)
    }
    result: c.Command = replace(command, **fresh)
    return result


def test_every_entry_has_a_sample() -> None:
    assert set(SAMPLES) == set(COMMANDS), "add a sample for each new registry entry"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_payload_builds_exactly_its_command(name: str) -> None:
    payload, expected = SAMPLES[name]
    assert built(name, payload) == expected


@pytest.mark.parametrize("name", sorted([*COMMANDS, *LOCAL]))
def test_unknown_fields_are_refused(name: str) -> None:
    entry = COMMANDS.get(name) or LOCAL[name]
    valid = SAMPLES[name][0] if name in SAMPLES else {}
    with pytest.raises(ApiError, match="extra_field"):
        parse(entry.payload, {**valid, "extra_field": 1})


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"proposition_id": "p1", "value": "agree", "comment": "\ud800"}, "lone surrogate"),
        ({"proposition_id": "\udfff", "value": "agree"}, "lone surrogate"),
        (
            {"proposition_id": "p1", "value": "agree", "comment": [[[[[[[[[["deep"]]]]]]]]]]},
            "nested",
        ),
        ({"proposition_id": "p1", "value": "agree", "comment": 10**30}, "out of range"),
        ({"proposition_id": "p1", "value": "agree", "comment": float("inf")}, "out of range"),
    ],
)
def test_malformed_text_nesting_and_numbers_are_bad_requests(
    payload: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ApiError, match=reason) as refused:
        parse(COMMANDS["rating:submit"].payload, payload)
    assert refused.value.code == "bad_request"


def test_roles_come_from_the_domain_rules() -> None:
    assert COMMANDS["rating:submit"].roles == {"participant"}
    assert COMMANDS["hub:tally"].roles == {"hub"}
    assert COMMANDS["queue:next"].roles == {"facilitator"}
    assert COMMANDS["hub:invite"].ack_fields == ("hub_id", "token", "url")

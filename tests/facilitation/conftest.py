"""Small builders for the domain tests: actors, a decide+apply step, refusals.

The tests build the state they need through the core's own commands (never by
poking at fields), then compare the whole resulting state with an expected
one: a deep copy of the state before, changed by hand where the command
should have changed it.
"""

import copy
from collections.abc import Callable
from typing import Any, Final

import pytest

from facilitation import Actor, FacilitationError, SessionState, apply, decide
from facilitation import commands as c
from facilitation import errors as err
from facilitation import events as ev
from facilitation.settings import SessionSettings
from facilitation.vocabulary import DEFAULT_GROUPS, ParticipantChannel, Value

NOW: Final = 1_700_000_000.0
SESSION_ID: Final = "s1"
JOIN_CODE: Final = "JKMNPQRS"

OPERATOR: Final = Actor("operator")
GUEST: Final = Actor("guest")
FACILITATOR: Final = Actor("facilitator")
DISPLAY: Final = Actor("display")

ERRORS: Final[dict[str, type[FacilitationError]]] = {
    "bad_request": err.BadRequest,
    "unauthorized": err.Unauthorized,
    "forbidden": err.Forbidden,
    "not_found": err.NotFound,
    "conflict": err.Conflict,
    "closed": err.Closed,
    "too_large": err.TooLarge,
}


def person(participant_id: str) -> Actor:
    return Actor("participant", participant_id)


def hub_actor(hub_id: str) -> Actor:
    return Actor("hub", hub_id)


def step(state: SessionState, command: c.Command, actor: Actor, now: float = NOW) -> list[ev.Event]:
    """Decide `command` and apply what it decided; return the events."""
    events = decide(state, command, actor, now)
    for event in events:
        apply(state, event)
    return events


def refuse(
    state: SessionState,
    command: c.Command | Callable[[], c.Command],
    actor: Actor,
    code: str,
    now: float = NOW,
) -> FacilitationError:
    """Assert that the command is refused with `code` and that nothing changed.

    `command` may be a function building it, for commands whose constructor
    refuses them already.
    """
    before = copy.deepcopy(state)
    with pytest.raises(FacilitationError) as caught:
        decide(state, command() if callable(command) else command, actor, now)
    assert type(caught.value) is ERRORS[code]
    assert caught.value.code == code
    assert caught.value.message
    assert state == before
    return caught.value


def session(
    *,
    groups: tuple[str, ...] | None = None,
    settings: dict[str, object] | None = None,
    propositions: tuple[str, ...] = (),
) -> SessionState:
    """A created session; propositions named by id get the text 'Text of <id>'."""
    state = SessionState()
    create = c.CreateSession(
        SESSION_ID,
        "Plenary",
        JOIN_CODE,
        stakeholder_groups=DEFAULT_GROUPS if groups is None else groups,
        settings=SessionSettings.from_dict(settings),
        propositions=tuple((pid, f"Text of {pid}", None) for pid in propositions),
    )
    step(state, create, OPERATOR, NOW - 100)
    return state


def join(
    state: SessionState,
    participant_id: str,
    group: str = "government",
    channel: ParticipantChannel = "in_room",
    name: str | None = None,
    now: float = NOW - 50,
) -> Actor:
    step(state, c.Join(participant_id, group, channel, name), GUEST, now)
    return person(participant_id)


def invite(
    state: SessionState, hub_id: str, attendance: int = 40, name: str = "Nairobi hub"
) -> Actor:
    step(state, c.InviteHub(hub_id, name, attendance), FACILITATOR, NOW - 40)
    return hub_actor(hub_id)


def open_(state: SessionState, proposition_id: str, now: float = NOW - 30) -> None:
    step(state, c.OpenProposition(proposition_id), FACILITATOR, now)


def rate(
    state: SessionState,
    participant_id: str,
    proposition_id: str,
    value: Value | None,
    comment: str | None = None,
    now: float = NOW,
) -> None:
    step(state, c.SubmitRating(proposition_id, value, comment), person(participant_id), now)


def off_vocabulary(value: str) -> Any:
    """A value outside the typed vocabulary, as a malformed payload would carry it."""
    return value


def snapshot(state: SessionState) -> SessionState:
    return copy.deepcopy(state)

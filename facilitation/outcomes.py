"""What an accepted command answers besides `ok` (docs/protocol.md, "Commands").

Each function reads the state after the command's events were applied; the
rules of `decide.RULES` name which one a command uses.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from . import commands as c
from .actor import Actor
from .queue import position
from .state import SessionState
from .translation_file import read
from .views import queue

C = TypeVar("C", bound=c.Command, contravariant=True)
Fields = dict[str, Any]
Outcome = Callable[[SessionState, C, Actor], Fields]

# The ack fields each outcome adds, for the generated docs and client types.
FIELDS: dict[str, tuple[str, ...]] = {}


F = TypeVar("F", bound=Callable[..., Fields])


def _fields(*names: str) -> Callable[[F], F]:
    def record(function: F) -> F:
        FIELDS[function.__name__] = names
        return function

    return record


@_fields()
def nothing(_: SessionState, __: c.Command, ___: Actor) -> Fields:
    return {}


@_fields("round")
def round_of(
    state: SessionState,
    command: c.SubmitRating | c.HubTally | c.OpenProposition | c.UndoClose,
    _: Actor,
) -> Fields:
    return {"round": state.propositions[command.proposition_id].round}


def _entry(state: SessionState, owner: str) -> Fields:
    entry_id = state.queue.by_owner[owner]
    return {
        "entry_id": entry_id,
        "position": position(state.queue, entry_id, state.settings.queue_policy),
    }


@_fields("entry_id", "position")
def own_entry(state: SessionState, _: c.RaiseHand, actor: Actor) -> Fields:
    return _entry(state, "p:" + actor.subject)


@_fields("entry_id", "position")
def hub_entry(state: SessionState, command: c.HubSpeaker, actor: Actor) -> Fields:
    return _entry(state, f"h:{actor.subject}:{command.name.strip()}")


@_fields("proposition_id")
def proposition_id(_: SessionState, command: c.AddProposition, __: Actor) -> Fields:
    return {"proposition_id": command.proposition_id}


@_fields("current")
def current_speaker(state: SessionState, _: c.QueueNext, __: Actor) -> Fields:
    return {"current": queue(state)["current"]}


@_fields("role")
def link_role(_: SessionState, command: c.RotateLinks, __: Actor) -> Fields:
    return {"role": command.role}


@_fields("hub_id")
def hub_id(_: SessionState, command: c.InviteHub, __: Actor) -> Fields:
    return {"hub_id": command.hub_id}


@_fields("participant_id")
def participant_id(_: SessionState, command: c.Join, __: Actor) -> Fields:
    return {"participant_id": command.participant_id}


@_fields("session_id")
def session_id(_: SessionState, command: c.CreateSession, __: Actor) -> Fields:
    return {"session_id": command.session_id}


@_fields("revision", "round")
def revision_of(state: SessionState, command: c.EditProposition, _: Actor) -> Fields:
    proposition = state.propositions[command.proposition_id]
    return {"revision": proposition.revision, "round": proposition.round}


@_fields("amendment_id")
def amendment_id(_: SessionState, command: c.ProposeAmendment, __: Actor) -> Fields:
    return {"amendment_id": command.amendment_id}


@_fields("proposition_id", "revision", "round")
def amendment_revision(state: SessionState, command: c.AcceptAmendment, _: Actor) -> Fields:
    proposition = state.propositions[state.amendments[command.amendment_id].proposition_id]
    return {
        "proposition_id": proposition.proposition_id,
        "revision": proposition.revision,
        "round": proposition.round,
    }


@_fields("translations")
def translations_imported(state: SessionState, command: c.ImportTranslations, _: Actor) -> Fields:
    """How many translations the file gives (unchanged ones included)."""
    return {"translations": len(read(state, command.format, command.content))}


@_fields("status")
def session_status(state: SessionState, _: c.SetSessionStatus, __: Actor) -> Fields:
    return {"status": state.status}


@_fields("window_id")
def window_id(_: SessionState, command: c.SetWindow, __: Actor) -> Fields:
    return {"window_id": command.window_id}


@_fields("version")
def published_version(state: SessionState, _: c.PublishOutcome, __: Actor) -> Fields:
    assert state.published is not None
    return {"version": state.published.version}


@_fields("proposition_ids")
def carried(_: SessionState, command: c.CarryForward, __: Actor) -> Fields:
    return {"proposition_ids": [item.proposition_id for item in command.items]}


@_fields("imported")
def imported(_: SessionState, command: c.ImportRegistrants, __: Actor) -> Fields:
    return {"imported": len(command.rows)}


@_fields("participant_id")
def invited(_: SessionState, command: c.OpenInvitation, __: Actor) -> Fields:
    return {"participant_id": command.registrant_id}

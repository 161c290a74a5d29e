"""What an accepted command answers besides `ok` (PROTOCOL.md, "Commands")."""

from typing import Any

from . import commands as c
from .decide import Actor
from .queue import position
from .state import SessionState
from .views import queue


def outcome(state: SessionState, command: c.Command, actor: Actor) -> dict[str, Any]:
    """The ack's fields for `command`, read from the state after its events applied."""
    if isinstance(command, c.SubmitRating | c.HubTally | c.OpenProposition):
        return {"round": state.propositions[command.proposition_id].round}
    if isinstance(command, c.RaiseHand | c.HubSpeaker):
        owner = (
            "p:" + actor.subject
            if isinstance(command, c.RaiseHand)
            else f"h:{actor.subject}:{command.name.strip()}"
        )
        entry_id = state.queue.by_owner[owner]
        return {
            "entry_id": entry_id,
            "position": position(state.queue, entry_id, state.settings.queue_policy),
        }
    if isinstance(command, c.AddProposition):
        return {"proposition_id": command.proposition_id}
    if isinstance(command, c.QueueNext):
        return {"current": queue(state)["current"]}
    if isinstance(command, c.InviteHub):
        return {"hub_id": command.hub_id}
    if isinstance(command, c.Join):
        return {"participant_id": command.participant_id}
    if isinstance(command, c.CreateSession):
        return {"session_id": command.session_id}
    return {}

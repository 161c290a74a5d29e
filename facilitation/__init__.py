"""Plenary's domain: a pure, replayable state machine of one plenary session.

No I/O, no clock, no asyncio: `decide(state, command, actor, now)` turns a
command into events or refuses it with a coded `FacilitationError`;
`apply(state, event)` folds an event into the state.
"""

from .actor import Actor
from .apply import apply, replay
from .decide import decide, outcome
from .errors import FacilitationError
from .state import SessionState

__all__ = ["Actor", "FacilitationError", "SessionState", "apply", "decide", "outcome", "replay"]

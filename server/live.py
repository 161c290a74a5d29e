"""What the rest of the shell sees of a live session, wherever it is written.

A session is written by one process (its `SessionRunner`, the lease's owner on
Redis); every other worker serving it holds a `Replica` that follows the
committed log and forwards commands to the owner. The gateway, the HTTP API,
the fan-out and the opinion groups are typed against `LiveSession`, so they
work the same on either: reads see committed state only, `submit` answers
once the command is durable, and listeners hear the sections each committed
batch touched.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

from facilitation import Actor, SessionState
from facilitation import events as ev
from facilitation.commands import Command
from facilitation.opinions import Opinions
from facilitation.views import TOUCHES

from .chain import short

T = TypeVar("T")
Ack = dict[str, Any]
ChangeListener = Callable[["LiveSession", frozenset[str]], None]


@dataclass(frozen=True, slots=True)
class Request:
    """A command's request_id, whose it is, and what it asked (a retry must match)."""

    holder: str
    request_id: str
    fingerprint: str


# A shell marker beside the view sections: the batch revoked a token (a removed
# participant or registrant, a rotated link or hub link). Each worker closes its
# own sockets whose claims no longer pass (server/sockets.py).
REVOKED: Final = "revoked"
_REVOKING: Final = (
    ev.ParticipantRemoved,
    ev.RegistrantRemoved,
    ev.HubTokenRotated,
    ev.LinksRotated,
)
# Everything a client may hold: what a replica reports after a reload or a takeover.
ALL_SECTIONS: Final = frozenset().union(*TOUCHES.values()) | {"place", REVOKED}


def touched_by(event: ev.Event) -> frozenset[str]:
    """The sections `event` touches, with the revocation marker when it revokes."""
    touched = TOUCHES[type(event)]
    return touched | {REVOKED} if isinstance(event, _REVOKING) else touched


class _Linked(Protocol):
    """What the links are derived from (an attribute or a property)."""

    @property
    def state(self) -> SessionState: ...

    @property
    def head(self) -> str: ...

    @property
    def base_url(self) -> str: ...


class SessionLinks:
    """The links and short head every live session derives the same way from its
    committed state: the runner, the replica and the `Served` wrapper inherit them."""

    @property
    def head_short(self: _Linked) -> str | None:
        return short(self.head)

    @property
    def join_url(self: _Linked) -> str:
        return f"{self.base_url}/join/{self.state.join_code}"

    def link(self: _Linked, view: str, token: str) -> str:
        """A view's link; the token rides in the fragment, which never reaches a server."""
        return f"{self.base_url}/{view}#token={token}"


class LiveSession(_Linked, Protocol):
    """One session as served on this worker: its owner's runner, or a replica
    (its state, head and base_url are those the links derive from)."""

    @property
    def session_id(self) -> str: ...

    @property
    def head_short(self) -> str | None: ...

    @property
    def owner(self) -> bool:
        """True where this process writes the session (its runner)."""
        ...

    base_url: str
    opinions: Opinions | None
    listeners: list[ChangeListener]

    @property
    def join_url(self) -> str: ...

    def link(self, view: str, token: str) -> str: ...

    async def read(self, read: Callable[[], T]) -> T: ...

    async def submit(
        self,
        command: Command,
        actor: Actor,
        request: Request | None = None,
        at: float | None = None,
    ) -> Ack: ...

    async def stop(self) -> None: ...

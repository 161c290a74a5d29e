"""The one object this worker's connections, feeds and listeners hold for a session.

Behind it is the session's runner where this worker owns it, else its replica.
A takeover (the owner died) or a lost lease swaps what is behind it, and
nobody holding it notices: sockets stay open, the fan-out's feeds and the
listeners go on, and everyone is told every section may have changed.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from facilitation import Actor, SessionState
from facilitation.commands import Command
from facilitation.opinions import Opinions

from .errors import ApiError
from .live import ALL_SECTIONS, Ack, ChangeListener, LiveSession, Request, SessionLinks
from .replica import Replica
from .runner import SessionRunner

log = logging.getLogger("plenary.sessions")
T = TypeVar("T")
Inner = SessionRunner | Replica


class Served(SessionLinks):
    def __init__(self, inner: Inner, base_url: str) -> None:
        self.base_url = base_url
        self.opinions: Opinions | None = None
        self.listeners: list[ChangeListener] = []
        self.used_at = time.monotonic()  # last asked for (`Sessions.get`)
        self._inner = inner
        inner.listeners.append(self._relay)

    @property
    def inner(self) -> Inner:
        return self._inner

    @property
    def session_id(self) -> str:
        return self._inner.session_id

    @property
    def state(self) -> SessionState:
        return self._inner.state

    @property
    def head(self) -> str:
        return self._inner.head

    @property
    def owner(self) -> bool:
        return self._inner.owner

    async def read(self, read: Callable[[], T]) -> T:
        while True:
            inner = self._inner
            try:
                return await inner.read(read)
            except ApiError:
                if self._inner is inner:  # not a swap: the store's own refusal
                    raise

    async def submit(
        self,
        command: Command,
        actor: Actor,
        request: Request | None = None,
        at: float | None = None,
    ) -> Ack:
        return await self._inner.submit(command, actor, request, at)

    def swap(self, inner: Inner) -> Inner:
        """Serve from `inner` from now on; the one replaced is returned, to be stopped."""
        old, self._inner = self._inner, inner
        old.listeners.remove(self._relay)
        inner.listeners.append(self._relay)
        self._relay(inner, ALL_SECTIONS)
        return old

    async def stop(self) -> None:
        await self._inner.stop()

    def _relay(self, _: LiveSession, sections: frozenset[str]) -> None:
        for listener in self.listeners:
            listener(self, sections)

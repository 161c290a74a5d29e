"""An in-memory `Store`: the log kept in this process, for direct tests of the shell.

It keeps the protocol's promises within one process (an append is all or
nothing, events are kept in order, a snapshot replaces the last one), so
`SessionRunner` and `Fanout` can be tested without a database file. Two
controls let a test reach the failure paths exactly: `fail_next` makes the
next append raise, and `hold` keeps appends waiting until it is set.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from .store import Loaded, RequestRecord, StoredEvent, mark_in_meta, members_in_meta


class AppendFailed(Exception):
    """Raised by an append the test asked to fail."""


@dataclass
class _Session:
    events: list[StoredEvent] = field(default_factory=list)
    snapshot: tuple[int, str, bytes] | None = None


class MemoryStore:
    def __init__(self) -> None:
        self._sessions: dict[str, _Session] = {}
        self._meta: dict[str, str] = {}
        self.appends: list[int] = []  # the number of events of each append, in order
        self.loads = 0
        self.fail_next = False
        self.hold = asyncio.Event()
        self.hold.set()

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def healthy(self) -> str | None:
        return None

    async def sessions(self) -> dict[str, str]:
        return {
            session_id: _join_code(session.events[0])
            for session_id, session in self._sessions.items()
            if session.events
        }

    async def load(self, session_id: str, requests_since: float) -> Loaded:
        self.loads += 1
        session = self._sessions.get(session_id, _Session())
        loaded = Loaded()
        if session.snapshot is not None:
            loaded.snapshot_seq, loaded.snapshot_head, loaded.snapshot = session.snapshot
        loaded.events = [e for e in session.events if e.seq > loaded.snapshot_seq]
        loaded.requests = [
            e.request
            for e in session.events
            if e.request is not None and e.request.at >= requests_since
        ]
        return loaded

    async def append(self, session_id: str, events: Sequence[StoredEvent]) -> None:
        await self.hold.wait()
        if self.fail_next:
            self.fail_next = False
            raise AppendFailed("the test asked this append to fail")
        session = self._sessions.setdefault(session_id, _Session())
        expected = len(session.events) + 1
        if [e.seq for e in events] != list(range(expected, expected + len(events))):
            raise AppendFailed(f"seq {events[0].seq} does not follow {expected - 1}")
        session.events.extend(events)
        self.appends.append(len(events))

    async def save_snapshot(self, session_id: str, seq: int, head: str, blob: bytes) -> None:
        self._sessions.setdefault(session_id, _Session()).snapshot = (seq, head, blob)

    async def events(self, session_id: str) -> AsyncIterator[StoredEvent]:
        for event in list(self._sessions.get(session_id, _Session()).events):
            yield event

    async def get_meta(self, key: str) -> str | None:
        return self._meta.get(key)

    async def set_meta(self, key: str, value: str) -> None:
        self._meta[key] = value

    async def mark(self, name: str, member: str, present: bool) -> None:
        await mark_in_meta(self, name, member, present)

    async def marked(self, name: str) -> list[str]:
        return await members_in_meta(self, name)

    def snapshot_of(self, session_id: str) -> tuple[int, str, bytes]:
        snapshot = self._sessions[session_id].snapshot
        if snapshot is None:
            raise KeyError(f"no snapshot of {session_id}")
        return snapshot

    def requests(self, session_id: str) -> list[RequestRecord]:
        return [e.request for e in self._sessions[session_id].events if e.request is not None]


def _join_code(first: StoredEvent) -> str:
    return str(json.loads(first.body).get("join_code", ""))

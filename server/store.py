"""The durable log behind a small protocol: the embedded SQLite store
implements it; another backend plugs in through `create_app` without the
rest of the shell changing."""

import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger("plenary.store")


class StoreUnavailable(Exception):
    """The store cannot record any more (its file deleted or replaced, its server
    unreachable): commands are answered `unavailable`, not `internal`, since
    nothing is wrong with them and the same command may succeed once it is back."""


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """The answer to a command sent with a request_id, kept so a retry answers the same."""

    holder: str
    request_id: str
    fingerprint: str
    ack: str  # JSON
    at: float


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int  # 1-based position in the session's log; equals the state's version after it
    body: str  # canonical JSON of the event (server.chain.canonical)
    hash: str  # chained hash (server.chain.link)
    # Kept with the last event of a command sent with a request_id, so the
    # answer becomes durable in the same write as the command's effects.
    request: RequestRecord | None = None


@dataclass(slots=True)
class Loaded:
    snapshot: bytes | None = None
    snapshot_seq: int = 0
    snapshot_head: str | None = None
    events: list[StoredEvent] = field(default_factory=list)  # after the snapshot
    requests: list[RequestRecord] = field(default_factory=list)


class Store(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def sessions(self) -> dict[str, str]:
        """Every stored session's id and join code, without loading any of them."""
        ...

    async def load(self, session_id: str, requests_since: float) -> Loaded: ...

    async def append(self, session_id: str, events: Sequence[StoredEvent]) -> None:
        """Make all of `events` durable, or raise and keep none of them."""

    async def save_snapshot(self, session_id: str, seq: int, head: str, blob: bytes) -> None: ...

    def events(self, session_id: str) -> AsyncIterator[StoredEvent]: ...

    async def get_meta(self, key: str) -> str | None: ...

    async def set_meta(self, key: str, value: str) -> None: ...

    async def mark(self, name: str, member: str, present: bool) -> None:
        """Add `member` to the set `name`, or remove it. One member at a time, so
        workers sharing a store never overwrite each other's members."""

    async def marked(self, name: str) -> list[str]:
        """The members of the set `name`, sorted."""
        ...

    def healthy(self) -> str | None:
        """None while the store can record; otherwise why it cannot (health goes red)."""
        ...


async def mark_in_meta(store: Store, name: str, member: str, present: bool) -> None:
    """`Store.mark` for a store with one writer (the data dir or memory is claimed
    by one process): the set is kept as a JSON list under its meta key."""
    members = set(await members_in_meta(store, name))
    if (member in members) == present:
        return
    members.symmetric_difference_update({member})
    await store.set_meta(name, json.dumps(sorted(members)))


async def members_in_meta(store: Store, name: str) -> list[str]:
    raw = await store.get_meta(name)
    try:
        found = json.loads(raw) if raw else []
    except ValueError:
        log.warning("meta %s is not a JSON list; read as empty", name)
        return []
    return sorted(m for m in found if isinstance(m, str)) if isinstance(found, list) else []

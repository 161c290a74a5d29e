"""A session served by a worker that does not own it: a replica of its committed log.

The replica loads the latest snapshot and the events after it (read-only, no
lease), then follows the session's stream with a blocking `XREAD` from the
last seq it applied, on a Redis connection of its own, and applies each event
with the pure core, as the owner did. Each entry must be the next seq and
carry the hash its body chains to from the last head: anything else (a
trimmed or rewritten log, Redis restarted without its data) is a gap, and a
gap or an error while following makes the replica reload from the store,
loudly; an event is never skipped. A store whose log is now shorter than what
the replica applied is refused (logged as an error), never followed.

After each read it calls its listeners with the sections the events touched,
as the runner does after a commit, so the fan-out serves this worker's
connections from committed events only.

The same blocking read also follows the owner's latest opinion groups (a
stream of one entry, `RedisStore.put_opinions`): a replica does not compute
groups of its own. A result is taken (`on_opinions`) once the replica applied
the log up to the seq it was computed at, never earlier, so no view here shows
groups of ratings it does not show yet. Commands go to the owner through
`forward` (server/cluster.py). The owner's side of those groups is
`publish_opinions`, given to the sessions by the composition root on Redis.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final, Protocol, TypeVar, cast

from redis.exceptions import RedisError

from facilitation import Actor, SessionState, apply
from facilitation import events as ev
from facilitation.commands import Command
from facilitation.opinions import Opinions, from_json, to_json

from .chain import GENESIS, link
from .errors import ApiError
from .lease import pause
from .live import (
    ALL_SECTIONS,
    Ack,
    ChangeListener,
    LiveSession,
    Request,
    SessionLinks,
    touched_by,
)
from .redis_store import PAGE, RedisStore, connect, key
from .runner import rebuild

log = logging.getLogger("plenary.replica")
T = TypeVar("T")
# Well under the follow connection's socket timeout (1.5 s, redis_store.connect):
# an idle session's blocking read returns before the client would call it dead.
BLOCK_MS: Final = 500
RETRY_S: Final = 1.0


class Forward(Protocol):
    def __call__(
        self,
        replica: "Replica",
        command: Command,
        actor: Actor,
        request: Request | None,
        at: float | None,
    ) -> Awaitable[Ack]: ...


class Gap(Exception):
    """The stream does not continue what this replica applied."""


class Replica(SessionLinks):
    def __init__(self, session_id: str, store: RedisStore, forward: Forward) -> None:
        self.session_id = session_id
        self.state = SessionState()
        self.head = GENESIS
        self.base_url = ""
        self.opinions: Opinions | None = None  # the owner's latest groups taken here
        self.on_opinions: Callable[[Opinions], None] | None = None
        self._opinions_id = "0-0"  # the last entry read of the owner's groups
        self._carried: tuple[int, str] | None = None  # (seq computed at, body) not taken yet
        self.listeners: list[ChangeListener] = []
        self.owner_name: str | None = None  # the lease's owner as last seen (server/cluster.py)
        self.owner_lock = asyncio.Lock()
        self.reloads = 0
        self.forwarding = 0  # commands given here waiting for the owner's answer
        self.problem: str | None = None  # why it cannot follow right now, if it cannot
        self._store = store
        self._forward = forward
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def owner(self) -> bool:
        return False

    async def load(self) -> None:
        loaded = await self._store.read_replica(self.session_id)
        state, head, _ = await rebuild(self.session_id, loaded, self._store)
        if state.version < self.state.version:
            raise Gap(
                f"the store's log of session {self.session_id} ends at seq {state.version}, "
                f"but this worker applied seq {self.state.version}: Redis lost events"
            )
        self.state, self.head = state, head

    def start(self) -> None:
        self._task = asyncio.create_task(self._follow(), name=f"replica:{self.session_id}")

    async def stop(self) -> None:
        self._stopping.set()  # an event, not a cancel: see RedisStore.close
        if self._task is not None:
            await asyncio.wait([self._task], timeout=BLOCK_MS / 1000 + 2)
            self._task.cancel()
            self._task = None
        for _, waiter in self._waiters:
            if not waiter.done():
                waiter.cancel()

    async def read(self, read: Callable[[], T]) -> T:
        # The state only changes inside `_apply`, which never awaits: a read
        # always sees whole committed batches.
        return read()

    async def submit(
        self,
        command: Command,
        actor: Actor,
        request: Request | None = None,
        at: float | None = None,
    ) -> Ack:
        self.forwarding += 1
        try:
            return await self._forward(self, command, actor, request, at)
        finally:
            self.forwarding -= 1

    async def caught_up(self, version: int, timeout: float) -> bool:
        """Wait (at most `timeout`) until this replica applied `version`."""
        if self.state.version >= version:
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((version, waiter))
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except (TimeoutError, asyncio.CancelledError):
            return self.state.version >= version
        return True

    async def _follow(self) -> None:
        client = connect(self._store.url)
        stream, opinions = key("log", self.session_id), key("opinions", self.session_id)
        try:
            while not self._stopping.is_set():
                try:
                    wanted: dict[Any, Any] = {stream: f"{self.state.version}-0"}
                    wanted[opinions] = self._opinions_id
                    found = dict(
                        cast(list[Any], await client.xread(wanted, count=PAGE, block=BLOCK_MS))
                    )
                    if opinions in found:
                        self._note_opinions(found[opinions])
                    if stream in found:
                        self._apply(found[stream])
                    elif not found:
                        await self._check_tip(client)
                    await self._take_opinions()
                    self.problem = None
                except (RedisError, OSError) as error:
                    await self._recover(f"Redis error while following: {error}", wait=True)
                except Exception as error:  # a gap, or an entry that does not apply
                    await self._recover(f"{type(error).__name__}: {error}", wait=False)
        finally:
            await client.aclose()

    async def _check_tip(self, client: Any) -> None:
        """While idle: a log that now ends before what was applied means Redis lost it."""
        seq = await client.hget(key("tip", self.session_id), "seq")
        if int(seq or 0) < self.state.version:
            raise Gap(f"the log's tip is seq {seq or 0}, before the applied {self.state.version}")

    def _note_opinions(self, entries: list[tuple[str, dict[str, str]]]) -> None:
        entry_id, fields = entries[-1]  # only the latest counts
        self._opinions_id = entry_id
        self._carried = (int(fields["v"]), fields["b"])

    async def _take_opinions(self) -> None:
        """Take the owner's latest groups once the log is applied up to their seq."""
        if self._carried is None or self._carried[0] > self.state.version:
            return
        body = self._carried[1]
        self._carried = None
        try:
            result = await asyncio.to_thread(lambda: from_json(json.loads(body)))
        except (ValueError, TypeError, KeyError):  # the log is fine: keep following it
            log.exception("opinion groups of session %s not readable", self.session_id)
            return
        self.opinions = result
        if self.on_opinions is not None:
            self.on_opinions(result)

    def _apply(self, entries: list[tuple[str, dict[str, str]]]) -> None:
        touched: set[str] = set()
        try:
            for entry_id, fields in entries:
                seq = int(entry_id.split("-")[0])
                if seq != self.state.version + 1:
                    raise Gap(f"expected seq {self.state.version + 1}, the stream holds {seq}")
                body = fields["b"]
                if link(self.head, body) != fields["h"]:
                    raise Gap(f"the entry at seq {seq} does not chain to the applied head")
                event = ev.from_json(json.loads(body))
                apply(self.state, event)
                self.head = fields["h"]
                touched |= touched_by(event)
        finally:  # what was applied is reported, even when a later entry is refused
            if touched:
                self._changed(frozenset(touched))

    def _changed(self, touched: frozenset[str]) -> None:
        for listener in self.listeners:
            listener(self, touched)
        version, still = self.state.version, []
        for wanted, waiter in self._waiters:
            if wanted <= version and not waiter.done():
                waiter.set_result(None)
            elif not waiter.done():
                still.append((wanted, waiter))
        self._waiters = still

    async def _recover(self, why: str, wait: bool) -> None:
        """Reload from the store, loudly; until it works, the replica keeps the last
        committed state it had (never a partial one) and tries again each second."""
        log.error("replica of session %s reloads from the store: %s", self.session_id, why)
        self.problem = why
        if wait and await pause(self._stopping, RETRY_S):
            return
        before = self.state.version
        try:
            await self.load()
        except (ApiError, Gap, RedisError, OSError) as error:
            log.error("replica of session %s cannot reload yet: %s", self.session_id, error)
            await pause(self._stopping, RETRY_S)
            return
        self.reloads += 1
        log.warning(
            "replica of session %s reloaded: seq %d -> %d",
            self.session_id,
            before,
            self.state.version,
        )
        self._changed(ALL_SECTIONS)


async def publish_opinions(
    store: RedisStore, runner: LiveSession, seq: int, result: Opinions
) -> None:
    """An owner's opinion groups, computed at `seq`, for the replicas on other workers."""
    try:
        body = await asyncio.to_thread(lambda: json.dumps(to_json(result)))
        await store.put_opinions(runner.session_id, seq, body)
    except ApiError as error:  # Redis out of reach: the next result goes when it is back
        log.warning("opinion groups of %s not published: %s", runner.session_id, error)


async def read_once(store: RedisStore, session_id: str) -> Replica:
    """The session as the store holds it now, for one read (the operator's list): a
    replica loaded and not followed, which takes no command."""
    replica = Replica(session_id, store, _read_only)
    await replica.load()
    return replica


async def _read_only(
    replica: Replica, command: Command, actor: Actor, request: Request | None, at: float | None
) -> Ack:
    raise ApiError("internal", "A session read for a list does not take commands.")

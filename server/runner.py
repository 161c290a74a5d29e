"""One session's single writer.

A `SessionRunner` owns its `SessionState`. It drains a queue of commands in
batches: decide → apply → append the batch's events to the store in one
transaction (group commit) → answer every caller → tell the fan-out what
changed. Nothing is acknowledged before its events are durable; if a commit
fails, every caller of the batch is told so and the state is rebuilt from the
log, so nothing unacknowledged is ever reported as done.

Reads (snapshots, coalesced updates) also pass through the queue and run
between batches, so they only ever see committed state.

A command's events are turned into their canonical bodies and chained
hashes before any of them is applied: a command whose events cannot be
recorded is refused alone, and the rest of its batch commits.
"""

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from facilitation import Actor, FacilitationError, SessionState, apply, decide, outcome
from facilitation import events as ev
from facilitation import snapshot as snap
from facilitation.commands import Command
from facilitation.errors import BadRequest
from facilitation.opinions import Opinions

from .chain import GENESIS, canonical, link
from .errors import ApiError, refusal
from .live import ChangeListener, Request, SessionLinks, touched_by
from .store import Loaded, RequestRecord, Store, StoredEvent, StoreUnavailable

log = logging.getLogger("plenary.runner")
T = TypeVar("T")
Ack = dict[str, Any]
Clock = Callable[[], float]

REQUEST_MEMORY: Final = 24 * 3600.0
# Commands per group commit. Small batches keep each turn of the event loop
# short, so reading sockets, committing and writing acks interleave: in the
# burst benchmark, 64 gave ack p99 1.1x the bare transport's and 1,000 gave 2.4x.
MAX_BATCH: Final = 64
SNAPSHOT_EVENTS_PER_PARTICIPANT: Final = 2  # see SessionRunner.snapshot_spacing
_INTERNAL: Final = "The server could not record this; nothing was changed. Please try again."
_STOPPED: Final = "This session is being handed on or stopped; nothing was recorded: send it again."
_UNAVAILABLE: Final = (
    "The server cannot record anything right now (its data store is gone or unreachable);"
    " nothing was changed. Try again in a moment."
)


def fingerprint(name: str, payload: dict[str, Any]) -> str:
    body = {k: v for k, v in payload.items() if k != "request_id"}
    return hashlib.sha256(canonical({"name": name, "payload": body}).encode()).hexdigest()


@dataclass(slots=True)
class _Command:
    command: Command
    actor: Actor
    request: Request | None
    done: "asyncio.Future[Ack]"
    at: float | None = None  # the time decided at, when not the clock's (a deadline)


@dataclass(slots=True)
class _Read:
    read: Callable[[], Any]
    done: "asyncio.Future[Any]"


@dataclass(slots=True)
class _Batch:
    stored: list[StoredEvent] = field(default_factory=list)
    answers: list[tuple["asyncio.Future[Ack]", Ack]] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)


class SessionRunner(SessionLinks):
    def __init__(
        self, session_id: str, store: Store, snapshot_every: int, clock: Clock = time.time
    ) -> None:
        self.session_id = session_id
        self._clock = clock
        self.state = SessionState()
        self.head = GENESIS
        self._store = store
        self._snapshot_every = snapshot_every
        self._snapshot_seq = 0
        self._requests: dict[tuple[str, str], RequestRecord] = {}
        self._queue: asyncio.Queue[_Command | _Read] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.listeners: list[ChangeListener] = []
        self.base_url = ""  # where the session's links point; empty: relative links
        self._stale: ApiError | None = None  # a failed reload: refuse until one succeeds
        self.opinions: Opinions | None = None  # latest opinion groups (server/opinions.py)
        self._taken: list[_Command | _Read] = []  # the items of the batch in hand
        self._stopped = False

    @property
    def owner(self) -> bool:
        return True

    async def load(self) -> None:
        """Rebuild the state from the latest snapshot and the events after it."""
        loaded = await self._store.load(self.session_id, self._clock() - REQUEST_MEMORY)
        self.state, self.head, self._snapshot_seq = await rebuild(
            self.session_id, loaded, self._store
        )
        self._requests = {(r.holder, r.request_id): r for r in loaded.requests}

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"runner:{self.session_id}")

    async def stop(self) -> None:
        self._stopped = True
        task, self._task = self._task, None
        # Cancelled until it is done: redis-py may turn a cancellation during a
        # command into an error the loop handles, and the loop would go on.
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task], timeout=0.1)
        # Whoever still waits is answered (a batch cut off mid-append may or may not
        # be in the log: `unavailable` asks for a retry, which request_ids make safe).
        while not self._queue.empty():
            self._taken.append(self._queue.get_nowait())
        _refuse_all(
            [i for i in self._taken if not i.done.done()], ApiError("unavailable", _STOPPED)
        )
        self._taken = []
        if self.state.version > self._snapshot_seq:
            await self._snapshot()

    async def submit(
        self,
        command: Command,
        actor: Actor,
        request: Request | None = None,
        at: float | None = None,
    ) -> Ack:
        """Queue a command; the answer comes once its events are durable.
        `at` is the time the domain decides it at (default: the clock's now):
        the window scheduler passes the deadline it acts for."""
        if self._stopped:
            return refusal(ApiError("unavailable", _STOPPED))
        done: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Command(command, actor, request, done, at))
        return await done

    async def read(self, read: Callable[[], T]) -> T:
        """Run `read` against committed state, between two batches."""
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Read(read, done))
        return await done

    async def _run(self) -> None:
        while not self._stopped:
            items = self._taken = [await self._queue.get()]
            while len(items) < MAX_BATCH and not self._queue.empty():
                items.append(self._queue.get_nowait())
            if self._stale is not None and not await self._reload():
                # The state may hold effects that were never recorded: nobody reads it.
                _refuse_all(items, self._stale)
                continue
            for item in items:
                if isinstance(item, _Read):
                    _settle(item.done, item.read)
            commands = [item for item in items if isinstance(item, _Command)]
            if commands:
                await self._process(commands)

    async def _reload(self) -> bool:
        """Rebuild from the log; while the store cannot be read (Redis unreachable),
        the runner stays stale and answers `unavailable` until a reload succeeds."""
        try:
            await self.load()
        except ApiError as error:
            log.warning("session %s cannot be reloaded yet: %s", self.session_id, error)
            self._stale = error
            return False
        self._stale = None
        return True

    async def _process(self, commands: list[_Command]) -> None:
        batch = _Batch()
        try:
            for pending in commands:
                self._decide_one(pending, batch)
            if batch.stored:
                await self._store.append(self.session_id, batch.stored)
        except StoreUnavailable as error:
            log.error("store unavailable (%s); rebuilding session %s", error, self.session_id)
            await self._refuse_batch(commands, ApiError("unavailable", _UNAVAILABLE))
            return
        except ApiError as error:  # a store that says why (Redis: unreachable, fenced, lost)
            log.error("store refused a batch (%s); rebuilding session %s", error, self.session_id)
            unavailable = error.code == "unavailable"
            await self._refuse_batch(
                commands, error if unavailable else ApiError("internal", _INTERNAL)
            )
            return
        except Exception:
            log.exception("batch failed; rebuilding session %s from its log", self.session_id)
            await self._refuse_batch(commands, ApiError("internal", _INTERNAL))
            return
        for future, ack in batch.answers:
            if not future.done():
                future.set_result(ack)
        if batch.touched:
            for listener in self.listeners:
                listener(self, frozenset(batch.touched))
        if self.state.version - self._snapshot_seq >= self.snapshot_spacing():
            await self._snapshot()

    async def _refuse_batch(self, commands: list[_Command], error: ApiError) -> None:
        """Answer every command of a batch that was not recorded, then drop what
        it applied in memory by rebuilding the state from the log."""
        failure = refusal(error)
        for pending in commands:
            if not pending.done.done():
                pending.done.set_result(failure)
        await self._reload()

    def _decide_one(self, pending: _Command, batch: _Batch) -> None:
        request = pending.request
        if request is not None:
            seen = self._requests.get((request.holder, request.request_id))
            if seen is not None:
                ack = (
                    json.loads(seen.ack)
                    if seen.fingerprint == request.fingerprint
                    else refusal(
                        ApiError(
                            "conflict",
                            "This request_id was already used for a different "
                            "command; use a new request_id.",
                        )
                    )
                )
                batch.answers.append((pending.done, ack))
                return
        now = self._clock() if pending.at is None else pending.at
        try:
            events = decide(self.state, pending.command, pending.actor, now)
            stored = self._record(events)
        except FacilitationError as error:
            batch.answers.append((pending.done, refusal(ApiError.from_domain(error))))
            return
        for event, row in zip(events, stored, strict=True):
            apply(self.state, event)
            self.head = row.hash
            batch.touched |= touched_by(event)
        ack = {"ok": True, **outcome(self.state, pending.command, pending.actor)}
        if request is not None:
            record = RequestRecord(
                request.holder, request.request_id, request.fingerprint, json.dumps(ack), now
            )
            self._requests[(request.holder, request.request_id)] = record
            if stored:  # durable with the command's last event; a no-op needs no record
                last = stored[-1]  # built directly: dataclasses.replace inspects fields each call
                stored[-1] = StoredEvent(last.seq, last.body, last.hash, record)
        batch.stored += stored
        batch.answers.append((pending.done, ack))

    def _record(self, events: list[ev.Event]) -> list[StoredEvent]:
        """The log rows of `events`, built before any is applied: a body that
        cannot be written (say, text that is not valid Unicode) refuses the
        command alone, with the state untouched."""
        stored, head, seq = [], self.head, self.state.version
        for event in events:
            try:
                body = canonical(ev.to_json(event))
                head = link(head, body)
            except (TypeError, ValueError) as error:
                log.warning("refused a command whose event cannot be recorded: %s", error)
                raise BadRequest(
                    "This cannot be recorded (the text is not well-formed): "
                    "please retype it and send it again."
                ) from None
            seq += 1
            stored.append(StoredEvent(seq, body, head))
        return stored

    def snapshot_spacing(self) -> int:
        """Events between snapshots: `snapshot_every`, and at least two per participant.

        A snapshot encodes the whole session, so its cost grows with the hall;
        every `snapshot_every` events alone, each event of a hall of 10,000
        paid twice what it did at 3,000 (20 % of a 10,000 burst's profile).
        Spaced by the hall's size, each event pays a bounded share, and a
        restart replays at most two events per participant after the last.
        """
        return max(
            self._snapshot_every, SNAPSHOT_EVENTS_PER_PARTICIPANT * len(self.state.participants)
        )

    async def _snapshot(self) -> None:
        blob = json.dumps(snap.encode(self.state), separators=(",", ":")).encode()
        await self._store.save_snapshot(self.session_id, self.state.version, self.head, blob)
        self._snapshot_seq = self.state.version
        cutoff = self._clock() - REQUEST_MEMORY
        self._requests = {k: r for k, r in self._requests.items() if r.at >= cutoff}


async def rebuild(session_id: str, loaded: Loaded, store: Store) -> tuple[SessionState, str, int]:
    """(state, head, the snapshot's seq) from a snapshot and the events after it."""
    state, head, seq = SessionState(), GENESIS, 0
    if loaded.snapshot is not None:
        restored = _restore(session_id, loaded.snapshot, loaded.snapshot_seq)
        if restored is not None:
            state, head, seq = restored, loaded.snapshot_head or GENESIS, loaded.snapshot_seq
    events: Iterable[StoredEvent] = loaded.events
    if seq != loaded.snapshot_seq:  # no usable snapshot: replay everything
        events = [e async for e in store.events(session_id)]
    for stored in events:
        apply(state, ev.from_json(json.loads(stored.body)))
        head = stored.hash
    return state, head, seq


def _restore(session_id: str, blob: bytes, seq: int) -> SessionState | None:
    """The state a snapshot holds, or None (and a warning) when it does not load:
    then the log is replayed from the start, never a half-loaded state used."""
    try:
        state = snap.decode(json.loads(blob))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        log.warning("snapshot of session %s ignored, replaying its log: %s", session_id, error)
        return None
    if state.version != seq:
        log.warning(
            "snapshot of session %s is not at its seq %d; replaying its log", session_id, seq
        )
        return None
    return state


def _refuse_all(items: "list[_Command | _Read]", error: ApiError) -> None:
    for item in items:
        if isinstance(item, _Read):
            item.done.set_exception(error)
        else:
            item.done.set_result(refusal(error))


def _settle(done: "asyncio.Future[Any]", read: Callable[[], Any]) -> None:
    try:
        done.set_result(read())
    except Exception as error:  # a failing read must not stop the writer
        done.set_exception(error)

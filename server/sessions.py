"""The live sessions of this server: one runner each, found by id or join code."""

import asyncio
import logging
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from facilitation import Actor
from facilitation.commands import CreateSession

from .errors import ApiError
from .fanout import Fanout
from .live import ChangeListener, LiveSession
from .opinions import OpinionGroups, Publish
from .replica import Replica
from .runner import SessionRunner
from .served import Inner, Served
from .store import Store
from .windows import WindowScheduler

if TYPE_CHECKING:
    from .cluster import Cluster

# Codes are read off a projector and typed on phones: no letter that looks like
# a digit of the alphabet (O, I, L), and `normalise_join_code` reads those as
# the digits, so a code is found however its 0s and 1s were read.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ0123456789"
JOIN_CODE_LENGTH = 8
RELIST_EVERY_S = 0.2
# A session not served here, read from the store for one look (on Redis: a replica
# loaded once and not followed).
ReadOnce = Callable[[str], Awaitable[LiveSession]]
log = logging.getLogger("plenary.sessions")

_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", " ": None, "-": None})


def normalise_join_code(typed: str) -> str:
    """A join code as typed (any case, spaces, hyphens, look-alikes) in its canonical form."""
    return typed.strip().upper().translate(_LOOK_ALIKES)


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class Sessions:
    """Sessions are loaded on first use: a server with many past sessions starts
    serving at once, and only the sessions people open cost memory. On Redis
    (`cluster` set) a session another worker owns is served from a replica.

    What differs on Redis is given by the composition root: `publish` sends the
    opinion groups an owner computes to the replicas on other workers, and
    `read_once` reads a session not served here for one look (`peek`)."""

    def __init__(
        self,
        store: Store,
        fanout: Fanout,
        snapshot_every: int,
        public_url: str,
        publish: Publish | None = None,
        read_once: ReadOnce | None = None,
    ) -> None:
        self._store = store
        self._fanout = fanout
        self._snapshot_every = snapshot_every
        self._public_url = public_url.rstrip("/")
        self._served: dict[str, Served] = {}
        self._stored: dict[str, str] = {}  # session id -> join code, loaded or not
        self._by_code: dict[str, str] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self._listed_at = 0.0
        self._relisting: asyncio.Future[dict[str, str]] | None = None
        self._read_once = read_once
        self.opinions = OpinionGroups()
        self.opinions.publish = publish  # owners publish opinion groups, replicas take them
        self.windows = WindowScheduler(store)
        self.listeners: list[ChangeListener] = []  # told of every session's changes
        self.forgetting: list[Callable[[str], None]] = []  # told of each session unloaded
        self.cluster: Cluster | None = None  # set on Redis by the composition root

    async def start(self) -> None:
        self._stored = await self._store.sessions()
        self._by_code = {code: session_id for session_id, code in self._stored.items()}
        # Sessions with rating windows to open or close are loaded now, not on
        # first use: their deadlines are kept even if nobody comes back.
        for session_id in await self.windows.pending_sessions():
            if session_id in self._stored:
                try:
                    if self.cluster is None or await self.cluster.free(session_id):
                        await self.get(session_id)
                except ApiError as error:  # on Redis: another worker owns it and keeps them
                    log.warning("session %s with windows not loaded here: %s", session_id, error)

    async def _relist(self) -> None:
        """Read the stored sessions again on a miss (at most five times a second, so
        guessed codes cost little): on a shared store (Redis) another worker may
        have created the session asked for. A miss while a read is under way waits
        for that read: a hall joining a new session through another worker at once
        had all but the first join answered `not_found`."""
        if self._relisting is not None:
            await asyncio.shield(self._relisting)
            return
        if time.monotonic() - self._listed_at < RELIST_EVERY_S:
            return
        self._listed_at = time.monotonic()
        self._relisting = asyncio.ensure_future(self._store.sessions())
        try:
            listed = await asyncio.shield(self._relisting)
        finally:
            self._relisting = None
        for session_id, code in listed.items():
            self._stored.setdefault(session_id, code)
            self._by_code.setdefault(code, session_id)

    async def stop(self) -> None:
        self.windows.stop()
        for served in self._served.values():
            await served.stop()

    def ids(self) -> list[str]:
        """Every stored session's id, loaded or not."""
        return list(self._stored)

    async def listed(self) -> list[str]:
        """Every stored session's id, read again first on a shared store (Redis), where
        other workers create sessions this one has not heard of."""
        if self.cluster is not None:
            await self._relist()
        return self.ids()

    def all(self) -> list[Served]:
        """The sessions served here now."""
        return list(self._served.values())

    def loaded(self, session_id: str) -> Served | None:
        return self._served.get(session_id)

    def lock(self, session_id: str) -> asyncio.Lock:
        """Held while a session is loaded, taken over or handed on."""
        return self._loading.setdefault(session_id, asyncio.Lock())

    @property
    def stored(self) -> int:
        return len(self._stored)

    def fresh_join_code(self) -> str:
        while (code := new_join_code()) in self._by_code:
            pass
        return code

    async def create(self, command: CreateSession, base_url: str) -> Served:
        runner = self.new_runner(command.session_id)
        runner.start()
        ack = await runner.submit(command, Actor("operator"))
        if not ack["ok"]:
            await runner.stop()
            raise ApiError(ack["error"]["code"], ack["error"]["message"])
        served = self._serve(runner, self._public_url or base_url.rstrip("/"))
        await self._store.set_meta(f"base_url:{command.session_id}", served.base_url)
        self._stored[command.session_id] = command.join_code
        self._by_code[command.join_code] = command.session_id
        return served

    async def get(self, session_id: str) -> Served:
        served = self._served.get(session_id)
        if served is not None:
            served.used_at = time.monotonic()
            return served
        if session_id not in self._stored:
            await self._relist()
        if session_id not in self._stored:
            raise ApiError("not_found", "There is no such session on this server.")
        async with self.lock(session_id):  # two first requests at once load the session once
            if session_id not in self._served:
                inner = await (
                    self.load_runner(session_id)
                    if self.cluster is None
                    else self.cluster.open(session_id)
                )
                base_url = (
                    self._public_url or await self._store.get_meta(f"base_url:{session_id}") or ""
                )
                self._serve(inner, base_url)
        return self._served[session_id]

    async def peek(self, session_id: str) -> LiveSession:
        """A session as it is now, for one read (the operator's list). On Redis a session
        not served here is read from the store once, not kept: listing sessions made
        this worker load and follow a replica of every one of them, for good."""
        served = self._served.get(session_id)
        if served is not None or self._read_once is None:
            return served or await self.get(session_id)
        if session_id not in self._stored:
            raise ApiError("not_found", "There is no such session on this server.")
        read = await self._read_once(session_id)
        read.base_url = (
            self._public_url or await self._store.get_meta(f"base_url:{session_id}") or ""
        )
        return read

    async def by_join_code(self, code: str) -> Served:
        session_id = self._by_code.get(normalise_join_code(code))
        if session_id is None:
            await self._relist()
            session_id = self._by_code.get(normalise_join_code(code))
        if session_id is None:
            raise ApiError(
                "not_found",
                "No session has this join code: check it on the projector and try again.",
            )
        return await self.get(session_id)

    async def unload(self, served: Served, idle: Callable[[Served], bool]) -> bool:
        """Stop serving a replica here: it stops following its log and everything that
        follows it here forgets it; the next `get` loads it again from the store. Only a
        replica still served, `idle` and not being loaded or taken over (its lock free)
        is unloaded: never a session this worker owns. False if it was not."""
        session_id = served.session_id
        lock = self.lock(session_id)
        if lock.locked():
            return False
        async with lock:  # a `get` meanwhile waits, then loads it afresh
            if self._served.get(session_id) is not served or served.owner or not idle(served):
                return False
            del self._served[session_id]
            await served.stop()
            self._fanout.forget(session_id)
            self.opinions.forget(session_id)
            self.windows.forget(session_id)
            for forget in self.forgetting:
                forget(session_id)
        return True

    def new_runner(self, session_id: str) -> SessionRunner:
        return SessionRunner(session_id, self._store, self._snapshot_every)

    async def load_runner(self, session_id: str) -> SessionRunner:
        runner = self.new_runner(session_id)
        await runner.load()
        runner.start()
        return runner

    async def swap(self, served: Served, inner: Inner) -> None:
        """Serve `served` from `inner` (a takeover, or a lease lost); call with its lock held."""
        old = served.swap(inner)
        self._carry(served)
        if isinstance(old, Replica) and not isinstance(inner, Replica):
            self.opinions.taken_over(served)
        await old.stop()
        self.windows.check(served)  # kept by the owner only

    def _carry(self, served: Served) -> None:
        """A replica's opinion groups are the owner's, as they reach it."""
        inner = served.inner
        if isinstance(inner, Replica):
            inner.on_opinions = lambda result: self.opinions.carried(served, result)
            if inner.opinions is not None:  # arrived while it was loading
                self.opinions.carried(served, inner.opinions)

    def _serve(self, inner: Inner, base_url: str) -> Served:
        served = Served(inner, base_url)
        served.listeners.append(self._fanout.changed)
        self.opinions.attach(served)
        self.windows.attach(served)
        served.listeners.extend(self.listeners)
        self._fanout.watch(served)
        self._served[served.session_id] = served
        self._carry(served)
        self.windows.check(served)
        return served

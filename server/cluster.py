"""Any worker serves any session: replicas, forwarding and takeover on Redis.

A worker asked for a session it cannot own (another live worker holds the
lease) serves a replica of it (server/replica.py). A command given there is
forwarded to the owner (server/forwarding.py), whose runner decides and
commits it like any other; the answer comes back with the session's version
after it, and the forwarding worker waits (bounded) until its replica applied
that version before it answers, so a client never gets an ack and then an
older state. A message delivered twice (redis-py re-sends a command after a
connection error) is answered once by its correlation id.

Twice a second the worker reads the leases of the sessions it replicates: a
free lease (the owner stopped, or its lease ran out) is taken, and so is the
lease of an owner nobody has listened for on its channel for ABSENT_S (its
process died: Redis dropped its subscription with its connection); the
replica is swapped for a runner loaded from the store. A runner whose lease
this worker lost (fenced, taken, or not renewed in time) is swapped for a
replica.

A forwarded command is sent to the owner once, and waited for as long as that
owner holds the lease and listens on its channel, however slow it is (a loaded
owner is not a gone one): every second the command checks that the lease
still names the owner and that someone listens there (one read per session,
shared by the commands waiting on it), and the lease watch wakes it as soon
as it sees the lease move (server/owner_wait.py). A command whose owner loses the lease
meanwhile is sent on to the next owner at once, and so is one that provably
did not arrive (nobody listened on the owner's channel, or the worker there
no longer owns the session) or whose owner nobody has listened for since,
for ABSENT_S. That is safe because every forwarded command carries a request
record (the client's request_id, or one the forwarding worker gives it): the
owner appends the record with the command's events in one atomic script, and
the next owner loads the records with the log after taking the lease, so a
command the old owner recorded is answered from its record, not applied
again; one it did not record can no longer be (its lease is gone: fenced).
A command that finds nobody on the owner's channel waits for the lease to
move and follows it, or takes the session over itself.

All of it is bounded by FORWARD_PATIENCE_S (7 s) from when the command
reached this worker, a second less than a phone waits for an ack before it
sends the command again with its request_id: an answer later than that
would reach nobody. A command still unanswered then is answered
`unavailable` (the owner may yet record it: the phone's resend is then
answered from its record). Its correlation id is forgotten at once, so the
owner's late answer finds nobody waiting and is dropped; nothing else stays
behind (the waiting entry, the shared check and the pending answer go with
the command).
"""

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Final, cast

from redis.exceptions import RedisError

from facilitation import Actor, FacilitationError
from facilitation.actor import ActorRole
from facilitation.commands import Command

from . import gc_tuning
from .command_codec import decode_command, encode
from .errors import ApiError, refusal
from .forwarding import Forwarder, Message
from .lease import lease_owner, pause
from .live import Ack, Request
from .owner_wait import OwnerWaits
from .redis_store import RedisStore
from .replica import Replica
from .runner import SessionRunner
from .served import Inner, Served

if TYPE_CHECKING:
    from .sessions import Sessions

log = logging.getLogger("plenary.cluster")
WATCH_EVERY_S: Final = 0.5
# An owner heard on its channel, then not for this long, is gone: a living
# worker is subscribed from before it takes any lease, and a dropped
# subscription comes back within about a second (forwarding.POLL_S). Taking its
# lease early is safe even if it lives (fencing); it costs it its sessions.
ABSENT_S: Final = 1.0
# How long a forwarded command waits for its answer in all, from when this worker
# got it, however many owners it follows: a phone stops waiting for an ack after
# 8 s (ACK_TIMEOUT_MS, client/src/connection.ts) and sends the command again with
# its request_id, so a later answer reaches nobody and waiting on only holds memory;
# the last second is left for the ways to the phone and back. An owner that holds
# the lease and listens is waited for that long, however slow (a loaded owner's
# group commits took up to 5 s in the 10,000 session's benchmark).
FORWARD_PATIENCE_S: Final = 7.0
OWNERS_FOLLOWED: Final = 3  # owners a forwarded command is sent on to before `unavailable`
# The holder of the request records forwarded commands without a request_id
# get (not a role, so never a token holder's namespace: server/auth.py).
FORWARDED: Final = "forwarded"
# How long an answer waits for this worker's replica to apply what it answers, and
# no later than half a second past the command's patience (the phone's ack timeout
# is a second past it).
CATCH_UP_S: Final = 2.0
CATCH_UP_LATE_S: Final = 0.5
LEASE_POLL_S: Final = 0.1  # while a command waits for a gone owner's lease to move
_NO_OWNER: Final = (
    "The worker running this session does not answer right now; "
    "nothing was recorded here. Try again in a moment."
)
_NO_ANSWER: Final = (
    "The worker running this session did not answer in time; it may still record this. "
    "Try again in a moment: sent again with the same request_id, it is applied once."
)


class Cluster:
    def __init__(self, store: RedisStore, sessions: "Sessions") -> None:
        self._store = store
        self._sessions = sessions
        self.owner = store.leases.owner
        self.forwarder = Forwarder(store.url, self.owner, self._serve)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.takeovers = 0
        self._taking: set[str] = set()  # sessions being taken from an owner found gone
        self._heard: set[str] = set()  # owners heard on their channel (alive at some look)
        self._absent: dict[str, float] = {}  # owner heard before -> since when nobody listens
        self._waits = OwnerWaits(self.forwarder, store, ABSENT_S)  # forwarded commands waiting
        self._looks = 0  # looks begun: orders them with the commands waiting
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        await self.forwarder.start()
        self._task = asyncio.create_task(self._watch(), name="lease-watch")

    async def close(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.wait([self._task], timeout=5)
        for task in list(self._tasks):
            task.cancel()
        self._waits.cancel()
        await self.forwarder.close()

    async def open(self, session_id: str) -> Inner:
        """The session's runner if its lease is free (or this worker's), else a replica."""
        with _unavailable_on_redis_error():
            held, _ = await self._store.leases.acquire(session_id)
        if held is not None:
            return await self._sessions.load_runner(session_id)
        return await self._replica(session_id)

    async def _replica(self, session_id: str) -> Replica:
        """A replica of the session, loaded from the store and following its log."""
        replica = Replica(session_id, self._store, self._forward)
        await replica.load()
        replica.start()
        return replica

    async def free(self, session_id: str) -> bool:
        return (await self._store.lease_values([session_id]))[session_id] is None

    async def _watch(self) -> None:
        while not await pause(self._stopping, WATCH_EVERY_S):
            try:
                await self._look()
            except Exception as error:  # Redis away: the next look tries again
                self._heard.clear()  # and every owner must be heard again once it is back
                log.warning("could not look at the leases: %s", error)

    async def _look(self) -> None:
        replicas: list[Served] = []
        for served in self._sessions.all():
            if served.owner and served.session_id not in self._store.leases.held:
                await self.demote(served)
            elif not served.owner:
                replicas.append(served)
        self._looks += 1
        began = self._looks
        leases = await self._store.lease_values([s.session_id for s in replicas])
        owners = {lease_owner(lease) for lease in leases.values()} - {None, self.owner}
        listening = await self.forwarder.listening([self.owner, *sorted(o for o in owners if o)])
        self._listened(listening)
        for served in replicas:
            lease = leases[served.session_id]
            owner = lease_owner(lease)
            self._waits.saw_owner(served.session_id, owner, began)
            if isinstance(served.inner, Replica):
                served.inner.owner_name = owner
            if lease is None or owner == self.owner:
                await self.take_over(served)
            elif time.monotonic() - self._absent.get(str(owner), math.inf) >= ABSENT_S:
                self._spawn_taking(served, lease)

    def _listened(self, listening: dict[str, bool]) -> None:
        """Who is found gone: an owner heard on its channel, then not for ABSENT_S.
        Never heard: `plenary migrate` holds the lease of a session it copies without
        listening, and keeps it. After Redis was away (a look failed, or this worker's
        own channel has nobody), every owner must be heard again: all of them are
        subscribing again, as this worker is."""
        if not listening.pop(self.owner):
            self._heard.clear()
        now = time.monotonic()
        self._heard = {o for o, there in listening.items() if there or o in self._heard}
        self._absent = {o: self._absent.get(o, now) for o in self._heard if not listening[o]}

    def _spawn_taking(self, served: Served, dead: str) -> None:
        """Take the session from its owner, found gone, without waiting for its lease
        to expire (in the background: loading a session must not hold up the look)."""
        if served.session_id in self._taking:
            return
        self._taking.add(served.session_id)

        async def taking() -> None:
            try:
                await self.take_over(served, dead)
            except Exception as error:  # the next look tries again
                log.warning("could not take session %s over: %s", served.session_id, error)
            finally:
                self._taking.discard(served.session_id)

        self._spawn(taking())

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def take_over(self, served: Served, dead: str | None = None) -> bool:
        """Take the session's lease (free, or `dead`: the lease of an owner found gone)
        and serve it from a runner loaded from the store; False if another worker
        holds it."""
        session_id, leases = served.session_id, self._store.leases
        async with self._sessions.lock(session_id):
            if served.owner:
                return True
            if self._sessions.loaded(session_id) is not served:
                return False  # unloaded since it was looked at (server/idle_replicas.py)
            began = time.monotonic()
            with _unavailable_on_redis_error():
                if dead is None:
                    held, _ = await leases.acquire(session_id)
                else:
                    held = await leases.take(session_id, dead)
            if held is None:
                return False
            try:
                runner = await self._sessions.load_runner(session_id)
            except Exception:
                await leases.release(session_id)  # never hold a lease without its runner
                raise
            await self._sessions.swap(served, runner)
            self.takeovers += 1
            self._waits.saw_owner(session_id, self.owner, self._looks + 1)
        log.warning(
            "took over session %s at seq %d (lease %s) in %.2f s",
            session_id,
            runner.state.version,
            held,
            time.monotonic() - began,
        )
        return True

    async def demote(self, served: Served) -> None:
        """This worker lost the session's lease: serve it from a replica from now on."""
        async with self._sessions.lock(served.session_id):
            if not served.owner or served.session_id in self._store.leases.held:
                return
            await self._sessions.swap(served, await self._replica(served.session_id))
        log.warning("session %s is now a replica here: its lease moved", served.session_id)

    async def _forward(
        self,
        replica: Replica,
        command: Command,
        actor: Actor,
        request: Request | None,
        at: float | None,
    ) -> Ack:
        """The replica's `submit`: the owner's answer, once the replica has applied it."""
        if request is None:
            # A record kept with the command's events, so that it can be sent on to the
            # next owner if this one goes while it waits (see the module's docstring).
            request = Request(FORWARDED, uuid.uuid4().hex, "")
        message = {
            "session": replica.session_id,
            "command": encode(command),
            "actor": [actor.role, actor.subject],
            "request": [request.holder, request.request_id, request.fingerprint],
            "at": at,
        }
        try:
            with _unavailable_on_redis_error():
                return await self._deliver(replica, message, command, actor, request, at)
        except ApiError as error:
            return refusal(error)

    async def _deliver(
        self,
        replica: Replica,
        message: Message,
        command: Command,
        actor: Actor,
        request: Request,
        at: float | None,
    ) -> Ack:
        """Send to the lease's owner and wait for its answer; if nobody listens there,
        or the lease moves while the command waits, follow the lease to its next owner
        (this worker, once it is free), waiting up to one lease's life for each; all of
        it within FORWARD_PATIENCE_S."""
        patience = time.monotonic() + FORWARD_PATIENCE_S
        deadline = self._one_owner(patience)
        gone: str | None = None
        followed = 0
        delivered = False  # sent to an owner that may have recorded it
        while time.monotonic() < deadline:
            owner = await self._owner_of(replica, gone, deadline)
            if owner is None or owner == self.owner:
                served = self._sessions.loaded(replica.session_id)
                if served is not None and (served.owner or await self.take_over(served)):
                    return await served.submit(command, actor, request, at)
                gone = None  # another worker took it first: ask the lease again
                continue
            if owner == gone or time.monotonic() >= deadline:
                break  # its lease did not move in time, or the patience ran out
            answer = await self._waits.send(
                replica.session_id, owner, message, patience, self._looks
            )
            if isinstance(answer, dict) and "ack" in answer:
                return await self._answered(replica, answer, patience + CATCH_UP_LATE_S)
            delivered = delivered or answer in ("silent", "moved", "unheard")
            if answer == "silent" or followed == OWNERS_FOLLOWED:
                break  # "silent": the owner, holding the lease, did not answer in time
            gone, followed = owner, followed + 1  # nobody listens, it moved, or the lease did
            deadline = self._one_owner(patience)
        return refusal(ApiError("unavailable", _NO_ANSWER if delivered else _NO_OWNER))

    def _one_owner(self, patience: float) -> float:
        """Until when a command waits for one owner: a lease's life and a second from
        now (so a lease that stops being renewed has moved by then), within `patience`."""
        return min(time.monotonic() + self._store.leases.ttl_ms / 1000 + 1, patience)

    async def _answered(self, replica: Replica, answer: Message, latest: float) -> Ack:
        """The owner's ack, once this worker's replica shows what it answers (waiting
        until `latest` at most, a monotonic time)."""
        ack = cast(Ack, answer["ack"])
        catch_up = min(CATCH_UP_S, max(0.0, latest - time.monotonic()))
        if ack.get("ok") and not await replica.caught_up(answer["version"], catch_up):
            log.warning(
                "replica of %s did not reach seq %d within %.1f s",
                replica.session_id,
                answer["version"],
                catch_up,
            )
        return ack

    async def _owner_of(self, replica: Replica, gone: str | None, deadline: float) -> str | None:
        """The session's owner as the lease names it (None: free), other than `gone`,
        the owner found absent; one command per replica reads the lease at a time."""
        async with replica.owner_lock:
            while True:
                if replica.owner_name is not None and replica.owner_name != gone:
                    return replica.owner_name
                leases = await self._store.lease_values([replica.session_id])
                owner = lease_owner(leases[replica.session_id])
                if owner != gone or time.monotonic() >= deadline:
                    replica.owner_name = owner
                    return owner
                await asyncio.sleep(LEASE_POLL_S)

    async def _serve(self, message: Message) -> Message:
        """A command forwarded to this worker: submitted to its runner, if it owns the session."""
        session_id = str(message.get("session"))
        if session_id in self._store.leases.held:
            # Taken over just now (the lease names this worker, so commands come here)
            # and maybe still loading: that holds the session's lock until the runner
            # is in. Answering "moved" meanwhile would send the command after a lease
            # that does not move.
            async with self._sessions.lock(session_id):
                pass
        served = self._sessions.loaded(session_id)
        if served is None or not isinstance(served.inner, SessionRunner):
            return {"moved": True}
        try:
            command = decode_command(message["command"])
            role, subject = message["actor"]
            actor = Actor(cast(ActorRole, role), subject)
            request = Request(*message["request"]) if message.get("request") else None
        except (FacilitationError, TypeError, KeyError, ValueError) as error:
            log.error("a forwarded command could not be read: %s", error)
            bad = ApiError("bad_request", "The command could not be forwarded to its session.")
            return {"ack": refusal(bad), "version": 0}
        gc_tuning.command_began()  # in flight here as much as a command of a phone here
        try:
            ack = await served.inner.submit(command, actor, request, message.get("at"))
        finally:
            gc_tuning.command_ended()
        return {"ack": ack, "version": served.state.version}

    def counts(self) -> dict[str, Any]:
        owned = sum(1 for s in self._sessions.all() if s.owner)
        return {
            "replicated_sessions": len(self._sessions.all()) - owned,
            "forwarded_waiting": self._waits.count,
        }


@contextlib.contextmanager
def _unavailable_on_redis_error() -> Iterator[None]:
    """Redis errors become `unavailable`: nothing was recorded, try again shortly."""
    try:
        yield
    except (RedisError, OSError) as error:
        raise ApiError("unavailable", f"The store (Redis) cannot be reached: {error}") from None

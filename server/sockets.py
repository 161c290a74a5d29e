"""Socket.IO: token auth on connect, snapshots, and commands with acks.

A handler validates the payload, hands the command to the session's runner,
and answers once the runner made it durable; broadcasts follow through the
fan-out, never from here. Every refusal is an ack `{ok: false, error}`; no
input, however malformed, raises out of a handler.
"""

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final

import socketio

from facilitation import Actor, FacilitationError
from facilitation.views import queue_page
from facilitation.vocabulary import LinkRole

from . import gc_tuning
from .auth import Authenticator, Claims
from .errors import ApiError, refusal
from .live import REVOKED, LiveSession, Request
from .ratelimit import TokenBucket
from .registry import COMMANDS, LOCAL, Effects
from .runner import fingerprint
from .sessions import Sessions
from .views import hub_link, personal, role_view, room, shared_link, snapshot
from .wire import Payload, QueuePage, parse
from .wire_json import MALFORMED

log = logging.getLogger("plenary.sockets")

# (commands per second, burst) by role: a chair pasting fifty propositions is
# not a flood; a phone sending fifty ratings a second is.
RATES: Final[dict[str, tuple[float, float]]] = {
    "facilitator": (50.0, 200.0),
    "hub": (20.0, 60.0),
    "participant": (5.0, 20.0),
    "display": (2.0, 10.0),
}


@dataclass(slots=True)
class Connection:
    claims: Claims
    runner: LiveSession
    bucket: TokenBucket
    # Built once per connection (and on a new token), not once per command.
    actor: Actor
    # The whole second its token expires at: a key of Gateway._expiring.
    expiry: int | None = None


class Gateway:
    def __init__(self, sio: socketio.AsyncServer, sessions: Sessions, auth: Authenticator) -> None:
        self._sio = sio
        self._sessions = sessions
        self._auth = auth
        self._connections: dict[str, Connection] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # Set by the composition root: deletes a removed registrant's address.
        self.forget_registrant: Callable[[str, str], Awaitable[None]] = _nothing_to_forget
        # Set by the composition root: the participants' feed hears of a place a
        # snapshot told a phone (server/fanout.py, `Fanout.told`).
        self.told_place: Callable[[LiveSession, str, Any], None] = _nothing_told
        self._local: Final = {
            "sync": self._sync,
            "auth:refresh": self._refresh,
            "queue:page": self._queue_page,
        }
        assert set(self._local) == set(LOCAL), "every local command has its handler"
        self._busy: set[str] = set()  # connections whose command is being answered
        self._recheck: set[str] = set()  # busy ones to check again once answered
        self._sweeping: set[str] = set()  # sessions with a sweep scheduled
        # Sockets to close when their token expires, by the whole second it does,
        # with one timer per second, not per connection: a timer, its callback
        # and closure were about 0.7 KB per phone, and a hall's tokens, issued as
        # it joins, expire within a few seconds of each other.
        self._expiring: dict[int, set[str]] = {}
        sessions.listeners.append(self.changed)
        sio.on("connect", self.connect)
        sio.on("disconnect", self.disconnect)
        sio.on("*", self.command)

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            claims = self._auth.verify(token)
            runner = await self._sessions.get(claims.session_id)
            self._auth.check(claims, runner.state)
        except ApiError as error:
            if error.code == "not_found":
                error = ApiError("unauthorized", "This token's session is not on this server.")
            raise socketio.exceptions.ConnectionRefusedError(
                error.message, error.body()["error"]
            ) from None
        actor = Actor(claims.role, claims.subject)
        connection = Connection(claims, runner, TokenBucket(*RATES[claims.role]), actor)
        self._connections[sid] = connection
        # engine.io keeps this environ for the connection's life; its request body
        # reader (a class made per request, about 3 KB) is of no use once the
        # websocket is up: dropped here, it is freed before the next freeze.
        environ.pop("wsgi.input", None)
        gc_tuning.arrived()  # frozen with the next hundred, out of the collector's way
        self._expire_at(sid, connection)
        await self._sio.enter_room(sid, room(runner.session_id, claims.role, claims.subject))
        if claims.role == "participant":
            await self._sio.enter_room(sid, personal(runner.session_id, claims.subject))
        self._background(self._send_snapshot(sid, wait_for_connect=True))

    async def disconnect(self, sid: str, *_: Any) -> None:
        gc_tuning.departed()  # the transport's cycles for it are freed at a quiet moment
        connection = self._connections.pop(sid, None)
        if connection is not None:
            self._unexpire(sid, connection)

    def connected_sessions(self) -> set[str]:
        """The sessions with a connection on this worker now."""
        return {connection.claims.session_id for connection in self._connections.values()}

    async def command(self, name: str, sid: str, *args: Any) -> dict[str, Any]:
        connection = self._connections.get(sid)
        if connection is None:
            return refusal(ApiError("unauthorized", "Connect with a token first."))
        if not connection.bucket.take():
            return refusal(
                ApiError("rate_limited", "Too many requests: wait a moment and try again.")
            )
        self._busy.add(sid)
        gc_tuning.command_began()
        try:
            return await self._command(connection, sid, name, args[0] if args else None)
        except ApiError as error:
            return refusal(error)
        except FacilitationError as error:
            return refusal(ApiError.from_domain(error))
        except Exception:
            log.exception("command %s failed", name)
            return refusal(
                ApiError(
                    "internal",
                    "Something went wrong on the server; nothing was changed. Please try again.",
                )
            )
        finally:
            gc_tuning.command_ended()
            self._busy.discard(sid)
            if sid in self._recheck:
                self._recheck.discard(sid)
                self._background(self._sweep_one(sid))

    async def _command(self, c: Connection, sid: str, name: str, data: object) -> dict[str, Any]:
        if name == MALFORMED and isinstance(data, dict):
            raise ApiError("bad_request", str(data.get("reason")))
        if not isinstance(name, str) or (name not in COMMANDS and name not in LOCAL):
            raise ApiError("bad_request", f"Unknown command {str(name)[:64]!r}.")
        self._auth.check_fresh(c.claims, time.time())  # expired since connecting?
        self._auth.check(c.claims, c.runner.state)  # revoked since connecting?
        local = LOCAL.get(name)
        if local is not None:
            if c.claims.role not in local.roles:
                raise ApiError("forbidden", f"{name} is for the {', '.join(sorted(local.roles))}.")
            return await self._local[name](c, sid, parse(local.payload, data))
        entry = COMMANDS[name]
        payload = parse(entry.payload, data)
        request = None
        if payload.request_id is not None:
            assert isinstance(data, dict)
            request = Request(c.claims.holder, payload.request_id, fingerprint(name, data))
        ack = await c.runner.submit(entry.build(payload), c.actor, request)
        if ack["ok"] and entry.after is not None:
            ack = await entry.after(_Effects(self, sid), c.runner, payload, ack)
        return ack

    async def _sync(self, _: Connection, sid: str, __: Payload) -> dict[str, Any]:
        self._background(self._send_snapshot(sid))
        return {"ok": True}

    async def _queue_page(self, c: Connection, _: str, payload: Payload) -> dict[str, Any]:
        """A page of the queue beyond the console's first, for the chair to reach any entry."""
        assert isinstance(payload, QueuePage)
        runner = c.runner

        def page() -> dict[str, Any]:
            return {"version": runner.state.version, **queue_page(runner.state, payload.offset)}

        return {"ok": True, **await runner.read(page)}

    async def _refresh(self, c: Connection, sid: str, _: Payload) -> dict[str, Any]:
        claims = c.claims
        token = self._auth.issue(claims.session_id, claims.role, claims.subject, claims.epoch)
        self.adopt(sid, token)
        return {"ok": True, "token": token}

    def adopt(self, sid: str, token: str) -> None:
        """The connection goes on under `token`: its new expiry, its new generation."""
        connection = self._connections.get(sid)
        if connection is not None:
            connection.claims = self._auth.verify(token)
            connection.actor = Actor(connection.claims.role, connection.claims.subject)
            self._expire_at(sid, connection)

    def _expire_at(self, sid: str, connection: Connection) -> None:
        """Close the socket once its token expired (within the second after)."""
        self._unexpire(sid, connection)
        second = math.ceil(connection.claims.expires)
        sids = self._expiring.get(second)
        if sids is None:
            sids = self._expiring[second] = set()
            delay = max(0.0, second - time.time())
            asyncio.get_running_loop().call_later(delay, self._expire, second)
        sids.add(sid)
        connection.expiry = second

    def _unexpire(self, sid: str, connection: Connection) -> None:
        if connection.expiry is not None:
            # An emptied second stays until its timer fires and finds no one.
            self._expiring.get(connection.expiry, set()).discard(sid)
            connection.expiry = None

    def _expire(self, second: int) -> None:
        for sid in self._expiring.pop(second, ()):
            self._background(self._sio.disconnect(sid))

    def changed(self, session: LiveSession, sections: frozenset[str]) -> None:
        """A committed batch revoked tokens: this worker closes its own sockets whose
        claims no longer pass, whichever worker ran the command (at most one sweep
        of a session's connections waits at a time)."""
        if REVOKED in sections and session.session_id not in self._sweeping:
            self._sweeping.add(session.session_id)
            self._background(self._sweep(session))

    async def _sweep(self, session: LiveSession) -> None:
        self._sweeping.discard(session.session_id)
        for sid, connection in list(self._connections.items()):
            if connection.runner is session:
                await self._sweep_one(sid)

    async def _sweep_one(self, sid: str) -> None:
        connection = self._connections.get(sid)
        if connection is None:
            return
        try:
            self._auth.check(connection.claims, connection.runner.state)
        except ApiError:
            if sid in self._busy:  # it may be the caller taking its new token (links:rotate)
                self._recheck.add(sid)
            else:
                await self._sio.disconnect(sid)

    async def close(self, room_name: str, which: Callable[[Claims], bool], keep: str) -> None:
        for sid, _ in list(self._sio.manager.get_participants("/", room_name)):
            connection = self._connections.get(sid)
            if sid != keep and connection is not None and which(connection.claims):
                await self._sio.disconnect(sid)

    async def tell(self, runner: LiveSession, participant_id: str) -> None:
        """A `state` patch with the participant's own `me`, to their connections only."""

        def patch() -> dict[str, Any]:
            me = role_view(runner, "participant", participant_id, time.time(), ("me",))
            return {"version": runner.state.version, "head": runner.head_short, **me}

        body = await runner.read(patch)
        await self._sio.emit("state", body, room=personal(runner.session_id, participant_id))

    @property
    def auth(self) -> Authenticator:
        return self._auth

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    async def _send_snapshot(self, sid: str, wait_for_connect: bool = False) -> None:
        # On connect, the snapshot must follow socket.io's own CONNECT packet,
        # which is sent after the connect handler returns.
        for _ in range(200 if wait_for_connect else 0):
            if self._sio.manager.is_connected(sid, "/"):
                break
            await asyncio.sleep(0.005)
        connection = self._connections.get(sid)
        if connection is None:
            return
        runner, claims = connection.runner, connection.claims
        body = await runner.read(lambda: snapshot(runner, claims.role, claims.subject))
        await self._sio.emit("snapshot", body, to=sid)
        if claims.role == "participant":  # now on the wire, ahead of any later update
            self.told_place(runner, claims.subject, body.get("place"))


class _Effects(Effects):
    """The after-effects of one command given on connection `sid`."""

    def __init__(self, gateway: Gateway, sid: str) -> None:
        self._gateway, self._sid = gateway, sid

    def hub_link(self, runner: LiveSession, hub_id: str) -> tuple[str, str]:
        return hub_link(self._gateway.auth, runner, hub_id)

    def link(self, runner: LiveSession, role: LinkRole) -> tuple[str, str]:
        return shared_link(self._gateway.auth, runner, role)

    async def close(self, room_name: str, which: Callable[[Claims], bool]) -> None:
        await self._gateway.close(room_name, which, keep=self._sid)

    def adopt(self, token: str) -> None:
        self._gateway.adopt(self._sid, token)

    async def tell(self, runner: LiveSession, participant_id: str) -> None:
        await self._gateway.tell(runner, participant_id)

    async def forget_registrant(self, runner: LiveSession, registrant_id: str) -> None:
        await self._gateway.forget_registrant(runner.session_id, registrant_id)


async def _nothing_to_forget(_: str, __: str) -> None:
    return None


def _nothing_told(_: LiveSession, __: str, ___: Any) -> None:
    return None

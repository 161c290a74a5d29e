"""Socket.IO: token auth on connect, snapshots, and commands with acks.

A handler validates the payload, hands the command to the session's runner,
and answers once the runner made it durable; broadcasts follow through the
fan-out, never from here. Every refusal is an ack `{ok: false, error}`; no
input, however malformed, raises out of a handler.
"""

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Final

import socketio

from facilitation import Actor, FacilitationError

from .auth import Authenticator, Claims
from .errors import ApiError, refusal
from .ratelimit import TokenBucket
from .runner import Request, SessionRunner, fingerprint
from .sessions import Sessions
from .views import hub_link, room, snapshot
from .wire import COMMANDS, LOCAL_COMMANDS, Empty, parse

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
    runner: SessionRunner
    bucket: TokenBucket

    @property
    def actor(self) -> Actor:
        return Actor(self.claims.role, self.claims.subject)  # type: ignore[arg-type]


class Gateway:
    def __init__(self, sio: socketio.AsyncServer, sessions: Sessions, auth: Authenticator) -> None:
        self._sio = sio
        self._sessions = sessions
        self._auth = auth
        self._connections: dict[str, Connection] = {}
        self._tasks: set[asyncio.Task[None]] = set()
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
        self._connections[sid] = Connection(claims, runner, TokenBucket(*RATES[claims.role]))
        await self._sio.enter_room(sid, room(runner.session_id, claims.role, claims.subject))
        if claims.role == "participant":
            await self._sio.enter_room(sid, _personal(runner.session_id, claims.subject))
        self._background(self._send_snapshot(sid, wait_for_connect=True))

    async def disconnect(self, sid: str, *_: Any) -> None:
        self._connections.pop(sid, None)

    async def command(self, name: str, sid: str, *args: Any) -> dict[str, Any]:
        connection = self._connections.get(sid)
        if connection is None:
            return refusal(ApiError("unauthorized", "Connect with a token first."))
        if not connection.bucket.take():
            return refusal(
                ApiError("rate_limited", "Too many requests: wait a moment and try again.")
            )
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

    async def _command(self, c: Connection, sid: str, name: str, data: object) -> dict[str, Any]:
        if not isinstance(name, str) or (name not in COMMANDS and name not in LOCAL_COMMANDS):
            raise ApiError("bad_request", f"Unknown command {str(name)[:64]!r}.")
        self._auth.check(c.claims, c.runner.state)  # revoked since connecting?
        if name == "sync":
            parse(Empty, data)
            self._background(self._send_snapshot(sid))
            return {"ok": True}
        if name == "auth:refresh":
            parse(Empty, data)
            token = self._auth.issue(
                c.claims.session_id, c.claims.role, c.claims.subject, c.claims.epoch
            )
            return {"ok": True, "token": token}
        model, build = COMMANDS[name]
        payload = parse(model, data)
        request = None
        if payload.request_id is not None:
            assert isinstance(data, dict)
            request = Request(c.claims.holder, payload.request_id, fingerprint(name, data))
        ack = await c.runner.submit(build(payload), c.actor, request)
        if ack["ok"]:
            ack = await self._after(c, name, payload, ack)
        return ack

    async def _after(
        self, c: Connection, name: str, payload: Any, ack: dict[str, Any]
    ) -> dict[str, Any]:
        """What follows a durable command outside the log: tokens, closed connections."""
        session_id = c.runner.session_id
        if name == "hub:invite" or name == "hub:rotate":
            hub_id = ack.get("hub_id") or payload.hub_id
            epoch = c.runner.state.hubs[hub_id].epoch
            token, url = hub_link(self._auth, c.runner, hub_id)
            if name == "hub:rotate":
                await self._drop(
                    room(session_id, "hub", hub_id), lambda claims: claims.epoch != epoch
                )
            return {**ack, "hub_id": hub_id, "token": token, "url": url}
        if name == "participant:remove":
            await self._drop(_personal(session_id, payload.participant_id), lambda claims: True)
        return ack

    async def _drop(self, room_name: str, which: Any) -> None:
        for sid, _ in list(self._sio.manager.get_participants("/", room_name)):
            connection = self._connections.get(sid)
            if connection is not None and which(connection.claims):
                await self._sio.disconnect(sid)

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


def _personal(session_id: str, participant_id: str) -> str:
    return f"{session_id}/p/{participant_id}"

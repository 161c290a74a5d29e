"""Bare python-socketio baseline: the floor under Plenary.

Same wire shapes as Plenary for the burst (auth on connect, `rating:submit`
acked `{ok: true, round: 1}`, a tally coalesced at 10 Hz and emitted as
`state` to the display and facilitator rooms) but no domain, no storage and
no real auth, so the difference to Plenary is what our own code costs.

Run: python -m bench.baselines.bare_socketio --port 8100
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

import socketio
import uvicorn

from bench.baselines.tally import Tally

Scope = dict[str, Any]
Message = dict[str, Any]

COALESCE_SECONDS = 0.1  # 10 Hz, as Plenary's fan-out
BROADCAST_ROOMS = ("display", "facilitator")
BAD_REQUEST: Message = {"ok": False, "error": {"code": "bad_request", "message": "bad payload"}}


class BareServer:
    """python-socketio with the burst's events and nothing else."""

    def __init__(self) -> None:
        self.sio: Any = socketio.AsyncServer(async_mode="asgi", transports=["websocket"])
        self.tally = Tally()
        self._tasks: set[asyncio.Task[None]] = set()
        self.sio.on("connect", self.connect)
        self.sio.on("rating:submit", self.rating_submit)
        self.sio.on("proposition:open", self.proposition_open)

    def asgi_app(self) -> Any:
        return socketio.ASGIApp(self.sio, other_asgi_app=healthz, on_startup=self.start)

    def start(self) -> None:
        self._tasks.add(asyncio.get_running_loop().create_task(self.broadcast_forever()))

    async def connect(self, sid: str, environ: Scope, auth: Any) -> None:
        role = role_of(auth)
        if role in BROADCAST_ROOMS:
            await self.sio.enter_room(sid, role)
        await self.sio.emit("snapshot", self.tally.snapshot(), to=sid)

    async def rating_submit(self, sid: str, data: Any) -> Message:
        if not isinstance(data, dict) or not isinstance(data.get("proposition_id"), str):
            return BAD_REQUEST
        self.tally.rate(data["proposition_id"], sid, data.get("value"))
        return {"ok": True, "round": 1}

    async def proposition_open(self, sid: str, data: Any) -> Message:
        if not isinstance(data, dict) or not isinstance(data.get("proposition_id"), str):
            return BAD_REQUEST
        self.tally.open(data["proposition_id"])
        return {"ok": True, "round": 1}

    async def broadcast_forever(self) -> None:
        # Coalesce: one `state` per tick while anything changed, never one per vote.
        while True:
            await asyncio.sleep(COALESCE_SECONDS)
            update = self.tally.take_update()
            if update is not None:
                for room in BROADCAST_ROOMS:
                    await self.sio.emit("state", update, room=room)


def role_of(auth: Any) -> str:
    """The role a baseline token names: any token is accepted, its prefix is the role."""
    token = auth.get("token") if isinstance(auth, dict) else None
    prefix = token.split(":", 1)[0] if isinstance(token, str) else ""
    return prefix if prefix in BROADCAST_ROOMS else "participant"


async def healthz(scope: Scope, receive: Any, send: Any) -> None:
    """Answer every plain HTTP request as `GET /healthz` does."""
    body = json.dumps({"ok": True}).encode()
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Bare python-socketio baseline server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ws", default="websockets-sansio", help="uvicorn websocket protocol")
    args = parser.parse_args(argv)
    app = BareServer().asgi_app()
    config = uvicorn.Config(app, host=args.host, port=args.port, ws=args.ws, log_level="warning")
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()

"""The HTTP API of docs/protocol.md: health, sessions, joining, results."""

import io
import json
from collections.abc import Callable
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from facilitation import Actor
from facilitation.commands import Join
from facilitation.views import results

from .auth import Authenticator, Claims, bearer
from .errors import ApiError
from .live import LiveSession
from .ratelimit import JoinLimiter
from .sessions import Sessions, new_id
from .views import shared_links
from .wire import CreateSessionBody, JoinBody, parse


class HttpApi:
    def __init__(
        self,
        sessions: Sessions,
        auth: Authenticator,
        public_url: str,
        store_health: Callable[[], str | None] = lambda: None,
        max_joins: int = 0,
        store_status: Callable[[], dict[str, Any]] = dict,
    ) -> None:
        self._store_status = store_status
        self._max_joins = max_joins
        self._sessions = sessions
        self._auth = auth
        self._public_url = public_url.rstrip("/")
        self._store_health = store_health
        self._joins = JoinLimiter()

    def routes(self) -> list[Route]:
        return [
            Route("/healthz", self.health),
            Route("/api/sessions", self.create_session, methods=["POST"]),
            Route("/api/join", self.join, methods=["POST"]),
            Route("/api/join/{join_code}", self.join_info),
            Route("/api/join/{join_code}/qr.svg", self.join_qr),
            Route("/api/sessions/{session_id}/results", self.results),
        ]

    async def health(self, _: Request) -> Response:
        """200 while the store can record; 503 with the reason once it cannot."""
        problem = self._store_health()
        status = self._store_status()
        if problem is not None:
            return JSONResponse({"ok": False, "reason": problem, **status}, status_code=503)
        return JSONResponse({"ok": True, **status})

    async def create_session(self, request: Request) -> Response:
        if not self._auth.is_admin(request.headers.get("authorization")):
            raise ApiError(
                "unauthorized",
                "Creating a session needs the operator's admin token (Authorization: Bearer …).",
            )
        body = parse(CreateSessionBody, await _json(request))
        runner = await self._sessions.create(
            body.command(self._sessions.fresh_join_code()), self.base_url(request)
        )
        return JSONResponse(self.created(runner), status_code=201)

    def created(self, runner: LiveSession) -> dict[str, Any]:
        """The create answer: links, tokens, propositions (also printed by `serve --demo`)."""
        links = shared_links(self._auth, runner)
        return {
            "session_id": runner.session_id,
            "join_code": runner.state.join_code,
            "urls": {
                "join": runner.join_url,
                "console": links["facilitator"][1],
                "display": links["display"][1],
            },
            "tokens": {role: token for role, (token, _) in links.items()},
            "propositions": [
                {
                    "id": pid,
                    "text": runner.state.propositions[pid].text,
                    "source": runner.state.propositions[pid].source,
                }
                for pid in runner.state.order
            ],
        }

    async def join_info(self, request: Request) -> Response:
        runner = await self._runner_by_code(request, request.path_params["join_code"])
        state = runner.state
        return JSONResponse(
            {
                "session_id": state.session_id,
                "title": state.title,
                "stakeholder_groups": list(state.stakeholder_groups),
                "languages": list(state.languages),
                "channels": ["in_room", "remote"],
                "admission": state.settings.admission,
            }
        )

    async def join_qr(self, request: Request) -> Response:
        runner = await self._runner_by_code(request, request.path_params["join_code"])
        svg = io.BytesIO()  # a standalone document: with xmlns, unlike segno's inline form
        segno.make(runner.join_url, error="m").save(svg, kind="svg", scale=8, border=2)
        return Response(
            svg.getvalue(),
            media_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    async def join(self, request: Request) -> Response:
        body = parse(JoinBody, await _json(request))
        runner = await self._runner_by_code(request, body.join_code)
        self._refuse_removed_device(request, runner)
        # Checked before each join: joins already in flight may pass it by a few.
        if self._max_joins and len(runner.state.participants) >= self._max_joins:
            raise ApiError(
                "forbidden",
                f"This session is full ({self._max_joins} participants): ask the facilitator.",
            )
        command = Join(new_id(), body.stakeholder_group, body.channel, body.name, body.language)
        ack = await runner.submit(command, Actor("guest"))
        if not ack["ok"]:
            raise ApiError(ack["error"]["code"], ack["error"]["message"])
        token = self._auth.issue(runner.session_id, "participant", command.participant_id)
        answer = JSONResponse(
            {
                "session_id": runner.session_id,
                "participant_id": command.participant_id,
                "token": token,
            },
            status_code=201,
        )
        answer.set_cookie(
            _device_cookie(runner.session_id),
            self._auth.device_mark(runner.session_id, command.participant_id),
            max_age=30 * 24 * 3600,
            path="/api/join",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return answer

    def _refuse_removed_device(self, request: Request, runner: LiveSession) -> None:
        """Refuse a join from a device whose last participant here was removed.

        Only as strong as the cookie: clearing cookies or another browser gets
        past it (docs/deployment.md); registered admission is the real answer.
        """
        mark = request.cookies.get(_device_cookie(runner.session_id))
        previous = self._auth.device_participant(runner.session_id, mark)
        who = runner.state.participants.get(previous) if previous else None
        if who is not None and who.removed:
            raise ApiError(
                "forbidden",
                "The facilitator removed you from this session; this device cannot join it again.",
            )

    async def results(self, request: Request) -> Response:
        runner, claims = await self.authorize(request, ("facilitator", "display"))
        body = await runner.read(
            lambda: {**results(runner.state, claims.role), "head": runner.head}
        )
        return JSONResponse(body)

    async def authorize(
        self, request: Request, roles: tuple[str, ...]
    ) -> tuple[LiveSession, Claims]:
        """The session of the path, if the bearer token is for it and of one of `roles`."""
        session_id = request.path_params["session_id"]
        claims = self._auth.verify(bearer(request.headers.get("authorization")), session_id)
        runner = await self._sessions.get(session_id)
        self._auth.check(claims, runner.state)
        if claims.role not in roles:
            raise ApiError("forbidden", f"This needs a {' or '.join(roles)} token.")
        return runner, claims

    def base_url(self, request: Request) -> str:
        return self._public_url or f"{request.url.scheme}://{request.url.netloc}"

    async def _runner_by_code(self, request: Request, code: str) -> LiveSession:
        # The socket's peer, or (only behind a proxy named in trusted_proxies)
        # the address that proxy forwarded for: uvicorn resolves it.
        address = request.client.host if request.client else "?"
        if not self._joins.attempt(address):
            raise ApiError(
                "rate_limited",
                "Too many join attempts from this address: wait a "
                "few seconds, then check the code on the projector.",
            )
        try:
            return await self._sessions.by_join_code(code)
        except ApiError:
            self._joins.failed(address)
            raise


def _device_cookie(session_id: str) -> str:
    return f"plenary_device_{session_id}"


async def read_json(request: Request) -> Any:
    return await _json(request)


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    # ValueError covers numbers too long to convert; RecursionError, deep nesting.
    except (ValueError, RecursionError):
        raise ApiError("bad_request", "The request body must be JSON.") from None

"""The HTTP API of the operator's page and the chair's set-up work.

The operator (admin token) lists sessions, checks settings, closes, archives
or reopens a session and gets its links; the chair (facilitator token) gets
the session's links without rotating them, and a draft's preview. Closing
goes through the session's runner like every command: durable before it is
answered, refused with a coded error otherwise.
"""

import shlex
from pathlib import Path
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from facilitation import Actor
from facilitation.commands import SetSessionStatus
from facilitation.settings import SessionSettings, describe
from facilitation.state import SessionState
from facilitation.vocabulary import DEFAULT_GROUPS, LANGUAGES, MAX_GROUPS, MAX_TITLE

from .auth import Authenticator
from .drafts import MAX_DRAFT_BYTES, read_draft
from .errors import ApiError
from .http_api import HttpApi, _json
from .live import LiveSession
from .sessions import Sessions
from .views import hub_link, shared_links
from .wire import SessionStatusBody, SettingsCheckBody, parse


class OperatorApi:
    def __init__(self, api: HttpApi, sessions: Sessions, auth: Authenticator, data: Path) -> None:
        self._api, self._sessions, self._auth = api, sessions, auth
        self._data = str(data.resolve())

    def routes(self) -> list[Route]:
        return [
            Route("/api/settings", self.settings),
            Route("/api/settings/check", self.check_settings, methods=["POST"]),
            Route("/api/sessions", self.list_sessions, methods=["GET"]),
            Route("/api/sessions/{session_id}/status", self.set_status, methods=["POST"]),
            Route("/api/sessions/{session_id}/links", self.links),
            Route("/api/sessions/{session_id}/draft", self.draft, methods=["POST"]),
        ]

    def _admin(self, request: Request) -> None:
        if not self._auth.is_admin(request.headers.get("authorization")):
            raise ApiError(
                "unauthorized",
                "This needs the operator's admin token: it was printed when the server "
                "started and is kept in admin.token in the data directory.",
            )

    async def settings(self, _: Request) -> Response:
        """What a new session may be given: settings as form fields, languages, groups."""
        return JSONResponse(
            {
                "settings": describe(),
                "languages": list(LANGUAGES),
                "stakeholder_groups": list(DEFAULT_GROUPS),
                "max_groups": MAX_GROUPS,
                "max_title": MAX_TITLE,
            }
        )

    async def check_settings(self, request: Request) -> Response:
        self._admin(request)
        body = parse(SettingsCheckBody, await _json(request))
        return JSONResponse(
            {"ok": True, "settings": SessionSettings.from_dict(body.settings).to_dict()}
        )

    async def list_sessions(self, request: Request) -> Response:
        self._admin(request)
        found = []
        for session_id in await self._sessions.listed():
            found.append(await self._summary(await self._sessions.peek(session_id)))
        found.sort(key=lambda s: s["created_at"], reverse=True)
        return JSONResponse({"sessions": found})

    async def _summary(self, runner: LiveSession) -> dict[str, Any]:
        return await runner.read(lambda: self._summary_now(runner))

    def _summary_now(self, runner: LiveSession) -> dict[str, Any]:
        state = runner.state
        return {
            "session_id": runner.session_id,
            "title": state.title,
            "created_at": state.created_at,
            "status": state.status,
            "joined": sum(not p.removed for p in state.participants.values()),
            "propositions": len(state.order),
            "languages": list(state.languages),
            "stakeholder_groups": list(state.stakeholder_groups),
            **self._links(runner),
        }

    async def set_status(self, request: Request) -> Response:
        self._admin(request)
        body = parse(SessionStatusBody, await _json(request))
        runner = await self._sessions.get(request.path_params["session_id"])
        ack = await runner.submit(SetSessionStatus(body.status), Actor("operator"))
        if not ack["ok"]:
            raise ApiError(ack["error"]["code"], ack["error"]["message"])
        return JSONResponse(ack)

    async def links(self, request: Request) -> Response:
        """Every link of the session as of now, rotating none: for the operator or the chair."""
        runner: LiveSession
        if self._auth.is_admin(request.headers.get("authorization")):
            runner = await self._sessions.get(request.path_params["session_id"])
        else:
            runner, _ = await self._api.authorize(request, ("facilitator",))
        return JSONResponse(await runner.read(lambda: self._links(runner, qr=True)))

    def _links(self, runner: LiveSession, qr: bool = False) -> dict[str, Any]:
        state: SessionState = runner.state
        shared = shared_links(self._auth, runner)
        data, sid = shlex.quote(self._data), shlex.quote(runner.session_id)
        found: dict[str, Any] = {
            "join_code": state.join_code,
            "urls": {
                "join": runner.join_url,
                "console": shared["facilitator"][1],
                "display": shared["display"][1],
            },
            "hubs": [
                {"hub_id": h, "name": hub.name, "url": hub_link(self._auth, runner, h)[1]}
                for h, hub in state.hubs.items()
            ],
            "commands": {
                "export": f"plenary export --data {data} {sid} --format html --out {sid}.html",
                "verify": f"plenary verify --data {data} {sid} --head {runner.head}",
            },
        }
        if qr:
            found["display_qr"] = segno.make(shared["display"][1], error="m").svg_data_uri(
                scale=4, border=2
            )
        return found

    async def draft(self, request: Request) -> Response:
        """A draft file (or pasted text) split into propositions, for the chair to edit: nothing is
        added until the chair adds them."""
        await self._api.authorize(request, ("facilitator",))
        data = await request.body()
        params = request.query_params
        title = (params.get("title") or "").strip()[:MAX_TITLE] or None
        draft = read_draft(
            data, params.get("name", ""), request.headers.get("content-type", ""), title
        )
        return JSONResponse(
            {
                "title": draft.title,
                "items": [
                    {"text": i.text, "section": i.section, "number": i.number, "source": i.source}
                    for i in draft.items
                ],
                "max_bytes": MAX_DRAFT_BYTES,
            }
        )

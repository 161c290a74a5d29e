"""The published outcome at a stable link, and carrying one forward.

`GET /outcome/<session_id>` (HTML) and `/outcome/<session_id>.json` need no
token: they show the outcome the chair published, built from the log's
first `version` events (the version `outcome:publish` pinned), however the
session went on since. It is rebuilt by replaying exactly those events, so it
is the same after a restart, and kept in memory per published version.
Unpublished (or never published), both answer 404 with a message saying so.

`POST /api/sessions/<id>/carry-forward` brings the propositions a past
outcome marked `no_consensus` or `needs_revision` into a session as drafts,
from an uploaded outcome JSON or from a session of this server by id.
"""

import json
from collections import OrderedDict
from dataclasses import replace
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from facilitation import Actor, SessionState, apply
from facilitation import events as ev
from facilitation.commands import Carried, CarryForward
from facilitation.public_outcome import FORMAT, build_outcome, carried_items
from facilitation.report import build
from facilitation.state import Publication

from .chain import GENESIS
from .errors import ApiError
from .http_api import HttpApi
from .reports.as_outcome import gone, render
from .reports.outcome_words import pick
from .sessions import Sessions, new_id
from .store import Store

CACHED: Final = 64  # published outcomes kept built in memory
NOT_PUBLISHED: Final = (
    "This session's outcome is not published: the chair has not published it yet, "
    "or has taken it down."
)
NO_SUCH: Final = "There is no session with this id on this server."


class Figures(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    total: Annotated[int, Field(ge=0)]
    agree_share: Annotated[float, Field(ge=0, le=1)] | None = None
    counts: dict[Annotated[str, Field(max_length=32)], int]


class Item(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    text: str
    status: Literal["no_consensus", "needs_revision"]
    round: int | None = None
    figures: Figures | None = None


class PastSession(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    session_id: Annotated[str, Field(min_length=1, max_length=64)]
    title: str


class Upload(BaseModel):
    """The parts of a published outcome's JSON that carrying forward reads."""

    model_config = ConfigDict(extra="ignore", strict=True)
    format: Literal["plenary-outcome/1"]
    session: PastSession
    head: Annotated[str, Field(pattern=r"^[0-9a-f]{8,64}$")]
    no_consensus: Annotated[list[Item], Field(max_length=500)] = []
    needs_revision: Annotated[list[Item], Field(max_length=500)] = []


class CarryBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    session_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    outcome: dict[str, Any] | None = None


class Published:
    def __init__(self, sessions: Sessions, store: Store, api: HttpApi) -> None:
        self._sessions, self._store, self._api = sessions, store, api
        self._built: OrderedDict[tuple[str, int, float], dict[str, Any]] = OrderedDict()

    def routes(self) -> list[Route]:
        return [
            Route("/outcome/{session_id}.json", self.as_json),
            Route("/outcome/{session_id}", self.as_html),
            Route("/api/sessions/{session_id}/carry-forward", self.carry, methods=["POST"]),
        ]

    async def outcome(self, session_id: str) -> dict[str, Any]:
        """The published outcome of a session; ApiError not_found when there is none."""
        try:
            runner = await self._sessions.get(session_id)
        except ApiError:
            raise ApiError("not_found", NO_SUCH) from None
        published = await runner.read(lambda: _copy(runner.state.published))
        if published is None:
            raise ApiError("not_found", NOT_PUBLISHED)
        key = (session_id, published.version, published.at)
        found = self._built.get(key)
        if found is None:
            state, head = await self._replay(session_id, published.version)
            report = build(state, head)
            minimum = state.settings.min_group_size
            found = build_outcome(report, published.at, published.note, minimum)
            self._built[key] = found
            while len(self._built) > CACHED:
                self._built.popitem(last=False)
        return found

    async def _replay(self, session_id: str, version: int) -> tuple[SessionState, str]:
        state, head = SessionState(), GENESIS
        # Read to the end (the store's iterator holds a cursor), applying only
        # the events the publication pinned.
        async for row in self._store.events(session_id):
            if row.seq <= version:
                apply(state, ev.from_json(json.loads(row.body)))
                head = row.hash
        return state, head

    async def as_json(self, request: Request) -> Response:
        outcome = await self.outcome(request.path_params["session_id"])
        return JSONResponse(outcome, headers={"Cache-Control": "no-cache"})

    async def as_html(self, request: Request) -> Response:
        lang = pick(request.query_params.get("lang"), request.headers.get("accept-language"))
        try:
            outcome = await self.outcome(request.path_params["session_id"])
        except ApiError as error:
            why = "gone_text" if error.message == NOT_PUBLISHED else "no_session"
            return HTMLResponse(gone(why, lang), status_code=404)
        headers = {"Cache-Control": "no-cache", "Content-Language": lang, "Vary": "Accept-Language"}
        return HTMLResponse(render(outcome, lang), headers=headers)

    async def carry(self, request: Request) -> Response:
        runner, claims = await self._api.authorize(request, ("facilitator",))
        body = _parse(CarryBody, await _json(request), "")
        if (body.session_id is None) == (body.outcome is None):
            raise ApiError(
                "bad_request", "Give either session_id (a session of this server) or outcome."
            )
        if body.session_id is not None:
            if body.session_id == runner.session_id:
                raise ApiError("bad_request", "A session cannot carry its own outcome forward.")
            raw = await self.outcome(body.session_id)
        else:
            raw = body.outcome or {}
        upload = _parse(Upload, raw, "outcome.")
        if raw.get("format") != FORMAT:
            raise ApiError("bad_request", f"outcome.format must be {FORMAT!r}.")
        items = carried_items(upload.model_dump())
        command = CarryForward(tuple(_carried(upload, item) for item in items))
        ack = await runner.submit(command, Actor("facilitator", claims.subject))
        if not ack["ok"]:
            raise ApiError(ack["error"]["code"], ack["error"]["message"])
        return JSONResponse(ack, status_code=201)


def _carried(upload: Upload, item: dict[str, Any]) -> Carried:
    counts = {k: v for k, v in item["counts"].items() if v}
    return Carried(
        new_id(),
        item["text"],
        upload.session.session_id,
        upload.session.title,
        upload.head,
        item["status"],
        item["round"],
        item["total"],
        item["agree_share"],
        counts,
    )


def _copy(published: Publication | None) -> Publication | None:
    return None if published is None else replace(published)


def _parse(model: type[Any], raw: object, where: str) -> Any:
    if not isinstance(raw, dict):
        raise ApiError("bad_request", f"{where or 'The body'} must be a JSON object.")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(part) for part in first["loc"]) or "body"
        raise ApiError("bad_request", f"{where}{path}: {first['msg']}.") from None


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, RecursionError):
        raise ApiError("bad_request", "The request body must be JSON.") from None

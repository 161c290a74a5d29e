"""The facilitator's registrant routes and the invitation link (docs/protocol.md).

Importing goes through the session's writer like every command: the file is
read here (`facilitation.registrants.read_csv`), every row is checked by
`decide`, and either the whole list is recorded or none of it. Email
addresses are kept by `Contacts`, beside the log.
"""

import csv
import io
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from facilitation import Actor, decide
from facilitation.commands import ImportRegistrants, OpenInvitation, RegistrantRow
from facilitation.registrants import read_csv
from facilitation.state import SessionState

from ..auth import Authenticator
from ..errors import ApiError
from ..http_api import HttpApi
from ..live import Ack, LiveSession
from ..reports.as_csv import inert
from ..sessions import Sessions, new_id
from ..wire import InvitationBody, InvitationsSend, parse
from .contacts import Contacts
from .letters import Letter, letter
from .mailer import Mailer

CHANNEL_WORDS = {"in_room": "on-site", "remote": "online"}


class RegistrantsApi:
    def __init__(
        self,
        api: HttpApi,
        sessions: Sessions,
        auth: Authenticator,
        contacts: Contacts,
        mailer: Mailer,
    ) -> None:
        self._api, self._sessions, self._auth = api, sessions, auth
        self._contacts, self._mailer = contacts, mailer

    def routes(self) -> list[Route]:
        base = "/api/sessions/{session_id}"
        return [
            Route(base + "/registrants", self.import_list, methods=["POST"]),
            Route(base + "/registrants", self.list),
            Route(base + "/registrants.csv", self.export),
            Route(base + "/invitations", self.send, methods=["POST"]),
            Route("/api/invitation", self.open, methods=["POST"]),
        ]

    async def import_list(self, request: Request) -> Response:
        runner, _ = await self._api.authorize(request, ("facilitator",))
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(
                "bad_request", "The file is not UTF-8 text: save it as \u201cCSV UTF-8\u201d."
            ) from None
        rows, problems = read_csv(text)
        sid = runner.session_id
        command = ImportRegistrants(
            tuple(
                RegistrantRow(
                    r.row, new_id(), self._auth.email_key(sid, r.values["email"]), r.values
                )
                for r in rows
            ),
            tuple(problems),
        )
        facilitator = Actor("facilitator")
        # Checked first against committed state, so a refused list leaves no address behind.
        await runner.read(lambda: decide(runner.state, command, facilitator, time.time()))
        ids = [row.registrant_id for row in command.rows]
        await self._contacts.add(
            sid, {row.registrant_id: row.values["email"] for row in command.rows}
        )
        ack = await runner.submit(command, facilitator)
        if not ack["ok"]:
            await self._contacts.forget(sid, ids)
            raise _refused(ack)
        listed = await self._listing(runner)
        return JSONResponse({"imported": ack["imported"], **listed}, status_code=201)

    async def list(self, request: Request) -> Response:
        runner, _ = await self._api.authorize(request, ("facilitator",))
        return JSONResponse(await self._listing(runner), headers={"Cache-Control": "no-store"})

    async def export(self, request: Request) -> Response:
        runner, _ = await self._api.authorize(request, ("facilitator",))
        listed = await self._listing(runner)
        out = io.StringIO()
        table = csv.writer(out, lineterminator="\r\n")
        table.writerow(["name", "email", "stakeholder_group", "channel", "language", "link"])
        for r in listed["registrants"]:
            if not r["removed"]:
                table.writerow(
                    [
                        inert(r["name"]),
                        inert(r["email"]),
                        r["stakeholder_group"],
                        CHANNEL_WORDS[r["channel"]],
                        r["language"],
                        r["link"],
                    ]
                )
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="invitations.csv"',
                "Cache-Control": "no-store",
            },
        )

    async def send(self, request: Request) -> Response:
        runner, _ = await self._api.authorize(request, ("facilitator",))
        if self._mailer.config is None:
            raise ApiError(
                "unavailable",
                "Email is not set up on this server (smtp_host, docs/settings.md): "
                "export the links as CSV for a mail merge instead.",
            )
        raw = await request.body()
        body = parse(InvitationsSend, await _json(request) if raw.strip() else {})
        listed = (await self._listing(runner))["registrants"]
        present = {r["registrant_id"]: r for r in listed if not r["removed"]}
        if body.registrant_ids is not None:
            unknown = [rid for rid in body.registrant_ids if rid not in present]
            if unknown:
                raise ApiError("not_found", f"No such registrant here: {', '.join(unknown[:5])}.")
            chosen = [present[rid] for rid in body.registrant_ids]
        else:
            done = {"queued", "sent"}
            chosen = [
                r
                for r in present.values()
                if body.again or (r["delivery"] or {}).get("status") not in done
            ]
        letters = [self._letter(runner, r) for r in chosen if r["email"]]
        if letters:
            await self._mailer.queue(runner.session_id, letters)
        return JSONResponse({"queued": len(letters)}, status_code=202)

    async def open(self, request: Request) -> Response:
        body = parse(InvitationBody, await _json(request))
        session_id, registrant_id = self._auth.invited(body.invitation)
        try:
            runner = await self._sessions.get(session_id)
        except ApiError:
            raise ApiError(
                "unauthorized", "This invitation's session is not on this server."
            ) from None
        ack = await runner.submit(OpenInvitation(registrant_id), Actor("guest"))
        if not ack["ok"]:
            raise _refused(ack)
        who = runner.state.participants[registrant_id]
        return JSONResponse(
            {
                "session_id": session_id,
                "participant_id": registrant_id,
                "token": self._auth.issue(session_id, "participant", registrant_id),
                "title": runner.state.title,
                "stakeholder_group": who.stakeholder_group,
                "channel": who.channel,
                "language": who.language,
            },
            status_code=201,
        )

    async def forget(self, session_id: str, registrant_id: str) -> None:
        """A removed registrant's address and delivery status are deleted."""
        await self._contacts.forget(session_id, [registrant_id])
        await self._mailer.forget(session_id, registrant_id)

    async def _listing(self, runner: LiveSession) -> dict[str, Any]:
        state: SessionState = runner.state
        rows = await runner.read(lambda: _registrants(state))
        emails = await self._contacts.emails(runner.session_id)
        deliveries = await self._mailer.statuses(runner.session_id)
        for row in rows:
            rid = row["registrant_id"]
            row["email"] = None if row["removed"] else emails.get(rid)
            row["link"] = None if row["removed"] else self.link(runner, rid)
            row["delivery"] = deliveries.get(rid)
        return {"registrants": rows}

    def link(self, runner: LiveSession, registrant_id: str) -> str:
        """A registrant's personal link; the key rides in the fragment (never sent to servers)."""
        return f"{runner.base_url}/invite#{self._auth.invitation(runner.session_id, registrant_id)}"

    def _letter(self, runner: LiveSession, r: dict[str, Any]) -> Letter:
        link = self.link(runner, r["registrant_id"])
        return letter(
            r["registrant_id"], r["email"], r["language"], r["name"], runner.state.title, link
        )


def _registrants(state: SessionState) -> list[dict[str, Any]]:
    return [
        {
            "registrant_id": r.registrant_id,
            "name": r.name,
            "stakeholder_group": r.stakeholder_group,
            "channel": r.channel,
            "language": r.language,
            "removed": r.removed,
            "joined": r.registrant_id in state.participants,
        }
        for r in state.registrants.values()
    ]


def _refused(ack: Ack) -> ApiError:
    error = ack["error"]
    rows = error.get("rows")
    return ApiError(
        error["code"],
        error["message"],
        None if rows is None else [(item["row"], item["reason"]) for item in rows],
    )


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, RecursionError):
        raise ApiError("bad_request", "The request body must be JSON.") from None

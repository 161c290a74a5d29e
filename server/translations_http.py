"""`POST /api/sessions/{id}/translations`: translations brought in as a file.

A file is bigger than a socket message may be, so it comes over HTTP, with the
console's token; it is then one command like any other (`ImportTranslations`):
decided whole or refused whole, acknowledged once durable, fanned out.
"""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from facilitation import Actor
from facilitation.commands import ImportTranslations

from .errors import ApiError
from .http_api import HttpApi, read_json
from .wire import TranslationsBody, parse


def translation_routes(api: HttpApi) -> list[Route]:
    async def import_file(request: Request) -> Response:
        runner, _ = await api.authorize(request, ("facilitator",))
        body = parse(TranslationsBody, await read_json(request))
        ack = await runner.submit(
            ImportTranslations(body.format, body.content), Actor("facilitator")
        )
        if not ack["ok"]:
            raise ApiError(ack["error"]["code"], ack["error"]["message"])
        return JSONResponse(ack)

    return [Route("/api/sessions/{session_id}/translations", import_file, methods=["POST"])]

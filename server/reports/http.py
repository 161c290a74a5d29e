"""`GET /api/sessions/{id}/report.{md,html,csv,json}`: the outcome record, for the chair.

Only a facilitator token opens it: before the chair publishes it, a report
is the chair's. The data is built between two batches of the session's
runner, so it matches one version and one head exactly; rendering happens
afterwards, off the single writer's path.
"""

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from facilitation.report import build

from ..errors import ApiError
from ..http_api import HttpApi
from . import FORMATS, MEDIA_TYPES, render


def report_routes(api: HttpApi) -> list[Route]:
    async def report(request: Request) -> Response:
        runner, _ = await api.authorize(request, ("facilitator",))
        fmt = request.path_params["fmt"]
        if fmt not in FORMATS:
            raise ApiError(
                "not_found", f"There is no {fmt!r} report; ask for one of: {', '.join(FORMATS)}."
            )
        data = await runner.read(lambda: build(runner.state, runner.head))
        name = re.sub(r"[^A-Za-z0-9_-]", "", runner.session_id)
        return Response(
            render(data, fmt),
            media_type=MEDIA_TYPES[fmt],
            headers={
                "Content-Disposition": f'inline; filename="plenary-{name}-report.{fmt}"',
                # A report holds the chair's working figures: no shared cache keeps it.
                "Cache-Control": "no-store",
            },
        )

    return [Route("/api/sessions/{session_id}/report.{fmt}", report)]

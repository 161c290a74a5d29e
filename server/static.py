"""The four views, served from the client's build (client/dist)."""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

DIST = Path(__file__).resolve().parent.parent / "client" / "dist"
VIEW_PATHS = ("/", "/join/{join_code}", "/invite", "/console", "/display", "/hub", "/admin")
NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Plenary</title>
<p>The Plenary views are not built yet. Run <code>scripts/serve</code>, or
<code>npm ci &amp;&amp; npm run build</code> in <code>client/</code>.</p>"""


async def index(_: Request) -> Response:
    page = DIST / "index.html"
    if not page.exists():
        return HTMLResponse(NOT_BUILT, status_code=503)
    return FileResponse(page, headers={"Cache-Control": "no-cache"})


def routes() -> list[BaseRoute]:
    found: list[BaseRoute] = [Route(path, index) for path in VIEW_PATHS]
    found.append(Mount("/", app=StaticFiles(directory=DIST, check_dir=False)))
    return found

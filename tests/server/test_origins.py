"""Same origin by default; other sites only when the operator lists them; and the
data directory is its owner's alone."""

import stat
from pathlib import Path

import httpx
import pytest

from tests.live import LiveServer, try_connect

ALLOWED = "https://console.venue.test"


async def connects(server: LiveServer, token: str, origin: str) -> bool:
    return await try_connect(server.url, token, origin) is None


async def test_sockets_from_other_sites_need_listing(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data", allowed_origins=ALLOWED).start()
    token = server.create_session("Origins")["tokens"]["display"]
    assert await connects(server, token, server.url)
    assert await connects(server, token, ALLOWED)
    refused = await try_connect(server.url, token, "https://elsewhere.test")
    assert refused == {"code": "handshake"}


@pytest.mark.parametrize(
    ("origin", "allowed"), [(ALLOWED, True), ("https://elsewhere.test", False)]
)
def test_http_cors_follows_the_list(
    server_factory: type[LiveServer], tmp_path: Path, origin: str, allowed: bool
) -> None:
    server = server_factory(tmp_path / "data", allowed_origins=ALLOWED).start()
    answer = httpx.get(server.url + "/healthz", headers={"Origin": origin})
    assert (answer.headers.get("access-control-allow-origin") == origin) is allowed


def test_default_allows_no_other_site(live_server: LiveServer) -> None:
    answer = httpx.get(live_server.url + "/healthz", headers={"Origin": "https://elsewhere.test"})
    assert "access-control-allow-origin" not in answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in answer.headers["content-security-policy"]


def test_data_directory_and_secret_are_the_owners_alone(live_server: LiveServer) -> None:
    assert stat.S_IMODE(live_server.data.stat().st_mode) == 0o700
    assert stat.S_IMODE((live_server.data / "secret.key").stat().st_mode) == 0o600

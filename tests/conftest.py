"""Fixtures shared by every test folder: the real server."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import LiveServer
from tests.mail import SmtpServer
from tests.redis_live import RedisServer


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "data").start()
    yield server
    server.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server (AOF `appendfsync always`) in the test's own directory."""
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[type[LiveServer]]:
    """For tests that choose settings or restart: `server_factory(path, **settings)`."""
    started: list[LiveServer] = []

    class Tracked(LiveServer):
        def start(self) -> "LiveServer":
            started.append(self)
            return super().start()

    yield Tracked
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free loopback port; `.inbox` holds what arrived.
    It wants a login (`.login`): the server under test reads it from its environment."""
    server = SmtpServer(login=("plenary-mailer", "env-only-secret-4821")).start()
    yield server
    server.stop()

"""Fixtures of the server tests: a real redis-server, started per test."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.redis_live import RedisServer


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()

"""What each connection leaves in memory after its websocket is set up.

Memory itself is measured by the benchmark (docs/benchmarks.md, issue 15);
these tests check the objects that made it larger are gone, on a real
uvicorn server with Plenary's own configuration.
"""

import asyncio
import gc
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect

from server.edges import _HeaderDeadline
from server.serving import uvicorn_config
from server.settings import Settings


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A websocket that answers each message with the same text (and a lifespan)."""
    if scope["type"] == "lifespan":
        for phase in ("startup", "shutdown"):
            assert (await receive())["type"] == f"lifespan.{phase}"
            await send({"type": f"lifespan.{phase}.complete"})
        return
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    while (message := await receive())["type"] == "websocket.receive":
        await send({"type": "websocket.send", "text": message["text"]})


@pytest.fixture
def collector_off() -> Iterator[None]:
    """Only reference counting frees anything while the test runs."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def http_protocols_alive() -> int:
    return sum(isinstance(o, _HeaderDeadline) for o in gc.get_objects())


async def test_the_http_protocol_a_websocket_was_upgraded_from_is_freed_at_once(
    collector_off: None,
) -> None:
    """uvicorn leaves that protocol in a reference cycle with its request parser;
    held for the header timeout, it was frozen with the hall's connections and
    stayed in memory (about 6 KB per phone). It must go by reference counting."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(Settings(), echo_app))
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        for _ in range(500):  # bounded: 5 s
            if server.started:
                break
            await asyncio.sleep(0.01)
        assert server.started
        before = http_protocols_alive()
        sockets = [await connect(f"ws://127.0.0.1:{port}/") for _ in range(20)]
        for ws in sockets:
            await ws.send("hello")
            assert await ws.recv() == "hello"  # upgraded and served
        assert http_protocols_alive() == before
        for ws in sockets:
            await ws.close()
    finally:
        server.should_exit = True
        await serving

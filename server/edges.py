"""HTTP edges uvicorn leaves open: a header-read timeout, and enough file descriptors.

uvicorn has a keep-alive timeout and a concurrency limit, but a connection that
sends half a request line and then nothing stays open for ever: 1,100 of them
took the server off the air. `header_timeout_protocol` subclasses uvicorn's own
HTTP protocol class (chosen through uvicorn's `http=` setting, never patched in
place) so that every connection must finish a request's headers within a
deadline after it opens, and after each response.
"""

import asyncio
import functools
import resource
from typing import Any, cast

# uvicorn[standard] (our dependency) brings httptools, which uvicorn's "auto" picks.
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _HeaderDeadline(asyncio.Protocol):
    """Closes a connection that has not sent a whole request head `header_timeout` after
    it opened or after its last response; a websocket it was upgraded to is left alone."""

    cycle: Any
    parser: Any
    transport: Any
    loop: asyncio.AbstractEventLoop
    _deadline: asyncio.TimerHandle | None = None

    def __init__(self, *args: Any, header_timeout: float = 10.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # uvicorn's protocol: config, server_state, …
        self.header_timeout = header_timeout

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        """Hand the transport to the websocket protocol, then let go of this one at once.

        Why: uvicorn never calls `connection_lost` on the HTTP protocol a
        connection was upgraded from, and its request parser holds it in a
        reference cycle. Left to the header deadline's timer, it lived on for
        `header_timeout` seconds, was frozen with the connections set up
        meanwhile (server/gc_tuning.py), and stayed in memory as a cycle until
        the next full collection: about 6 KB per phone. Without the timer and
        the parser it is freed by reference counting as the upgrade returns.
        """
        super().handle_websocket_upgrade()  # type: ignore[misc]
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self.parser = None

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        waiting_on = self.cycle  # a new request head replaces the cycle
        self._deadline = self.loop.call_later(self.header_timeout, self._expire, waiting_on)

    def _expire(self, waiting_on: object) -> None:
        self._deadline = None
        if self.cycle is not waiting_on or self.transport.is_closing():
            return  # a request head arrived in time
        if self.transport.get_protocol() is not self:
            return  # upgraded to a websocket: its own pings keep it honest
        self.transport.close()


class _Deadline(_HeaderDeadline, HttpToolsProtocol):
    pass


def header_timeout_protocol(seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's default HTTP protocol, closing connections slow to send a request head.

    A partial of a module-level class, not a class made at run time: uvicorn's
    config is pickled to each worker process (`--workers`), and a partial pickles.
    uvicorn only ever calls what `http=` names, as a class would be called.
    """
    return cast(type[asyncio.Protocol], functools.partial(_Deadline, header_timeout=seconds))


def raise_open_files_limit() -> int:
    """Raise this process's soft RLIMIT_NOFILE to its hard limit; return the new soft limit.

    Each connection is a descriptor: a soft limit of 1,024 lets a thousand idle
    sockets stop the server accepting anyone else.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return max(soft, target)

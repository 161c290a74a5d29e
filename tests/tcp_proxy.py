"""A TCP proxy a test puts between a worker and redis-server, to cut the link at will.

It runs its own event loop in a thread, so a test may call blocking helpers
(`LiveServer.start`, which waits for the worker to reach Redis through it)
without stalling the proxy. `cut()` closes every open connection at once and
refuses (accepts, then closes) every new one until `restore()`: to the worker
it looks like Redis went away, while redis-server itself and the other
workers' links stay up. `stall()` is the harsher partition: connections stay
open and new ones are accepted, but every byte is lost, so the worker hears
nothing and must time out.
"""

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, Final

from tests.live import free_port

CHUNK: Final = 65536


class TcpProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.refused = 0  # connections refused while cut
        self._cut = False
        self._silent = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> "TcpProxy":
        self._thread.start()
        self._call(self._listen())
        return self

    def cut(self) -> None:
        """Close every open connection, and refuse new ones until `restore()`."""
        self._call(self._cut_all())

    def stall(self) -> None:
        """Forward nothing, in either direction, until `restore()`."""
        self._call(self._stall())

    def restore(self) -> None:
        self._call(self._restore())

    def stop(self) -> None:
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _call(self, work: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _cut_all(self) -> None:
        self._cut = True
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _stall(self) -> None:
        self._silent = True

    async def _restore(self) -> None:
        self._cut = self._silent = False

    async def _close(self) -> None:
        await self._cut_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut:
            self.refused += 1
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        if self._cut:  # cut while this one was connecting upstream
            writer.close()
            up_writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                if self._silent:
                    continue  # lost on the way, as in a partition
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            # One side gone: close the other, as a broken link would.
            self._writers.discard(writer)
            writer.close()

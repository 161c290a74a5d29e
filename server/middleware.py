"""Small ASGI middlewares: a request body limit and deadline, and security headers."""

import asyncio
import json
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The views load only their own scripts and styles and talk only to this origin.
CSP: Final = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'"
)


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413 `too_large`, before reading them
    whole, and bodies still arriving `timeout` seconds after the request head with 408
    (and a closed connection): a body sent a byte at a time cannot hold a request, and
    the connection it came on, open for ever. Only this request's own reads wait."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        timeout: float = 20.0,
        larger: tuple[str, int] | None = None,
    ) -> None:
        self.app, self.limit, self.timeout = app, limit, timeout
        self.larger = larger  # (path suffix, its own limit): draft files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit
        if self.larger is not None and scope["path"].endswith(self.larger[0]):
            limit = self.larger[1]
        declared = dict(scope["headers"]).get(b"content-length")
        too_large = f"The request body is over {limit} bytes."
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, 413, "too_large", too_large)
            return
        seen, complete = 0, False
        deadline = asyncio.get_running_loop().time() + self.timeout

        async def counted() -> Message:
            nonlocal seen, complete
            if complete:  # after the body, a read only waits for a disconnect
                return await receive()
            left = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), max(left, 0.0))
            except TimeoutError:
                raise _TooSlow from None
            seen += len(message.get("body", b""))
            complete = not message.get("more_body", False)
            if seen > limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await _refuse(send, 413, "too_large", too_large)
        except _TooSlow:
            message = f"The request body did not arrive within {self.timeout:g} seconds."
            await _refuse(send, 408, "too_slow", message, close=True)


async def _refuse(send: Send, status: int, code: str, message: str, close: bool = False) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:  # the rest of the body may still trickle in: end the connection
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", CSP.encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)

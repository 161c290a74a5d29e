"""A real SMTP server for tests: aiosmtpd on a free loopback port, keeping
what it receives. An address starting with `refused` is refused (550), as a
mail server refuses an unknown mailbox."""

import asyncio
import re
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.live import free_port


class Inbox:
    """The aiosmtpd handler: every accepted message, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.delay = 0.0  # seconds each message takes to accept: a slow mail server

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("refused"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"

    def to(self, address: str) -> EmailMessage:
        return next(m for m in self.messages if m["To"] == address)

    def wait_for(self, count: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} messages arrived, not {count}")
            time.sleep(0.05)


def invitation_link(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/invite#\S+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


class SmtpServer:
    """With `login` (user, password), mail is accepted only after AUTH with them
    (over plain text, as a test on loopback may)."""

    def __init__(self, login: tuple[str, str] | None = None) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.login = login
        extra: dict[str, Any] = {}
        if login is not None:
            extra = {
                "auth_required": True,
                "auth_require_tls": False,
                "authenticator": self._authenticate,
            }
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **extra)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        given = (
            (data.login.decode(), data.password.decode())
            if isinstance(data, LoginPassword)
            else None
        )
        # Not `handled`: aiosmtpd then answers a refusal itself (535).
        return AuthResult(success=given == self.login, handled=False)

    def start(self) -> "SmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def env(self) -> dict[str, str]:
        """The environment that gives `plenary serve` this server's login."""
        if self.login is None:
            return {}
        return {"PLENARY_SMTP_USER": self.login[0], "PLENARY_SMTP_PASSWORD": self.login[1]}

    def settings(self) -> dict[str, str]:
        """The `plenary serve` options that send through this server."""
        return {
            "smtp_host": "127.0.0.1",
            "smtp_port": str(self.port),
            "smtp_tls": "none",
            "smtp_sender": "Plenary <plenary@example.org>",
        }

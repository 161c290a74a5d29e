"""Sending invitations through SMTP, off the session's writer.

The standard library's `smtplib` runs in a worker thread (`asyncio.to_thread`):
it speaks all three TLS modes (plain, STARTTLS, TLS from the first byte) and
needs no dependency, and a slow or unreachable mail server then delays only
the letters, never the event loop that acknowledges ratings. Letters go out
over one SMTP connection per chunk; each registrant's delivery status
(`queued`, `sent`, `failed` with the reason) is kept in the store's `meta`
table (`deliveries:<session_id>`), not in the event log.
"""

import asyncio
import contextlib
import json
import logging
import smtplib
import ssl
import time
from dataclasses import dataclass
from typing import Any, Final

from ..settings import Settings
from ..store import Store
from .letters import Letter

log = logging.getLogger("plenary.mail")
CHUNK: Final = 25  # letters per SMTP connection
TIMEOUT_S: Final = 20.0
Status = dict[str, Any]  # {status, reason, at}


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    tls: str  # none | starttls | tls
    sender: str
    user: str
    password: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "SmtpConfig | None":
        """None when no mail server is set: invitations are then exported, not sent."""
        if not settings.smtp_host:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_tls,
            settings.smtp_sender or f"plenary@{settings.smtp_host}",
            settings.smtp_user,
            settings.smtp_password,
        )


class MailServerError(Exception):
    """The mail server could not be reached, or refused the connection or the login."""


def send_chunk(config: SmtpConfig, letters: list[Letter]) -> dict[str, str | None]:
    """Send `letters` over one connection (blocking: run it in a thread).
    Returns registrant id → None when the server accepted it, else the reason;
    raises `MailServerError` when no letter could be tried at all."""
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as error:
        raise MailServerError(
            f"the mail server could not be reached or refused the login: {_why(error)}"
        ) from None
    try:
        return {letter.registrant_id: _send_one(smtp, config, letter) for letter in letters}
    except (OSError, smtplib.SMTPServerDisconnected) as error:
        raise MailServerError(f"the mail server closed the connection: {_why(error)}") from None
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.tls == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config.host, config.port, timeout=TIMEOUT_S, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_S)
    try:
        if config.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.user:
            smtp.login(config.user, config.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _send_one(smtp: smtplib.SMTP, config: SmtpConfig, letter: Letter) -> str | None:
    try:
        refused = smtp.send_message(letter.message(config.sender))
    except smtplib.SMTPServerDisconnected:
        raise  # no letter after this one gets through either: send_chunk says so
    except smtplib.SMTPRecipientsRefused as error:
        return "the mail server refused the address: " + "; ".join(
            _why(reason) for reason in error.recipients.values()
        )
    except smtplib.SMTPException as error:
        return f"the mail server refused the letter: {_why(error)}"
    return None if not refused else f"the mail server refused the address: {refused}"


def _why(error: object) -> str:
    if isinstance(error, tuple) and len(error) == 2:
        code, text = error
        return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if isinstance(error, smtplib.SMTPResponseException):
        return _why((error.smtp_code, error.smtp_error))
    return str(error) or type(error).__name__


class Mailer:
    def __init__(self, config: SmtpConfig | None, store: Store) -> None:
        self.config = config
        self._store = store
        self._statuses: dict[str, dict[str, Status]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def statuses(self, session_id: str) -> dict[str, Status]:
        """Registrant id → their latest delivery status, for one session."""
        if session_id not in self._statuses:
            raw = await self._store.get_meta(_key(session_id))
            loaded: dict[str, Status] = json.loads(raw) if raw else {}
            for status in loaded.values():
                if status["status"] == "queued":  # the server stopped before sending it
                    status.update(status="failed", reason="the server restarted: send again")
            self._statuses[session_id] = loaded
        return self._statuses[session_id]

    async def queue(self, session_id: str, letters: list[Letter]) -> None:
        """Mark `letters` queued (durably) and send them in the background."""
        assert self.config is not None
        known = await self.statuses(session_id)
        for letter in letters:
            known[letter.registrant_id] = {"status": "queued", "reason": None, "at": time.time()}
        await self._save(session_id)
        task = asyncio.create_task(self._deliver(self.config, session_id, letters))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def forget(self, session_id: str, registrant_id: str) -> None:
        known = await self.statuses(session_id)
        if known.pop(registrant_id, None) is not None:
            await self._save(session_id)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _deliver(self, config: SmtpConfig, session_id: str, letters: list[Letter]) -> None:
        known = await self.statuses(session_id)
        for start in range(0, len(letters), CHUNK):
            chunk = letters[start : start + CHUNK]
            try:
                results = await asyncio.to_thread(send_chunk, config, chunk)
            except MailServerError as error:
                # Nothing more will get through now: every letter left fails with the reason.
                log.warning("invitations of session %s not sent: %s", session_id, error)
                self._record(known, {lt.registrant_id: str(error) for lt in letters[start:]})
                break
            except Exception as error:  # a bug must not leave letters "queued" forever
                log.exception("sending invitations failed")
                results = {letter.registrant_id: f"internal error: {error}" for letter in chunk}
            self._record(known, results)
            await self._save(session_id)
        await self._save(session_id)
        sent = sum(1 for letter in letters if known[letter.registrant_id]["status"] == "sent")
        log.info(
            "invitations of session %s: %d sent, %d failed", session_id, sent, len(letters) - sent
        )

    @staticmethod
    def _record(known: dict[str, Status], results: dict[str, str | None]) -> None:
        now = time.time()
        for registrant_id, reason in results.items():
            status = "sent" if reason is None else "failed"
            known[registrant_id] = {"status": status, "reason": reason, "at": now}

    async def _save(self, session_id: str) -> None:
        body = json.dumps(self._statuses.get(session_id, {}), separators=(",", ":"))
        await self._store.set_meta(_key(session_id), body)


def _key(session_id: str) -> str:
    return f"deliveries:{session_id}"

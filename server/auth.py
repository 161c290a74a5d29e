"""Session tokens: short HS256 JWTs, one role and one session each.

Claims: `iss` "plenary", `aud` "plenary:<session_id>", `sub` (participant or
hub id; empty for facilitator and display), `role`, `epoch` (a hub's token
generation), `iat`, `exp`, `jti`. Only HS256 is accepted. Revocation lives in
the event log itself (a removed participant, a hub's rotated epoch), so it
survives restarts; `Authenticator.check` consults the session's state.
"""

import contextlib
import hmac
import os
import secrets
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import jwt

from facilitation.state import SessionState
from facilitation.vocabulary import LINK_ROLES, ROLES, Role

from .errors import ApiError

ALGORITHMS: Final = ["HS256"]
ISSUER: Final = "plenary"


@dataclass(frozen=True, slots=True)
class Claims:
    session_id: str
    role: Role
    subject: str
    epoch: int
    expires: float  # `exp`: checked on connect and on every command

    @property
    def holder(self) -> str:
        """Whose request ids these are: one namespace per token holder."""
        return f"{self.role}:{self.subject}"


# A secret is 32 random bytes, URL-safe base64 (43 characters); anything shorter
# than 43 characters cannot carry 32 bytes of entropy and is refused.
SECRET_BYTES: Final = 32
MIN_SECRET_CHARS: Final = 43
# An operator-chosen admin token: at least 24 characters (e.g. `openssl rand -hex 16`
# gives 32); a generated one is a secret like the signing key.
MIN_ADMIN_TOKEN_CHARS: Final = 24


class SecretError(Exception):
    """A secret that is missing, empty or too short: the server must not start."""


def read_or_create_secret(path: Path, minimum: int = MIN_SECRET_CHARS) -> str:
    """A secret kept in the data directory, readable by its owner alone.

    Created atomically (temp file, fsync, rename, fsync of the directory), so a
    crash or a full disk never leaves an empty or partial secret behind; an
    existing one shorter than `minimum` characters raises `SecretError`.
    """
    if path.exists():
        value = path.read_text().strip()
        if len(value) < minimum:
            raise SecretError(
                f"{path} holds {len(value)} characters, fewer than the {minimum} a "
                "secret needs (perhaps a start on a full disk): restore it from a "
                "backup, or delete it to make a new one (links already handed out stop working)."
            )
        os.chmod(path, 0o600)
        return value
    value = secrets.token_urlsafe(SECRET_BYTES)
    write_private(path, value + "\n")
    return value


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` owner-only and atomically: all of it or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def check_admin_token(token: str) -> str:
    """An operator-given admin token, if long enough; `SecretError` otherwise."""
    if len(token) < MIN_ADMIN_TOKEN_CHARS:
        raise SecretError(
            f"The admin token (--admin-token / PLENARY_ADMIN_TOKEN) has {len(token)} "
            f"characters; it needs at least {MIN_ADMIN_TOKEN_CHARS} (e.g. `openssl rand -hex 16`)."
        )
    return token


class Authenticator:
    def __init__(self, secret: str, admin_token: str, token_hours: int) -> None:
        """Refuses (`SecretError`) a signing key too short to hold 32 bytes of entropy."""
        if len(secret) < MIN_SECRET_CHARS:
            raise SecretError(
                f"The signing secret has {len(secret)} characters; it needs at least "
                f"{MIN_SECRET_CHARS}."
            )
        if not admin_token:
            raise SecretError("The admin token is empty.")
        self._secret = secret
        self._admin = admin_token
        self._lifetime = token_hours * 3600

    def issue(self, session_id: str, role: str, subject: str = "", epoch: int = 0) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": _audience(session_id),
            "sub": subject,
            "role": role,
            "epoch": epoch,
            "iat": now,
            "exp": now + self._lifetime,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, token: object, session_id: str | None = None) -> Claims:
        """Check signature, algorithm, expiry and audience; raise `unauthorized` otherwise."""
        if not isinstance(token, str) or not token:
            raise ApiError("unauthorized", "A token is required: open the link you were given.")
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            audience = _audience(session_id or str(unverified.get("aud", "")).split(":", 1)[-1])
            body: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=ALGORITHMS,
                audience=audience,
                issuer=ISSUER,
                options={"require": ["exp", "aud", "iss", "jti", "iat"]},
            )
        except jwt.ExpiredSignatureError:
            raise ApiError(
                "unauthorized", "This token has expired: ask for a new link, or join again."
            ) from None
        except jwt.InvalidAudienceError:
            raise ApiError("unauthorized", "This token belongs to another session.") from None
        except jwt.PyJWTError:
            raise ApiError("unauthorized", "This token is not valid for this server.") from None
        role, subject = body.get("role"), body.get("sub", "")
        role = next((known for known in ROLES if known == role), None)
        if role is None or not isinstance(subject, str):
            raise ApiError("unauthorized", "This token carries no known role.")
        return Claims(
            str(body["aud"]).split(":", 1)[1],
            role,
            subject,
            int(body.get("epoch", 0)),
            float(body["exp"]),
        )

    def check_fresh(self, claims: Claims, now: float) -> None:
        """Refuse a token whose `exp` has passed since it was verified."""
        if now >= claims.expires:
            raise ApiError(
                "unauthorized", "This token has expired: ask for a new link, or join again."
            )

    def check(self, claims: Claims, state: SessionState) -> None:
        """Refuse tokens revoked by the log: removed participants, rotated hub tokens."""
        if claims.role == "participant":
            who = state.participants.get(claims.subject)
            if who is None or who.removed:
                raise ApiError(
                    "unauthorized",
                    "The facilitator removed you from this session, "
                    "or your place in it no longer exists.",
                )
        elif claims.role in LINK_ROLES:
            if claims.epoch != state.link_epochs.get(claims.role, 0):
                raise ApiError(
                    "unauthorized",
                    "This link was replaced by a newer one: "
                    "ask the facilitator for the current link.",
                )
        elif claims.role == "hub":
            hub = state.hubs.get(claims.subject)
            if hub is None or hub.epoch != claims.epoch:
                raise ApiError(
                    "unauthorized",
                    "This hub link was replaced by a newer one: ask "
                    "the facilitator for the current link.",
                )

    def device_mark(self, session_id: str, participant_id: str) -> str:
        """A device cookie's value: the participant it joined as, signed for this session."""
        return f"{participant_id}.{self._device_mac(session_id, participant_id)}"

    def device_participant(self, session_id: str, mark: str | None) -> str | None:
        """The participant a device cookie names, if it was signed here for this session."""
        participant_id, _, mac = (mark or "").rpartition(".")
        expected = self._device_mac(session_id, participant_id)
        if participant_id and hmac.compare_digest(mac.encode(), expected.encode()):
            return participant_id
        return None

    def _device_mac(self, session_id: str, participant_id: str) -> str:
        message = f"device:{session_id}:{participant_id}".encode()
        return hmac.new(self._secret.encode(), message, "sha256").hexdigest()[:32]

    def invitation(self, session_id: str, registrant_id: str) -> str:
        """A registrant's personal link key: stable (the same in every export and
        email), without expiry; revoked by removing the registrant (in the log)."""
        mac = self._mac(f"invitation:{session_id}:{registrant_id}")
        return f"{session_id}.{registrant_id}.{mac}"

    def invited(self, key: object) -> tuple[str, str]:
        """(session id, registrant id) of an invitation key signed here; `unauthorized` else."""
        parts = key.split(".") if isinstance(key, str) else []
        if len(parts) == 3:
            session_id, registrant_id, mac = parts
            expected = self._mac(f"invitation:{session_id}:{registrant_id}")
            if hmac.compare_digest(mac.encode(), expected.encode()):
                return session_id, registrant_id
        raise ApiError(
            "unauthorized",
            "This invitation link is not valid: open the whole link from your invitation.",
        )

    def email_key(self, session_id: str, email: str) -> str:
        """A keyed digest of an email, for refusing duplicates without logging the address."""
        return self._mac(f"email:{session_id}:{email.strip().lower()}")

    def _mac(self, message: str) -> str:
        return hmac.new(self._secret.encode(), message.encode(), "sha256").hexdigest()[:32]

    def is_admin(self, authorization: str | None) -> bool:
        scheme, _, token = (authorization or "").partition(" ")
        return (
            scheme.lower() == "bearer"
            and bool(token)
            and hmac.compare_digest(token.encode(), self._admin.encode())
        )


def bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _audience(session_id: str) -> str:
    return f"plenary:{session_id}"

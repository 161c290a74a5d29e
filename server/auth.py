"""Session tokens: short HS256 JWTs, one role and one session each.

Claims: `iss` "plenary", `aud` "plenary:<session_id>", `sub` (participant or
hub id; empty for facilitator and display), `role`, `epoch` (a hub's token
generation), `iat`, `exp`, `jti`. Only HS256 is accepted. Revocation lives in
the event log itself (a removed participant, a hub's rotated epoch), so it
survives restarts; `Authenticator.check` consults the session's state.
"""

import hmac
import os
import secrets
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


def read_or_create_secret(path: Path, size: int = 32) -> str:
    """A secret kept in the data directory, readable by its owner alone."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(size)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
    return value


class Authenticator:
    def __init__(self, secret: str, admin_token: str, token_hours: int) -> None:
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

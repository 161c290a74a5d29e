"""A Redis store claimed before the worker listens: durable, ours, and one identity.

Every check here runs before uvicorn starts, so a refusal is a clear message
on stderr and a non-zero exit, never a worker that listens and then loses
what it acknowledged:
- Redis must keep what it answered: AOF on, `appendfsync always`, eviction
  `noeviction` (Redis 7.0 has no WAITAOF, so the configuration is read),
  unless the operator accepts the risk with `--redis-durability relaxed`;
- Redis must be the store this worker served before: the data directory
  keeps the store id it saw, and a Redis without its identity key (a restart
  without AOF, a FLUSHALL, another server) is refused, never re-created empty;
- the signing secret and the admin token are one per store, created once with
  SET NX, so a token issued by one worker is accepted by every other.
"""

import logging
import secrets
import uuid
from pathlib import Path
from typing import Final

import redis
from redis.exceptions import RedisError, ResponseError

from .auth import (
    MIN_ADMIN_TOKEN_CHARS,
    MIN_SECRET_CHARS,
    SECRET_BYTES,
    SecretError,
    check_admin_token,
    write_private,
)
from .datadir import Claimed, DataDirError
from .redis_store import IDENTITY, SCHEMA, SESSIONS
from .sqlite_store import SCHEMA_VERSION

log = logging.getLogger("plenary.redis")
SEEN_FILE: Final = "redis-store-id"
SECRET_KEY: Final = "plenary:secret"
ADMIN_KEY: Final = "plenary:admin_token"
# What Redis must say for an answered write to survive its own crash, and the fix.
REQUIRED: Final = {
    "appendonly": ("yes", "appendonly yes"),
    "appendfsync": ("always", "appendfsync always"),
    "maxmemory-policy": ("noeviction", "maxmemory-policy noeviction"),
}


def claim_redis(url: str, data: Path, admin_token: str, relaxed: bool, init: bool) -> Claimed:
    """Check Redis and read (or create once) the shared secrets; raise `DataDirError`."""
    client = redis.Redis.from_url(
        url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5
    )
    try:
        client.ping()
        check_durability(client, url, relaxed)
        check_identity(client, url, data, init)
        secret = shared_secret(client, SECRET_KEY, secrets.token_urlsafe(SECRET_BYTES))
        if len(secret) < MIN_SECRET_CHARS:
            raise DataDirError(f"plenary: {SECRET_KEY} in Redis is too short to sign tokens.")
        admin = check_admin_token(admin_token) if admin_token else None
        admin = admin or shared_secret(client, ADMIN_KEY, secrets.token_urlsafe(SECRET_BYTES))
        if len(admin) < MIN_ADMIN_TOKEN_CHARS:
            raise DataDirError(f"plenary: {ADMIN_KEY} in Redis is too short.")
    except SecretError as error:
        raise DataDirError(f"plenary: {error}") from None
    except RedisError as error:
        raise DataDirError(f"plenary: cannot use Redis at {url}: {error}") from None
    finally:
        client.close()
    return Claimed(None, secret, admin)


def check_durability(client: redis.Redis, url: str, relaxed: bool) -> None:
    """Refuse a Redis that would lose acknowledged writes, unless told it may."""
    try:
        found = {name: str(client.config_get(name).get(name, "")) for name in REQUIRED}
    except ResponseError as error:
        problems = [f"its configuration cannot be read (CONFIG GET: {error})"]
    else:
        problems = [
            f"{name} is {found[name]!r} (fix: `{fix}` in redis.conf, or CONFIG SET {fix})"
            for name, (wanted, fix) in REQUIRED.items()
            if found[name] != wanted
        ]
    if not problems:
        return
    if relaxed:
        log.warning("Redis at %s may lose acknowledged writes: %s", url, "; ".join(problems))
        return
    raise DataDirError(
        f"plenary: Redis at {url} could lose acknowledged writes: {'; '.join(problems)}. "
        "Fix its configuration, or start with --redis-durability relaxed to accept that "
        "an acknowledged command may be lost if Redis crashes."
    )


def check_identity(
    client: redis.Redis, url: str, data: Path, init: bool, remember: bool = True
) -> str:
    """The store's id: created on an empty Redis; refused when Redis lost it."""
    seen_path = data / SEEN_FILE
    seen = seen_path.read_text().strip() if seen_path.exists() else None
    found = client.get(IDENTITY)
    identity = None if found is None else str(found)
    if identity is None:
        if client.exists(SESSIONS) or next(client.scan_iter("plenary:log:*", count=1000), None):
            raise DataDirError(
                f"plenary: Redis at {url} holds sessions but no {IDENTITY}: its data is "
                "damaged. Restore it from its AOF or a backup."
            )
        if seen is not None and not init:
            raise DataDirError(
                f"plenary: Redis at {url} has no {IDENTITY}, but this worker served store "
                f"{seen} there: Redis lost its data (restarted without its AOF, flushed, or "
                "another Redis). Restore it, or start with --init to begin with no sessions."
            )
        client.set(IDENTITY, uuid.uuid4().hex, nx=True)
        client.set(SCHEMA, SCHEMA_VERSION, nx=True)
        identity = str(client.get(IDENTITY))
    elif seen is not None and seen != identity and not init:
        raise DataDirError(
            f"plenary: Redis at {url} is store {identity}, but this worker served store "
            f"{seen}: is this the right Redis? Start with --init to use it anyway."
        )
    if remember and seen != identity:
        data.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(seen_path, identity + "\n")
    return identity


def shared_secret(client: redis.Redis, name: str, fresh: str) -> str:
    """The one value of `name` for every worker: the first to start sets it (SET NX)."""
    client.set(name, fresh, nx=True)
    value = client.get(name)
    if not value:
        raise DataDirError(f"plenary: Redis lost {name} right after it was set.")
    return str(value)

"""The data directory, claimed before the server listens: lock, secrets, a store that is ours.

Every check here runs before uvicorn starts, so a refusal is a clear message on
stderr and a non-zero exit within a second, never a process that stays alive
without listening.
"""

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from .auth import SecretError, check_admin_token, read_or_create_secret
from .sqlite_store import DB_NAME, StoreError, check_database

LOCK_NAME: Final = "plenary.lock"


class DataDirError(SystemExit):
    """The server must not start on this data directory; the message says why."""


@dataclass(frozen=True, slots=True)
class Claimed:
    """A locked data directory and its secrets; the lock lasts as long as `lock` is open
    (None for a Redis store, which many workers share: `server.redis_claim`)."""

    lock: IO[str] | None
    secret: str
    admin_token: str


def claim(data: Path, admin_token: str, init: bool) -> Claimed:
    """Lock `data`, check its database and read (or create) its secrets.

    Raises `DataDirError` (a `SystemExit` with the reason) when another server
    holds the directory, when the directory holds files but no database (unless
    `init`), when the database is unreadable, corrupt or not Plenary's, or when
    a secret is missing-after-data-exists, empty or short.
    """
    # Names, comments and a signing secret: owner-only, even in an existing directory.
    os.umask(0o077)
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    existing = {p.name for p in data.iterdir()} - {LOCK_NAME}
    lock = _lock(data)
    try:
        db = data / DB_NAME
        if existing and not (db.exists() or init):
            raise DataDirError(
                f"{data} is not empty but holds no {DB_NAME}: refusing to start as an empty "
                "server (was the database moved or deleted?). Restore it, or start with "
                "--init to begin with no sessions."
            )
        if db.exists():
            check_database(db)
            if not (data / "secret.key").exists():
                raise DataDirError(
                    f"{data} has a database but no secret.key: every link handed out would "
                    "stop working. Restore secret.key from a backup."
                )
        for name in ("secret.key", "admin.token", DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
            if (data / name).exists():
                os.chmod(data / name, 0o600)
        secret = read_or_create_secret(data / "secret.key")
        admin = check_admin_token(admin_token) if admin_token else None
        admin = admin or read_or_create_secret(data / "admin.token")
    except (SecretError, StoreError) as error:
        lock.close()
        raise DataDirError(f"plenary: {error}") from None
    except BaseException:
        lock.close()
        raise
    return Claimed(lock, secret, admin)


def _lock(data: Path) -> IO[str]:
    """An exclusive, non-blocking flock on the lock file, holding this process's pid."""
    handle = open(data / LOCK_NAME, "a+")  # noqa: SIM115 - kept open for the process's life
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        other = handle.read().strip() or "unknown"
        handle.close()
        raise DataDirError(
            f"plenary: {data} is in use by another Plenary server (pid {other}); "
            "stop it first, or give this one its own --data directory."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle

"""The embedded store: one SQLite file in WAL mode, one writer connection.

Each `append` is one transaction (a group commit of a runner's batch). In WAL
mode a committed transaction is in the operating system's hands before
`append` returns, so an acknowledged event survives the server being killed;
with `power_safe` (synchronous=FULL) each commit also waits for an fsync, so
it survives a power cut too, at a few milliseconds per commit.
"""

import contextlib
import functools
import json
import sqlite3
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import aiosqlite

from .store import (
    Loaded,
    RequestRecord,
    StoredEvent,
    StoreUnavailable,
    mark_in_meta,
    members_in_meta,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    session_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL,
    request TEXT, request_at REAL,
    PRIMARY KEY (session_id, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_requests ON events (session_id, request_at)
    WHERE request IS NOT NULL;
CREATE TABLE IF NOT EXISTS sessions (session_id TEXT PRIMARY KEY, join_code TEXT NOT NULL);
-- A session exists once its first event does: kept in the same write, by SQLite itself.
CREATE TRIGGER IF NOT EXISTS session_created AFTER INSERT ON events WHEN NEW.seq = 1
BEGIN
    INSERT INTO sessions VALUES (NEW.session_id, json_extract(NEW.body, '$.join_code'));
END;
CREATE TABLE IF NOT EXISTS snapshots (
    session_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, head TEXT NOT NULL, state BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
DB_NAME = "plenary.sqlite3"
# The identity row: `store_id` (a UUID) and `schema_version`, written when the store is created.
SCHEMA_VERSION = "1"
TABLES = {"events", "sessions", "snapshots", "meta"}


class StoreError(Exception):
    """The database cannot be used: unreadable, corrupt, not Plenary's, or gone."""


def check_database(path: Path) -> None:
    """Raise `StoreError` unless `path` opens, passes `PRAGMA quick_check` and is Plenary's.

    A database is Plenary's when it has our tables and a `store_id` in `meta`
    (one written before identities existed, with our tables, gets one at open).
    """
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=rw", uri=True)) as db:
            verdict = db.execute("PRAGMA quick_check").fetchall()
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if verdict != [("ok",)]:
                raise StoreError(f"{path} is corrupt (quick_check: {verdict[0][0]}).")
            if not tables >= TABLES:
                raise StoreError(f"{path} is not a Plenary database (tables: {sorted(tables)}).")
            version = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{path} cannot be opened as a database (corrupt, truncated or not SQLite): {error}."
        ) from None
    if version is not None and version[0] != SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version[0]}; this server knows {SCHEMA_VERSION}."
        )


# Rows per INSERT statement: SQLite allows 32,766 bound values in one statement.
ROWS_PER_STATEMENT = 5000


class SqliteStore:
    def __init__(self, path: Path, power_safe: bool = False) -> None:
        self.path = path
        self.power_safe = power_safe
        self._db: aiosqlite.Connection | None = None
        self._inode: tuple[int, int] | None = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("The store is not open.")
        return self._db

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        await self.db.execute("PRAGMA journal_mode=WAL")
        await self.db.execute(f"PRAGMA synchronous={'FULL' if self.power_safe else 'NORMAL'}")
        await self.db.executescript(SCHEMA)
        if await self.get_meta("store_id") is None:
            await self.set_meta("store_id", uuid.uuid4().hex)
            await self.set_meta("schema_version", SCHEMA_VERSION)
        stat = self.path.stat()
        self._inode = (stat.st_dev, stat.st_ino)

    def _still_there(self) -> None:
        """Raise `StoreUnavailable` when the database file was deleted or replaced while open.

        SQLite goes on writing to an unlinked file, so without this check a
        deleted data directory would keep acknowledging what is then lost.
        """
        try:
            stat = self.path.stat()
        except OSError:
            raise StoreUnavailable(f"{self.path} is gone: nothing more can be recorded.") from None
        if (stat.st_dev, stat.st_ino) != self._inode or stat.st_nlink == 0:
            raise StoreUnavailable(f"{self.path} was replaced: nothing more can be recorded.")

    def healthy(self) -> str | None:
        """None when the store can record; otherwise the reason it cannot."""
        try:
            self._still_there()
        except StoreUnavailable as error:
            return str(error)
        return None

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def sessions(self) -> dict[str, str]:
        rows = await self.db.execute_fetchall("SELECT session_id, join_code FROM sessions")
        return {str(session_id): str(code) for session_id, code in rows}

    async def load(self, session_id: str, requests_since: float) -> Loaded:
        loaded = Loaded()
        async with self.db.execute(
            "SELECT seq, head, state FROM snapshots WHERE session_id = ?", (session_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None:
            loaded.snapshot_seq, loaded.snapshot_head, loaded.snapshot = row
        rows = await self.db.execute_fetchall(
            "SELECT seq, body, hash FROM events WHERE session_id = ? AND seq > ? ORDER BY seq",
            (session_id, loaded.snapshot_seq),
        )
        loaded.events = [StoredEvent(*r) for r in rows]
        rows = await self.db.execute_fetchall(
            "SELECT request FROM events WHERE session_id = ? AND request IS NOT NULL"
            " AND request_at >= ?",
            (session_id, requests_since),
        )
        loaded.requests = [RequestRecord(*json.loads(r[0])) for r in rows]
        return loaded

    async def append(self, session_id: str, events: Sequence[StoredEvent]) -> None:
        self._still_there()
        rows = [value for e in events for value in _row(session_id, e)]
        if len(events) <= ROWS_PER_STATEMENT:
            # One statement is one transaction, and one hand-off to the writer thread.
            await self.db.execute(_insert(len(events)), rows)
            return
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, len(events), ROWS_PER_STATEMENT):
                chunk = events[start : start + ROWS_PER_STATEMENT]
                await self.db.execute(
                    _insert(len(chunk)), [v for e in chunk for v in _row(session_id, e)]
                )
            await self.db.execute("COMMIT")
        except BaseException:
            await self.db.execute("ROLLBACK")
            raise

    async def save_snapshot(self, session_id: str, seq: int, head: str, blob: bytes) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO snapshots (session_id, seq, head, state) VALUES (?, ?, ?, ?)",
            (session_id, seq, head, blob),
        )

    async def events(self, session_id: str) -> AsyncIterator[StoredEvent]:
        async with self.db.execute(
            "SELECT seq, body, hash FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
        ) as cursor:
            async for row in cursor:
                yield StoredEvent(*row)

    async def get_meta(self, key: str) -> str | None:
        async with self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return None if row is None else str(row[0])

    async def set_meta(self, key: str, value: str) -> None:
        await self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    async def mark(self, name: str, member: str, present: bool) -> None:
        await mark_in_meta(self, name, member, present)

    async def marked(self, name: str) -> list[str]:
        return await members_in_meta(self, name)


def _row(session_id: str, event: StoredEvent) -> tuple[object, ...]:
    request = event.request
    if request is None:
        return (session_id, event.seq, event.body, event.hash, None, None)
    record = json.dumps(
        [request.holder, request.request_id, request.fingerprint, request.ack, request.at]
    )
    return (session_id, event.seq, event.body, event.hash, record, request.at)


@functools.lru_cache(maxsize=64)
def _insert(rows: int) -> str:
    values = ",".join(["(?, ?, ?, ?, ?, ?)"] * rows)
    return f"INSERT INTO events (session_id, seq, body, hash, request, request_at) VALUES {values}"

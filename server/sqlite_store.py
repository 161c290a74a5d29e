"""The embedded store: one SQLite file in WAL mode, one writer connection.

Each `append` is one transaction (a group commit of a runner's batch). In WAL
mode a committed transaction is in the operating system's hands before
`append` returns, so an acknowledged event survives the server being killed;
with `power_safe` (synchronous=FULL) each commit also waits for an fsync, so
it survives a power cut too, at a few milliseconds per commit.
"""

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import aiosqlite

from .store import Loaded, RequestRecord, StoredEvent

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    session_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
    session_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, head TEXT NOT NULL, state BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    session_id TEXT NOT NULL, holder TEXT NOT NULL, request_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL, ack TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (session_id, holder, request_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS requests_at ON requests (session_id, at);
CREATE TABLE IF NOT EXISTS sessions (session_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class SqliteStore:
    def __init__(self, path: Path, power_safe: bool = False) -> None:
        self.path = path
        self.power_safe = power_safe
        self._db: aiosqlite.Connection | None = None

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

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def session_ids(self) -> list[str]:
        rows = await self.db.execute_fetchall("SELECT session_id FROM sessions ORDER BY session_id")
        return [row[0] for row in rows]

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
            "SELECT holder, request_id, fingerprint, ack, at FROM requests"
            " WHERE session_id = ? AND at >= ?",
            (session_id, requests_since),
        )
        loaded.requests = [RequestRecord(*r) for r in rows]
        return loaded

    async def append(
        self, session_id: str, events: Sequence[StoredEvent], requests: Sequence[RequestRecord]
    ) -> None:
        db = self.db
        await db.execute("BEGIN IMMEDIATE")
        try:
            if events and events[0].seq == 1:
                await db.execute("INSERT INTO sessions VALUES (?)", (session_id,))
            await db.executemany(
                "INSERT INTO events (session_id, seq, body, hash) VALUES (?, ?, ?, ?)",
                [(session_id, e.seq, e.body, e.hash) for e in events],
            )
            if requests:
                await db.executemany(
                    "INSERT OR REPLACE INTO requests VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (session_id, r.holder, r.request_id, r.fingerprint, r.ack, r.at)
                        for r in requests
                    ],
                )
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise

    async def save_snapshot(self, session_id: str, seq: int, head: str, blob: bytes) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO snapshots (session_id, seq, head, state) VALUES (?, ?, ?, ?)",
            (session_id, seq, head, blob),
        )

    async def forget_requests(self, before: float) -> None:
        await self.db.execute("DELETE FROM requests WHERE at < ?", (before,))

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

"""`plenary migrate`: copy sessions between a SQLite data directory and Redis.

SQLite → Redis moves a server onto the scale-out store; Redis → SQLite is how
a finished session is archived. Each event is copied with its body, its
chained hash and the request record kept with it, so the hash chain and the
answers to retried commands survive the move. The source log is verified
(every link, a replay, a recount) before anything is written; a session the
target already holds is refused, never merged; the target's copy is read
back and its head compared with the source's before the session counts as
moved. The source is only read: remove it yourself once satisfied.
"""

import argparse
import asyncio
import json
import os
import sqlite3
from pathlib import Path
from typing import cast

import redis

from .chain import GENESIS
from .datadir import claim
from .redis_claim import ADMIN_KEY, SECRET_KEY, check_durability, check_identity, shared_secret
from .redis_store import SESSIONS, RedisStore, key
from .reports.offline import LogFailure, MissingData, Row, verify
from .sqlite_store import DB_NAME, SqliteStore
from .store import RequestRecord, StoredEvent

CHUNK = 500  # events per append while copying


class MigrateError(SystemExit):
    """The migration stops here; the message says why."""


def add_command(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    move = subparsers.add_parser(
        "migrate", help="copy sessions from a SQLite data directory to Redis, or back"
    )
    source = move.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-data", type=Path, help="SQLite data directory to copy from")
    source.add_argument("--from-redis", help="Redis URL to copy from (redis://HOST:PORT/DB)")
    target = move.add_mutually_exclusive_group(required=True)
    target.add_argument("--to-data", type=Path, help="SQLite data directory to copy into")
    target.add_argument("--to-redis", help="Redis URL to copy into")
    move.add_argument("sessions", nargs="*", metavar="SESSION", help="session ids (default: all)")
    move.set_defaults(handler=run_migrate)


def run_migrate(args: argparse.Namespace) -> None:
    if (args.from_data is None) == (args.to_data is None):
        raise MigrateError("plenary migrate: copy from SQLite to Redis, or from Redis to SQLite.")
    moved = asyncio.run(_guarded(args))
    if isinstance(moved, str):
        raise MigrateError(moved)
    for session_id, count, head in moved:
        print(f"moved {session_id}: {count} event(s), head {head}")
    print(f"{len(moved)} session(s) moved; the source is unchanged.")


async def _guarded(args: argparse.Namespace) -> list[tuple[str, int, str]] | str:
    """The migration, or the message of the refusal that stopped it: a SystemExit
    raised inside `asyncio.run` can leave the loop waiting instead of exiting."""
    try:
        return await _migrate(args)
    except SystemExit as refusal:
        return str(refusal.code)


async def _migrate(args: argparse.Namespace) -> list[tuple[str, int, str]]:
    lock = None
    if args.from_data is not None:
        source: SqliteSource | RedisSource = SqliteSource(args.from_data)
        target: SqliteStore | RedisStore = await _redis_target(args.to_redis, args.from_data)
    else:
        source = RedisSource(args.from_redis)
        lock = claim(args.to_data, "", init=True)  # no server may run on it meanwhile
        target = SqliteStore(args.to_data / DB_NAME, power_safe=True)
        await target.open()
    try:
        wanted = args.sessions or sorted(await source.sessions())
        held = await target.sessions()
        moved = []
        for session_id in wanted:
            if session_id in held:
                raise MigrateError(f"plenary migrate: the target already holds {session_id}.")
            moved.append(await _copy(source, target, session_id))
        return moved
    finally:
        await source.close()
        await target.close()
        if lock is not None and lock.lock is not None:
            lock.lock.close()


async def _copy(
    source: "SqliteSource | RedisSource", target: SqliteStore | RedisStore, session_id: str
) -> tuple[str, int, str]:
    events = await source.events(session_id)
    try:
        verified = verify([Row(e.seq, e.body, e.hash) for e in events], session_id)
    except LogFailure as error:
        raise MigrateError(f"plenary migrate: {session_id} fails verification: {error}") from None
    if isinstance(target, RedisStore):
        await target.load(session_id, 0)  # takes the new session's lease; its log is empty
    for start in range(0, len(events), CHUNK):
        await target.append(session_id, events[start : start + CHUNK])
    snapshot = await source.snapshot(session_id)
    if snapshot is not None:
        await target.save_snapshot(session_id, *snapshot)
    base_url = await source.meta(f"base_url:{session_id}")
    if base_url is not None:
        await target.set_meta(f"base_url:{session_id}", base_url)
    copied = [e async for e in target.events(session_id)]
    head = copied[-1].hash if copied else GENESIS
    if len(copied) != len(events) or head != verified.head:
        raise MigrateError(f"plenary migrate: the copy of {session_id} differs from its source.")
    return session_id, len(events), head


async def _redis_target(url: str, data: Path) -> RedisStore:
    """Redis with an identity (created when empty) and the data directory's secrets,
    so links handed out by the SQLite server keep working after the move."""
    client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
    try:
        relaxed = os.environ.get("PLENARY_REDIS_DURABILITY") == "relaxed"
        check_durability(client, url, relaxed)
        check_identity(client, url, data, init=True, remember=False)
        for name, redis_key in (("secret.key", SECRET_KEY), ("admin.token", ADMIN_KEY)):
            if (data / name).exists():
                kept = shared_secret(client, redis_key, (data / name).read_text().strip())
                if kept != (data / name).read_text().strip():
                    print(f"note: Redis already has its own {name}; links signed with it differ.")
    finally:
        client.close()
    store = RedisStore(url)
    await store.open()
    return store


class SqliteSource:
    """A data directory read directly, with each event's request record."""

    def __init__(self, data: Path) -> None:
        path = data / DB_NAME
        if not path.is_file():
            raise MigrateError(f"plenary migrate: no {DB_NAME} in {data}.")
        self._db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)

    async def sessions(self) -> dict[str, str]:
        rows = self._db.execute("SELECT session_id, join_code FROM sessions").fetchall()
        return {str(s): str(c) for s, c in rows}

    async def events(self, session_id: str) -> list[StoredEvent]:
        rows = self._db.execute(
            "SELECT seq, body, hash, request FROM events WHERE session_id = ? ORDER BY seq",
            (session_id,),
        ).fetchall()
        if not rows:
            raise MigrateError(f"plenary migrate: no session {session_id} in the source.")
        return [
            StoredEvent(seq, body, h, RequestRecord(*json.loads(r)) if r else None)
            for seq, body, h, r in rows
        ]

    async def snapshot(self, session_id: str) -> tuple[int, str, bytes] | None:
        row = self._db.execute(
            "SELECT seq, head, state FROM snapshots WHERE session_id = ?", (session_id,)
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]), bytes(row[2]))

    async def meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    async def close(self) -> None:
        self._db.close()


class RedisSource:
    """A Redis store read without taking any lease: a running worker may own its sessions."""

    def __init__(self, url: str) -> None:
        self._store = RedisStore(url)

    async def sessions(self) -> dict[str, str]:
        return await self._store.sessions()

    async def events(self, session_id: str) -> list[StoredEvent]:
        found = [e async for e in self._store.history(session_id)]
        if not found:
            raise MigrateError(f"plenary migrate: no session {session_id} in the source.")
        return found

    async def snapshot(self, session_id: str) -> tuple[int, str, bytes] | None:
        return await self._store.snapshot_of(session_id)

    async def meta(self, name: str) -> str | None:
        return await self._store.get_meta(name)

    async def close(self) -> None:
        await self._store.disconnect()


def read_redis(url: str, session_id: str) -> tuple[list[Row], tuple[int, str, bytes] | None]:
    """A session's log and snapshot read from Redis, for `plenary export` and `verify`."""
    client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
    try:
        entries = cast(list[tuple[str, dict[str, str]]], client.xrange(key("log", session_id)))
        if not entries:
            known = sorted(cast(list[str], client.hkeys(SESSIONS)))
            raise MissingData(
                f"No session {session_id!r} in Redis at {url}. Sessions there: "
                + (", ".join(known) or "none")
            )
        found = cast(dict[str, str], client.hgetall(key("snapshot", session_id)))
    except redis.RedisError as error:
        raise MissingData(f"Cannot read Redis at {url}: {error}.") from None
    finally:
        client.close()
    rows = [Row(int(i.split("-")[0]), f["b"], f["h"]) for i, f in entries]
    snapshot = (int(found["seq"]), found["head"], found["state"].encode()) if found else None
    return rows, snapshot

"""Registrants' email addresses, kept beside the event log, never in it.

The log is append-only and hash-chained: what goes in cannot be taken out
again. An email address is personal data that the session's record does not
need (the log keeps a keyed digest, to refuse duplicates), so the addresses
live in the store's `meta` table under `contacts:<session_id>`, and are
deleted when their registrant is removed.
"""

import asyncio
import json
from collections.abc import Iterable

from ..store import Store


class Contacts:
    def __init__(self, store: Store) -> None:
        self._store = store
        # One read-modify-write at a time per session: two imports must not
        # lose each other's addresses.
        self._locks: dict[str, asyncio.Lock] = {}

    async def emails(self, session_id: str) -> dict[str, str]:
        """Registrant id → email address, for one session."""
        raw = await self._store.get_meta(_key(session_id))
        found: dict[str, str] = json.loads(raw) if raw else {}
        return found

    async def add(self, session_id: str, emails: dict[str, str]) -> None:
        async with self._lock(session_id):
            known = await self.emails(session_id)
            await self._save(session_id, {**known, **emails})

    async def forget(self, session_id: str, registrant_ids: Iterable[str]) -> None:
        gone = set(registrant_ids)
        async with self._lock(session_id):
            known = await self.emails(session_id)
            if gone & set(known):
                await self._save(session_id, {k: v for k, v in known.items() if k not in gone})

    async def _save(self, session_id: str, emails: dict[str, str]) -> None:
        await self._store.set_meta(_key(session_id), json.dumps(emails, separators=(",", ":")))

    def _lock(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())


def _key(session_id: str) -> str:
    return f"contacts:{session_id}"

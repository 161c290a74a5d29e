"""Rating windows open and close on time, on their own, also across a restart.

The scheduler keeps one timer per loaded session, set for the session's next
window deadline. When it fires, it gives the session's runner
`AdvanceWindows` decided at that deadline (never the clock's time), so each
opening and closing is recorded at its own time. After every committed batch
and every advance it sets the timer again.

Sessions are loaded on first use, so a restarted server would not know which
sessions have a deadline to keep: the ids of those that do are kept in the
store as the set `window_sessions`, and `Sessions.start` loads them. A
session loaded with deadlines already past advances at once, and the events
carry the deadlines, not the restart's time.

Each session's owner adds or removes only its own member of the set
(`Store.mark`), in the order it decided them: workers sharing a Redis store
own different sessions, and writing the whole set would let the last writer
drop the others' sessions.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

from facilitation import Actor
from facilitation.commands import AdvanceWindows
from facilitation.windows import next_deadline

from .errors import ApiError
from .live import LiveSession
from .store import Store

log = logging.getLogger("plenary.windows")
META_KEY: Final = "window_sessions"
SCHEDULER: Final = Actor("scheduler")


class WindowScheduler:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock
        self._timers: dict[str, tuple[float, asyncio.TimerHandle]] = {}
        self._pending: set[str] = set()  # sessions with a deadline to keep
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsaved: dict[str, bool] = {}  # session -> pending, not yet in the store
        self._saving: asyncio.Task[None] | None = None

    async def pending_sessions(self) -> list[str]:
        """The sessions a stopped server left with deadlines to keep."""
        found = await self._store.marked(META_KEY)
        self._pending = set(found)
        return found

    def attach(self, runner: LiveSession) -> None:
        runner.listeners.append(self._changed)

    def _changed(self, runner: LiveSession, sections: frozenset[str]) -> None:
        if "windows" in sections:
            self.check(runner)

    def check(self, runner: LiveSession) -> None:
        """Set the session's timer for its next deadline (or clear it). Only the
        session's owner keeps its deadlines; a replica's worker sets no timer."""
        if not runner.owner:
            self.forget(runner.session_id)
            return
        deadline = next_deadline(runner.state)
        current = self._timers.get(runner.session_id)
        if current is not None and current[0] == deadline:
            return
        if current is not None:
            current[1].cancel()
            del self._timers[runner.session_id]
        if deadline is None:
            self._note(runner.session_id, False)
            return
        self._note(runner.session_id, True)
        delay = max(0.0, deadline - self._clock())
        handle = asyncio.get_running_loop().call_later(delay, self._spawn, runner, deadline)
        self._timers[runner.session_id] = (deadline, handle)

    def forget(self, session_id: str) -> None:
        """Drop the session's timer, keeping its note in the store (its owner keeps it)."""
        current = self._timers.pop(session_id, None)
        if current is not None:
            current[1].cancel()

    def stop(self) -> None:
        for _, handle in self._timers.values():
            handle.cancel()
        self._timers.clear()

    def _spawn(self, runner: LiveSession, deadline: float) -> None:
        self._timers.pop(runner.session_id, None)
        task = asyncio.create_task(self._advance(runner, deadline))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _advance(self, runner: LiveSession, deadline: float) -> None:
        if not runner.owner:  # handed on since the timer was set: its new owner keeps it
            return
        ack = await runner.submit(AdvanceWindows(), SCHEDULER, at=deadline)
        if not ack["ok"]:  # a failed commit: the runner reloaded; try again shortly
            log.warning("windows of session %s did not advance: %s", runner.session_id, ack)
            await asyncio.sleep(1.0)
        self.check(runner)

    def _note(self, session_id: str, pending: bool) -> None:
        if (session_id in self._pending) == pending:
            return
        if pending:
            self._pending.add(session_id)
        else:
            self._pending.discard(session_id)
        self._unsaved[session_id] = pending
        if self._saving is None or self._saving.done():
            self._saving = asyncio.create_task(self._save())

    async def _save(self) -> None:
        """One saver at a time, so a session's marks reach the store in order."""
        while self._unsaved:
            session_id, pending = next(iter(self._unsaved.items()))
            try:
                await self._store.mark(META_KEY, session_id, pending)
            except ApiError as error:  # the store is out of reach: kept unsaved, as below
                log.warning("session %s's window deadlines not recorded yet: %s", session_id, error)
                return
            except Exception:  # kept unsaved: the next change saves it with its own
                log.exception(
                    "could not record whether session %s has window deadlines", session_id
                )
                return
            if self._unsaved.get(session_id) == pending:  # not changed again meanwhile
                del self._unsaved[session_id]

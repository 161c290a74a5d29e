"""New opinion groups reach the views: the console and projector through the
fan-out, and each phone its own group through its personal room only.

A phone is told its group (an `opinion_group` event: {version, opinion_group:
{label, groups} or null}) once results are public (a reveal, or `live`), and
after that only when it changes, not on every recompute: labels are kept
stable between updates, so only the few people who moved get a message. So a
burst of ratings before a reveal is not followed by a burst of personal
messages. It is an event of its own, not a `state` patch, so its version never
makes a client drop a room's patch built a moment earlier. Nothing here sends
one phone another's group, nor any point of the map.
"""

import asyncio
import logging
from typing import Any

from facilitation.opinion_record import own_groups, results_public
from facilitation.opinions import Opinions

from .fanout import Emit, Fanout
from .live import LiveSession
from .views import personal

log = logging.getLogger("plenary.opinions")
SECTIONS = frozenset({"opinions", "propositions"})


class OpinionFeed:
    def __init__(self, emit: Emit, fanout: Fanout) -> None:
        self._emit, self._fanout = emit, fanout
        self._told: dict[str, dict[str, Any]] = {}  # session -> participant -> group sent
        self._public: dict[str, bool] = {}  # session -> results public when last looked
        self._tasks: set[asyncio.Task[None]] = set()

    def on_result(self, runner: LiveSession, result: Opinions) -> None:
        self._fanout.changed(runner, SECTIONS)
        self._tell_changes(runner, result)

    def on_change(self, runner: LiveSession, touched: frozenset[str]) -> None:
        """A reveal (or hiding every result) changes what phones may know; O(1) otherwise."""
        if "propositions" not in touched or runner.opinions is None:
            return
        public = results_public(runner.state)
        if self._public.get(runner.session_id, False) != public:
            self._public[runner.session_id] = public
            self._tell_changes(runner, runner.opinions)

    def forget(self, session_id: str) -> None:
        """A session no longer served here: what its phones here were told goes with it."""
        self._told.pop(session_id, None)
        self._public.pop(session_id, None)

    def _tell_changes(self, runner: LiveSession, result: Opinions) -> None:
        self._public[runner.session_id] = results_public(runner.state)
        told = self._told.setdefault(runner.session_id, {})
        mine = own_groups(runner.state, result)  # once, not once per phone
        changes = {}
        for participant_id in set(told) | set(result.points):
            group = mine.get(participant_id)
            # A phone never told anything needs no null; one told a group needs the change.
            if told.get(participant_id) != group and (participant_id in told or group):
                changes[participant_id] = group
        if not changes:
            return
        told.update(changes)
        task = asyncio.create_task(self._tell(runner, changes))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tell(self, runner: LiveSession, changes: dict[str, Any]) -> None:
        version = runner.state.version
        try:
            for participant_id, group in sorted(changes.items()):
                room = personal(runner.session_id, participant_id)
                await self._emit(
                    "opinion_group", {"version": version, "opinion_group": group}, room
                )
        except Exception:  # a failed send must not end the session's feed
            log.exception("opinion groups of session %s not sent to phones", runner.session_id)

"""New opinion groups reach the views: the console and projector through the
fan-out, and each phone its own group through its personal room only.

A phone is told its group (`opinion_group`: {label, groups} or null) when it
changes, not on every recompute: labels are kept stable between updates, so
after the first result only the few people who moved get a message. Nothing
here sends one phone another's group, nor any point of the map.
"""

import asyncio
import logging
from typing import Any

from facilitation.opinion_record import own_group
from facilitation.opinions import Opinions

from .fanout import Emit, Fanout
from .runner import SessionRunner
from .views import personal

log = logging.getLogger("plenary.opinions")
SECTIONS = frozenset({"opinions", "propositions"})


class OpinionFeed:
    def __init__(self, emit: Emit, fanout: Fanout) -> None:
        self._emit, self._fanout = emit, fanout
        self._told: dict[str, dict[str, Any]] = {}  # session -> participant -> group sent
        self._tasks: set[asyncio.Task[None]] = set()

    def on_result(self, runner: SessionRunner, result: Opinions) -> None:
        self._fanout.changed(runner, SECTIONS)
        told = self._told.setdefault(runner.session_id, {})
        state = runner.state
        changes = {}
        for participant_id in set(told) | set(result.points):
            group = own_group(state, result, participant_id)
            if told.get(participant_id) != group:
                changes[participant_id] = group
        if not changes:
            return
        told.update(changes)
        task = asyncio.create_task(self._tell(runner, changes))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tell(self, runner: SessionRunner, changes: dict[str, Any]) -> None:
        head = {"version": runner.state.version, "head": runner.head_short}
        try:
            for participant_id, group in sorted(changes.items()):
                room = personal(runner.session_id, participant_id)
                await self._emit("state", {**head, "opinion_group": group}, room)
        except Exception:  # a failed send must not end the session's feed
            log.exception("opinion groups of session %s not sent to phones", runner.session_id)

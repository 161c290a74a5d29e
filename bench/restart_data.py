"""Write a data dir holding a given number of events, the way the server does.

Plenary's own parts do the writing: the facilitation core decides and
applies each command, and `SessionRunner` chains, group-commits and
snapshots (every `snapshot_every` events, as the server is configured by
default) into the SQLite store. The log therefore has the shape a long-lived
server leaves: many past plenaries, each a thousand people joining and
rating two dozen propositions, some changing their minds.

The runners are never stopped, so no final snapshot is written: each session
ends with the events since its last periodic snapshot, as after a crash.
Restarting must replay those tails.

Run alone: python -m bench.restart_data DIR --events 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from facilitation import Actor
from facilitation import commands as c
from facilitation.vocabulary import DEFAULT_GROUPS, SCALE
from server.runner import SessionRunner
from server.sessions import new_id, new_join_code
from server.settings import Settings
from server.sqlite_store import SqliteStore

PARTICIPANTS = 1000
PROPOSITIONS = 24
RATE_SHARE = 0.9
CHANGE_SHARE = 0.1
CHUNK = 1000  # commands in flight at once: the runner commits them as one batch
STORE_FILE = "plenary.sqlite3"  # where `plenary serve --data DIR` keeps its log


class SessionWriter:
    """One past plenary, written command by command through a real runner."""

    def __init__(self, store: SqliteStore, budget: int, rng: random.Random) -> None:
        self.runner = SessionRunner(new_id(), store, Settings().snapshot_every)
        self.budget = budget
        self.rng = rng

    @property
    def written(self) -> int:
        return self.runner.state.version

    async def write(self) -> int:
        """Write until the session is over or the budget is spent; return events written."""
        self.runner.start()
        proposition_ids = [new_id() for _ in range(PROPOSITIONS)]
        await self.one(
            c.CreateSession(
                self.runner.session_id,
                "Past plenary",
                new_join_code(),
                propositions=tuple(
                    (pid, f"Proposition {i + 1}", None) for i, pid in enumerate(proposition_ids)
                ),
            ),
            Actor("operator"),
        )
        joins = [
            c.Join(
                new_id(), self.rng.choice(DEFAULT_GROUPS), self.rng.choice(("in_room", "remote"))
            )
            for _ in range(PARTICIPANTS)
        ]
        await self.many([(join, Actor("guest")) for join in joins])
        people = [join.participant_id for join in joins]
        for pid in proposition_ids:
            await self.one(c.OpenProposition(pid), Actor("facilitator"))
            await self.many(self.ratings(pid, people))
            await self.one(c.CloseProposition(pid), Actor("facilitator"))
        return self.written

    def ratings(self, pid: str, people: Sequence[str]) -> list[tuple[c.Command, Actor]]:
        raters = [p for p in people if self.rng.random() < RATE_SHARE]
        changers = [p for p in raters if self.rng.random() < CHANGE_SHARE]
        return [
            (c.SubmitRating(pid, self.rng.choice(SCALE)), Actor("participant", person))
            for person in [*raters, *changers]
        ]

    async def one(self, command: c.Command, actor: Actor) -> None:
        await self.many([(command, actor)])

    async def many(self, commands: Sequence[tuple[c.Command, Actor]]) -> None:
        for start in range(0, len(commands), CHUNK):
            room = self.budget - self.written
            if room <= 0:
                return
            chunk = commands[start : start + min(CHUNK, room)]
            acks = await asyncio.gather(*(self.runner.submit(cmd, who) for cmd, who in chunk))
            refused = [ack for ack in acks if not ack["ok"]]
            if refused:
                raise RuntimeError(f"the core refused a generated command: {refused[0]}")


async def generate(data_dir: Path, events: int, seed: int) -> int:
    """Fill `data_dir` with `events` events; return the count SQLite holds."""
    store = SqliteStore(data_dir / STORE_FILE)
    await store.open()
    rng = random.Random(seed)
    writers: list[SessionWriter] = []  # held, so no runner's task is collected while pending
    try:
        while sum(w.written for w in writers) < events:
            writers.append(SessionWriter(store, events - sum(w.written for w in writers), rng))
            await writers[-1].write()
    finally:
        await abandon_runners()
        await store.close()
    return count_events(data_dir)


async def abandon_runners() -> None:
    """End the runners' tasks as a crash would: without their final snapshot."""
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


def count_events(data_dir: Path) -> int:
    """The events actually in the log, counted by SQLite itself."""
    with sqlite3.connect(data_dir / STORE_FILE) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(count)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a Plenary data dir of N events.")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    count = asyncio.run(generate(args.data_dir, args.events, args.seed))
    print(f"{count} events in {time.monotonic() - started:.1f} s: {args.data_dir}")


if __name__ == "__main__":
    main()

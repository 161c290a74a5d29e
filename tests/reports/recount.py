"""An independent recount of a session straight from its stored event log.

Deliberately shares no code with `facilitation` or `server`: it reads the
SQLite `events` table with `sqlite3`, parses each body as plain JSON and
keeps only what docs/protocol.md says counts (the latest rating of each person
per round, the latest counts of each hub per round), so a bug in the core's
incremental tallies or in the report cannot hide behind itself.
"""

import json
import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

SCALE: Final = ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "confused")
OBJECTING: Final = ("disagree", "strongly_disagree", "confused")
Round = tuple[str, int]  # (proposition id, round number)


def stored(db: Path, session_id: str) -> list[tuple[int, dict[str, Any], str]]:
    """(seq, body, hash) of every stored event of the session, in order."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT seq, body, hash FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
        ).fetchall()
    return [(seq, json.loads(body), hash_) for seq, body, hash_ in rows]


@dataclass
class Turn:
    name: str
    group: str
    channel: str
    hub_id: str | None
    intent: str
    owner: str
    started_at: float
    ended_at: float | None = None


@dataclass
class Recount:
    participants: dict[str, dict[str, Any]] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    order: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    rounds: dict[str, int] = field(default_factory=dict)
    ratings: dict[Round, dict[str, tuple[str, str | None]]] = field(default_factory=dict)
    hub_counts: dict[Round, dict[str, tuple[Counter[str], dict[str, Counter[str]]]]] = field(
        default_factory=dict
    )
    hubs: dict[str, dict[str, Any]] = field(default_factory=dict)
    marks: dict[str, tuple[str, str | None] | None] = field(default_factory=dict)
    waiting: dict[str, Turn] = field(default_factory=dict)  # entry id -> entry (not started)
    turns: list[Turn] = field(default_factory=list)
    current: Turn | None = None

    @classmethod
    def of(cls, events: list[dict[str, Any]]) -> "Recount":
        recount = cls()
        for event in events:
            getattr(recount, "_" + event["type"], lambda _: None)(event)
        return recount

    # ---- the events that matter to a report
    def _participant_joined(self, e: dict[str, Any]) -> None:
        self.participants[e["participant_id"]] = e

    def _participant_removed(self, e: dict[str, Any]) -> None:
        self.removed.add(e["participant_id"])
        owner = "p:" + e["participant_id"]
        self.waiting = {k: t for k, t in self.waiting.items() if t.owner != owner}

    def _ratings_discarded(self, e: dict[str, Any]) -> None:
        for held in self.ratings.values():
            held.pop(e["participant_id"], None)

    def _proposition_added(self, e: dict[str, Any]) -> None:
        self.order.append(e["proposition_id"])
        self.texts[e["proposition_id"]] = e["text"]
        self.rounds[e["proposition_id"]] = 0

    def _proposition_opened(self, e: dict[str, Any]) -> None:
        self.rounds[e["proposition_id"]] = e["round"]

    def _rating_submitted(self, e: dict[str, Any]) -> None:
        held = self.ratings.setdefault((e["proposition_id"], e["round"]), {})
        if e["value"] is None:
            held.pop(e["participant_id"], None)
        else:
            held[e["participant_id"]] = (e["value"], e["comment"])

    def _hub_invited(self, e: dict[str, Any]) -> None:
        self.hubs[e["hub_id"]] = {"name": e["name"], "attendance": e["attendance"]}

    def _hub_updated(self, e: dict[str, Any]) -> None:
        self.hubs[e["hub_id"]]["attendance"] = e["attendance"]

    def _hub_tallied(self, e: dict[str, Any]) -> None:
        by_group = e["by_group"] or {"other": e["counts"]}
        self.hub_counts.setdefault((e["proposition_id"], e["round"]), {})[e["hub_id"]] = (
            Counter(e["counts"]),
            {g: Counter(c) for g, c in by_group.items()},
        )

    def _consensus_marked(self, e: dict[str, Any]) -> None:
        unmarked = e["status"] == "unmarked"
        self.marks[e["proposition_id"]] = None if unmarked else (e["status"], e["note"])

    def _hand_raised(self, e: dict[str, Any]) -> None:
        owner = "p:" + e["participant_id"]
        for turn in self.waiting.values():
            if turn.owner == owner:  # raising again keeps one's place
                turn.intent = e["intent"]
                return
        who = self.participants[e["participant_id"]]
        name = who["name"] or who["stakeholder_group"]
        self.waiting[e["entry_id"]] = Turn(
            name, who["stakeholder_group"], who["channel"], None, e["intent"], owner, 0.0
        )

    def _hub_speaker_added(self, e: dict[str, Any]) -> None:
        owner = f"h:{e['hub_id']}:{e['name']}"
        if any(t.owner == owner for t in self.waiting.values()):
            return
        self.waiting[e["entry_id"]] = Turn(
            e["name"], e["stakeholder_group"], "hub", e["hub_id"], e["intent"], owner, 0.0
        )

    def _entry_removed(self, e: dict[str, Any]) -> None:
        self.waiting.pop(e["entry_id"])

    def _floor_given(self, e: dict[str, Any]) -> None:
        if self.current is not None:
            self.current.ended_at = e["at"]
            self.turns.append(self.current)
            self.current = None
        if e["entry_id"] is not None:
            self.current = self.waiting.pop(e["entry_id"])
            self.current.started_at = e["at"]

    # ---- figures
    def counts(self, pid: str, number: int) -> Counter[str]:
        found = Counter(v for v, _ in self.ratings.get((pid, number), {}).values())
        for counts, _ in self.hub_counts.get((pid, number), {}).values():
            found.update(counts)
        return found

    def by_group(self, pid: str, number: int) -> dict[str, Counter[str]]:
        found: dict[str, Counter[str]] = {}
        for who, (value, _) in self.ratings.get((pid, number), {}).items():
            found.setdefault(self.participants[who]["stakeholder_group"], Counter())[value] += 1
        for _, groups in self.hub_counts.get((pid, number), {}).values():
            for group, counts in groups.items():
                found.setdefault(group, Counter()).update(counts)
        return {g: c for g, c in found.items() if sum(c.values())}

    def by_channel(self, pid: str, number: int) -> dict[str, Counter[str]]:
        found = {"in_room": Counter[str](), "remote": Counter[str](), "hub": Counter[str]()}
        for who, (value, _) in self.ratings.get((pid, number), {}).items():
            found[self.participants[who]["channel"]][value] += 1
        for counts, _ in self.hub_counts.get((pid, number), {}).values():
            found["hub"].update(counts)
        return found

    def by_hub(self, pid: str, number: int) -> dict[str, Counter[str]]:
        return {h: c for h, (c, _) in self.hub_counts.get((pid, number), {}).items()}

    def objections(self, pid: str) -> set[tuple[int, str, str, str, str]]:
        return {
            (
                number,
                value,
                comment,
                self.participants[who]["stakeholder_group"],
                self.participants[who]["channel"],
            )
            for number in range(1, self.rounds[pid] + 1)
            for who, (value, comment) in self.ratings.get((pid, number), {}).items()
            if comment and value in OBJECTING
        }

    def all_turns(self) -> list[Turn]:
        return self.turns + ([self.current] if self.current else [])

    def rated(self) -> set[str]:
        return {who for held in self.ratings.values() for who in held}

    def spoke(self) -> set[str]:
        return {t.owner[2:] for t in self.all_turns() if t.owner.startswith("p:")}


def vector(counts: Counter[str]) -> dict[str, int]:
    return {v: counts[v] for v in SCALE}


def agree_share(counts: Counter[str]) -> float | None:
    n = sum(counts.values())
    return None if n == 0 else (counts["strongly_agree"] + counts["agree"]) / n

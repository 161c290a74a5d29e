"""A session's log read offline from a data directory, and checked link by link.

Rules this module keeps:
- The SQLite file is opened read-only; nothing here writes. WAL lets it read
  while a server still runs, though a stopped server gives a settled log.
- The snapshot is plain JSON (`facilitation.snapshot`): a data directory may
  come from anyone, and reading it runs no code. Its head is compared with
  the chain, which catches a log rewritten (or cut short) before that point,
  and its state with the replay at its seq, which catches a corrupt snapshot
  (the server ignores such a snapshot and replays the log).
- The first failure wins and is named by its seq: a reader fixes or reports
  that one event, not a cascade of consequences.
"""

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from facilitation import apply
from facilitation import events as ev
from facilitation import snapshot as snap
from facilitation.errors import FacilitationError
from facilitation.state import SessionState, Tally, zeros

from ..chain import GENESIS, canonical, link

DATABASE: Final = "plenary.sqlite3"  # the file create_app's SqliteStore keeps in the data dir
MIN_HEAD: Final = 8  # hex characters a --head needs before it can name one event


class MissingData(Exception):
    """No log to read: no database in the directory, or no such session in it."""


class LogFailure(Exception):
    """The log fails a check. `seq` names the first event that fails (None: no single one)."""

    def __init__(self, seq: int | None, reason: str) -> None:
        super().__init__(reason if seq is None else f"event seq {seq}: {reason}")
        self.seq, self.reason = seq, reason


@dataclass(frozen=True, slots=True)
class Snapshot:
    seq: int
    head: str
    blob: bytes | None = None  # None: only the head is compared


@dataclass(frozen=True, slots=True)
class Row:
    seq: int
    body: str
    hash: str


@dataclass(slots=True)
class Verified:
    """A log that passed every check, replayed."""

    state: SessionState
    head: str
    hashes: list[str] = field(default_factory=list)  # hashes[i] is the head after seq i + 1

    def position(self, head: str) -> int | None:
        """The seq whose hash is `head` (full or a prefix of it), or None."""
        wanted = head.strip().lower()
        return next((i for i, h in enumerate(self.hashes, 1) if h.startswith(wanted)), None)


def load(data: Path, session_id: str) -> Verified:
    """Read and verify a session's log; raises MissingData or LogFailure."""
    rows, snapshot = read(data, session_id)
    return verify(rows, session_id, snapshot)


def read(data: Path, session_id: str) -> tuple[list[Row], Snapshot | None]:
    """The session's stored events in seq order, and its snapshot if any."""
    path = data / DATABASE
    if not path.is_file():
        raise MissingData(f"No Plenary data in {data} (there is no {DATABASE}).")
    try:
        with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as db:
            rows = db.execute(
                "SELECT seq, body, hash FROM events WHERE session_id = ? ORDER BY seq",
                (session_id,),
            ).fetchall()
            if not rows:
                known = [r[0] for r in db.execute("SELECT DISTINCT session_id FROM events")]
                raise MissingData(
                    f"No session {session_id!r} in {path}. Sessions there: "
                    + (", ".join(sorted(known)) or "none")
                )
            snapshot = db.execute(
                "SELECT seq, head, state FROM snapshots WHERE session_id = ?", (session_id,)
            ).fetchone()
    except sqlite3.Error as error:
        raise MissingData(f"Cannot read {path} as a Plenary log: {error}.") from None
    if snapshot is None:
        return [_row(raw) for raw in rows], None
    seq, head, blob = snapshot
    return [_row(raw) for raw in rows], Snapshot(seq, head, bytes(blob) if blob else None)


def verify(rows: list[Row], session_id: str, snapshot: Snapshot | None = None) -> Verified:
    """Check every link of the chain, replay every event, recount every round."""
    verified = Verified(SessionState(), GENESIS)
    for expected, row in enumerate(rows, start=1):
        if row.seq != expected:
            raise LogFailure(
                expected, f"is missing: the log jumps from seq {expected - 1} to {row.seq}."
            )
        if link(verified.head, row.body) != row.hash:
            raise LogFailure(row.seq, _broken_link(rows, expected, verified.head))
        event = _event(row, session_id)
        try:
            apply(verified.state, event)
        except Exception as error:  # a forged event may break any assumption of apply
            raise LogFailure(
                row.seq, f"cannot be replayed ({type(error).__name__}: {error})."
            ) from None
        verified.head = row.hash
        verified.hashes.append(row.hash)
        if snapshot is not None and snapshot.blob is not None and snapshot.seq == row.seq:
            _check_snapshot_state(verified.state, snapshot.seq, snapshot.blob)
    if snapshot is not None:
        _check_snapshot(verified, snapshot.seq, snapshot.head)
    recount(verified.state)
    return verified


def recount(state: SessionState) -> None:
    """Recompute every round's tally from the ratings and hub counts it holds."""
    for position, pid in enumerate(state.order, start=1):
        for round_ in state.propositions[pid].rounds:
            fresh = Tally()
            for rating in round_.ratings.values():
                fresh.add(rating.stakeholder_group, rating.channel, rating.value, 1)
            for counted in round_.hub_counts.values():
                for value, n in enumerate(counted.counts):
                    fresh.counts[value] += n
                    fresh.by_channel.setdefault("hub", zeros())[value] += n
                for group, vector in counted.by_group.items():
                    for value, n in enumerate(vector):
                        fresh.by_group.setdefault(group, zeros())[value] += n
            if _nonzero(fresh) != _nonzero(round_.tally):
                raise LogFailure(
                    None,
                    f"proposition {position}, round {round_.number}: the replayed tally "
                    "differs from a recount of its ratings.",
                )


def _row(raw: tuple[object, ...]) -> Row:
    seq, body, hash_ = raw
    if not isinstance(seq, int) or not isinstance(body, str) or not isinstance(hash_, str):
        raise LogFailure(seq if isinstance(seq, int) else None, "is not stored as text.")
    return Row(seq, body, hash_)


def _broken_link(rows: list[Row], seq: int, previous: str) -> str:
    """Why event `seq` does not chain, told from what the next event chains from."""
    row = rows[seq - 1]
    after = rows[seq] if seq < len(rows) else None
    if after is not None and link(row.hash, after.body) == after.hash:
        return "its body was changed after it was stored: its hash no longer matches it."
    if after is not None and link(link(previous, row.body), after.body) == after.hash:
        return "its stored hash was changed: it no longer matches its body."
    return "its hash does not match its body and the hash of the event before it."


def _event(row: Row, session_id: str) -> ev.Event:
    try:
        body = json.loads(row.body)
    except json.JSONDecodeError:
        raise LogFailure(row.seq, "its body is not JSON.") from None
    if not isinstance(body, dict) or canonical(body) != row.body:
        raise LogFailure(row.seq, "its body is not the canonical JSON the server writes.")
    try:
        event = ev.from_json(body)
    except (FacilitationError, TypeError) as error:
        raise LogFailure(row.seq, f"is not a valid event: {error}") from None
    first = row.seq == 1
    if first != isinstance(event, ev.SessionCreated):
        raise LogFailure(row.seq, "a log starts with session_created, and only there.")
    if isinstance(event, ev.SessionCreated) and event.session_id != session_id:
        raise LogFailure(row.seq, f"it creates session {event.session_id!r}, not {session_id!r}.")
    return event


def _check_snapshot(verified: Verified, seq: int, head: str) -> None:
    count = len(verified.hashes)
    if seq > count:
        raise LogFailure(
            count + 1,
            f"is missing: the server took a snapshot at seq {seq}, but the log ends at {count}.",
        )
    if seq > 0 and verified.hashes[seq - 1] != head:
        raise LogFailure(
            seq,
            f"differs from the server's snapshot: it recorded head {head}, "
            f"the log now gives {verified.hashes[seq - 1]}.",
        )


def _check_snapshot_state(state: SessionState, seq: int, blob: bytes) -> None:
    """The snapshot's state equals the replay at its seq, or the snapshot is named as bad."""
    ignored = "the server ignores it and replays the log"
    try:
        data = json.loads(blob)
    except (ValueError, RecursionError):
        raise LogFailure(seq, f"its snapshot is not JSON ({ignored}).") from None
    if isinstance(data, dict) and data.get("format") != snap.FORMAT:
        return  # a snapshot of an older state shape: the server replays the log instead
    try:
        stored = snap.decode(data)
    except snap.SnapshotError as error:
        raise LogFailure(seq, f"its snapshot does not load ({error}; {ignored}).") from None
    if stored != state:
        raise LogFailure(seq, f"its snapshot differs from the replayed log ({ignored}).")


def _nonzero(tally: Tally) -> tuple[list[int], dict[str, list[int]], dict[str, list[int]]]:
    """A tally with its all-zero groups and channels dropped (apply keeps emptied ones)."""
    return (
        list(tally.counts),
        {g: list(v) for g, v in tally.by_group.items() if any(v)},
        {c: list(v) for c, v in tally.by_channel.items() if any(v)},
    )

"""`plenary verify`: a clear pass, a head on the chain, and the first edited event named."""

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.reports.conftest import Played, plenary


def copy_of(played: Played, where: Path) -> Path:
    """A copy of the data directory to tamper with; the recorded one stays intact."""
    target = where / "data"
    target.mkdir()
    for part in played.data.glob(played.database.name + "*"):  # with -wal and -shm, if any
        shutil.copy(part, target / part.name)
    return target


def run(db: Path, sql: str, *args: object) -> None:
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(sql, args)


def body_of(db: Path, session_id: str, seq: int) -> dict[str, object]:
    with closing(sqlite3.connect(db)) as conn:
        (body,) = conn.execute(
            "SELECT body FROM events WHERE session_id = ? AND seq = ?", (session_id, seq)
        ).fetchone()
    loaded: dict[str, object] = json.loads(body)
    return loaded


def seq_of_first(db: Path, session_id: str, kind: str) -> int:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT seq, body FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
        ).fetchall()
    return next(int(seq) for seq, body in rows if json.loads(body)["type"] == kind)


def heads(db: Path, session_id: str) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT hash FROM events WHERE session_id = ? ORDER BY seq", (session_id,)
        ).fetchall()
    return [h for (h,) in rows]


def test_verify_passes_with_head_and_event_count(played: Played) -> None:
    chain = heads(played.database, played.session_id)
    done = plenary("verify", "--data", str(played.data), played.session_id)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("PASS")
    assert chain[-1] in done.stdout
    assert f"events   {len(chain)} (seq 1 to {len(chain)})" in done.stdout
    assert "results  recomputed: 2 proposition(s), 3 round(s)" in done.stdout


@pytest.mark.parametrize("length", [12, 64])
def test_verify_finds_an_earlier_head_on_the_chain(played: Played, length: int) -> None:
    chain = heads(played.database, played.session_id)
    seq = chain.index(played.earlier_head) + 1
    given = played.earlier_head[:length]
    done = plenary("verify", "--data", str(played.data), played.session_id, "--head", given)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"PASS  head {given} is on the chain at seq {seq}" in done.stdout
    assert f"{len(chain) - seq} event(s) after that head" in done.stdout


def test_verify_refuses_a_head_not_on_the_chain(played: Played) -> None:
    done = plenary(
        "verify", "--data", str(played.data), played.session_id, "--head", "0123456789ab"
    )
    assert done.returncode == 1
    assert "FAIL  head 0123456789ab is not on this session's chain" in done.stdout
    malformed = plenary("verify", "--data", str(played.data), played.session_id, "--head", "xyz")
    assert malformed.returncode == 2
    assert "--head must be" in malformed.stderr


def test_an_edited_body_is_named_by_its_seq(played: Played, tmp_path: Path) -> None:
    data = copy_of(played, tmp_path)
    db = data / played.database.name
    seq = seq_of_first(db, played.session_id, "rating_submitted")
    body = body_of(db, played.session_id, seq)
    body["value"] = "strongly_agree" if body["value"] != "strongly_agree" else "agree"
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    run(
        db,
        "UPDATE events SET body = ? WHERE session_id = ? AND seq = ?",
        canonical,
        played.session_id,
        seq,
    )
    done = plenary("verify", "--data", str(data), played.session_id)
    assert done.returncode == 1
    assert done.stdout.startswith(f"FAIL  event seq {seq}: its body was changed")
    refused = plenary("export", "--data", str(data), played.session_id, "--format", "json")
    assert refused.returncode == 1
    assert f"event seq {seq}" in refused.stdout
    assert refused.stdout.count("{") == 0  # no report from a log that fails


def test_an_edited_hash_is_named_by_its_seq(played: Played, tmp_path: Path) -> None:
    data = copy_of(played, tmp_path)
    db = data / played.database.name
    seq = seq_of_first(db, played.session_id, "consensus_marked")
    run(
        db,
        "UPDATE events SET hash = ? WHERE session_id = ? AND seq = ?",
        "f" * 64,
        played.session_id,
        seq,
    )
    done = plenary("verify", "--data", str(data), played.session_id)
    assert done.returncode == 1
    assert done.stdout.startswith(f"FAIL  event seq {seq}: its stored hash was changed")


def test_a_rewritten_chain_is_caught_by_the_snapshot_or_the_head(
    played: Played, tmp_path: Path
) -> None:
    """Cutting the last event keeps every remaining link sound: the snapshot and a head catch it."""
    data = copy_of(played, tmp_path)
    db = data / played.database.name
    chain = heads(db, played.session_id)
    run(db, "DELETE FROM events WHERE session_id = ? AND seq = ?", played.session_id, len(chain))
    done = plenary("verify", "--data", str(data), played.session_id)
    assert done.returncode == 1
    assert done.stdout.startswith(f"FAIL  event seq {len(chain)}: is missing")
    run(db, "DELETE FROM snapshots WHERE session_id = ?", played.session_id)
    assert plenary("verify", "--data", str(data), played.session_id).returncode == 0
    witnessed = plenary("verify", "--data", str(data), played.session_id, "--head", chain[-1][:12])
    assert witnessed.returncode == 1
    assert "is not on this session's chain" in witnessed.stdout


def test_a_missing_event_is_named(played: Played, tmp_path: Path) -> None:
    data = copy_of(played, tmp_path)
    db = data / played.database.name
    run(db, "DELETE FROM events WHERE session_id = ? AND seq = ?", played.session_id, 5)
    done = plenary("verify", "--data", str(data), played.session_id)
    assert done.returncode == 1
    assert done.stdout.startswith("FAIL  event seq 5: is missing")


def test_unknown_session_and_empty_directory(played: Played, tmp_path: Path) -> None:
    done = plenary("verify", "--data", str(played.data), "no-such-session")
    assert done.returncode == 2
    assert "No session 'no-such-session'" in done.stderr
    empty = plenary("export", "--data", str(tmp_path), played.session_id)
    assert empty.returncode == 2
    assert "No Plenary data" in empty.stderr

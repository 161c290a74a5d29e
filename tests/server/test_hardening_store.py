"""A store that refuses to lie: bad databases, a shared or emptied data directory, secrets."""

import asyncio
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import httpx

from tests.live import LiveServer, Peer, latest_round, serve_refused


def _refused(data: Path, *needles: str, args: tuple[str, ...] = ()) -> None:
    """`plenary serve` on `data` exits non-zero, its stderr naming every needle."""
    code, err, _ = serve_refused(data, *args)
    assert code != 0, err
    for needle in needles:
        assert needle in err, err


def _filled(server_factory: type[LiveServer], data: Path, sessions: int = 30) -> None:
    """A data directory whose database spans many pages, left by a clean stop."""
    server = server_factory(data).start()
    for n in range(sessions):
        server.create_session(f"Session {n}", [f"Proposition {n}-{i}" for i in range(20)])
    server.stop()


def test_a_truncated_database_exits_non_zero_within_seconds(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _filled(server_factory, data)
    db = data / "plenary.sqlite3"
    assert (
        not (data / "plenary.sqlite3-wal").exists()
        or os.path.getsize(data / "plenary.sqlite3-wal") == 0
    )
    os.truncate(db, os.path.getsize(db) // 2)
    code, err, seconds = serve_refused(data)
    assert code != 0
    assert seconds < 10
    assert "plenary.sqlite3" in err, err
    assert "corrupt" in err, err


def test_an_empty_or_foreign_database_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "plenary.sqlite3").write_bytes(b"")
    (empty / "secret.key").write_text("k" * 43)
    _refused(empty, "not a Plenary database")

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    with sqlite3.connect(foreign / "plenary.sqlite3") as db:
        db.execute("CREATE TABLE accounts (id INTEGER)")
    (foreign / "secret.key").write_text("k" * 43)
    _refused(foreign, "not a Plenary database")

    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "plenary.sqlite3").write_bytes(b"not a database at all " * 100)
    _refused(garbage, "cannot be opened")


def test_a_store_records_its_identity(server_factory: type[LiveServer], tmp_path: Path) -> None:
    data = tmp_path / "data"
    server_factory(data).start().stop()
    with sqlite3.connect(data / "plenary.sqlite3") as db:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    assert len(meta["store_id"]) == 32
    assert meta["schema_version"] == "1"


def test_a_second_server_on_one_data_directory_exits_naming_the_first(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    first = server_factory(data).start()
    assert first.process is not None
    code, err, seconds = serve_refused(data)
    assert code != 0
    assert seconds < 10
    assert f"pid {first.process.pid}" in err, err
    assert "in use" in err, err
    # The first is untouched and still serving.
    assert httpx.get(first.url + "/healthz", timeout=5).status_code == 200


def test_a_data_directory_without_its_database_needs_init(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _filled(server_factory, data, sessions=1)
    (data / "plenary.sqlite3").unlink()
    _refused(data, "--init")
    started = server_factory(data, "--init").start()
    assert httpx.get(started.url + "/healthz", timeout=5).json() == {"ok": True}
    started.stop()


def test_a_fresh_or_empty_directory_just_starts(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    server_factory(empty).start().stop()
    assert (empty / "plenary.sqlite3").exists()


def test_files_are_owner_only_even_in_an_open_directory(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    server = server_factory(data).start()
    server.create_session("Private", ["One"])
    server.stop()
    for path in data.iterdir():
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.name} is {oct(mode)}"


def test_an_empty_or_short_secret_is_refused(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    _filled(server_factory, data, sessions=1)
    key = data / "secret.key"
    kept = key.read_text()
    assert len(kept.strip()) == 43
    key.write_text("")
    _refused(data, "secret.key", "fewer than the 43")
    key.write_text("short-secret\n")
    _refused(data, "12 characters")
    key.unlink()
    _refused(data, "no secret.key")
    key.write_text(kept)
    server_factory(data).start().stop()


def test_a_short_admin_token_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path / "data", "admin token", "at least 24", args=("--admin-token", "letmein"))
    _refused(tmp_path / "other", "23 characters", args=("--admin-token", "x" * 23))


async def test_a_deleted_data_directory_stops_acknowledgements(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    server = server_factory(data).start()
    created = server.create_session("Vanishing", ["One"])
    proposition_id = created["propositions"][0]["id"]
    joined = server.join(created["join_code"])
    console = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    phone = await Peer(server.url, joined["token"]).connect()
    assert (await console.call("proposition:open", {"proposition_id": proposition_id}))["ok"]
    shutil.rmtree(data)
    answer = server.post_join(created["join_code"], "academia", "in_room")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
    rated = await phone.call("rating:submit", {"proposition_id": proposition_id, "value": "agree"})
    assert rated["ok"] is False, rated
    assert rated["error"]["code"] == "unavailable", rated
    assert phone.client.connected  # nothing wrong with the connection: it may try again
    async with httpx.AsyncClient(timeout=5) as client:
        health = await client.get(server.url + "/healthz")
    assert health.status_code == 503
    assert "gone" in health.json()["reason"]
    # Nothing refused was kept in memory either: the session still has one participant
    # and no rating, so nothing the store lost is shown as done.
    assert (await console.call("sync"))["ok"]
    await console.until(lambda _: len(console.snapshots) == 2)
    assert latest_round(console.view, proposition_id)["total"] == 0
    assert len(console.view["participants"]) == 1
    await asyncio.gather(console.close(), phone.close())


async def test_a_corrupt_snapshot_row_is_survived_by_replay(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    server = server_factory(data, snapshot_every="5").start()
    created = server.create_session("Snapshots", ["One", "Two"])
    session_id, first = created["session_id"], created["propositions"][0]["id"]
    for n in range(6):
        server.join(created["join_code"], name=f"P{n}")
    server.stop()  # a clean stop writes the last snapshot
    with sqlite3.connect(data / "plenary.sqlite3") as db:
        (seq,) = db.execute(
            "SELECT seq FROM snapshots WHERE session_id = ?", (session_id,)
        ).fetchone()
        assert seq >= 5
        db.execute(
            "UPDATE snapshots SET state = ? WHERE session_id = ?", (b"\x00garbage", session_id)
        )
    verified = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server", "verify", "--data", str(data), session_id],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode != 0, verified.stdout
    assert "replays the log" in verified.stdout + verified.stderr
    server = server_factory(data).start()
    console = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    assert [p["name"] for p in console.view["participants"]] == [f"P{n}" for n in range(6)]
    assert (await console.call("proposition:open", {"proposition_id": first}))["ok"]
    await console.close()
    assert f"snapshot of session {session_id} ignored" in server.log.read_text()

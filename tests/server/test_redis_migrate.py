"""`plenary migrate` SQLite ↔ Redis keeping the hash chain; export and verify on Redis."""

import sqlite3
from contextlib import closing
from pathlib import Path

from tests.live import LiveServer, Peer, latest_round, plenary
from tests.redis_live import RedisServer


def last_event(data: Path, session_id: str) -> tuple[int, str]:
    """(seq, hash) of the session's last event in a SQLite data directory."""
    with closing(sqlite3.connect(data / "plenary.sqlite3")) as db:
        seq, hash_ = db.execute(
            "SELECT seq, hash FROM events WHERE session_id = ? ORDER BY seq DESC LIMIT 1",
            (session_id,),
        ).fetchone()
    return int(seq), str(hash_)


def head_of(verified: str) -> str:
    return next(line.split()[1] for line in verified.splitlines() if line.startswith("  head"))


async def test_sqlite_to_redis_and_back_keeps_the_chain(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    sqlite = server_factory(tmp_path / "sqlite", snapshot_every="5").start()
    created = sqlite.create_session("Moving", ["One"])
    session_id, pid = created["session_id"], created["propositions"][0]["id"]
    facilitator = await Peer(sqlite.url, created["tokens"]["facilitator"]).connect()
    assert (await facilitator.call("proposition:open", {"proposition_id": pid}))["ok"]
    for _ in range(6):
        phone = await Peer(sqlite.url, sqlite.join(created["join_code"])["token"]).connect()
        assert (await phone.call("rating:submit", {"proposition_id": pid, "value": "agree"}))["ok"]
        await phone.close()
    await facilitator.close()
    sqlite.stop()
    count, head = last_event(tmp_path / "sqlite", session_id)

    moved = plenary(
        "migrate", "--from-data", str(tmp_path / "sqlite"), "--to-redis", redis_server.url
    )
    assert moved.returncode == 0, moved.stderr
    assert f"moved {session_id}: {count} event(s), head {head}" in moved.stdout
    on_redis = plenary("verify", "--redis", redis_server.url, session_id)
    assert on_redis.returncode == 0, on_redis.stdout + on_redis.stderr
    assert head_of(on_redis.stdout) == head
    exported = plenary("export", "--redis", redis_server.url, session_id, "--format", "md")
    assert exported.returncode == 0
    assert "Moving" in exported.stdout

    # A worker on Redis serves the moved session, and the links handed out before still work.
    worker = server_factory(tmp_path / "worker", redis=redis_server.url).start()
    results = worker.results(session_id, created["tokens"]["facilitator"])
    assert latest_round(results, pid)["total"] == 6
    again = plenary(
        "migrate", "--from-data", str(tmp_path / "sqlite"), "--to-redis", redis_server.url
    )
    assert again.returncode != 0
    assert "already holds" in again.stderr
    worker.stop()

    back = plenary(
        "migrate", "--from-redis", redis_server.url, "--to-data", str(tmp_path / "archive")
    )
    assert back.returncode == 0, back.stderr
    assert last_event(tmp_path / "archive", session_id) == (count, head)

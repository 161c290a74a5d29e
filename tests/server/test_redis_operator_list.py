"""The operator's list on a worker that serves none of the sessions listed: each is
read from Redis as it is now, and none is kept and followed there afterwards
(server/sessions.py, `Sessions.peek`; server/replica.py, `read_once`)."""

from pathlib import Path

import httpx

from tests.live import ADMIN, LiveServer
from tests.redis_live import RedisServer
from tests.server.test_redis_cluster import health


def listed(worker: LiveServer) -> dict[str, dict[str, object]]:
    headers = {"Authorization": f"Bearer {worker.admin_token}"}
    answer = httpx.get(worker.url + "/api/sessions", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return {s["session_id"]: s for s in answer.json()["sessions"]}


async def test_listing_sessions_on_another_worker_reads_them_and_keeps_none(
    server_factory: type[LiveServer], tmp_path: Path, redis_server: RedisServer
) -> None:
    a = server_factory(tmp_path / "a", redis=redis_server.url).start()
    b = server_factory(tmp_path / "b", redis=redis_server.url).start()
    assert b.admin_token == a.admin_token == ADMIN
    first = a.create_session("First hall", ["One"])
    second = a.create_session("Second hall", ["One", "Two"])
    a.join(second["join_code"], "government")

    found = listed(b)
    assert (found[first["session_id"]]["title"], found[first["session_id"]]["joined"]) == (
        "First hall",
        0,
    )
    mine = found[second["session_id"]]
    assert (mine["title"], mine["joined"], mine["propositions"]) == ("Second hall", 1, 2)
    assert str(mine["urls"]["join"]).endswith(f"/join/{second['join_code']}")  # type: ignore[index]
    assert health(b)["replicated_sessions"] == 0
    assert health(b)["owned_sessions"] == 0

    # Listed again, each is read as it is now: the join made since is counted.
    a.join(second["join_code"], "academia")
    assert listed(b)[second["session_id"]]["joined"] == 2
    assert health(b)["replicated_sessions"] == 0

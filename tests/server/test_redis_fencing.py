"""The append script against a real redis-server: idempotent, fenced, loss-detecting."""

import asyncio
import json
from pathlib import Path

import pytest

from server.chain import GENESIS, canonical, link
from server.errors import ApiError
from server.redis_claim import claim_redis
from server.redis_store import RedisStore, StoreLost
from server.store import RequestRecord, StoredEvent
from tests.redis_live import RedisServer


def events(start: int, count: int, head: str) -> list[StoredEvent]:
    """A chained batch (bodies need only be canonical JSON for the store)."""
    batch = []
    for seq in range(start, start + count):
        body = canonical({"type": "test", "n": seq, "join_code": "ABCDEFGH"})
        head = link(head, body)
        batch.append(StoredEvent(seq, body, head))
    return batch


async def store_on(redis_server: RedisServer, tmp_path: Path, ttl_ms: int = 4000) -> RedisStore:
    claim_redis(redis_server.url, tmp_path / "data", "", relaxed=False, init=False)
    store = RedisStore(redis_server.url, lease_ttl_ms=ttl_ms)
    await store.open()
    return store


async def test_a_resent_append_is_recognised_not_applied_twice(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    store = await store_on(redis_server, tmp_path)
    first = events(1, 3, GENESIS)
    request = RequestRecord("participant:p", "r1", "f", json.dumps({"ok": True}), 1.0)
    first[-1] = StoredEvent(first[-1].seq, first[-1].body, first[-1].hash, request)
    await store.append("s1", first)
    store._tips["s1"] = (0, GENESIS)  # as if the answer was lost and the batch re-sent
    await store.append("s1", first)
    assert redis_server.client().xlen("plenary:log:s1") == 3
    assert redis_server.client().zcard("plenary:requests:s1") == 1
    await store.append("s1", events(4, 2, first[-1].hash))
    assert [e.seq async for e in store.events("s1")] == [1, 2, 3, 4, 5]
    await store.close()


async def test_a_stale_owner_is_fenced_and_records_nothing(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    stale = await store_on(redis_server, tmp_path, ttl_ms=300)
    batch = events(1, 2, GENESIS)
    await stale.append("s1", batch)  # owner at epoch 1
    await stale.leases.close()  # paused: no more renewal; its lease runs out
    stale.leases.held["s1"] = f"{stale.leases.owner} 1"
    await asyncio.sleep(0.4)
    fresh = await store_on(redis_server, tmp_path)
    loaded = await fresh.load("s1", 0)  # takes over at epoch 2
    assert [e.seq for e in loaded.events] == [1, 2]
    assert redis_server.client().get("plenary:lease:s1").endswith(" 2")

    with pytest.raises(ApiError) as refused:
        await stale.append("s1", events(3, 1, batch[-1].hash))
    assert refused.value.code == "unavailable"
    assert redis_server.client().xlen("plenary:log:s1") == 2
    await fresh.append("s1", events(3, 1, batch[-1].hash))
    assert redis_server.client().xlen("plenary:log:s1") == 3
    await fresh.close()
    await stale.disconnect()


async def test_a_log_shorter_than_seen_is_refused_loudly(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    store = await store_on(redis_server, tmp_path)
    batch = events(1, 4, GENESIS)
    await store.append("s1", batch)
    client = redis_server.client()
    client.xdel("plenary:log:s1", "3-0", "4-0")
    client.hset("plenary:tip:s1", mapping={"seq": 2, "head": batch[1].hash})
    with pytest.raises(StoreLost) as lost:
        await store.append("s1", events(5, 1, batch[-1].hash))
    assert "ends at seq 2" in lost.value.message
    with pytest.raises(StoreLost):  # refused from then on, never continued
        await store.load("s1", 0)
    assert client.xlen("plenary:log:s1") == 2
    await store.close()

"""The scale-out store: each session's durable log is a Redis stream.

Keys (all under `plenary:`):
- `store_id`, `schema_version`: the store's identity, written once;
- `log:<session>`: a stream, one entry per event, entry id `<seq>-0`, fields
  `b` (canonical body), `h` (chained hash), `r` (the request record kept with
  a command's last event, JSON);
- `tip:<session>`: a hash `{seq, head}`, the last event appended;
- `requests:<session>`: a sorted set of request records scored by time, so a
  restart reads the last day's answers without scanning the log;
- `snapshot:<session>`: a hash `{seq, head, state}`;
- `sessions`: a hash session id -> join code; `meta`: the store's other settings;
- `set:<name>`: a set the workers change a member at a time (`mark`);
- `lease:<session>`, `epoch:<session>`: the owner's lease (`server.lease`).

Every group commit is one Lua script (`APPEND`), atomic in Redis: it checks the
identity key, recognises a batch already appended (redis-py re-sends a command
after a connection error, and the first send may have been applied: the
script answers `already` when the batch's first and last seq carry the same
hashes), checks the writer's lease (fencing), then the expected seq and head,
and only then appends. With `appendfsync always` Redis writes the AOF to disk
before it answers, so an answered append is durable.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Final, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from .chain import GENESIS
from .errors import ApiError
from .lease import TTL_MS, Leases, lease_key, pause
from .store import Loaded, RequestRecord, StoredEvent

log = logging.getLogger("plenary.redis")

IDENTITY: Final = "plenary:store_id"
SCHEMA: Final = "plenary:schema_version"
SESSIONS: Final = "plenary:sessions"
META: Final = "plenary:meta"
PAGE: Final = 1000  # stream entries per read
UNREACHABLE: Final = "The store (Redis) cannot be reached right now: try again in a moment."

APPEND: Final = """
-- KEYS: identity, lease, tip, log, requests, sessions
-- ARGV: store id, lease value, expected seq, expected head, session id, join code, n,
--       then n times: seq, body, hash, request ('' for none), at
local function hash_at(seq)
  local found = redis.call('XRANGE', KEYS[4], seq .. '-0', seq .. '-0')
  if #found == 0 then return false end
  local fields = found[1][2]
  for i = 1, #fields, 2 do if fields[i] == 'h' then return fields[i + 1] end end
  return false
end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'lost', 'the identity key is gone'} end
local n = tonumber(ARGV[7])
local first, last = 8, 8 + (n - 1) * 5
if hash_at(ARGV[first]) == ARGV[first + 2] and hash_at(ARGV[last]) == ARGV[last + 2] then
  return {'already', ''}
end
local lease = redis.call('GET', KEYS[2])
if lease ~= ARGV[2] then return {'fenced', lease or ''} end
local tip = redis.call('HMGET', KEYS[3], 'seq', 'head')
local seq = tonumber(tip[1] or '0')
if seq < tonumber(ARGV[3]) then return {'lost', 'the log ends at seq ' .. seq} end
if seq > tonumber(ARGV[3]) or (tip[2] or ARGV[4]) ~= ARGV[4] then
  return {'moved', 'the log is at seq ' .. seq}
end
for i = first, last, 5 do
  if ARGV[i + 3] == '' then
    redis.call('XADD', KEYS[4], ARGV[i] .. '-0', 'b', ARGV[i + 1], 'h', ARGV[i + 2])
  else
    redis.call('XADD', KEYS[4], ARGV[i] .. '-0', 'b', ARGV[i + 1], 'h', ARGV[i + 2],
      'r', ARGV[i + 3])
    redis.call('ZADD', KEYS[5], ARGV[i + 4], ARGV[i + 3])
  end
end
redis.call('HSET', KEYS[3], 'seq', ARGV[last], 'head', ARGV[last + 2])
if ARGV[first] == '1' then redis.call('HSET', KEYS[6], ARGV[5], ARGV[6]) end
return {'ok', ''}
"""

# A snapshot replaces an older one only, and only when the log holds its head at its seq.
SNAPSHOT: Final = """
local at = redis.call('XRANGE', KEYS[2], ARGV[1] .. '-0', ARGV[1] .. '-0')
if #at == 0 then return 0 end
local fields, hash = at[1][2], false
for i = 1, #fields, 2 do if fields[i] == 'h' then hash = fields[i + 1] end end
if hash ~= ARGV[2] then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'head', ARGV[2], 'state', ARGV[3])
return 1
"""


# Connections of one client (a worker's store, its forwarding): commands beyond
# them wait for one to be free, at most POOL_WAIT_S, then fail `unavailable`.
# What a worker has in flight is bounded by what it serves, not by its load: on
# the store, one group commit and at most one snapshot per session it owns, a
# replica's load, one lease read per replica following a lease (cluster.py),
# the health probe; on its forwarding, one PUBLISH per other worker each way
# (server/forwarding.py batches the rest). 100 covers a worker owning about 40
# busy sessions or talking to about 40 others with room to spare, and costs
# nothing until used (the pool opens connections on demand). It had run dry
# when forwarding took one connection per command: the 10,000 session on three
# workers had 4-9 % of its commands refused "No connection available".
POOL_SIZE = 100
POOL_WAIT_S = 2.0


def key(kind: str, session_id: str) -> str:
    return f"plenary:{kind}:{session_id}"


def connect(url: str, health_check_s: int = 0) -> Redis:
    """A client whose commands fail within a few seconds when Redis is unreachable.

    It retries once on a connection error: safe for appends because the script
    recognises a batch it already applied. Its pool makes a command wait (up to
    POOL_WAIT_S) for one of its POOL_SIZE connections when all are busy: redis-py's
    default pool refuses at once ("Too many connections"), which turned a burst
    of 1,000 ratings through a worker that forwards them into 356 `unavailable`.
    `health_check_s`: ping a connection idle that long before using it (a
    pub/sub connection, which only reads).
    """
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=POOL_SIZE,
        timeout=POOL_WAIT_S,
        health_check_interval=health_check_s,
        decode_responses=True,
        socket_timeout=1.5,
        socket_connect_timeout=1.0,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.1), 1),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )
    return Redis.from_pool(pool)


class StoreLost(ApiError):
    """Redis no longer holds what this worker saw: refused loudly, never re-created empty."""

    def __init__(self, message: str) -> None:
        super().__init__("unavailable", message)


class RedisStore:
    def __init__(self, url: str, owner: str | None = None, lease_ttl_ms: int = TTL_MS) -> None:
        self.url = url
        self.redis = connect(url)
        # The leases have a client of their own: a renewal that waited behind a
        # burst for a free connection of the store's pool let a lease expire
        # under its living owner (the 10,000 session on three workers did).
        self._lease_redis = connect(url)
        self.leases = Leases(self._lease_redis, owner, lease_ttl_ms)
        self.store_id = ""
        self._tips: dict[str, tuple[int, str]] = {}  # session -> (seq, head) last seen
        self._append = self.redis.register_script(APPEND)
        self._snapshot = self.redis.register_script(SNAPSHOT)
        self._problem: str | None = None
        self._probe: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.lost: dict[str, str] = {}  # sessions refused for lost data, and why

    async def open(self, *, leases: bool = True) -> None:
        identity = await self._text(IDENTITY)
        if identity is None:
            raise StoreLost(f"Redis at {self.url} holds no Plenary store (no {IDENTITY}).")
        self.store_id = identity
        if leases:
            self.leases.start()
            self._probe = asyncio.create_task(self._watch(), name="redis-health")

    async def close(self) -> None:
        # Stopped by an event, not a cancel: redis-py may turn a cancellation
        # during a command into an error, which would leave the probe running.
        self._stopping.set()
        if self._probe is not None:
            await asyncio.wait([self._probe], timeout=5)
        await self.leases.close()
        await self.disconnect()

    async def disconnect(self) -> None:
        """Close both clients, leases untouched (a reader that took none, or a test's
        stale owner that must not release what another now holds)."""
        await self._lease_redis.aclose()
        await self.redis.aclose()

    async def _text(self, name: str) -> str | None:
        """A string key (the client decodes answers: `decode_responses`)."""
        return cast(str | None, await self.redis.get(name))

    async def _hash(self, name: str) -> dict[str, str]:
        return cast(dict[str, str], await self.redis.hgetall(name))

    def healthy(self) -> str | None:
        return self._problem

    async def _watch(self) -> None:
        """Health: Redis answers, and still holds the identity this worker started on."""
        while not self._stopping.is_set():
            try:
                identity = await self._text(IDENTITY)
                self._problem = (
                    None
                    if identity == self.store_id
                    else f"Redis lost its data: the identity key {IDENTITY} is gone or changed."
                )
            except Exception as error:  # any failure to answer is a red health, never a dead probe
                self._problem = f"Redis cannot be reached: {error}"
            await pause(self._stopping, 1.0)

    async def sessions(self) -> dict[str, str]:
        with self._reachable():
            return await self._hash(SESSIONS)

    async def load(self, session_id: str, requests_since: float) -> Loaded:
        """Take the session's lease (waiting out a dead owner's), then read its log."""
        self._refuse_lost(session_id)
        with self._reachable():
            held = await self.leases.wait_for(session_id, self.leases.ttl_ms / 1000 + 1)
            if held is None:
                raise ApiError(
                    "unavailable",
                    "This session is run by another worker right now: try again in a moment.",
                )
            return await self._read(session_id, requests_since)

    async def read_replica(self, session_id: str) -> Loaded:
        """The session's snapshot and the events after it, without its lease
        (a replica's load: server/replica.py); the same checks for lost data."""
        self._refuse_lost(session_id)
        with self._reachable():
            # The tip first: the owner may append while this reads, never shorten.
            tip = int(cast(str | None, await self.redis.hget(key("tip", session_id), "seq")) or 0)
            loaded = await self._read_log(session_id)
        last = loaded.events[-1].seq if loaded.events else loaded.snapshot_seq
        if last < tip:
            log.error("session %s: log ends at seq %d before its tip %d", session_id, last, tip)
            raise ApiError("unavailable", f"Redis holds session {session_id}'s log only in part.")
        return loaded

    async def lease_values(self, session_ids: Sequence[str]) -> dict[str, str | None]:
        """Each session's lease `"<owner> <epoch>"` now, None where it is free."""
        if not session_ids:
            return {}
        with self._reachable():
            values = await self.redis.mget([lease_key(s) for s in session_ids])
        return dict(zip(session_ids, cast(list[str | None], values), strict=True))

    async def _read(self, session_id: str, requests_since: float) -> Loaded:
        loaded = await self._read_log(session_id)
        records = cast(
            list[str],
            await self.redis.zrangebyscore(key("requests", session_id), requests_since, "+inf"),
        )
        loaded.requests = [RequestRecord(*json.loads(r)) for r in records]
        tip = cast(
            list[str | None], await self.redis.hmget(key("tip", session_id), ["seq", "head"])
        )
        seq, head = int(tip[0] or 0), tip[1] or GENESIS
        last = loaded.events[-1].seq if loaded.events else loaded.snapshot_seq
        seen = self._tips.get(session_id, (0, GENESIS))[0]
        if last != seq or seq < seen:
            self._lose(
                session_id,
                f"session {session_id}'s log in Redis ends at seq {min(last, seq)}, "
                f"but this worker saw seq {max(seen, seq)}: Redis lost acknowledged events",
            )
        self._tips[session_id] = (seq, head)
        return loaded

    async def _read_log(self, session_id: str) -> Loaded:
        """The latest snapshot and the events after it."""
        loaded = Loaded()
        snapshot = await self._hash(key("snapshot", session_id))
        if snapshot:
            loaded.snapshot_seq = int(snapshot["seq"])
            loaded.snapshot_head = snapshot["head"]
            loaded.snapshot = snapshot["state"].encode()
        loaded.events = [e async for e in self._entries(session_id, loaded.snapshot_seq + 1)]
        return loaded

    async def append(self, session_id: str, events: Sequence[StoredEvent]) -> None:
        self._refuse_lost(session_id)
        if not events:
            return
        if events[0].seq == 1 and session_id not in self.leases.held:
            with self._reachable():  # a new session: its creator is its first owner
                await self.leases.acquire(session_id)
        seq, head = self._tips.get(session_id, (0, GENESIS))
        join_code = json.loads(events[0].body).get("join_code", "") if events[0].seq == 1 else ""
        args: list[Any] = [
            self.store_id,
            self.leases.held.get(session_id, ""),
            seq,
            head,
            session_id,
            join_code,
            len(events),
        ]
        for event in events:
            record = "" if event.request is None else _record(event.request)
            at = 0.0 if event.request is None else event.request.at
            args += [event.seq, event.body, event.hash, record, at]
        keys = [IDENTITY] + [key(k, session_id) for k in ("lease", "tip", "log", "requests")]
        with self._reachable():
            verdict, detail = await self._append(keys=[*keys, SESSIONS], args=args)
        if verdict == "lost":
            self._lose(session_id, f"Redis lost data of session {session_id}: {detail}")
        if verdict == "fenced":
            self.leases.held.pop(session_id, None)
            log.warning("append to %s fenced: the lease is now %r", session_id, detail)
            raise ApiError(
                "unavailable",
                "This session moved to another worker; nothing was recorded: send it again.",
            )
        if verdict == "moved":
            raise ApiError("unavailable", f"The log moved on ({detail}); nothing was recorded.")
        self._tips[session_id] = (events[-1].seq, events[-1].hash)

    async def put_opinions(self, session_id: str, seq: int, body: str) -> None:
        """The owner's latest opinion groups of a session, computed at log seq `seq`, for
        the replicas (server/replica.py): a stream of one entry, so a replica blocks on it
        beside the log and one that starts later still finds the latest. Derived from the
        log, never part of it."""
        with self._reachable():
            await self.redis.xadd(
                key("opinions", session_id), {"v": seq, "b": body}, maxlen=1, approximate=False
            )

    async def save_snapshot(self, session_id: str, seq: int, head: str, blob: bytes) -> None:
        try:  # a snapshot only shortens start-up: one that cannot be taken now is skipped
            await self._snapshot(
                keys=[key("snapshot", session_id), key("log", session_id)],
                args=[seq, head, blob.decode()],
            )
        except RedisError as error:
            log.warning("snapshot of %s skipped: %s", session_id, error)

    async def events(self, session_id: str) -> AsyncIterator[StoredEvent]:
        with self._reachable():
            async for event in self._entries(session_id, 1):
                yield event

    async def history(self, session_id: str) -> AsyncIterator[StoredEvent]:
        """Every event with the request record kept with it (for `plenary migrate`)."""
        async for event in self._entries(session_id, 1, requests=True):
            yield event

    async def _entries(
        self, session_id: str, start: int, requests: bool = False
    ) -> AsyncIterator[StoredEvent]:
        while True:
            page = cast(
                list[tuple[str, dict[str, str]]],
                await self.redis.xrange(key("log", session_id), f"{start}-0", "+", count=PAGE),
            )
            for entry_id, fields in page:
                seq = int(entry_id.split("-")[0])
                record = fields.get("r") if requests else None
                yield StoredEvent(
                    seq,
                    fields["b"],
                    fields["h"],
                    RequestRecord(*json.loads(record)) if record else None,
                )
            if len(page) < PAGE:
                return
            start = int(page[-1][0].split("-")[0]) + 1

    async def snapshot_of(self, session_id: str) -> tuple[int, str, bytes] | None:
        found = await self._hash(key("snapshot", session_id))
        return (int(found["seq"]), found["head"], found["state"].encode()) if found else None

    async def get_meta(self, name: str) -> str | None:
        with self._reachable():
            return cast(str | None, await self.redis.hget(META, name))

    async def set_meta(self, name: str, value: str) -> None:
        with self._reachable():
            await self.redis.hset(META, name, value)

    async def mark(self, name: str, member: str, present: bool) -> None:
        # A Redis set, changed one member at a time: workers owning different
        # sessions add and remove their own members without a read-modify-write.
        with self._reachable():
            if present:
                await self.redis.sadd(key("set", name), member)
            else:
                await self.redis.srem(key("set", name), member)

    async def marked(self, name: str) -> list[str]:
        with self._reachable():
            return sorted(cast(set[str], await self.redis.smembers(key("set", name))))

    @contextlib.contextmanager
    def _reachable(self) -> Iterator[None]:
        """Redis errors become `unavailable` (nothing was recorded, try again shortly),
        and health goes red at once rather than at the next probe."""
        try:
            yield
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            log.warning("Redis unreachable: %s", error)
            self._problem = f"Redis cannot be reached: {error}"
            raise ApiError("unavailable", UNREACHABLE) from None

    def status(self) -> dict[str, Any]:
        """What /healthz adds for a load balancer: the store and the sessions owned here."""
        return {
            "store": "redis",
            "owned_sessions": len(self.leases.held),
            "worker": self.leases.owner,
        }

    def _lose(self, session_id: str, reason: str) -> None:
        log.error("REFUSING session %s: %s", session_id, reason)
        self.lost[session_id] = reason
        raise StoreLost(
            f"{reason}. This session is refused rather than continued from a shorter log: "
            "restore Redis from its AOF or a backup."
        )

    def _refuse_lost(self, session_id: str) -> None:
        if session_id in self.lost:
            raise StoreLost(self.lost[session_id])


def _record(request: RequestRecord) -> str:
    return json.dumps(
        [request.holder, request.request_id, request.fingerprint, request.ack, request.at]
    )

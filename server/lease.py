"""One owner per session: a lease in Redis with an epoch that grows on every takeover.

The lease is a string `"<owner> <epoch>"` with a time to live. Taking a free
lease increments the session's epoch counter (a separate key that never
expires), so a worker that held the lease before, paused past its expiry and
then resumed, carries an epoch that no longer matches: the append script
(`server.redis_store`) compares the lease with the one the writer holds in the
same atomic step as the append, so such a writer can never append. The owner
renews its leases in the background; a clean stop releases them, so another
worker can take over at once instead of waiting for the expiry. An owner found
gone (its process died: nobody listens on its channel, server/cluster.py) is
not waited for either: `take` replaces its lease with a new epoch, and the
same fencing keeps it from appending should it be alive after all.
"""

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("plenary.lease")

# A lease lives this long without renewal. It bounds the takeover from an owner
# that stopped renewing with its connections still open (paused, or cut off
# silently), and it is how long an owner may stall (a long pause of its event
# loop under load) without losing its sessions. An owner whose process died is
# taken from sooner, without waiting for the expiry (server/cluster.py).
TTL_MS: Final = 4000
RENEW_EVERY_S: Final = 1.0

ACQUIRE: Final = """
local held = redis.call('GET', KEYS[1])
if held then
  local owner, epoch = string.match(held, '^(%S+) (%d+)$')
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, tonumber(epoch)}
  end
  return {0, redis.call('PTTL', KEYS[1])}
end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. epoch, 'PX', ARGV[2])
return {1, epoch}
"""
RENEW: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# Take a lease that is free or still holds `dead` (the lease of an owner found
# gone), with a new epoch: the gone owner, should it live after all, is fenced.
TAKE: Final = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[3] then return 0 end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. epoch, 'PX', ARGV[2])
return epoch
"""
RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


async def pause(stopping: asyncio.Event, seconds: float) -> bool:
    """Sleep `seconds` unless `stopping` is set first; True once it is set."""
    try:
        await asyncio.wait_for(stopping.wait(), seconds)
    except TimeoutError:
        return False
    return True


def lease_owner(lease: str | None) -> str | None:
    """The owner a lease's value names (None: no lease)."""
    return lease.split(" ")[0] if lease else None


def lease_key(session_id: str) -> str:
    return f"plenary:lease:{session_id}"


def epoch_key(session_id: str) -> str:
    return f"plenary:epoch:{session_id}"


def new_owner() -> str:
    """This process's name as an owner: host, pid and a random part (a restarted
    process with the same pid is still a different owner)."""
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


class Leases:
    """The leases this process holds, renewed in the background."""

    def __init__(self, redis: Redis, owner: str | None = None, ttl_ms: int = TTL_MS) -> None:
        self._redis = redis
        self.owner = owner or new_owner()
        self.ttl_ms = ttl_ms
        self.held: dict[str, str] = {}  # session id -> the lease's value "<owner> <epoch>"
        self._acquire = redis.register_script(ACQUIRE)
        self._renew = redis.register_script(RENEW)
        self._release = redis.register_script(RELEASE)
        self._take = redis.register_script(TAKE)
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._renew_forever(), name="lease-renewal")

    async def acquire(self, session_id: str) -> tuple[str | None, int]:
        """(the lease's value, 0) when this process holds it now; else (None, ms it has left)."""
        got, value = await self._acquire(
            keys=[lease_key(session_id), epoch_key(session_id)], args=[self.owner, self.ttl_ms]
        )
        if not got:
            self.held.pop(session_id, None)
            return None, int(value)
        held = f"{self.owner} {int(value)}"
        self.held[session_id] = held
        return held, 0

    async def take(self, session_id: str, dead: str) -> str | None:
        """The lease's value once this process holds it, taken from an owner found gone
        (its lease `dead`) before it expires; None when the lease moved meanwhile."""
        epoch = await self._take(
            keys=[lease_key(session_id), epoch_key(session_id)],
            args=[self.owner, self.ttl_ms, dead],
        )
        if not epoch:
            return None
        held = self.held[session_id] = f"{self.owner} {int(epoch)}"
        return held

    async def wait_for(self, session_id: str, patience_s: float) -> str | None:
        """The lease's value once this process holds it, waiting at most `patience_s`
        for another owner's lease to expire; None when it is still held elsewhere."""
        deadline = time.monotonic() + patience_s
        while True:
            held, left_ms = await self.acquire(session_id)
            if held is not None:
                return held
            pause = min(max(left_ms, 50) / 1000, deadline - time.monotonic())
            if pause <= 0:
                return None
            await asyncio.sleep(pause)

    async def release(self, session_id: str) -> None:
        """Give the lease up now, so another worker may take the session at once."""
        held = self.held.pop(session_id, None)
        if held is not None:
            with contextlib.suppress(RedisError):
                await self._release(keys=[lease_key(session_id)], args=[held])

    async def _renew_forever(self) -> None:
        while not await pause(self._stopping, RENEW_EVERY_S):
            for session_id, held in list(self.held.items()):
                try:
                    kept = await self._renew(keys=[lease_key(session_id)], args=[held, self.ttl_ms])
                except RedisError as error:
                    log.warning("could not renew the lease of %s: %s", session_id, error)
                    continue
                if not kept and self.held.get(session_id) == held:
                    # Another worker took over (this one was paused or cut off):
                    # its next append is fenced; the next load takes a new lease.
                    log.warning("lost the lease of session %s", session_id)
                    del self.held[session_id]

    async def close(self) -> None:
        """Stop renewing and release every lease, so others take over at once."""
        self._stopping.set()  # an event, not a cancel: see RedisStore.close
        if self._task is not None:
            await asyncio.wait([self._task], timeout=5)
            self._task = None
        for session_id, held in list(self.held.items()):
            with contextlib.suppress(RedisError):
                await self._release(keys=[lease_key(session_id)], args=[held])
        self.held.clear()

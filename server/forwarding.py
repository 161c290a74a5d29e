"""Worker to worker messages through Redis: commands to a session's owner, answers back.

Every worker subscribes to its own channel, `plenary:worker:<owner name>` (the
name its leases carry, so the lease of a session names where to send its
commands). Messages are JSON objects, and they travel in batches:

- a request batch `{"from": <sender>, "batch": [{"id": <correlation>, ...}, ...]}`
  holds every command this worker had for that owner at the moment it published;
- an answer batch `{"answers": [[<correlation>, <answer>], ...]}` holds every
  answer the owner had ready for that sender.

Each peer (and direction) has an outbox with at most one `PUBLISH` in flight:
what arrives while it is out waits, and goes together in the next one, and a
lone command waits only for the current turn of the event loop to end. So a
burst costs one Redis round trip, one encode and one decode per batch rather
than per command, and the number of Redis commands a worker has in flight for
forwarding stays at two per peer whatever the load (one command each had made a
burst empty the connection pool: "No connection available").

Pub/sub delivers to whoever listens at that moment and keeps nothing, so a
message is lost silently when a side is gone or reconnecting. The sender
notices either way: `PUBLISH` answers how many subscribers got it (none: the
owner is not there, and every command of the batch is told so), and an answer
that does not come within the timeout is reported as such. What to do then is
the caller's choice (server/cluster.py: it waits as long as the owner holds
the lease and listens, up to the client's patience). A message is sent once: a
correlation id is waited for until its answer comes or its timeout ends, and
then forgotten, so an answer that comes later finds nobody waiting and is
dropped. A batch delivered twice (redis-py
re-sends a PUBLISH after a connection error) is handled once per correlation
id, and each of its commands gets the same answer again.
"""

import asyncio
import functools
import itertools
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Final, Literal

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from .lease import pause
from .redis_store import connect

log = logging.getLogger("plenary.forwarding")
Message = dict[str, Any]
Handler = Callable[[Message], Awaitable[Message]]
# Why no answer came: nobody listens on the owner's channel, or nobody answered in time.
Missing = Literal["absent", "silent"]
POLL_S: Final = 1.0
RECENT_S: Final = 60.0  # how long a message's answer is kept for a duplicate delivery
HEALTH_CHECK_S: Final = 2
# Items per PUBLISH: a bigger backlog goes in several, so no one encode or
# decode holds the event loop long (a runner commits 64 commands at a time).
BATCH_MAX: Final = 256


def channel(owner: str) -> str:
    return f"plenary:worker:{owner}"


class Outbox:
    """Items for one channel, published together, with one `PUBLISH` in flight at a time.

    `put` answers a future of how many subscribers got the item's batch (or the
    Redis error that publishing it met)."""

    def __init__(self, redis: Redis, to: str, wrap: Callable[[list[Any]], Message]) -> None:
        self._redis = redis
        self._channel = to
        self._wrap = wrap
        self._items: list[tuple[Any, asyncio.Future[int]]] = []
        self._task: asyncio.Task[None] | None = None

    def put(self, item: Any) -> "asyncio.Future[int]":
        published: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._items.append((item, published))
        if self._task is None:
            self._task = asyncio.create_task(self._drain(), name=f"outbox:{self._channel}")
        return published

    async def _drain(self) -> None:
        try:
            await asyncio.sleep(0)  # what the rest of this turn of the loop sends goes too
            while self._items:
                batch, self._items = self._items[:BATCH_MAX], self._items[BATCH_MAX:]
                await self._publish(batch)
        finally:
            self._task = None

    async def _publish(self, batch: list[tuple[Any, "asyncio.Future[int]"]]) -> None:
        body = json.dumps(self._wrap([item for item, _ in batch]), separators=(",", ":"))
        try:
            receivers = int(await self._redis.publish(self._channel, body))
        except Exception as error:  # each sender sees it (a Redis error: `unavailable`)
            for _, published in batch:
                if not published.done():
                    published.set_exception(error)
            return
        for _, published in batch:
            if not published.done():
                published.set_result(receivers)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
        for _, published in self._items:
            published.cancel()


class Forwarder:
    def __init__(self, url: str, owner: str, handler: Handler) -> None:
        self.owner = owner
        self._redis = connect(url)  # publishes
        # Its pub/sub connection, which does nothing else; pinged when idle, so a
        # connection that died silently is found and subscribed again.
        self._listening = connect(url, health_check_s=HEALTH_CHECK_S)
        self._pubsub: PubSub | None = None
        self._handler = handler
        # Correlation ids: unique across workers and restarts without a uuid each.
        self._prefix = secrets.token_hex(8) + ":"
        self._numbers = itertools.count()
        self._pending: dict[str, asyncio.Future[Message]] = {}
        self._requests: dict[str, Outbox] = {}  # by owner
        self._replies: dict[str, Outbox] = {}  # by sender
        self._answers: dict[str, asyncio.Future[Message]] = {}  # by correlation id
        self._recent: deque[tuple[float, str]] = deque()  # (when, correlation id), oldest first
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Subscribed before this worker takes any lease: nothing sent to it is missed."""
        self._pubsub = self._listening.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(channel(self.owner))
        self._task = asyncio.create_task(self._listen(), name="forwarding")

    async def close(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.wait([self._task], timeout=POLL_S + 2)
            self._task.cancel()
        for outbox in [*self._requests.values(), *self._replies.values()]:
            outbox.cancel()
        for answer in self._answers.values():
            answer.cancel()
        if self._pubsub is not None:
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._listening.aclose()
        await self._redis.aclose()

    async def send(self, owner: str, message: Message, timeout: float) -> Message | Missing:
        """Send `message` to `owner` (in the next batch for it) and wait for its answer,
        at most `timeout` seconds from now. It is sent once, whatever the wait."""
        until = time.monotonic() + timeout
        correlation = f"{self._prefix}{next(self._numbers)}"
        answer: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._pending[correlation] = answer
        outbox = self._requests.get(owner)
        if outbox is None:
            outbox = self._requests[owner] = Outbox(self._redis, channel(owner), self._requests_of)
        try:
            if not await outbox.put({**message, "id": correlation}):
                return "absent"
            return await asyncio.wait_for(answer, until - time.monotonic())
        except TimeoutError:
            return "silent"
        finally:
            self._pending.pop(correlation, None)

    @property
    def pending(self) -> int:
        """Messages sent whose answer is still awaited."""
        return len(self._pending)

    def _requests_of(self, items: list[Any]) -> Message:
        return {"from": self.owner, "batch": items}

    async def listening(self, owners: list[str]) -> dict[str, bool]:
        """Whether anyone listens on each owner's channel (a live worker always does)."""
        if not owners:
            return {}
        counts = await self._redis.pubsub_numsub(*(channel(o) for o in owners))
        found = {str(name): int(n) for name, n in counts}
        return {o: found.get(channel(o), 0) > 0 for o in owners}

    async def _listen(self) -> None:
        assert self._pubsub is not None
        while not self._stopping.is_set():
            try:
                # redis-py subscribes again by itself when it reconnects.
                message = await self._pubsub.get_message(timeout=POLL_S)
            except (RedisError, OSError) as error:
                log.warning("worker channel unreachable, listening again shortly: %s", error)
                await pause(self._stopping, POLL_S)
                continue
            if message is not None and message.get("type") == "message":
                self._received(message["data"])

    def _received(self, data: str) -> None:
        try:
            body = json.loads(data)
            if "answers" in body:
                for correlation, answer in body["answers"]:
                    waiting = self._pending.get(correlation)
                    # An answer that came after its timeout is dropped: the sender moved on.
                    if waiting is not None and not waiting.done():
                        waiting.set_result(answer)
                return
            sender, items = str(body["from"]), list(body["batch"])
        except (ValueError, TypeError, KeyError) as error:
            log.error("a worker message that cannot be read was dropped (%s): %.200s", error, data)
            return
        for item in items:
            answered = functools.partial(self._answer, sender, str(item.get("id")))
            self._handled(item).add_done_callback(answered)

    def _handled(self, body: Message) -> "asyncio.Future[Message]":
        """The answer to a message, handled once: a message delivered again (its
        sender's client re-sent the PUBLISH after a connection error) gets the
        same answer rather than being applied twice."""
        correlation, now = str(body.get("id")), time.monotonic()
        while self._recent and self._recent[0][0] < now - RECENT_S:
            self._answers.pop(self._recent.popleft()[1], None)
        answer = self._answers.get(correlation)
        if answer is None:
            answer = self._answers[correlation] = asyncio.ensure_future(self._handler(body))
            self._recent.append((now, correlation))
        return answer

    def _answer(self, sender: str, correlation: str, handled: "asyncio.Future[Message]") -> None:
        """Queue the answer for the sender's next answer batch."""
        if handled.cancelled():
            return
        if handled.exception() is not None:  # the sender times out and recovers; here it is logged
            log.error("a forwarded command could not be answered", exc_info=handled.exception())
            return
        outbox = self._replies.get(sender)
        if outbox is None:
            outbox = self._replies[sender] = Outbox(self._redis, channel(sender), _answers_of)
        outbox.put([correlation, handled.result()]).add_done_callback(_unsent(sender))


def _answers_of(items: list[Any]) -> Message:
    return {"answers": items}


def _unsent(sender: str) -> Callable[["asyncio.Future[int]"], None]:
    def report(published: "asyncio.Future[int]") -> None:
        if not published.cancelled() and published.exception() is not None:
            log.warning("answers to %s were not sent: %s", sender, published.exception())

    return report

"""Worker to worker messages through Redis: a command to a session's owner, its answer back.

Every worker subscribes to its own channel, `plenary:worker:<owner name>` (the
name its leases carry, so the lease of a session names where to send its
commands). A message is one JSON object: a request carries a correlation id and
the sender's name; the answer is published to the sender's channel with the
same id.

Pub/sub delivers to whoever listens at that moment and keeps nothing, so a
message is lost silently when a side is gone or reconnecting. The sender
notices either way: `PUBLISH` answers how many subscribers got it (none: the
owner is not there), and an answer that does not come within the timeout is
reported as such. What to do then is the caller's choice (server/cluster.py).
"""

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Final, Literal

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


def channel(owner: str) -> str:
    return f"plenary:worker:{owner}"


class Forwarder:
    def __init__(self, url: str, owner: str, handler: Handler) -> None:
        self.owner = owner
        self._redis = connect(url)  # publishes
        # Its pub/sub connection, which does nothing else; pinged when idle, so a
        # connection that died silently is found and subscribed again.
        self._listening = connect(url, health_check_s=HEALTH_CHECK_S)
        self._pubsub: PubSub | None = None
        self._handler = handler
        self._pending: dict[str, asyncio.Future[Message]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
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
        for task in self._tasks:
            task.cancel()
        for answer in self._answers.values():
            answer.cancel()
        if self._pubsub is not None:
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._listening.aclose()
        await self._redis.aclose()

    async def send(self, owner: str, message: Message, timeout: float) -> Message | Missing:
        """Publish `message` to `owner` and wait for its answer."""
        correlation = uuid.uuid4().hex
        answer: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._pending[correlation] = answer
        body = json.dumps({**message, "id": correlation, "from": self.owner})
        try:
            if not await self._redis.publish(channel(owner), body):
                return "absent"
            return await asyncio.wait_for(answer, timeout)
        except TimeoutError:
            return "silent"
        finally:
            self._pending.pop(correlation, None)

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
        except ValueError:
            log.error("a worker message that is not JSON was dropped: %.200s", data)
            return
        if "answer" in body:
            waiting = self._pending.get(body.get("id", ""))
            if waiting is not None and not waiting.done():
                waiting.set_result(body["answer"])
            return  # an answer that came after its timeout is dropped: the sender moved on
        task = asyncio.create_task(self._answer(body, self._handled(body)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

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

    async def _answer(self, body: Message, handled: "asyncio.Future[Message]") -> None:
        try:
            answer = await asyncio.shield(handled)
        except Exception:  # the sender times out and recovers; here it is logged
            log.exception("a forwarded command could not be answered")
            return
        reply = json.dumps({"id": body.get("id"), "answer": answer})
        try:
            await self._redis.publish(channel(str(body.get("from"))), reply)
        except RedisError as error:
            log.warning("an answer to %s was not sent: %s", body.get("from"), error)

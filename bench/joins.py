"""`python -m bench joins`: what a crowd joining and raising hands costs the
console and a phone, in bytes on their sockets.

One Plenary process, one session. A console (facilitator) and one phone stay
connected while `n` people join over HTTP (spread over many loopback
addresses, as a hall behind many phones would be), then `hands` of them raise
a hand. Both observers are raw Engine.IO websockets, so what is counted is
exactly the text of every frame the server sent them (websocket framing, a
few bytes a frame, aside). The figures are the bytes, the number of frames
and the largest frame, for the console during the joins and for the phone
and the console during the hands.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.credentials import post_json
from bench.targets import Running, started

Json = dict[str, Any]
ADDRESSES = 64  # loopback source addresses: /api/join is limited per address
JOINERS = 24  # joins in flight at once
RAISERS = 12  # hands being raised at once
GROUPS = ("government", "civil_society", "private_sector", "academia", "technical_community")
JOINED = re.compile(r'"joined":\s*(\d+)')


@dataclass(slots=True)
class Observer:
    """A raw Socket.IO connection that counts what it is sent."""

    name: str
    bytes: int = 0
    frames: int = 0
    largest: int = 0
    joined: int = 0  # the last `participation.joined` seen (console)
    queue_length: int = -1  # the last queue length seen (phone, console)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def reset(self) -> Json:
        """The counts so far, then start counting afresh."""
        figures = {"bytes": self.bytes, "frames": self.frames, "largest_frame": self.largest}
        self.bytes = self.frames = self.largest = 0
        return figures

    def take(self, text: str) -> None:
        size = len(text.encode())
        self.bytes += size
        self.frames += 1
        self.largest = max(self.largest, size)
        if not text.startswith("42"):
            return
        if self.name == "console":
            found = JOINED.findall(text)
            if found:
                self.joined = int(found[-1])
        if '"queue"' in text and (self.name == "phone" or size < 1_000_000):
            self.queue_length = _queue_length(json.loads(text[2:])[1], self.queue_length)
        self.changed.set()


def _queue_length(body: Json, known: int) -> int:
    queue = body.get("queue")
    if not isinstance(queue, dict):
        return known
    return int(queue.get("length", len(queue.get("entries", []))))


async def _observe(url: str, token: str, observer: Observer, ready: asyncio.Event) -> None:
    """Connect as `token`, count every frame, answer pings, until cancelled."""
    parts = urllib.parse.urlsplit(url)
    ws_url = f"ws://{parts.netloc}/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(ws_url, max_size=None, compression=None) as socket:
        opened = await socket.recv()
        if not (isinstance(opened, str) and opened.startswith("0")):
            raise RuntimeError(f"not an Engine.IO open packet: {opened!r}")
        await socket.send("40" + json.dumps({"token": token}))
        async for frame in socket:
            text = frame if isinstance(frame, str) else frame.decode()
            if text == "2":
                await socket.send("3")
                continue
            observer.take(text)
            if text.startswith('42["snapshot"'):
                ready.set()


async def _command(url: str, token: str, name: str, payload: Json) -> Json:
    """Connect as `token`, send one command, return its ack, and leave."""
    parts = urllib.parse.urlsplit(url)
    ws_url = f"ws://{parts.netloc}/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(ws_url, max_size=None, compression=None) as socket:
        await socket.recv()
        await socket.send("40" + json.dumps({"token": token}))
        await socket.send("421" + json.dumps([name, payload]))
        async for frame in socket:
            text = frame if isinstance(frame, str) else frame.decode()
            if text == "2":
                await socket.send("3")
            elif text.startswith("431"):
                ack: Json = json.loads(text[3:])[0]
                return ack
    raise RuntimeError(f"{name}: the connection closed before the ack")


async def _join_all(url: str, code: str, n: int) -> list[str]:
    clients = [
        httpx.AsyncClient(
            base_url=url,
            timeout=60,
            transport=httpx.AsyncHTTPTransport(local_address=f"127.0.{1 + i // 250}.{1 + i % 250}"),
        )
        for i in range(ADDRESSES)
    ]
    tokens: list[str] = [""] * n
    next_seat = iter(range(n))

    async def joiner() -> None:
        for seat in next_seat:
            body = {
                "join_code": code,
                "stakeholder_group": GROUPS[seat % len(GROUPS)],
                "channel": "in_room" if seat % 3 else "remote",
                "name": f"Person {seat}",
            }
            answer = await _post(clients[seat % ADDRESSES], body)
            if answer.status_code != 201:
                raise RuntimeError(f"join {seat}: {answer.status_code} {answer.text[:200]}")
            tokens[seat] = answer.json()["token"]

    try:
        await asyncio.gather(*(joiner() for _ in range(JOINERS)))
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return tokens


async def _post(client: httpx.AsyncClient, body: Json) -> httpx.Response:
    """A join; again on a kept-alive connection the server closed as it was reused
    (the race every HTTP client has with a keep-alive timeout)."""
    for attempt in range(3):
        try:
            return await client.post("/api/join", json=body)
        except httpx.TransportError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _raise_all(url: str, tokens: list[str]) -> None:
    pending = iter(tokens)
    intents = ("speak", "reply", "clarify", "speak")

    async def raiser() -> None:
        for i, token in enumerate(pending):
            ack = await _command(url, token, "hand:raise", {"intent": intents[i % len(intents)]})
            if not ack.get("ok"):
                raise RuntimeError(f"hand:raise: {ack}")

    await asyncio.gather(*(raiser() for _ in range(RAISERS)))


async def _until(observer: Observer, done: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{observer.name} never saw {what}")
        observer.changed.clear()
        try:
            await asyncio.wait_for(observer.changed.wait(), left)
        except TimeoutError:
            continue


async def _measure(target: Running, n: int, hands: int, timeout: float) -> Json:
    created = post_json(
        f"{target.url}/api/sessions",
        {"title": "Joins benchmark", "propositions": [{"text": "Proposition 1"}]},
        bearer=target.admin_token,
    )
    phone_token = (await _join_all(target.url, created["join_code"], 1))[0]
    console, phone = Observer("console"), Observer("phone")
    ready = [asyncio.Event(), asyncio.Event()]
    watchers = [
        asyncio.create_task(
            _observe(target.url, created["tokens"]["facilitator"], console, ready[0])
        ),
        asyncio.create_task(_observe(target.url, phone_token, phone, ready[1])),
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), timeout)
        console.reset(), phone.reset()
        began = time.monotonic()
        tokens = await _join_all(target.url, created["join_code"], n)
        await _until(console, lambda: console.joined >= n + 1, timeout, f"{n + 1} joined")
        joins = {
            "seconds": round(time.monotonic() - began, 2),
            "console": console.reset(),
            "phone": phone.reset(),
        }
        began = time.monotonic()
        await _raise_all(target.url, tokens[:hands])
        await _until(phone, lambda: phone.queue_length >= hands, timeout, f"{hands} waiting")
        await _until(console, lambda: console.queue_length >= hands, timeout, f"{hands} waiting")
        raised = {
            "seconds": round(time.monotonic() - began, 2),
            "console": console.reset(),
            "phone": phone.reset(),
        }
    finally:
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
    return {"n": n, "hands": hands, "joins": joins, "hands_raised": raised}


def run_joins(n: int, hands: int, out: Path, timeout: float) -> Json:
    """Start Plenary, measure, stop it; the figures as JSON."""
    print(f"joins: plenary, n={n}, hands={hands}", flush=True)
    with started("plenary", out / "logs") as target:
        return asyncio.run(_measure(target, n, min(hands, n), timeout))


def render_joins(figures: Json) -> str:
    def line(phase: str, who: str) -> str:
        f = figures[phase][who]
        return (
            f"| {phase} | {who} | {f['bytes']:,} | {f['frames']:,} | {f['largest_frame']:,} |"
            f" {figures[phase]['seconds']} |"
        )

    rows = [line(phase, who) for phase in ("joins", "hands_raised") for who in ("console", "phone")]
    return "\n".join(
        [
            f"# Joins benchmark: {figures['n']:,} joins, then {figures['hands']:,} raised hands",
            "",
            "| phase | observer | bytes sent | frames | largest frame | seconds |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )

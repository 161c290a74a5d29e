"""What forwarding costs: a rating's ack latency on the session's owner and on another worker.

Starts a redis-server (AOF `always`, as Plenary requires) and two `plenary serve
--redis` workers, creates a session on the first (its owner), and has phones on
both workers rate at once, each phone one rating at a time within its allowance
(5 a second). A rating given on the second worker is forwarded to the owner,
committed there, and answered once the second worker's replica has applied it.

    .venv/bin/python -m bench.forwarded_ack [--phones 20] [--ratings 10]
"""

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import socketio

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "forwarded-ack-bench-admin-token"
VALUES = ("agree", "strongly_agree", "neutral", "disagree", "strongly_disagree", "confused")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(check: Any, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


def start(tmp: Path) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    redis_port = free_port()
    args = [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(redis_port)]
    args += ["--bind", "127.0.0.1", "--dir", str(tmp), "--save", "", "--appendonly", "yes"]
    args += ["--appendfsync", "always", "--maxmemory-policy", "noeviction"]
    redis = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{redis_port}/0"
    wait_until(lambda: socket.create_connection(("127.0.0.1", redis_port)), "redis")
    processes, urls = [redis], []
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLENARY_")}
    for name in ("owner", "other"):
        port = free_port()
        args = [sys.executable, "-m", "server", "serve", "--port", str(port), "--host", "127.0.0.1"]
        args += ["--data", str(tmp / name), "--admin-token", ADMIN, "--redis", url]
        args += ["--log-level", "warning"]
        processes.append(subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL))
        urls.append(f"http://127.0.0.1:{port}")
        wait_until(lambda u=urls[-1]: httpx.get(u + "/healthz").status_code == 200, name)
    return processes, urls


async def phone(url: str, token: str, pid: str, ratings: int, out: list[float]) -> None:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    for n in range(ratings):
        began = time.perf_counter()
        ack = await client.call("rating:submit", {"proposition_id": pid, "value": VALUES[n % 6]})
        out.append(time.perf_counter() - began)
        assert ack["ok"], ack
        await asyncio.sleep(0.25)
    await client.disconnect()


async def measure(urls: list[str], phones: int, ratings: int) -> dict[str, list[float]]:
    owner, other = urls
    async with httpx.AsyncClient(timeout=15) as http:
        made = await http.post(
            owner + "/api/sessions",
            json={"title": "Forwarding", "propositions": [{"text": "One"}]},
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        created = made.json()
        pid = created["propositions"][0]["id"]
        console = socketio.AsyncClient(reconnection=False)
        await console.connect(owner, auth={"token": created["tokens"]["facilitator"]})
        assert (await console.call("proposition:open", {"proposition_id": pid}))["ok"]
        await console.disconnect()
        body = {"join_code": created["join_code"], "stakeholder_group": "civil_society"}
        tokens: dict[str, list[str]] = {url: [] for url in urls}
        for url in urls:
            for _ in range(phones):
                joined = await http.post(url + "/api/join", json={**body, "channel": "in_room"})
                tokens[url].append(joined.json()["token"])
    found: dict[str, list[float]] = {owner: [], other: []}
    await asyncio.gather(
        *(phone(url, t, pid, ratings, found[url]) for url in urls for t in tokens[url])
    )
    return {"on the owner": found[owner], "forwarded": found[other]}


def summary(latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (
        f"n={len(ms)} p50={statistics.median(ms):.1f} ms p90={ms[int(len(ms) * 0.9)]:.1f} ms"
        f" p99={p99:.1f} ms max={ms[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=20, help="phones on each worker")
    parser.add_argument("--ratings", type=int, default=10, help="ratings per phone")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        processes, urls = start(Path(tmp))
        try:
            found = asyncio.run(measure(urls, options.phones, options.ratings))
        finally:
            for process in reversed(processes):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=15)
    for where, latencies in found.items():
        print(f"{where:>13}: {summary(latencies)}")


if __name__ == "__main__":
    main()

"""What one connection holds on the server: RSS, objects and heap per phone.

Starts the target (Plenary or the bare python-socketio baseline) under
bench/heap_dump.py, connects N phones (bench/load/hold.mjs: each joins over
HTTP on Plenary, then connects as every client does), dumps the server's
heap, connects N more, dumps again, and reports the growth between the two
dumps per phone: RSS, tracked objects by type, and with --trace the Python
heap (tracemalloc) by library and by allocation site. Each allocation is
given to the innermost frame in a library or in our own code, so asyncio
objects count for the library that made them.

Run (a few thousand connections: inside the bench lock):
    python -m bench.connection_memory --n 2000 --target plenary --trace 25
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.credentials import post_json
from bench.heap_dump import OUT_ENV, TRACE_ENV
from bench.paths import BENCH_DIR, REPO_DIR
from bench.targets import HOST, free_port, plenary_command, stop, wait_healthy

SETTLE_SECONDS = 8.0  # the joins' keep-alive (5 s) over, the freeze after arrivals done
OURS = ("/server/", "/facilitation/")


def server_command(target: str, port: int, data: Path, admin_token: str) -> list[str]:
    if target == "plenary":
        rest = plenary_command(port, data, admin_token)[1:]
    else:
        rest = ["--port", str(port)]
    return [sys.executable, "-m", "bench.heap_dump", target, *rest]


@contextlib.contextmanager
def server(target: str, out: Path, trace: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port, admin_token = free_port(), secrets.token_hex(24)
    with (
        tempfile.TemporaryDirectory(prefix="plenary-memory-") as data,
        (out / "server.log").open("wb") as log,
    ):
        env = {**os.environ, OUT_ENV: str(out), TRACE_ENV: str(trace)}
        command = server_command(target, port, Path(data), admin_token)
        process = subprocess.Popen(command, cwd=REPO_DIR, env=env, stdout=log, stderr=log)
        try:
            url = f"http://{HOST}:{port}"
            wait_healthy(url, process, target, 60.0)
            join_code = "-"
            if target == "plenary":
                body = {"title": "Memory", "propositions": [{"text": "One"}]}
                join_code = post_json(f"{url}/api/sessions", body, admin_token)["join_code"]
            yield f"{url} {join_code}", process
        finally:
            stop(process)


def dump(process: subprocess.Popen[bytes], out: Path, k: int, settle: float) -> dict[str, Any]:
    time.sleep(settle)
    process.send_signal(signal.SIGUSR1)
    path = out / f"dump{k}.json"
    deadline = time.monotonic() + 300
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no heap dump {k} within 300 s")
        time.sleep(0.5)
    found: dict[str, Any] = json.loads(path.read_text())
    return found


def hold(where: str, first: int, n: int) -> subprocess.Popen[str]:
    url, join_code = where.split(" ")
    phones = subprocess.Popen(
        ["node", str(BENCH_DIR / "load" / "hold.mjs"), url, join_code, str(first), str(n)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert phones.stdout is not None
    line = phones.stdout.readline()
    if json.loads(line or "{}").get("connected") != n:
        raise RuntimeError(f"phones {first}..{first + n - 1} did not all connect: {line!r}")
    return phones


def measure(
    target: str, n: int, out: Path, trace: int = 0, settle: float = SETTLE_SECONDS
) -> list[dict[str, Any]]:
    """Three dumps: before any phone, after `n`, after `n` more."""
    out.mkdir(parents=True, exist_ok=True)
    held: list[subprocess.Popen[str]] = []
    with server(target, out, trace) as (where, process):
        try:
            dumps = [dump(process, out, 1, settle)]
            for k in (2, 3):
                held.append(hold(where, (k - 2) * n, n))
                dumps.append(dump(process, out, k, settle))
            return dumps
        finally:
            for phones in held:
                with contextlib.suppress(OSError):
                    phones.communicate("done\n", timeout=30)


def grown_types(first: dict[str, Any], second: dict[str, Any]) -> collections.Counter[str]:
    """Tracked objects by type made between two dumps (cycles not yet freed included)."""
    grown = collections.Counter(second["types"])
    grown.subtract(first["types_after_collect"])
    return grown


def per_phone_types(first: dict[str, Any], second: dict[str, Any], n: int) -> list[str]:
    grown = grown_types(first, second)
    total = sum(grown.values()) / n
    lines = [f"tracked objects per phone: {total:.1f}"]
    lines += [f"  {count / n:6.2f}  {name}" for name, count in grown.most_common(20)]
    return lines


def frame_name(frame: tracemalloc.Frame) -> str:
    path = frame.filename.split("/site-packages/")[-1].replace(str(REPO_DIR) + "/", "")
    return f"{path}:{frame.lineno}"


def holder(trace: tracemalloc.Traceback) -> str:
    """The innermost frame in a library or in our code (else the innermost)."""
    frames = list(trace)  # oldest first
    for frame in reversed(frames):
        if "/site-packages/" in frame.filename or any(p in frame.filename for p in OURS):
            return frame_name(frame)
    return frame_name(frames[-1])


def per_phone_heap(out: Path, n: int, top: int) -> list[str]:
    before = tracemalloc.Snapshot.load(str(out / "snap2b.pickle"))
    after = tracemalloc.Snapshot.load(str(out / "snap3a.pickle"))
    sites: collections.Counter[str] = collections.Counter()
    for stat in after.compare_to(before, "traceback"):
        sites[holder(stat.traceback)] += stat.size_diff
    libraries: collections.Counter[str] = collections.Counter()
    for site, size in sites.items():
        libraries[site.split("/")[0].split(".py")[0]] += size
    lines = [f"Python heap per phone: {sum(sites.values()) / n / 1024:.1f} KB", "by library:"]
    lines += [f"  {size / n / 1024:6.2f} KB  {name}" for name, size in libraries.most_common(12)]
    lines.append("by allocation site:")
    lines += [f"  {size / n:7.0f} B  {site}" for site, size in sites.most_common(top)]
    return lines


def report(target: str, n: int, out: Path, dumps: list[dict[str, Any]], trace: int) -> str:
    empty, first, second = dumps
    lines = [
        f"{target}: {n} phones, then {n} more",
        f"RSS per phone, first {n}: {(first['rss_kb'] - empty['rss_kb']) / n:.1f} KB; "
        f"next {n}: {(second['rss_kb'] - first['rss_kb']) / n:.1f} KB",
        f"unreachable objects per phone found by a full collection: {second['collected'] / n:.1f}",
        *per_phone_types(first, second, n),
    ]
    if trace:
        lines += per_phone_heap(out, n, 30)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="phones in each of the two batches")
    parser.add_argument("--target", choices=("plenary", "bare"), default="plenary")
    parser.add_argument("--trace", type=int, default=0, help="tracemalloc frames (0: off)")
    parser.add_argument("--out", type=Path, default=None, help="where the dumps go")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="plenary-heap-"))
    dumps = measure(args.target, args.n, out, args.trace)
    print(report(args.target, args.n, out, dumps, args.trace))
    return 0


if __name__ == "__main__":
    sys.exit(main())

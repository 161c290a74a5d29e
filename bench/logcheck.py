"""Nothing acknowledged is lost: every acked command's request_id, looked up in the log.

Every command the load generator sends carries a request_id of its own, and
Plenary keeps a request record with the last event of each command that
changed something. After a run, while the target still runs, the harness
reads the session's whole log (the Redis stream, or the SQLite file) and
counts: acked commands missing from it (must be 0), request_ids recorded
more than once (a command applied twice; must be 0), and whether
`plenary verify` passes on it (chain, replay, recount).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterable
from typing import Any

import redis

from bench.paths import REPO_DIR
from bench.targets import Running, plenary_executable

Json = dict[str, Any]
PAGE = 5000  # stream entries read per XRANGE
SAMPLES = 5


def check_log(target: Running, session_id: str, acked: Iterable[str]) -> Json:
    """Acked request_ids against the session's log, and `plenary verify` on it."""
    logged = logged_requests(target, session_id)
    wanted = set(acked)
    missing = sorted(wanted - set(logged))
    twice = sorted(rid for rid, count in logged.items() if count > 1)
    verified = verify(target, session_id)
    return {
        "acked": len(wanted),
        "requests_in_log": sum(logged.values()),
        "events": verified["events"],
        "missing": len(missing),
        "missing_samples": missing[:SAMPLES],
        "applied_twice": len(twice),
        "applied_twice_samples": twice[:SAMPLES],
        "verify": verified["verdict"],
    }


def logged_requests(target: Running, session_id: str) -> Counter[str]:
    """How often each request_id is recorded in the session's log."""
    records = (
        redis_records(target, session_id)
        if target.redis_url
        else sqlite_records(target, session_id)
    )
    return Counter(str(json.loads(record)[1]) for record in records)


def redis_records(target: Running, session_id: str) -> list[str]:
    """The `r` field of every entry of the session's stream (`[holder, request_id, ...]`)."""
    assert target.redis_url is not None
    # Untyped: redis-py's stubs type replies for every decoding at once.
    client: Any = redis.Redis.from_url(target.redis_url, decode_responses=True)
    found: list[str] = []
    start = "-"
    try:
        while True:
            page = client.xrange(f"plenary:log:{session_id}", start, "+", count=PAGE)
            found += [fields["r"] for _, fields in page if fields.get("r")]
            if len(page) < PAGE:
                return found
            seq = int(page[-1][0].split("-")[0])
            start = f"{seq + 1}-0"
    finally:
        client.close()


def sqlite_records(target: Running, session_id: str) -> list[str]:
    assert target.data_dir is not None
    path = target.data_dir / "plenary.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT request FROM events WHERE session_id = ? AND request IS NOT NULL",
            (session_id,),
        ).fetchall()
    return [str(row[0]) for row in rows]


def verify(target: Running, session_id: str) -> Json:
    """`plenary verify` on the running target's store: PASS, or FAIL with its first line."""
    where = ["--redis", target.redis_url] if target.redis_url else ["--data", str(target.data_dir)]
    done = subprocess.run(
        [plenary_executable(), "verify", *where, session_id],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = (done.stdout + done.stderr).strip().splitlines()
    events = next((line.split()[1] for line in lines if line.strip().startswith("events")), "0")
    verdict = "PASS" if done.returncode == 0 else f"FAIL: {lines[0] if lines else done.returncode}"
    return {"verdict": verdict, "events": int(events) if events.isdigit() else None}

"""Profile Plenary's server during the burst with py-spy, and say where time went.

py-spy samples the running server from outside (no code change, no
slowdown worth mentioning); the harness attaches it when the load generator
says the room is connected and the burst is next, so the profile holds the
burst alone, not the joins and connects before it. The session scenario is
sampled the same way from its start, for as many seconds as it is meant to last.

On the `redis` target every worker is sampled, each into its own file
(`files_for`), and the summary says which one owned the session: the owner
commits, the others forward and follow the log, so their profiles differ.

py-spy is in the `[bench]` extra: `pip install -e '.[bench]'` into the venv to
use `--profile`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Json = dict[str, Any]
READY_MARKS = ("burst: ready", "session: ready")  # on the load generator's stderr
SAMPLE_RATE = 500  # per second
PAUSE_MS = 1500  # the load generator waits this long for py-spy to attach
SECONDS = 5  # the pause, the burst and the final tally; the room stays until 3 pauses after
OURS = ("facilitation/", "server/")
TOP = 15


def py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise RuntimeError("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


def wait_for_mark(
    log: Path, offset: int, coordinator: subprocess.Popen[bytes], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and coordinator.poll() is None:
        text = log.read_text(errors="replace")[offset:]
        if any(mark in text for mark in READY_MARKS):
            return
        time.sleep(0.02)
    raise TimeoutError("the load generator never said the burst was next")


def record(pid: int, seconds: int, out: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start sampling `pid` for `seconds` into `out` (collapsed stacks, one per line)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [py_spy(), "record", "-p", str(pid), "-r", str(SAMPLE_RATE), "-d", str(seconds)]
    command += ["--format", "raw", "--nonblocking", "-o", str(out)]
    with log.open("ab") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)


def files_for(out: Path, pids: Sequence[int]) -> list[Path]:
    """Where each process's samples go: `out` itself for one process, else one file a worker."""
    if len(pids) < 2:
        return [out]
    return [out.with_name(f"{out.stem}-worker{k + 1}{out.suffix}") for k in range(len(pids))]


def summarize_workers(raws: Sequence[Path], owner: int) -> Json:
    """All workers' samples together, then each worker's alone (`owner`: the session's)."""
    found = summarize(*raws)
    found["workers"] = [
        summarize(raw) | {"worker": k + 1, "owner": k == owner} for k, raw in enumerate(raws)
    ]
    return found


def summarize(*raws: Path) -> Json:
    """Each function's share of the samples: on top of the stack (self) and anywhere (total)."""
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    total = 0
    for raw in raws:
        for line in raw.read_text().splitlines() if raw.exists() else []:
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = stack.split(";")
            total += int(count)
            own[frames[-1]] += int(count)
            for frame in set(frames):
                anywhere[frame] += int(count)
    share = (lambda n: n / total) if total else (lambda n: 0.0)
    return {
        "samples": total,
        "self": [[frame, share(n)] for frame, n in own.most_common(TOP)],
        "total": [[frame, share(n)] for frame, n in anywhere.most_common(TOP * 2)],
        "ours": [
            [frame, share(n)]
            for frame, n in anywhere.most_common()
            if any(part in frame for part in OURS) and "cli.py" not in frame
        ][: TOP * 2],
        "file": ", ".join(str(raw) for raw in raws),
    }

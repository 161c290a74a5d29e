"""Run a server under test with a heap dump on SIGUSR1 (bench/connection_memory.py).

`python -m bench.heap_dump plenary serve ...` or `... bare --port P`. On
SIGUSR1 the server writes, into $PLENARY_HEAP_DUMP_DIR, `dumpK.json`: its
RSS and its tracked objects counted by type (frozen ones included, before
any collection), then collects, and with $PLENARY_HEAP_TRACE frames also
`snapKa.pickle` and `snapKb.pickle`, tracemalloc snapshots before and after
that collection. The next dump's objects, less this one's after the
collection, are what happened in between, cycles not yet freed included.
"""

from __future__ import annotations

import collections
import gc
import json
import os
import signal
import sys
import tracemalloc
from pathlib import Path
from types import FrameType

OUT_ENV = "PLENARY_HEAP_DUMP_DIR"
TRACE_ENV = "PLENARY_HEAP_TRACE"


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def objects_by_type() -> dict[str, int]:
    found = collections.Counter(
        f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects()
    )
    return dict(found)


class Dumper:
    def __init__(self, out: Path, tracing: bool) -> None:
        self.out, self.tracing, self.count = out, tracing, 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        k = self.count
        frozen = gc.get_freeze_count()
        gc.unfreeze()  # so that gc.get_objects() sees every tracked object
        found = {"rss_kb": rss_kb(), "frozen": frozen, "types": objects_by_type()}
        if self.tracing:
            tracemalloc.take_snapshot().dump(str(self.out / f"snap{k}a.pickle"))
        found["collected"] = gc.collect()
        found["types_after_collect"] = objects_by_type()
        if self.tracing:
            tracemalloc.take_snapshot().dump(str(self.out / f"snap{k}b.pickle"))
        gc.freeze()  # as the server had it (server/gc_tuning.py)
        written = self.out / f"dump{k}.json.part"
        written.write_text(json.dumps(found))
        written.rename(self.out / f"dump{k}.json")


def main(argv: list[str]) -> None:
    frames = int(os.environ.get(TRACE_ENV, "0"))
    if frames:
        tracemalloc.start(frames)
    signal.signal(signal.SIGUSR1, Dumper(Path(os.environ[OUT_ENV]), frames > 0))
    target, rest = argv[0], argv[1:]
    if target == "plenary":
        from server.cli import main as plenary

        plenary(rest)
    else:
        from bench.baselines.bare_socketio import main as bare

        bare(rest)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Snapshot micro-benchmark: encode, JSON and decode of a whole hall's state.

    python -m bench.snapshot_bench [--participants 10000] [--json]

Builds the state of a session where every participant joined and rated one
proposition (a quarter with a "why"): what the runner encodes when a
snapshot falls at the end of a burst. Each figure is the best of five runs
(the decode of three), so that it is the code's cost, not the machine's
noise; the JSON encoding beside it is the yardstick the encoder is read
against, measured in the same run.
"""

import argparse
import json
import random
import time
from collections.abc import Callable
from typing import Any

from facilitation import Actor, SessionState, apply, decide
from facilitation import commands as c
from facilitation import snapshot as snap
from facilitation.vocabulary import SCALE

from .core_bench import prepared


def rated(participants: int, seed: int = 3) -> SessionState:
    state = prepared(participants)
    rng = random.Random(seed)
    for i in range(participants):
        why = "because" if i % 4 == 0 else None
        rating = c.SubmitRating("p1", SCALE[rng.randrange(len(SCALE))], why)
        for event in decide(state, rating, Actor("participant", f"u{i}"), 1.0):
            apply(state, event)
    return state


def best(work: Callable[[], Any], runs: int) -> tuple[float, Any]:
    fastest, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        fastest = min(fastest, time.perf_counter() - started)
    return fastest, result


def run(participants: int) -> dict[str, Any]:
    state = rated(participants)
    encode_s, data = best(lambda: snap.encode(state), 5)
    dumps_s, blob = best(lambda: json.dumps(data, separators=(",", ":")).encode(), 5)
    decode_s, back = best(lambda: snap.decode(json.loads(blob)), 3)
    return {
        "scenario": "snapshot",
        "participants": participants,
        "encode_ms": encode_s * 1000,
        "json_dumps_ms": dumps_s * 1000,
        "decode_ms": decode_s * 1000,
        "encode_over_json": encode_s / dumps_s,
        "bytes": len(blob),
        "round_trip_equal": back == state,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(args.participants)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['participants']} participants: encode {result['encode_ms']:.1f} ms, "
        f"JSON {result['json_dumps_ms']:.1f} ms (encode/JSON {result['encode_over_json']:.2f}), "
        f"decode {result['decode_ms']:.1f} ms, {result['bytes']:,} bytes, "
        f"round trip equal: {result['round_trip_equal']}"
    )


if __name__ == "__main__":
    main()

"""Opinion groups benchmark: one full recompute of the map and groups, on one core.

    python -m bench.opinions_bench [--participants 10000] [--propositions 50] [--repeat 5] [--json]

Fills an `OpinionMatrix` with participants who rate by three hidden profiles
(90% of propositions each, 15% noise), then times `opinions.compute` (axes,
projection, base clusters, 2-5 groups by silhouette, representative
propositions, consensus). numpy's thread pools are pinned to one thread before
numpy loads, so the figure is one core's. Also reports the incremental cost of
one rating change (`OpinionMatrix.set`), the copy a recompute starts from
(`copy_of`), every placed participant's group looked up once (what the phones'
feed does after each recompute once results are public), and on Redis the
owner's encoding of a result for the replicas and a replica's decoding of it
(`to_json`, `from_json`). Target: recompute < 0.5 s.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from facilitation.opinions import (  # noqa: E402
    OpinionMatrix,
    Opinions,
    compute,
    copy_of,
    from_json,
    to_json,
)

POSITIONS = (1.0, 0.5, 0.0, -0.5, -1.0)
TARGET_SECONDS = 0.5


def filled(participants: int, propositions: int, seed: int = 1) -> OpinionMatrix:
    rng = random.Random(seed)
    matrix = OpinionMatrix()
    for j in range(propositions):
        matrix.add_column(f"q{j:03d}")
    profiles = [[rng.choice(POSITIONS) for _ in range(propositions)] for _ in range(3)]
    for i in range(participants):
        profile = profiles[i % 3]
        for j in range(propositions):
            if rng.random() < 0.9:
                x = profile[j] if rng.random() > 0.15 else rng.choice(POSITIONS)
                matrix.set(f"u{i:06d}", f"q{j:03d}", x)
    return matrix


def around_a_recompute(matrix: OpinionMatrix, result: Opinions, repeat: int) -> dict[str, float]:
    """Median seconds of what surrounds one recompute (see the module's docstring)."""
    body = json.dumps(to_json(result))
    steps: dict[str, Callable[[], object]] = {
        "copy_s": lambda: copy_of(matrix),
        "groups_of_everyone_s": lambda: [result.group_of(pid) for pid in result.points],
        "publish_s": lambda: json.dumps(to_json(result)),
        "take_s": lambda: from_json(json.loads(body)),
    }
    found: dict[str, float] = {}
    for name, step in steps.items():
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        found[name] = statistics.median(times)
    return found | {"published_bytes": len(body)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--propositions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    matrix = filled(args.participants, args.propositions)
    times, groups = [], 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = compute(matrix)
        times.append(time.perf_counter() - start)
        groups = len(result.groups)
    changes = 20_000
    rng = random.Random(2)
    start = time.perf_counter()
    for _ in range(changes):
        matrix.set(
            f"u{rng.randrange(args.participants):06d}",
            f"q{rng.randrange(args.propositions):03d}",
            rng.choice(POSITIONS),
        )
    per_change = (time.perf_counter() - start) / changes
    figures = {
        "participants": args.participants,
        **around_a_recompute(matrix, result, args.repeat),
        "propositions": args.propositions,
        "groups": groups,
        "recompute_median_s": statistics.median(times),
        "recompute_max_s": max(times),
        "rating_change_us": per_change * 1e6,
        "target_s": TARGET_SECONDS,
        "met": statistics.median(times) < TARGET_SECONDS,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()

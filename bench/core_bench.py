"""Core micro-benchmark: decide + apply throughput of ratings, on one core.

    python -m bench.core_bench [--ratings 100000] [--participants 5000] [--json]

Builds a session with the given participants spread over the default groups
and both channels, opens one proposition, then times `decide` + `apply` of
the ratings (each participant re-rating in turn, so most are replacements
that move a count from one value to another).
"""

import argparse
import json
import random
import time
from typing import Any

from facilitation import Actor, SessionState, apply, decide
from facilitation import commands as c
from facilitation.vocabulary import DEFAULT_GROUPS, SCALE


def prepared(participants: int) -> SessionState:
    state = SessionState()
    operator, guest = Actor("operator"), Actor("guest")
    for event in decide(
        state,
        c.CreateSession("s", "Bench", "CODE2345", propositions=(("p1", "A proposition", None),)),
        operator,
        0.0,
    ):
        apply(state, event)
    for i in range(participants):
        join = c.Join(
            f"u{i}", DEFAULT_GROUPS[i % len(DEFAULT_GROUPS)], "in_room" if i % 3 else "remote"
        )
        for event in decide(state, join, guest, 0.0):
            apply(state, event)
    for event in decide(state, c.OpenProposition("p1"), Actor("facilitator"), 0.0):
        apply(state, event)
    return state


def run(ratings: int, participants: int, seed: int = 7) -> dict[str, Any]:
    state = prepared(participants)
    rng = random.Random(seed)
    work = [
        (
            Actor("participant", f"u{i % participants}"),
            c.SubmitRating("p1", SCALE[rng.randrange(6)], None),
        )
        for i in range(ratings)
    ]
    started = time.perf_counter()
    for actor, command in work:
        for event in decide(state, command, actor, 1.0):
            apply(state, event)
    elapsed = time.perf_counter() - started
    return {
        "scenario": "core",
        "ratings": ratings,
        "participants": participants,
        "seconds": elapsed,
        "ratings_per_second": ratings / elapsed,
        "final_total": sum(state.propositions["p1"].rounds[-1].tally.counts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=100_000)
    parser.add_argument("--participants", type=int, default=5_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(args.ratings, args.participants)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['ratings']} ratings from {result['participants']} participants: "
            f"{result['seconds']:.3f} s, {result['ratings_per_second']:,.0f} ratings/s "
            f"(final tally {result['final_total']})"
        )


if __name__ == "__main__":
    main()

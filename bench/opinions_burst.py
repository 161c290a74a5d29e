"""The burst with opinion groups recomputed against not, in one invocation.

    python -m bench.opinions_burst [--n 1000] [--repeat 3] [--load-workers 2] [--out DIR]

Three kinds of session on a fresh Plenary process each, alternating within
each repeat so a slow stretch of this shared machine hits all alike:

- `off`: `opinions_every` 1,000,000 and `opinions_seconds` 86,400, so no
  recompute happens during the burst (the matrix's running sums are kept up
  on every rating in all three: that is part of applying a rating);
- `on`: the defaults (every 200 rating changes or 5 s);
- `eager`: `opinions_every` 1: a new recompute as soon as the last one ends and a
  quarter more ratings came (`server.opinions.GROWTH`).

Reports each variant's median ack p99 and server CPU per rating, their
ratios to `off`, and how many participants the console's last opinion map
placed (0 for `off`: proof the switch held; n for the others: proof the
recompute ran).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import socketio

from bench.credentials import post_json
from bench.figures import burst_figures, median_figures, ratio
from bench.loadgen import LoadSettings, ensure_node_modules, run_load
from bench.machine import describe_machine, load_average
from bench.paths import DEFAULT_OUT
from bench.targets import Running, started

Json = dict[str, Any]
VARIANTS: dict[str, Json] = {
    "off": {"opinions_every": 1_000_000, "opinions_seconds": 86_400},
    "on": {},
    "eager": {"opinions_every": 1, "opinions_seconds": 1},
}
FIGURES = ("ack_p50_ms", "ack_p99_ms", "burst_ms", "server_cpu_s", "cpu_per_rating_ms")


def session(target: Running, settings: Json) -> Json:
    body = {
        "title": "Opinion groups burst",
        "propositions": [{"text": "Proposition 1"}],
        "settings": settings,
    }
    answer = post_json(f"{target.url}/api/sessions", body, bearer=target.admin_token)
    return {
        "facilitatorToken": answer["tokens"]["facilitator"],
        "displayToken": answer["tokens"]["display"],
        "joinCode": answer["join_code"],
        "propositionIds": [p["id"] for p in answer["propositions"]],
        "spreadAddresses": True,
    }


async def placed(url: str, token: str, wait_s: float) -> int:
    """Participants on the console's opinion map, after waiting `wait_s` for a last recompute."""
    await asyncio.sleep(wait_s)
    client = socketio.AsyncClient(reconnection=False)
    got: asyncio.Future[Json] = asyncio.get_running_loop().create_future()

    async def on_snapshot(body: Json) -> None:
        if not got.done():
            got.set_result(body)

    client.on("snapshot", on_snapshot)
    await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    try:
        snapshot = await asyncio.wait_for(got, 30)
    finally:
        await client.disconnect()
    return int((snapshot.get("opinions") or {}).get("placed", 0))


def measured(chosen: Json, settings: LoadSettings, attempts: int = 3) -> tuple[Json, int]:
    """One burst on a fresh server, tried again if the server could not start (on this
    shared machine another program may take the free port between probe and bind)."""
    for attempt in range(1, attempts + 1):
        try:
            with started("plenary", settings.log_dir) as target:
                credentials = session(target, chosen)
                figures = burst_figures(run_load("burst", target, credentials, settings, {}))
                # opinions_seconds (5 s by default) bounds how late the last recompute can be.
                token = credentials["facilitatorToken"]
                return figures, asyncio.run(placed(target.url, token, 6.0))
        except (RuntimeError, TimeoutError) as error:
            if attempt == attempts:
                raise
            print(f"  attempt {attempt} failed ({error}); again", flush=True)
    raise AssertionError("unreachable")


def run(args: argparse.Namespace) -> Json:
    ensure_node_modules()
    out: Path = args.out
    settings = LoadSettings(
        args.n, args.load_workers, args.seed, int(args.timeout * 1000), out / "logs"
    )
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[Json]] = {name: [] for name in VARIANTS}
    maps: dict[str, list[int]] = {name: [] for name in VARIANTS}
    for number in range(args.repeat):
        for name, chosen in VARIANTS.items():
            print(f"opinions burst: {name}, run {number + 1} of {args.repeat}, n={args.n}")
            with started("plenary", settings.log_dir) as target:
                credentials = session(target, chosen)
                runs[name].append(
                    burst_figures(run_load("burst", target, credentials, settings, {}))
                )
                # opinions_seconds (5 s by default) bounds how late the last recompute can be.
                token = credentials["facilitatorToken"]
                maps[name].append(asyncio.run(placed(target.url, token, 6.0)))
    medians = {name: median_figures(found) for name, found in runs.items()}
    return {
        "command": shlex.join(["python", "-m", "bench.opinions_burst", *sys.argv[1:]]),
        "machine": describe_machine(),
        "n": args.n,
        "repeat": args.repeat,
        "median": {name: {f: m[f] for f in FIGURES} for name, m in medians.items()},
        "runs": {
            name: [{f: run[f] for f in ("ack_p99_ms", "cpu_per_rating_ms")} for run in found]
            for name, found in runs.items()
        },
        "placed_on_map": maps,
        "over_off": {
            name: {f: ratio(m[f], medians["off"][f]) for f in ("ack_p99_ms", "cpu_per_rating_ms")}
            for name, m in medians.items()
            if name != "off"
        },
        "load_average_at_end": load_average(),
    }


def main(argv: list[str] | None = None) -> int:
    root = argparse.ArgumentParser(prog="python -m bench.opinions_burst", description=__doc__)
    root.add_argument("--n", type=int, default=1000, help="participants (default 1000)")
    root.add_argument("--repeat", type=int, default=3, help="runs per variant (median)")
    root.add_argument("--load-workers", type=int, default=2, help="load-generator processes")
    root.add_argument("--seed", type=int, default=1)
    root.add_argument("--timeout", type=float, default=60.0, help="bound on every wait (s)")
    root.add_argument("--out", type=Path, default=DEFAULT_OUT / "opinions")
    args = root.parse_args(argv)
    report = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "opinions-burst.json").write_text(json.dumps(report, indent=2) + "\n")
    shown = ("median", "runs", "placed_on_map", "over_off", "load_average_at_end")
    print(json.dumps({k: report[k] for k in shown}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

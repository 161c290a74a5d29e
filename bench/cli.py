"""`python -m bench run`: every scenario against every target, in one invocation.

Figures are ratios between targets measured minutes apart on the same
machine, so the noise of this shared 2-core machine falls on all alike.
`--redis --workers N` is the scale-out run: Plenary on a redis-server and N
workers, beside the single process on SQLite as the reference.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.burst import run_scale
from bench.core import run_core
from bench.goals import evaluate
from bench.joins import render_joins, run_joins
from bench.loadgen import LoadSettings, ensure_node_modules
from bench.machine import describe_machine, load_average
from bench.paths import DEFAULT_OUT
from bench.report import render
from bench.restart import run_restart
from bench.session import run_session
from bench.takeover import run_takeover
from bench.targets import TARGET_NAMES

Json = dict[str, Any]
SCENARIOS = ("burst", "session", "restart", "core", "takeover")
DEFAULT_LOAD_WORKERS = 2
MEMORY_PAUSE_SECONDS = 35.0
# What a run measures unless told: the single process against the baselines, or,
# with --redis, the workers on Redis against the single process (issue 14).
DEFAULTS = {
    "n": [1000],
    "scenarios": ["burst", "session", "restart", "core"],
    "targets": ["plenary", "bare", "node"],
    "memory_bursts": 3,
}
REDIS_DEFAULTS = {
    "n": [3000],
    "scenarios": ["burst", "session", "takeover"],
    "targets": ["plenary", "redis"],
    "memory_bursts": 0,
}
REDIS_SESSION_N = 10_000


def csv(allowed: tuple[str, ...]) -> Any:
    def parse(text: str) -> list[str]:
        items = [item.strip() for item in text.split(",") if item.strip()]
        unknown = [item for item in items if item not in allowed]
        if unknown or not items:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)}")
        return items

    return parse


def sizes(text: str) -> list[int]:
    try:
        found = [int(item) for item in text.split(",") if item.strip()]
    except ValueError:
        found = []
    if not found or min(found) < 1:
        raise argparse.ArgumentTypeError("give participant counts, e.g. 1000 or 1000,3000,10000")
    return found


def raise_file_limit() -> None:
    """Soft open-file limit up to the hard one: a server with 10,000 phones needs 10,000+ fds.

    The servers and load workers are children of this process and inherit it.
    """
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run scenarios and write report.md and report.json")
    run.add_argument(
        "--n",
        type=sizes,
        help="participants, or several sizes for a scale curve: 1000,3000,10000"
        " (default 1000; with --redis 3000)",
    )
    run.add_argument(
        "--session-n",
        type=int,
        help="participants in the session (default the largest --n; with --redis and no --n 10000)",
    )
    run.add_argument(
        "--memory-bursts",
        type=int,
        help="bursts in a row on one Plenary process at the largest size"
        " (0: skip; default 3, with --redis 0)",
    )
    run.add_argument(
        "--scenarios",
        type=csv(SCENARIOS),
        help="default burst,session,restart,core; with --redis burst,session,takeover",
    )
    run.add_argument(
        "--memory-pause",
        type=float,
        default=MEMORY_PAUSE_SECONDS,
        help="seconds between those bursts, once the phones of one have left"
        f" (default {MEMORY_PAUSE_SECONDS:g}: engine.io's 25 s ping interval, and a margin)",
    )
    run.add_argument(
        "--targets",
        type=csv(TARGET_NAMES),
        help="burst and session targets (default plenary,bare,node; with --redis plenary,redis)",
    )
    run.add_argument("--repeat", type=int, default=3, help="burst runs per target (median)")
    run.add_argument(
        "--redis",
        action="store_true",
        help="scale-out run: target `redis` is a redis-server of its own and --workers"
        " `plenary serve --redis` workers, each on its own port",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="Plenary worker processes of the `redis` target (default 1; above 1 needs --redis)",
    )
    run.add_argument(
        "--load-workers",
        type=int,
        default=DEFAULT_LOAD_WORKERS,
        help=f"load-generator processes (default {DEFAULT_LOAD_WORKERS})",
    )
    run.add_argument("--session-seconds", type=float, default=45.0)
    run.add_argument("--restart-events", type=int, default=1_000_000)
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--timeout", type=float, default=60.0, help="bound on every wait (s)")
    run.add_argument("--out", type=Path, default=DEFAULT_OUT)
    run.add_argument(
        "--profile",
        action="store_true",
        help="sample Plenary with py-spy during its first burst (pip install py-spy)",
    )
    joins = commands.add_parser(
        "joins", help="bytes the console and a phone are sent while a crowd joins and raises hands"
    )
    joins.add_argument("--n", type=int, default=20_000, help="joins (default 20000)")
    joins.add_argument("--hands", type=int, default=2_000, help="raised hands (default 2000)")
    joins.add_argument("--timeout", type=float, default=600.0, help="bound on every wait (s)")
    joins.add_argument("--out", type=Path, default=DEFAULT_OUT / "joins")
    return root


def with_defaults(args: argparse.Namespace, fail: Callable[[str], Any]) -> argparse.Namespace:
    """Fill what was not given from DEFAULTS or REDIS_DEFAULTS; refuse what cannot run."""
    if args.session_n is None:  # the 10,000 unless sizes were given
        args.session_n = REDIS_SESSION_N if args.redis and args.n is None else None
    chosen = REDIS_DEFAULTS if args.redis else DEFAULTS
    for name, value in chosen.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.session_n is None:
        args.session_n = max(args.n)
    if args.workers < 1 or (args.workers > 1 and not args.redis):
        fail("--workers counts Plenary's workers on Redis: above 1 it needs --redis")
    if "redis" in args.targets and not args.redis:
        fail("target redis needs --redis")
    if "takeover" in args.scenarios and (not args.redis or args.workers < 2):
        fail("the takeover scenario needs --redis and --workers 2 or more")
    return args


def run(args: argparse.Namespace) -> Json:
    ensure_node_modules()
    raise_file_limit()
    out: Path = args.out
    settings = LoadSettings(
        args.n[0],
        args.load_workers,
        args.seed,
        int(args.timeout * 1000),
        out / "logs",
        workers=args.workers,
    )
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    report: Json = {
        "command": shlex.join(["python", "-m", "bench", *sys.argv[1:]]),
        "machine": describe_machine(),
        "settings": {
            "n": args.n,
            "session_n": args.session_n,
            "load_workers": args.load_workers,
            "workers": args.workers,
            "redis": args.redis,
            "repeat": args.repeat,
            "seed": args.seed,
            "targets": args.targets,
        },
    }
    profile_dir = out / "profiles" if args.profile else None
    scenarios: dict[str, Callable[[], Json]] = {
        "burst": lambda: run_scale(
            args.n,
            args.targets,
            args.repeat,
            settings,
            profile_dir,
            args.memory_bursts,
            args.memory_pause,
        ),
        "session": lambda: run_session(
            args.session_seconds,
            dataclasses.replace(settings, n=args.session_n),
            args.targets,
            profile_dir,
        ),
        "restart": lambda: run_restart(args.restart_events, args.repeat, args.seed, out),
        "core": run_core,
        "takeover": lambda: run_takeover(dataclasses.replace(settings, n=max(args.n))),
    }
    failed = []
    for name in args.scenarios:
        try:
            report[name] = scenarios[name]()
        except Exception as error:  # one failed scenario must not lose the others' figures
            print(f"{name}: failed: {error}", file=sys.stderr, flush=True)
            report[name] = {"error": f"{type(error).__name__}: {error}"}
            failed.append(name)
    report["failed"] = failed
    report["targets"] = evaluate(report)
    report["machine"]["load_average_at_end"] = load_average()
    return report


def main(argv: list[str] | None = None) -> int:
    root = parser()
    args = root.parse_args(argv)
    if args.command == "joins":
        return joins_main(args)
    report = run(with_defaults(args, root.error))
    markdown = render(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "report.md").write_text(markdown)
    print(markdown)
    print(f"written: {args.out / 'report.md'} and {args.out / 'report.json'}")
    return 1 if report["failed"] else 0


def joins_main(args: argparse.Namespace) -> int:
    raise_file_limit()
    figures = run_joins(args.n, args.hands, args.out, args.timeout)
    figures["command"] = shlex.join(["python", "-m", "bench", *sys.argv[1:]])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "joins.json").write_text(json.dumps(figures, indent=2) + "\n")
    markdown = render_joins(figures)
    (args.out / "joins.md").write_text(markdown)
    print(markdown)
    print(f"written: {args.out / 'joins.md'} and {args.out / 'joins.json'}")
    return 0

"""`plenary export` and `plenary verify`: the outcome record, offline.

Both read a data directory with the server stopped (or running: the log is
only read). Both check the whole hash chain first, so nobody exports figures
from a log that was edited. Exit codes: 0 pass, 1 the log fails a check,
2 nothing to read (no data, no such session, a malformed --head).
"""

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from facilitation.report import build, shares

from .migrate import read_redis
from .reports import FORMATS, render
from .reports.offline import MIN_HEAD, LogFailure, MissingData, Snapshot, Verified, load, verify
from .reports.opinion_check import ReportUnreadable, compare, opinion_lines, read_report
from .reports.words import label, percent, score, short


def add_commands(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Register `export` and `verify` on the `plenary` command."""
    export = subparsers.add_parser("export", help="write a session's report from a data dir")
    _common(export)
    export.add_argument("--format", choices=FORMATS, default="md", help="report format (md)")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.set_defaults(handler=run_export)
    check = subparsers.add_parser(
        "verify", help="check a session's hash chain, replay its log, recompute its results"
    )
    _common(check)
    check.add_argument("--head", help="a head seen earlier (full or short): must be on the chain")
    check.add_argument(
        "--report",
        type=Path,
        help="a JSON report of this session: its opinion figures must equal the recomputed ones",
    )
    check.set_defaults(handler=run_verify)


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("PLENARY_DATA", "./data")),
        help="data directory of the server (env PLENARY_DATA, default ./data)",
    )
    command.add_argument(
        "--redis",
        default=os.environ.get("PLENARY_REDIS_URL", ""),
        help="read the session from this Redis instead of --data (env PLENARY_REDIS_URL)",
    )
    command.add_argument("session", metavar="SESSION", help="session id")


def run_export(args: argparse.Namespace) -> None:
    verified = _load(args.data, args.session, args.redis)
    text = render(build(verified.state, verified.head), args.format)
    if args.out is None:
        sys.stdout.buffer.write(text.encode())
        sys.stdout.flush()
        return
    args.out.write_text(text, encoding="utf-8")
    print(f"Wrote {args.out} (head {short(verified.head)}, version {verified.state.version}).")


def run_verify(args: argparse.Namespace) -> None:
    if args.head is not None and not _is_head(args.head):
        _exit(2, f"--head must be {MIN_HEAD} to 64 hexadecimal characters.")
    verified = _load(args.data, args.session, args.redis)
    state = verified.state
    details = [
        f"  session  {state.session_id} {_plain(state.title)!r}",
        f"  events   {state.version} (seq 1 to {state.version}); every link of the chain holds",
        f"  head     {verified.head}",
        f"  short    {short(verified.head)}",
        *_results(verified),
        *opinion_lines(verified.state),
    ]
    if args.report is not None:
        if args.redis:
            _exit(2, "--report is checked against a data directory (--data), not Redis.")
        _check_report(args, details)
    if args.head is None:
        print("\n".join(["PASS", *details]))
        return
    seq = verified.position(args.head)
    if seq is None:  # the chain is sound, but it does not lead to the head given
        print("\n".join([f"FAIL  head {args.head} is not on this session's chain", *details]))
        raise SystemExit(1)
    after = state.version - seq
    print("\n".join([f"PASS  head {args.head} is on the chain at seq {seq}", *details]))
    print(f"  since    {after} event(s) after that head")


def _check_report(args: argparse.Namespace, details: list[str]) -> None:
    """FAIL (exit 1) when the report's opinion figures differ from the log's."""
    try:
        given = read_report(args.report)
        found = compare(args.data, args.session, given)
    except ReportUnreadable as error:
        _exit(2, str(error))
    except MissingData as error:
        _exit(2, str(error))
    except LogFailure as error:
        _exit(1, f"FAIL  {_plain(str(error))}", to_stdout=True)
    if found:
        shown = [f"    {_plain(line)}" for line in found[:20]]
        more = [f"    ... and {len(found) - 20} more"] if len(found) > 20 else []
        print(
            "\n".join(
                [
                    f"FAIL  report {args.report}: {len(found)} opinion figure(s) differ "
                    "from the log's recomputation",
                    *shown,
                    *more,
                    *details,
                ]
            )
        )
        raise SystemExit(1)
    details.append(f"  report   {args.report}: its opinion figures match the recomputation")


def _load(data: Path, session_id: str, redis_url: str = "") -> Verified:
    try:
        if not redis_url:
            return load(data, session_id)
        rows, snapshot = read_redis(redis_url, session_id)
        return verify(rows, session_id, Snapshot(*snapshot) if snapshot else None)
    except MissingData as error:
        _exit(2, str(error))
    except LogFailure as error:
        _exit(1, f"FAIL  {_plain(str(error))}", to_stdout=True)


def _results(verified: Verified) -> list[str]:
    """The results recomputed by the replay, one line per proposition."""
    state = verified.state
    rounds = sum(len(p.rounds) for p in state.propositions.values())
    lines = [f"  results  recomputed: {len(state.order)} proposition(s), {rounds} round(s)"]
    for position, pid in enumerate(state.order, start=1):
        p = state.propositions[pid]
        parts = []
        for r in p.rounds:
            counted = shares(r.tally.counts)
            parts.append(
                f"round {r.number}: {counted['total']} rating(s), "
                f"agree {percent(counted['agree_share'])}, "
                f"score {score(counted['agreement_score'])}"
            )
        mark = label(p.mark.status) if p.mark else "unmarked"
        text = _plain(p.text)
        text = text if len(text) <= 60 else text[:59] + "…"
        lines.append(f"    {position}. {text} | {'; '.join(parts) or 'not opened'} | {mark}")
    return lines


def _is_head(text: str) -> bool:
    given = text.strip().lower()
    return MIN_HEAD <= len(given) <= 64 and all(c in "0123456789abcdef" for c in given)


def _plain(text: str) -> str:
    """User text safe for a terminal: no control characters, so no escape sequences."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _exit(code: int, message: str, to_stdout: bool = False) -> NoReturn:
    print(message, file=sys.stdout if to_stdout else sys.stderr)
    raise SystemExit(code)

"""The `plenary` command: serve, export, verify."""

import argparse
import sys
from collections.abc import Sequence

from . import logs
from .migrate import add_command as add_migrate
from .outcome_cli import add_commands
from .serving import serve_one, serve_workers
from .settings import ALIASES, SETTINGS, Settings


def serve(args: argparse.Namespace) -> None:
    settings = Settings.load(vars(args))
    logs.configure(settings.log_level)
    if settings.workers < 1 or (settings.workers > 1 and not settings.redis_url):
        # Checked before anything listens; status 2, as for any other bad option.
        print(
            f"plenary serve: --workers {settings.workers} needs "
            + (
                "at least 1."
                if settings.workers < 1
                else "--redis URL (PLENARY_REDIS_URL): worker processes share their sessions"
                " through Redis; on SQLite run one worker (--workers 1)."
            ),
            file=sys.stderr,
        )
        raise SystemExit(2)
    if settings.workers == 1:
        serve_one(settings)
    else:
        serve_workers(settings)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="plenary", description="Plenary: real-time facilitation for hybrid plenary sessions."
    )
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the server")
    for name, default, help_text in SETTINGS:
        run.add_argument(
            "--" + name.replace("_", "-"),
            *ALIASES.get(name, ()),
            dest=name,
            default=None,
            help=f"{help_text} (env PLENARY_{name.upper()}, default {default!r})",
        )
    run.add_argument(
        "--demo",
        action="store_true",
        default=None,
        help="create (once) and print a ready demo session",
    )
    run.add_argument(
        "--init",
        action="store_true",
        default=None,
        help="start with no sessions in a data directory that has files but no database",
    )
    run.set_defaults(handler=serve)
    add_commands(commands)
    add_migrate(commands)
    return root


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main(sys.argv[1:])

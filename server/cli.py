"""The `plenary` command: serve, export, verify."""

import argparse
import sys
from collections.abc import Sequence

import uvicorn

from . import logs
from .app import Parts, create_app
from .demo import ensure_demo, print_banner
from .outcome_cli import add_commands
from .settings import SETTINGS, Settings


def serve(args: argparse.Namespace) -> None:
    settings = Settings.load(vars(args))
    logs.configure(settings.log_level)
    shown_host = "localhost" if settings.host in ("0.0.0.0", "::", "") else settings.host
    base_url = settings.public_url.rstrip("/") or f"http://{shown_host}:{settings.port}"

    async def on_ready(parts: Parts) -> None:
        print(f"Plenary is serving on {base_url}  (data: {settings.data})", flush=True)
        if not settings.admin_token:
            print(f"Admin token (creates sessions): {parts.admin_token}", flush=True)
        if settings.demo:
            print_banner(parts, await ensure_demo(parts, base_url))

    app = create_app(settings, on_ready=on_ready)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        ws="websockets-sansio",
        lifespan="on",
        ws_max_size=settings.max_message_bytes,
        # No permessage-deflate: it keeps a zlib compressor and decompressor
        # per connection (hundreds of KB each at the default window, once
        # used) for messages that are small JSON; a hall of 10,000 phones
        # would hold gigabytes of them. See docs/benchmarks.md, issue 15.
        ws_per_message_deflate=False,
    )
    uvicorn.Server(config).run()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="plenary", description="Plenary: real-time facilitation for hybrid plenary sessions."
    )
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the server")
    for name, default, help_text in SETTINGS:
        run.add_argument(
            "--" + name.replace("_", "-"),
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
    run.set_defaults(handler=serve)
    add_commands(commands)
    return root


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main(sys.argv[1:])

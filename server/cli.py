"""The `plenary` command: serve, export, verify."""

import argparse
import sys
from collections.abc import Sequence

import uvicorn

from . import logs
from .app import Parts, claim_store, create_app
from .demo import ensure_demo, print_banner
from .edges import header_timeout_protocol, raise_open_files_limit
from .migrate import add_command as add_migrate
from .outcome_cli import add_commands
from .settings import ALIASES, SETTINGS, Settings


def serve(args: argparse.Namespace) -> None:
    settings = Settings.load(vars(args))
    logs.configure(settings.log_level)
    shown_host = "localhost" if settings.host in ("0.0.0.0", "::", "") else settings.host
    base_url = settings.public_url.rstrip("/") or f"http://{shown_host}:{settings.port}"

    async def on_ready(parts: Parts) -> None:
        where = f"redis: {settings.redis_url}" if settings.redis_url else f"data: {settings.data}"
        print(f"Plenary is serving on {base_url}  ({where})", flush=True)
        print(f"Operator's page (sessions, links, drafts): {base_url}/admin", flush=True)
        if not settings.admin_token:
            print(f"Admin token (signs in there): {parts.admin_token}", flush=True)
        if settings.demo:
            print_banner(parts, await ensure_demo(parts, base_url))

    # Lock and check the data directory before listening: a refusal exits non-zero at once.
    raise_open_files_limit()  # each connection is a descriptor; 1,024 is too few
    claimed = claim_store(settings)
    app = create_app(settings, on_ready=on_ready, claimed=claimed)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        ws="websockets-sansio",
        lifespan="on",
        # uvicorn trusts forwarded headers from 127.0.0.1 by default: only from ours.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or [],
        ws_max_size=settings.max_message_bytes,
        # No permessage-deflate: it keeps a zlib compressor and decompressor
        # per connection (hundreds of KB each at the default window, once
        # used) for messages that are small JSON; a hall of 10,000 phones
        # would hold gigabytes of them. See docs/benchmarks.md, issue 15.
        ws_per_message_deflate=False,
        http=header_timeout_protocol(settings.header_timeout_s),
        timeout_keep_alive=settings.keep_alive_s,
        limit_concurrency=settings.max_connections,
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        # A failed lifespan start-up: uvicorn returns quietly, which must not look like success.
        raise SystemExit("plenary: the server failed to start (see the log above).")


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

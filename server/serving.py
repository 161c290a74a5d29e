"""`plenary serve`: one process, or N worker processes on one port (`--workers N`).

With `--workers N` the parent binds the port once and runs uvicorn's own
supervisor (`uvicorn.supervisors.Multiprocess`), which starts N spawned worker
processes on that socket, restarts one that dies, and on SIGTERM or SIGINT
stops them all (each then releases its leases). The parent never touches the
store: each worker claims it (`claim_store`), builds its own app, event loop,
Redis connections and lease owner name in `worker_app`, so a worker started
again after a crash is checked exactly like the first ones.

A worker that cannot start exits with uvicorn's `STARTUP_FAILURE` status, on
which the supervisor stops every worker; the parent then exits non-zero.
"""

import functools
import multiprocessing
import os
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from .app import OnReady, Parts, claim_store, create_app
from .demo import ensure_demo, print_banner
from .edges import header_timeout_protocol, raise_open_files_limit
from .settings import Settings
from .worker import worker_app


def base_url(settings: Settings) -> str:
    shown_host = "localhost" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return settings.public_url.rstrip("/") or f"http://{shown_host}:{settings.port}"


def announcer(settings: Settings, first: Callable[[], bool] = lambda: True) -> OnReady:
    """Prints the links (and creates the demo) once the app is ready, if `first()`."""
    url = base_url(settings)

    async def on_ready(parts: Parts) -> None:
        if not first():
            return
        where = f"redis: {settings.redis_url}" if settings.redis_url else f"data: {settings.data}"
        workers = f", {settings.workers} workers" if settings.workers > 1 else ""
        print(f"Plenary is serving on {url}  ({where}{workers})", flush=True)
        print(f"Operator's page (sessions, links, drafts): {url}/admin", flush=True)
        if not settings.admin_token:
            print(f"Admin token (signs in there): {parts.admin_token}", flush=True)
        if settings.demo:
            print_banner(parts, await ensure_demo(parts, url))

    return on_ready


def uvicorn_config(settings: Settings, app: Any, **extra: Any) -> uvicorn.Config:
    """One configuration for the single process and for every worker."""
    return uvicorn.Config(
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
        # No websocket-level keepalive: engine.io pings every connection at its
        # own level (25 s) and closes those that stop answering. A second ping
        # was a timer per connection and, at 10,000 phones, 500 frames a second
        # (3 % of a burst's profile).
        ws_ping_interval=None,
        http=header_timeout_protocol(settings.header_timeout_s),
        timeout_keep_alive=settings.keep_alive_s,
        limit_concurrency=settings.max_connections,
        **extra,
    )


def serve_one(settings: Settings) -> None:
    """The single process: claim the store, then listen."""
    # Lock and check the data directory before listening: a refusal exits non-zero at once.
    raise_open_files_limit()  # each connection is a descriptor; 1,024 is too few
    claimed = claim_store(settings)
    app = create_app(settings, on_ready=announcer(settings), claimed=claimed)
    server = uvicorn.Server(uvicorn_config(settings, app))
    server.run()
    if not server.started:
        # A failed lifespan start-up: uvicorn returns quietly, which must not look like success.
        raise SystemExit("plenary: the server failed to start (see the log above).")


def serve_workers(settings: Settings) -> None:
    """The parent of `settings.workers` processes on one socket; returns when they all stopped."""
    raise_open_files_limit()  # inherited by every worker (each raises its own again)
    # Set by the first worker ready, so the links are printed once, not once per worker.
    announced = multiprocessing.get_context("spawn").Value("b", 0)
    config = uvicorn_config(
        settings,
        functools.partial(worker_app, settings, announced, os.getpid()),
        factory=True,
        workers=settings.workers,
    )
    socket = config.bind_socket()  # a port in use exits non-zero here, before any worker
    supervisor = Multiprocess(config, sockets=[socket])
    supervisor.run()
    failed = [p.pid for p in supervisor.processes if p.exitcode == STARTUP_FAILURE]
    if failed:
        raise SystemExit(
            f"plenary: worker {failed[0]} failed to start (its reason is above); "
            "every worker was stopped."
        )

"""The one composition root: `create_app(settings)` wires every part together."""

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import socketio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from facilitation import FacilitationError

from . import gc_tuning, static, wire_json
from .auth import Authenticator
from .cluster import Cluster
from .datadir import Claimed, claim
from .drafts import MAX_DRAFT_BYTES
from .errors import ApiError
from .fanout import Fanout
from .http_api import HttpApi
from .idle_replicas import IdleReplicas
from .invitations.contacts import Contacts
from .invitations.http import RegistrantsApi
from .invitations.mailer import Mailer, SmtpConfig
from .middleware import BodyLimit, SecurityHeaders
from .operator_api import OperatorApi
from .opinion_feed import OpinionFeed
from .published import Published
from .redis_claim import claim_redis
from .redis_store import RedisStore
from .replica import publish_opinions, read_once
from .reports.http import report_routes
from .rooms import IndexedManager
from .sessions import Sessions
from .settings import Settings
from .sockets import Gateway
from .sqlite_store import DB_NAME, SqliteStore
from .store import Store
from .translations_http import translation_routes

log = logging.getLogger("plenary")
OnReady = Callable[["Parts"], Awaitable[None]]


class Parts:
    """What `create_app` built, for start-up hooks (the demo) and tests."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        auth: Authenticator,
        admin_token: str,
        sessions: Sessions,
        api: HttpApi,
    ) -> None:
        self.settings, self.store, self.auth = settings, store, auth
        self.admin_token, self.sessions, self.api = admin_token, sessions, api


def create_app(
    settings: Settings,
    store: Store | None = None,
    on_ready: OnReady | None = None,
    claimed: Claimed | None = None,
) -> ASGIApp:
    """The whole server; `claimed` is the data directory already locked and checked."""
    data = settings.data
    claimed = claimed or claim_store(settings)
    admin_token = claimed.admin_token
    auth = Authenticator(claimed.secret, admin_token, settings.token_hours)
    if store is None and settings.redis_url:
        store = RedisStore(settings.redis_url, lease_ttl_ms=settings.redis_lease_ms)
    store = store or SqliteStore(data / DB_NAME, settings.durability == "power")
    sio = socketio.AsyncServer(
        async_mode="asgi",
        # One command at a time per connection, in the order sent, without a
        # task per message: a client's commands cannot overtake each other,
        # and the burst benchmark measured ack p99 1.10x-1.24x the bare
        # transport's with this, against 1.12x-1.41x with a task per message.
        async_handlers=False,
        # Disconnects cost a connection's own rooms, not the whole hall (server/rooms.py).
        client_manager=IndexedManager(),
        json=wire_json,
        cors_allowed_origins=_origin_check(settings.allowed_origins),
        max_http_buffer_size=settings.max_message_bytes,
        logger=False,
        engineio_logger=False,
    )

    async def emit(event: str, payload: dict[str, Any], room: str) -> None:
        await sio.emit(event, payload, room=room)

    fanout = Fanout(
        emit,
        settings.flush_ms / 1000,
        settings.participant_flush_ms / 1000,
        settings.participant_messages_per_s,
    )
    redis = store if isinstance(store, RedisStore) else None
    sessions = Sessions(
        store,
        fanout,
        settings.snapshot_every,
        settings.public_url,
        publish=None if redis is None else functools.partial(publish_opinions, redis),
        read_once=None if redis is None else functools.partial(read_once, redis),
    )
    cluster = None if redis is None else Cluster(redis, sessions)
    sessions.cluster = cluster
    feed = OpinionFeed(emit, fanout)
    sessions.opinions.on_result.append(feed.on_result)
    sessions.opinions.on_change.append(feed.on_change)
    gateway = Gateway(sio, sessions, auth)
    sessions.forgetting.append(feed.forget)
    idle = (
        None
        if cluster is None
        else IdleReplicas(sessions, gateway.connected_sessions, settings.redis_replica_idle_s)
    )
    api = HttpApi(
        sessions,
        auth,
        settings.public_url,
        store.healthy,
        settings.max_joins_per_session,
        _status(redis, cluster, idle),
    )
    operator = OperatorApi(api, sessions, auth, data)
    mailer = Mailer(SmtpConfig.from_settings(settings), store)
    registrants = RegistrantsApi(api, sessions, auth, Contacts(store), mailer)
    gateway.forget_registrant = registrants.forget
    gateway.told_place = fanout.told
    parts = Parts(settings, store, auth, admin_token, sessions, api)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await store.open()
        if cluster is not None:  # listening for forwarded commands before owning any session
            await cluster.start()
        await sessions.start()
        if idle is not None:
            idle.start()
        where = settings.redis_url or data
        log.info("%d stored session(s) in %s, each loaded on first use", sessions.stored, where)
        if on_ready is not None:
            await on_ready(parts)
        # After start-up, so what it loaded is frozen out of the collector's way.
        gc_tuning.tune_after_startup()
        quiet_collector = asyncio.create_task(gc_tuning.collect_when_quiet())
        yield
        quiet_collector.cancel()
        await mailer.close()
        await fanout.close()
        if idle is not None:
            await idle.close()
        if cluster is not None:  # no more forwarded commands: they wait for the leases
            await cluster.close()
        await sessions.stop()
        await store.close()  # releases the leases: the other workers take over at once

    limit = settings.max_body_bytes
    middleware = [
        Middleware(SecurityHeaders),
        # A draft file may be larger than any other body (server/drafts.py states its limit).
        Middleware(
            BodyLimit,
            limit=limit,
            timeout=settings.body_timeout_s,
            larger=("/draft", max(limit, MAX_DRAFT_BYTES)),
        ),
    ]
    if settings.allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type"],
            )
        )
    web = Starlette(
        routes=[
            *api.routes(),
            *registrants.routes(),
            *operator.routes(),
            *report_routes(api),
            *translation_routes(api),
            *Published(sessions, store, api).routes(),
            *static.routes(),
        ],
        middleware=middleware,
        exception_handlers={
            ApiError: _api_error,
            FacilitationError: _domain_error,
            HTTPException: _http_error,
        },
        lifespan=lifespan,
    )
    return cast(ASGIApp, socketio.ASGIApp(sio, other_asgi_app=web, socketio_path="socket.io"))


def claim_store(settings: Settings) -> Claimed:
    """The store's place claimed and checked before listening: Redis, or the data directory."""
    if settings.redis_url:
        return claim_redis(
            settings.redis_url,
            settings.data,
            settings.admin_token,
            settings.redis_durability == "relaxed",
            settings.init,
        )
    return claim(settings.data, settings.admin_token, settings.init)


def _status(
    redis: RedisStore | None, cluster: Cluster | None, idle: IdleReplicas | None
) -> Callable[[], dict[str, Any]]:
    """What /healthz adds: on Redis, the sessions this worker owns and replicates."""
    if redis is None or cluster is None or idle is None:
        return dict
    return lambda: {**redis.status(), **cluster.counts(), **idle.counts()}


def _origin_check(allowed: tuple[str, ...]) -> Callable[[str | None, dict[str, Any]], bool]:
    """Same origin always; other origins only when listed."""

    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        if origin is None or origin in allowed:
            return True
        return origin == f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST')}"

    return check


async def _api_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return JSONResponse(error.body(), status_code=error.status)


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, FacilitationError)
    return await _api_error(request, ApiError.from_domain(error))


async def _http_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code = {404: "not_found", 405: "bad_request"}.get(error.status_code, "bad_request")
    message = "There is nothing here." if error.status_code == 404 else str(error.detail)
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=error.status_code
    )

"""Server settings: declared once, as the fields of `Settings` with their help, read once.

Each setting comes from the command line, else from the environment variable
`PLENARY_<NAME>`, else its default. `docs/settings.md` (and the README) list
them; a test fails when one is missing there.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final, cast


@dataclass(frozen=True, slots=True)
class Settings:
    """Every server setting, its default and (in `metadata["help"]`) its help:
    the CLI, `SETTINGS`, the README and docs/settings.md all read these fields."""

    host: str = field(
        default="127.0.0.1",
        metadata={"help": ("Address to listen on (`0.0.0.0` for every interface).")},
    )
    port: int = field(
        default=8000,
        metadata={"help": ("TCP port to listen on.")},
    )
    workers: int = field(
        default=1,
        metadata={
            "help": (
                "Worker processes serving the one port; above 1 needs `--redis` (each worker"
                " accepts any connection and shares the sessions through Redis)."
            )
        },
    )
    data: Path = field(
        default=Path("./data"),
        metadata={
            "help": ("Data directory: the SQLite event log, the signing secret, the admin token.")
        },
    )
    admin_token: str = field(
        default="",
        metadata={
            "help": (
                "Operator token that creates sessions, at least 24 characters; generated and"
                " kept in the data directory when empty."
            )
        },
    )
    allowed_origins: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": (
                "Comma-separated origins allowed to call the API and open sockets from other"
                " sites; empty means same origin only."
            )
        },
    )
    public_url: str = field(
        default="",
        metadata={
            "help": (
                "Base of the absolute links the server hands out (e.g."
                " `https://plenary.example.org`); empty means the request's own host."
            )
        },
    )
    durability: str = field(
        default="process",
        metadata={
            "help": (
                "`process`: an acknowledged event survives the server being killed (SQLite"
                " WAL, synchronous=NORMAL); `power`: it also survives a power cut or an OS"
                " crash (an fsync per group commit, a few milliseconds each)."
            )
        },
    )
    token_hours: int = field(
        default=72,
        metadata={"help": ("Lifetime of session tokens, in hours.")},
    )
    snapshot_every: int = field(
        default=5000,
        metadata={
            "help": ("Events between snapshots of a session (start-up replays at most this many).")
        },
    )
    flush_ms: int = field(
        default=100,
        metadata={
            "help": (
                "Coalescing interval of live updates to the facilitator, display and hubs, in"
                " milliseconds."
            )
        },
    )
    participant_flush_ms: int = field(
        default=300,
        metadata={
            "help": (
                "Coalescing interval of live updates to participants' phones (queue, revealed"
                " results), in milliseconds."
            )
        },
    )
    participant_messages_per_s: int = field(
        default=5000,
        metadata={
            "help": (
                "Live updates one session's phones are sent a second, all of them together:"
                " while things change, the participants' interval stretches to the"
                " participants in the session divided by this when that is longer than"
                " --participant-flush-ms (an update every 2 s to a hall of 10,000 at the"
                " default), whether the hall is on one process or several workers."
            )
        },
    )
    trusted_proxies: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": (
                "Comma-separated addresses of reverse proxies whose X-Forwarded-For /"
                " X-Forwarded-Proto headers are believed; empty means none (not even"
                " loopback)."
            )
        },
    )
    header_timeout_s: int = field(
        default=10,
        metadata={
            "help": (
                "Seconds a connection has to send a whole request head (after opening, and"
                " after each response) before it is closed."
            )
        },
    )
    body_timeout_s: int = field(
        default=20,
        metadata={
            "help": (
                "Seconds a request's body has to arrive in full after its head; a slower"
                " one is answered 408 too_slow and its connection closed."
            )
        },
    )
    keep_alive_s: int = field(
        default=5,
        metadata={"help": ("Seconds an idle keep-alive HTTP connection is kept open.")},
    )
    max_connections: int = field(
        default=10000,
        metadata={
            "help": (
                "Open connections (HTTP and websocket) above which new HTTP requests are"
                " answered 503; raise it for halls of more than about 9,000 devices."
            )
        },
    )
    max_joins_per_session: int = field(
        default=0,
        metadata={
            "help": (
                "Participants one session admits at most; joins beyond it are refused"
                " `forbidden`. 0 means no cap."
            )
        },
    )
    max_body_bytes: int = field(
        default=262144,
        metadata={"help": ("Largest HTTP request body accepted.")},
    )
    max_message_bytes: int = field(
        default=65536,
        metadata={
            "help": (
                "Largest websocket message accepted; the default fits every valid command"
                " even with all its text \\u-escaped, so an over-long text gets a coded"
                " `too_large` answer, not a closed connection."
            )
        },
    )
    redis_url: str = field(
        default="",
        metadata={
            "help": (
                "Redis to keep the sessions in instead of SQLite (`redis://HOST:PORT/DB`,"
                " also `--redis`); empty means the embedded SQLite store. See"
                " docs/scale-out.md."
            ),
            "aliases": ("--redis",),
        },
    )
    redis_durability: str = field(
        default="strict",
        metadata={
            "help": (
                "`strict`: refuse to start unless Redis has AOF on, `appendfsync always` and"
                " `noeviction`; `relaxed`: start anyway (an acknowledged command may be lost"
                " if Redis crashes)."
            )
        },
    )
    redis_lease_ms: int = field(
        default=4000,
        metadata={
            "help": (
                "Milliseconds a worker's lease on a session lives without renewal (renewed"
                " every second): how long an owner may stall before another worker takes its"
                " sessions, so also the longest takeover from a stuck owner. At least 2000."
            )
        },
    )
    redis_replica_idle_s: int = field(
        default=600,
        metadata={
            "help": (
                "Seconds a replica of a session this worker does not own is kept with no"
                " connection to it here and no command of it waiting for the owner; then it"
                " stops following the session's log and is dropped, and the next connection"
                " loads it again. At least 1."
            )
        },
    )
    log_level: str = field(
        default="info",
        metadata={"help": ("Log level: debug, info, warning, error.")},
    )
    smtp_host: str = field(
        default="",
        metadata={
            "help": (
                "Mail server that sends invitations (e.g. `smtp.example.org`); empty means"
                " no email: invitation links are exported as CSV only."
            )
        },
    )
    smtp_port: int = field(
        default=587,
        metadata={"help": ("TCP port of the mail server (587 for starttls, 465 for tls).")},
    )
    smtp_tls: str = field(
        default="starttls",
        metadata={
            "help": (
                "`starttls`: upgrade the connection with STARTTLS (refused if the server"
                " cannot); `tls`: TLS from the first byte; `none`: plain text (a mail server"
                " on the same host only)."
            )
        },
    )
    smtp_sender: str = field(
        default="",
        metadata={"help": ("From address of invitations, e.g. `Plenary <plenary@example.org>`.")},
    )
    # Credentials are read from the environment alone: a command-line option
    # would show them to every user of the machine (`ps`).
    smtp_user: str = field(
        default="",
        metadata={"env_only": True, "help": ("User name for the mail server (empty: none).")},
    )
    smtp_password: str = field(
        default="",
        metadata={"env_only": True, "help": ("Password for the mail server.")},
    )
    demo: bool = field(default=False, metadata={"cli_only": True})
    init: bool = field(default=False, metadata={"cli_only": True})

    @classmethod
    def load(cls, given: Mapping[str, Any], env: Mapping[str, str] | None = None) -> "Settings":
        """Command-line values (None: not given) over `PLENARY_*` variables over defaults."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = None if f.metadata.get("env_only") else given.get(f.name)
            if raw is None and not f.metadata.get("cli_only"):
                raw = env.get("PLENARY_" + f.name.upper())
            if raw is not None:
                values[f.name] = _cast(f.name, raw, type(getattr(cls(), f.name)))
        if values.get("smtp_tls", "starttls") not in ("none", "starttls", "tls"):
            raise SystemExit(
                "Setting smtp_tls (PLENARY_SMTP_TLS) must be 'none', 'starttls' or 'tls'."
            )
        if values.get("durability", "process") not in ("process", "power"):
            raise SystemExit(
                "Setting durability (PLENARY_DURABILITY) must be 'process' or 'power'."
            )
        if values.get("redis_durability", "strict") not in ("strict", "relaxed"):
            raise SystemExit(
                "Setting redis_durability (PLENARY_REDIS_DURABILITY) must be 'strict' or 'relaxed'."
            )
        if values.get("redis_lease_ms", 4000) < 2000:
            raise SystemExit(
                "Setting redis_lease_ms (PLENARY_REDIS_LEASE_MS) must be at least 2000:"
                " an owner renews its leases every second."
            )
        if values.get("participant_messages_per_s", 5000) < 1:
            raise SystemExit(
                "Setting participant_messages_per_s (PLENARY_PARTICIPANT_MESSAGES_PER_S)"
                " must be at least 1."
            )
        if values.get("redis_replica_idle_s", 600) < 1:
            raise SystemExit(
                "Setting redis_replica_idle_s (PLENARY_REDIS_REPLICA_IDLE_S) must be at least 1."
            )
        return cls(**values)


def _shown(default: object) -> object:
    """A default as the docs and the CLI help show it."""
    if isinstance(default, tuple):
        return ",".join(default)
    if isinstance(default, Path):
        return default.as_posix() if default.is_absolute() else f"./{default.as_posix()}"
    return default


SETTINGS: Final[tuple[tuple[str, object, str], ...]] = tuple(
    (f.name, _shown(f.default), str(f.metadata["help"]))
    for f in fields(Settings)
    if not f.metadata.get("cli_only") and not f.metadata.get("env_only")
)
# Read from the environment alone (never an option, never in the log).
ENV_SETTINGS: Final[tuple[tuple[str, object, str], ...]] = tuple(
    (f.name, _shown(f.default), str(f.metadata["help"]))
    for f in fields(Settings)
    if f.metadata.get("env_only")
)


# Other spellings of an option (`--redis` for `--redis-url`).
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    f.name: tuple(f.metadata["aliases"]) for f in fields(Settings) if "aliases" in f.metadata
}


def _cast(name: str, raw: Any, kind: type) -> Any:
    try:
        if kind is tuple:
            items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
            return tuple(item.strip() for item in items if item.strip())
        if kind is bool:
            return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
        if issubclass(kind, Path):
            return Path(raw)
        return cast(Any, kind)(raw)
    except ValueError:
        raise SystemExit(
            f"Setting {name} (PLENARY_{name.upper()}): {raw!r} is not a valid {kind.__name__}."
        ) from None

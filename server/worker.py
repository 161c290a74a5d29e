"""What runs first in each worker process of `plenary serve --workers N`.

uvicorn's supervisor pickles the app factory (`functools.partial(worker_app,
settings, announced)`) to each spawned worker; unpickling it imports this
module before the worker starts answering the supervisor's health pings
(every 0.5 s, 5 s to answer). So this module is light at import, and the
server itself is imported inside `worker_app`, after those answers began: a
slow import on a loaded machine cannot get a starting worker killed and
started again, for ever.
"""

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.sharedctypes import Synchronized
from typing import TYPE_CHECKING

from uvicorn.config import STARTUP_FAILURE

from .settings import Settings

if TYPE_CHECKING:
    from starlette.types import ASGIApp

log = logging.getLogger("plenary")


def worker_app(settings: Settings, announced: "Synchronized[int]", parent: int) -> "ASGIApp":
    """In each worker process (uvicorn's app factory): its own claim and its own app."""
    _stop_with(parent)
    from . import logs
    from .app import claim_store, create_app
    from .datadir import DataDirError
    from .edges import raise_open_files_limit
    from .serving import announcer

    logs.configure(settings.log_level)
    raise_open_files_limit()
    try:
        claimed = claim_store(settings)
        return create_app(settings, on_ready=announcer(settings, _once(announced)), claimed=claimed)
    except DataDirError as refusal:
        print(refusal.code, file=sys.stderr, flush=True)
    except Exception:
        log.exception("a worker failed to build the server")
    # The supervisor stops every worker on this status; on any other it starts this one again.
    sys.exit(STARTUP_FAILURE)


def _once(flag: "Synchronized[int]") -> Callable[[], bool]:
    """True for the first caller among all the workers sharing `flag`, False after."""

    def first() -> bool:
        with flag.get_lock():
            was, flag.value = flag.value, 1
        return not was

    return first


def _stop_with(parent: int) -> None:
    """Stop this worker cleanly (SIGTERM: it releases its leases) once `parent` is gone.

    A parent killed outright (SIGKILL, the out-of-memory killer) cannot stop its
    workers, and they would go on serving the port unsupervised, holding
    leases, until someone found them.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        log.warning("the parent process %d is gone: this worker stops", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()

"""The event log's hash chain: each stored event is bound to the one before.

hash(n) = sha256(hash(n-1) + "\\n" + canonical JSON of event n), hex; the
chain starts from GENESIS. Anyone holding a head seen earlier can check that
the log still leads to it.
"""

import hashlib
import json
from typing import Any, Final

GENESIS: Final = "0" * 64
SHORT: Final = 12  # characters of the head shown to the room


# What json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# builds on every call, built once: each rating is encoded twice (its event here
# and its request's fingerprint), and building the encoder was a third of that.
_CANONICAL: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(body: dict[str, Any]) -> str:
    return _CANONICAL.encode(body)


def link(previous: str, canonical_body: str) -> str:
    return hashlib.sha256(f"{previous}\n{canonical_body}".encode()).hexdigest()


def short(head: str | None) -> str | None:
    return None if head is None or head == GENESIS else head[:SHORT]

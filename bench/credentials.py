"""Who may do what in a run: a real session on Plenary, stand-ins on the baselines.

Plenary gets the full path (an operator creates the session over HTTP; each
participant joins over HTTP in the load generator). The baselines accept any
token, so they get strings naming the role, and the socket-level work stays
the same for all three targets.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from bench.targets import PLENARY_TARGETS, Running

Json = dict[str, Any]


def credentials_for(target: Running, propositions: int) -> Json:
    """The `credentials` part of a load-generator plan (see bench/load/types.mjs)."""
    if target.name in PLENARY_TARGETS:
        return plenary_session(target, propositions)
    return {
        "sessionId": None,
        "facilitatorToken": "facilitator:bench",
        "displayToken": "display:bench",
        "joinCode": None,
        "propositionIds": [f"p{i + 1}" for i in range(propositions)],
        "spreadAddresses": False,
    }


def plenary_session(target: Running, propositions: int) -> Json:
    body = {
        "title": "Benchmark plenary",
        "propositions": [{"text": f"Proposition {i + 1}"} for i in range(propositions)],
    }
    # On several workers the session is created on the first; it owns it.
    answer = post_json(f"{target.url}/api/sessions", body, bearer=target.admin_token)
    return {
        "sessionId": answer["session_id"],
        "facilitatorToken": answer["tokens"]["facilitator"],
        "displayToken": answer["tokens"]["display"],
        "joinCode": answer["join_code"],
        "propositionIds": [p["id"] for p in answer["propositions"]],
        # One loopback address per participant: /api/join is rate-limited per address.
        "spreadAddresses": True,
    }


def post_json(url: str, body: Json, bearer: str | None = None) -> Json:
    headers = {"content-type": "application/json"}
    if bearer is not None:
        headers["authorization"] = f"Bearer {bearer}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        parsed: Json = json.loads(answer.read())
        return parsed

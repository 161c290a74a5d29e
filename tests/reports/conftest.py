"""One scripted session through the real server, recorded once for every report test.

The session is played by real socket.io clients against `plenary serve`; its
reports are fetched over HTTP while the server runs, then the server stops
and the same reports are exported offline by the `plenary` CLI in a
subprocess, as an operator would.
"""

import asyncio
import concurrent.futures
import itertools
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
import pytest

from tests.live import ROOT, LiveServer, Peer

FORMATS: Final = ("md", "html", "csv", "json")
GROUPS: Final = ("government", "civil_society", "technical_community", "academia")
# Distinctive join names, so a scan for them cannot hit by accident.
SPEAKERS: Final = ("Zoë <b>Speaker</b> & Co", "Remote Rui Q7", None)
SILENT: Final = tuple(f"Silent Quokka {i:02d}" for i in range(10))
WAITING, LOWERED, REMOVED, DISCARDED = (
    "Waiting Wanda X3",
    "Lowered Lou X4",
    "Removed Rex X5",
    "Discarded Dana X6",
)
AGREEING_COMMENT: Final = "AGREEING-COMMENT-IS-NO-OBJECTION"
OBJECTION: Final = "Too vague for <i>us</i> | [see](http://x) =1+1"


@dataclass
class Played:
    data: Path
    session_id: str
    tokens: dict[str, str]
    participant_ids: list[str] = field(default_factory=list)
    silent_names: list[str] = field(default_factory=list)
    speaker_names: set[str] = field(default_factory=set)
    earlier_head: str = ""
    http: dict[str, httpx.Response] = field(default_factory=dict)
    offline: dict[str, str] = field(default_factory=dict)

    @property
    def database(self) -> Path:
        return self.data / "plenary.sqlite3"


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def plenary(*args: str) -> Done:
    """The `plenary` CLI in a subprocess, as an operator runs it (output kept byte for byte)."""
    done = subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    # Decoded without newline translation: a CSV's CRLF must reach the test as written.
    return Done(done.returncode, done.stdout.decode(), done.stderr.decode())


def get_report(server: LiveServer, session_id: str, fmt: str, token: str | None) -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return httpx.get(
        f"{server.url}/api/sessions/{session_id}/report.{fmt}", headers=headers, timeout=30
    )


async def _ok(peer: Peer, name: str, payload: Any = None) -> dict[str, Any]:
    ack = await peer.call(name, payload)
    assert ack["ok"], (name, payload, ack)
    return ack


async def play(server: LiveServer, played: Played, facilitator: Peer) -> list[Peer]:
    created_code = played.tokens["join_code"]
    first, second = played.tokens["p1"], played.tokens["p2"]
    cast: list[tuple[str | None, str, str]] = [
        (SPEAKERS[0], "government", "in_room"),
        (SPEAKERS[1], "civil_society", "remote"),
        (SPEAKERS[2], "technical_community", "remote"),
    ]
    cast += [(name, GROUPS[i % 4], ("in_room", "remote")[i % 2]) for i, name in enumerate(SILENT)]
    cast += [
        (WAITING, "academia", "in_room"),
        (LOWERED, "private_sector", "remote"),
        (REMOVED, "civil_society", "in_room"),
        (DISCARDED, "government", "remote"),
    ]
    joined = [
        server.join(created_code, group, channel, **({"name": name} if name else {}))
        for name, group, channel in cast
    ]
    played.participant_ids = [j["participant_id"] for j in joined]
    played.silent_names = [*SILENT, WAITING, LOWERED, REMOVED, DISCARDED]
    played.tokens["participant"] = joined[3]["token"]
    phones = list(await asyncio.gather(*(Peer(server.url, j["token"]).connect() for j in joined)))

    # Round 1 of the first proposition: everyone rates; some change their minds.
    await _ok(facilitator, "proposition:open", {"proposition_id": first})
    values = itertools.cycle(
        ["agree", "strongly_agree", "disagree", "neutral", "agree", "confused"]
    )
    await asyncio.gather(
        *(
            _ok(
                phone,
                "rating:submit",
                {
                    "proposition_id": first,
                    "value": value,
                    "comment": OBJECTION
                    if value in ("disagree", "confused")
                    else (AGREEING_COMMENT if value == "agree" else None),
                },
            )
            for phone, value in zip(phones, values, strict=False)
        )
    )
    await _ok(phones[4], "rating:submit", {"proposition_id": first, "value": "strongly_disagree"})
    await _ok(phones[5], "rating:submit", {"proposition_id": first, "value": None})
    await _ok(
        phones[6],
        "rating:submit",
        {"proposition_id": first, "value": "disagree", "comment": "Changed: no"},
    )

    nairobi = await _ok(facilitator, "hub:invite", {"name": "Nairobi hub", "attendance": 30})
    dhaka = await _ok(facilitator, "hub:invite", {"name": "Dhaka <hub>", "attendance": 12})
    played.tokens["hub"] = nairobi["token"]
    hubs = [await Peer(server.url, h["token"]).connect() for h in (nairobi, dhaka)]
    tally = {"proposition_id": first, "counts": {"agree": 10, "strongly_agree": 5, "disagree": 2}}
    await _ok(hubs[0], "hub:tally", tally)
    tally["counts"] = {"agree": 12, "strongly_agree": 5, "disagree": 3}  # replaces the first
    await _ok(hubs[0], "hub:tally", tally)
    await _ok(
        hubs[1],
        "hub:tally",
        {
            "proposition_id": first,
            "counts": {"agree": 4, "disagree": 2, "neutral": 1},
            "by_group": {"academia": {"agree": 4}, "government": {"disagree": 2, "neutral": 1}},
        },
    )
    played.earlier_head = server.results(played.session_id, played.tokens["facilitator"])["head"]

    # Round 2, after deliberation: fewer rate, minds move.
    await _ok(facilitator, "proposition:close", {"proposition_id": first})
    await _ok(facilitator, "proposition:open", {"proposition_id": first})
    values = itertools.cycle(["agree", "strongly_agree", "agree", "neutral", "disagree"])
    for phone, value in zip(phones[:12], values, strict=False):
        await _ok(phone, "rating:submit", {"proposition_id": first, "value": value})
    await _ok(
        hubs[0], "hub:tally", {"proposition_id": first, "counts": {"agree": 20, "neutral": 2}}
    )
    await _ok(facilitator, "proposition:close", {"proposition_id": first})
    await _ok(
        facilitator,
        "consensus:mark",
        {"proposition_id": first, "status": "rough_consensus", "note": "Objections <weighed>"},
    )

    # The second proposition stays open, marked for revision.
    await _ok(facilitator, "proposition:open", {"proposition_id": second})
    for phone, value in zip(phones[10:], ["confused", "agree", "disagree"], strict=False):
        await _ok(
            phone, "rating:submit", {"proposition_id": second, "value": value, "comment": OBJECTION}
        )
    await _ok(facilitator, "consensus:mark", {"proposition_id": second, "status": "needs_revision"})

    await speak(played, facilitator, phones, hubs[1])
    await _ok(facilitator, "participant:remove", {"participant_id": played.participant_ids[-2]})
    await _ok(
        facilitator,
        "participant:remove",
        {"participant_id": played.participant_ids[-1], "discard_ratings": True},
    )
    return [*phones, *hubs]


async def speak(played: Played, facilitator: Peer, phones: list[Peer], hub: Peer) -> None:
    """Four people get the floor; one lowers their hand; one is still waiting at the end."""
    await _ok(phones[0], "hand:raise", {"intent": "speak"})
    await _ok(phones[1], "hand:raise", {"intent": "reply"})
    await _ok(phones[2], "hand:raise", {"intent": "clarify"})
    await _ok(phones[14], "hand:raise", {"intent": "speak"})
    await _ok(
        hub, "hub:speaker", {"name": "Amina", "stakeholder_group": "academia", "intent": "speak"}
    )
    await _ok(phones[14], "hand:lower")
    for _ in range(4):
        current = (await _ok(facilitator, "queue:next"))["current"]
        played.speaker_names.add(current["name"])
        await asyncio.sleep(0.2)  # turns that last, so durations are not all zero
    assert played.speaker_names == {SPEAKERS[0], SPEAKERS[1], "technical_community", "Amina"}
    await _ok(phones[13], "hand:raise", {"intent": "speak"})  # Wanda: waits, never speaks


async def record(server: LiveServer) -> Played:
    created = server.create_session(
        "Main session: <IGF> & friends",
        [
            {"text": "Open standards first", "source": "Policy Network"},
            {"text": "=Hubs count equally"},
        ],
    )
    first, second = (p["id"] for p in created["propositions"])
    played = Played(
        server.data,
        created["session_id"],
        {**created["tokens"], "join_code": created["join_code"], "p1": first, "p2": second},
    )
    facilitator = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    peers = await play(server, played, facilitator)
    for fmt in FORMATS:
        played.http[fmt] = get_report(server, played.session_id, fmt, played.tokens["facilitator"])
    for peer in [facilitator, *peers]:
        await peer.close()
    return played


@pytest.fixture(scope="session")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    server = LiveServer(tmp_path_factory.mktemp("reports") / "data").start()
    try:
        # A thread of its own: a browser test's event loop may be running in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            recorded = thread.submit(asyncio.run, record(server)).result()
    finally:
        server.stop()
    for fmt in FORMATS:
        done = plenary("export", "--data", str(recorded.data), recorded.session_id, "--format", fmt)
        assert done.returncode == 0, done.stderr
        recorded.offline[fmt] = done.stdout
    return recorded

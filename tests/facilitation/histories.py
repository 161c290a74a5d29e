"""Random histories of commands from random actors, valid or not, and their runner.

Each history starts with a session's creation and goes on with commands drawn
from small pools of ids (so they collide), mostly from the role that may give
them and sometimes from any role; some carry values off the scale, unknown
groups or counts above the attendance. `run` applies what `decide` accepts.
"""

import copy
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from facilitation import Actor, FacilitationError, SessionState, apply, decide
from facilitation import commands as c
from facilitation import events as ev
from facilitation.settings import SessionSettings
from facilitation.vocabulary import (
    DEFAULT_GROUPS,
    INTENTS,
    LANGUAGES,
    SCALE,
    MarkStatus,
)

from .conftest import DISPLAY, FACILITATOR, GUEST, JOIN_CODE, NOW, OPERATOR, hub_actor, person

PIDS = tuple(f"pid-{i}" for i in range(5))
HUBS = ("hub-0", "hub-1")
PROPS = ("prop-0", "prop-1", "prop-2")
ENTRIES = tuple(f"ent-{i}" for i in range(5))
GROUPS = ("government", "civil_society", "academia", "other")
SPEAKERS = ("Speaker Ama", "Speaker Ben")
AMENDS = ("am-0", "am-1", "am-2")


NAMES = dict(
    zip(
        PIDS,
        ("Amara Okafor", "Bilal Haddad", "Chen Wei", "Dolores Ruiz", "Efua Mensah"),
        strict=True,
    )
)


def name_of(pid: str) -> str:
    """Each participant's name is their own, so a name in a view identifies one person."""
    return NAMES[pid]


def remark(pid: str, k: int) -> str:
    """A comment that names neither its author's id nor name, yet is theirs alone."""
    return f"Remark {k} #{PIDS.index(pid)}"


@dataclass(frozen=True)
class Step:
    """One command of a history, built when it is run (its constructor may refuse it)."""

    kind: str
    args: tuple[Any, ...]
    actor: Actor
    dt: float = 1.0

    def command(self) -> c.Command:
        built: c.Command = getattr(c, self.kind)(*self.args)
        return built


# --- strategies -------------------------------------------------------------
# Each step is decoded from one random integer: drawing a list of integers is
# cheap, and Hypothesis still shrinks a failing history by dropping steps.

Build = Callable[[random.Random], tuple[tuple[Any, ...], Actor]]


def odd(rng: random.Random, valid: Sequence[Any], invalid: Any) -> Any:
    """Mostly one of `valid`; now and then `invalid`."""
    return invalid if rng.random() < 0.08 else rng.choice(valid)


def group(rng: random.Random) -> str:
    return str(odd(rng, GROUPS, "martians"))


def prop(rng: random.Random) -> str:
    return rng.choice((*PROPS, PROPS[0]))


def entry(rng: random.Random) -> str:
    return rng.choice(ENTRIES)


def intent(rng: random.Random) -> str:
    return str(odd(rng, INTENTS, "shout"))


def by_facilitator(*parts: Callable[[random.Random], Any]) -> Build:
    return lambda rng: (tuple(part(rng) for part in parts), FACILITATOR)


def _join(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    pid = rng.choice(PIDS)
    channel = odd(rng, ("in_room", "remote"), "hub")
    name = odd(rng, (name_of(pid), None, ""), "n" * 81)
    return (pid, group(rng), channel, name, odd(rng, (None, "fr", "ar"), "tlh")), GUEST


def _rating(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    pid = rng.choice(PIDS)
    comment = odd(rng, (None, remark(pid, rng.randrange(3))), "x" * 1001)
    return (prop(rng), odd(rng, (*SCALE, None), "maybe"), comment), person(pid)


def _hub_tally(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    first = {k: rng.randrange(6) for k in rng.sample(SCALE, rng.randrange(4))}
    second = {k: rng.randrange(3) for k in rng.sample(SCALE, rng.randrange(3))}
    counts = {k: first.get(k, 0) + second.get(k, 0) for k in {*first, *second}}
    g1, g2 = group(rng), rng.choice(GROUPS)
    split = {g1: first, g2: second} if g1 != g2 else {g1: counts}
    by_group = odd(rng, (None, {g1: counts}, split), {g1: first})  # the last may not add up
    return (prop(rng), counts, by_group), hub_actor(rng.choice(HUBS))


def _raise(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    on = prop(rng) if rng.random() < 0.3 else None
    return (entry(rng), intent(rng), on), person(rng.choice(PIDS))


def _hub_speaker(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    args = (entry(rng), rng.choice(SPEAKERS), group(rng), intent(rng))
    return args, hub_actor(rng.choice(HUBS))


def _propose(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    actor = person(rng.choice(PIDS)) if rng.random() < 0.7 else hub_actor(rng.choice(HUBS))
    text = odd(rng, ("Reworded text", "Text of prop-0", "Another wording"), "")
    args = (rng.choice(AMENDS), prop(rng), text, odd(rng, (None, "Clearer"), "w" * 1001))
    return args, actor


def _accept(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    text = odd(rng, (None, None, "Edited by the chair"), "t" * 2001)
    args = (rng.choice(AMENDS), text, rng.choice((None, "Thanks")), rng.random() < 0.5)
    return args, FACILITATOR


def _import_translations(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    content = odd(
        rng,
        ("position,fr,ar\n1,Texte,نص\n", "id,es\nprop-1,Texto\n", '[{"position": 2, "fr": "B"}]'),
        "position,klingon\n1,x\n",
    )
    return ("json" if content.startswith("[") else "csv", content), FACILITATOR


WINDOWS = ("win-0", "win-1")
SCHEDULER = Actor("scheduler")


def _local(at: float) -> str:
    """`at` (seconds since the epoch) as a local time in UTC, the sessions' default zone."""
    return datetime.fromtimestamp(at, UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _window(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    # Histories start at NOW and move on by up to a few minutes a step.
    opens = NOW + rng.choice((-600, 0, 30, 300, 3000))
    closes = opens + odd(rng, (60, 600, 7200), -60)
    on = rng.choice((None, *PROPS))
    return (rng.choice(WINDOWS), on, _local(opens), _local(closes)), FACILITATOR


def _carry(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    status: MarkStatus = rng.choice(("no_consensus", "needs_revision"))
    item = c.Carried(
        rng.choice((*PROPS, "prop-9")),
        "Text carried",
        "s0",
        "Past",
        "ab" * 32,
        "no_consensus",
        1,
        4,
        0.5,
        {"agree": 2, "disagree": 2},
    )
    return ((replace(item, status=status),),), FACILITATOR


def _registrant_row(rng: random.Random, number: int, pid: str) -> c.RegistrantRow:
    """A row for `pid` (so an invited person rates as one of the pool), now and then bad."""
    values = {
        "name": name_of(pid),
        "email": odd(rng, (f"{pid}@example.org",), "not-an-email"),
        "stakeholder_group": group(rng),
        "channel": odd(rng, ("on-site", "online"), "by pigeon"),
        "language": odd(rng, ("en", "fr"), "tlh"),
    }
    return c.RegistrantRow(number, pid, f"key-{pid}", values)


def _import(rng: random.Random) -> tuple[tuple[Any, ...], Actor]:
    chosen = rng.sample(PIDS[3:] + PIDS[:1], rng.randint(1, 2))
    rows = tuple(_registrant_row(rng, i, pid) for i, pid in enumerate(chosen, start=2))
    return (rows,), FACILITATOR


BUILD: dict[str, tuple[int, Build]] = {  # kind: (how often, builder)
    "Join": (3, _join),
    "RemoveParticipant": (2, by_facilitator(lambda r: r.choice(PIDS), lambda r: r.random() < 0.7)),
    "AddProposition": (
        1,
        by_facilitator(prop, lambda r: "New text", lambda r: None, lambda r: r.choice((None, "A"))),
    ),
    "MoveProposition": (1, by_facilitator(prop, lambda r: r.randint(1, 4))),
    "OpenProposition": (2, by_facilitator(prop)),
    "CloseProposition": (1, by_facilitator(prop)),
    "RevealResults": (1, by_facilitator(prop, lambda r: r.random() < 0.7)),
    "SubmitRating": (8, _rating),
    "RaiseHand": (4, _raise),
    "LowerHand": (1, lambda r: ((), person(r.choice(PIDS)))),
    "HubTally": (3, _hub_tally),
    "HubSpeaker": (2, _hub_speaker),
    "QueueNext": (3, by_facilitator(lambda r: odd(r, (None, None, 45), 0))),
    "YieldFloor": (
        1,
        lambda r: ((), odd(r, [person(p) for p in PIDS], hub_actor(r.choice(HUBS)))),
    ),
    "CloseQueue": (1, by_facilitator(lambda r: odd(r, (True, False, False), "yes"))),
    "ShowOnDisplay": (
        1,
        by_facilitator(
            lambda r: odd(r, ("auto", "proposition", "agenda"), "wall"),
            lambda r: r.choice((None, prop(r))),
        ),
    ),
    "QueueMove": (2, by_facilitator(entry, lambda r: r.randint(1, 6))),
    "QueueRemove": (1, by_facilitator(entry)),
    "SetTimer": (
        1,
        by_facilitator(
            lambda r: odd(r, ("start", "pause", "reset"), "stop"),
            lambda r: odd(r, (None, None, 30, 90), 0),
        ),
    ),
    "MarkConsensus": (
        1,
        by_facilitator(prop, lambda r: r.choice(("rough_consensus", "no_consensus", "unmarked"))),
    ),
    "InviteHub": (
        1,
        by_facilitator(lambda r: r.choice(HUBS), lambda r: "Hub Lima", lambda r: r.randint(0, 25)),
    ),
    "UpdateHub": (1, by_facilitator(lambda r: r.choice(HUBS), lambda r: r.randint(1, 25))),
    "RotateHubToken": (1, by_facilitator(lambda r: r.choice(HUBS))),
    "RotateLinks": (1, by_facilitator(lambda r: odd(r, ("facilitator", "display"), "hub"))),
    "CreateSession": (1, lambda r: (("s1", "Again", JOIN_CODE), OPERATOR)),
    "EditProposition": (
        2,
        by_facilitator(
            prop,
            lambda r: odd(r, ("Text of prop-0", "Revised text", "Third text"), " "),
            lambda r: r.choice((None, "", "Draft 3")),
            lambda r: r.random() < 0.5,
        ),
    ),
    "WithdrawProposition": (1, by_facilitator(prop)),
    "UndoClose": (1, by_facilitator(prop)),
    "ProposeAmendment": (2, _propose),
    "AcceptAmendment": (1, _accept),
    "DeclineAmendment": (1, by_facilitator(lambda r: r.choice(AMENDS), lambda r: "No")),
    "TranslateProposition": (
        1,
        by_facilitator(
            prop, lambda r: odd(r, ("fr", "ar", "zh"), "tlh"), lambda r: r.choice((None, "Texte"))
        ),
    ),
    "ImportTranslations": (1, _import_translations),
    # Rare, so that most histories stay open long enough to rate.
    "SetSessionStatus": (
        1,
        lambda r: ((odd(r, ("open", "open", "closed", "archived"), "gone"),), OPERATOR),
    ),
    "SetWindow": (1, _window),
    "CancelWindow": (1, by_facilitator(lambda r: r.choice(WINDOWS))),
    "AdvanceWindows": (2, lambda r: ((), SCHEDULER)),
    "PublishOutcome": (1, by_facilitator(lambda r: odd(r, (None, "Chair's note"), "n" * 2001))),
    "UnpublishOutcome": (1, by_facilitator()),
    "CarryForward": (1, _carry),
    "ImportRegistrants": (1, _import),
    "RemoveRegistrant": (1, by_facilitator(lambda r: r.choice(PIDS))),
    "OpenInvitation": (2, lambda r: ((r.choice(PIDS),), GUEST)),
    "SetAdmission": (
        1,
        by_facilitator(
            lambda r: odd(r, ("open", "registered", "both"), "closed"),
            lambda r: r.choice((None, "all", "registered")),
        ),
    ),
}
EVERYTHING = {kind: weight for kind, (weight, _) in BUILD.items()}
# The queue on its own, busy: many hands, moves and removals, few turns.
QUEUEING = {
    "Join": 1,
    "RemoveParticipant": 1,
    "RaiseHand": 4,
    "LowerHand": 1,
    "HubSpeaker": 2,
    "QueueNext": 1,
    "QueueMove": 3,
    "QueueRemove": 1,
    "InviteHub": 1,
}
ANY_ACTOR = (FACILITATOR, DISPLAY, GUEST, OPERATOR, *map(person, PIDS), *map(hub_actor, HUBS))


def decode(seed: int, kinds: Mapping[str, int]) -> Step:
    rng = random.Random(seed)
    (kind,) = rng.choices(list(kinds), weights=list(kinds.values()))
    args, actor = BUILD[kind][1](rng)
    if rng.random() < 0.1:  # now and then, someone who may not
        actor = rng.choice(ANY_ACTOR)
    return Step(kind, args, actor, rng.choice((0.0, 0.5, 7.0, 150.0)))


def opening(seed: int) -> list[Step]:
    """A usual start: a session, four people, a hub and an open proposition."""
    rng = random.Random(seed)
    raw = {
        "results_visibility": rng.choice(("on_reveal", "live")),
        "queue_policy": rng.choice(("default", "default", "fifo")),
        "speaking_seconds": rng.choice((60, 120)),
        "admission": rng.choice(("open", "open", "both", "registered")),
        "suggestion_follows": rng.choice(("all", "registered")),
    }
    propositions = tuple((p, f"Text of {p}", None) for p in PROPS[: rng.randint(1, 3)])
    create = (
        "s1",
        "Plenary",
        JOIN_CODE,
        LANGUAGES,
        DEFAULT_GROUPS,
        SessionSettings.from_dict(raw),
        propositions,
    )
    joins = [
        Step(
            "Join",
            (pid, rng.choice(GROUPS), rng.choice(("in_room", "remote")), name_of(pid)),
            GUEST,
        )
        for pid in PIDS[:3]
    ]
    # The last two of the pool are invited, and come.
    rows = tuple(
        c.RegistrantRow(
            i,
            pid,
            f"key-{pid}",
            {
                "name": name_of(pid),
                "email": f"{pid}@example.org",
                "stakeholder_group": rng.choice(GROUPS),
                "channel": rng.choice(("on-site", "online")),
                "language": "en",
            },
        )
        for i, pid in enumerate(PIDS[3:], start=2)
    )
    invited = [Step("ImportRegistrants", (rows,), FACILITATOR)]
    invited += [Step("OpenInvitation", (pid,), GUEST) for pid in PIDS[3:]]
    return [
        Step("CreateSession", create, OPERATOR),
        *joins,
        *invited,
        Step("InviteHub", ("hub-0", "Hub Accra", rng.randint(1, 20)), FACILITATOR),
        Step("OpenProposition", ("prop-0",), FACILITATOR),
    ]


def histories(
    max_size: int = 60, kinds: Mapping[str, int] = EVERYTHING
) -> st.SearchStrategy[list[Step]]:
    seeds = st.integers(0, 2**32 - 1)
    return st.tuples(seeds, st.lists(seeds, min_size=max_size // 4, max_size=max_size)).map(
        lambda drawn: opening(drawn[0]) + [decode(seed, kinds) for seed in drawn[1]]
    )


CODES = frozenset(
    {"bad_request", "unauthorized", "forbidden", "not_found", "conflict", "closed", "too_large"}
)


# --- running a history ------------------------------------------------------


@dataclass
class Run:
    state: SessionState = field(default_factory=SessionState)
    log: list[ev.Event] = field(default_factory=list)
    now: float = NOW
    accepted: int = 0
    refused: int = 0


def attempt(state: SessionState, item: Step, now: float) -> list[ev.Event] | FacilitationError:
    try:
        return decide(state, item.command(), item.actor, now)
    except FacilitationError as refusal:
        return refusal


def run(
    history: list[Step], *, check_unchanged: bool = False
) -> Iterator[tuple[Run, Step, list[ev.Event]]]:
    """Run the history, yielding after each accepted command. With `check_unchanged`,
    check at each step that `decide`, refusing or not, left the state as it was."""
    result = Run()
    for item in history:
        result.now += item.dt
        before = copy.deepcopy(result.state) if check_unchanged else None
        events = attempt(result.state, item, result.now)
        if before is not None:
            assert result.state == before
        if isinstance(events, FacilitationError):
            assert events.code in CODES
            result.refused += 1
            continue
        for event in events:
            apply(result.state, event)
        result.log.extend(events)
        result.accepted += 1
        yield result, item, events


def finished(history: list[Step]) -> Run:
    last = Run()
    for last, _, _ in run(history):  # noqa: B007 - the last one is the answer
        pass
    return last

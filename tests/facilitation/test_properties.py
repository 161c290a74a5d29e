"""Property tests: what holds after every accepted command of any history.

The histories (see `histories.py`) mix valid and invalid commands from any
role; `decide` refuses some, and the rest are applied.
"""

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings

from facilitation import SessionState, apply, decide, replay
from facilitation import commands as c
from facilitation import events as ev
from facilitation.queue import ordered, position
from facilitation.state import Tally, Vector, zeros
from facilitation.views import TOUCHES, view
from facilitation.vocabulary import HUB_DEFAULT_GROUP, SCALE, SCALE_INDEX

from .conftest import FACILITATOR, NOW
from .histories import QUEUEING, Run, Step, attempt, finished, histories, name_of, run

FAST = settings(max_examples=200, deadline=None)


# --- properties -------------------------------------------------------------


@FAST
@given(histories())
def test_replaying_the_log_rebuilds_the_live_state(history: list[Step]) -> None:
    final = finished(history)
    assert final.state.version == len(final.log)
    assert replay(final.log) == final.state
    text = json.dumps([ev.to_json(event) for event in final.log], allow_nan=False)
    assert replay(ev.from_json(body) for body in json.loads(text)) == final.state


@dataclass
class Recount:
    """One round, recounted from the log alone."""

    ratings: dict[str, int] = field(default_factory=dict)  # participant: value index
    hubs: dict[str, Vector] = field(default_factory=dict)  # hub: counts
    tally: Tally = field(default_factory=Tally)
    live: dict[str, bool] = field(default_factory=dict)  # participant: rated in the live hour
    registered: Tally = field(default_factory=Tally)  # the invited raters' part


def recount(log: list[ev.Event]) -> dict[tuple[str, int], Recount]:
    """Each person's latest rating of each round (unless discarded) plus each hub's
    latest counts, and the tallies they add up to."""
    who: dict[str, tuple[str, str]] = {}
    listed: dict[str, tuple[str, str]] = {}
    invited: set[str] = set()
    rounds: dict[tuple[str, int], Recount] = {}
    hub_counts: dict[tuple[str, int, str], ev.HubTallied] = {}
    agenda: list[str] = []
    is_open: set[str] = set()
    windows: dict[str, str | None] = {}
    for event in log:
        if isinstance(event, ev.ParticipantJoined):
            who[event.participant_id] = (event.stakeholder_group, event.channel)
        elif isinstance(event, ev.PropositionAdded):
            agenda.append(event.proposition_id)
        elif isinstance(event, ev.RegistrantsImported):
            listed |= {r[0]: (r[3], r[4]) for r in event.registrants}
        elif isinstance(event, ev.InvitationOpened):
            who[event.registrant_id] = listed[event.registrant_id]
            invited.add(event.registrant_id)
        elif isinstance(event, ev.PropositionOpened):
            rounds[(event.proposition_id, event.round)] = Recount()
            is_open.add(event.proposition_id)
        elif isinstance(event, ev.PropositionClosed):
            is_open.discard(event.proposition_id)
        elif isinstance(event, ev.CloseUndone):  # the chair's round is live again
            is_open.add(event.proposition_id)
        elif isinstance(event, ev.WindowSet):
            windows[event.window_id] = event.proposition_id
        elif isinstance(event, ev.WindowOpened):
            on = windows[event.window_id]
            for pid in agenda:  # a window opens round 1 of what was never rated
                if on in (None, pid) and not any(key[0] == pid for key in rounds):
                    rounds[(pid, 1)] = Recount()
        elif isinstance(event, ev.RatingSubmitted):
            counted = rounds[(event.proposition_id, event.round)]
            counted.ratings.pop(event.participant_id, None)
            if event.value is not None:
                counted.ratings[event.participant_id] = SCALE_INDEX[event.value]
                counted.live[event.participant_id] = event.proposition_id in is_open
        elif isinstance(event, ev.RatingsDiscarded):
            for counted in rounds.values():
                counted.ratings.pop(event.participant_id, None)
        elif isinstance(event, ev.HubTallied):
            hub_counts[(event.proposition_id, event.round, event.hub_id)] = event
    for counted in rounds.values():
        for participant, value in counted.ratings.items():
            counted.tally.add(*who[participant], value, 1)
            if participant in invited:
                counted.registered.add(*who[participant], value, 1)
    for (pid, number, hub_id), tallied in hub_counts.items():
        counted = rounds[(pid, number)]
        counted.hubs[hub_id] = [tallied.counts.get(key, 0) for key in SCALE]
        split = tallied.by_group or {HUB_DEFAULT_GROUP: tallied.counts}
        for group_name, by_value in split.items():
            for scale_key, n in by_value.items():
                counted.tally.by_group.setdefault(group_name, zeros())[SCALE_INDEX[scale_key]] += n
        for scale_key, n in tallied.counts.items():
            counted.tally.counts[SCALE_INDEX[scale_key]] += n
            counted.tally.by_channel.setdefault("hub", zeros())[SCALE_INDEX[scale_key]] += n
    return rounds


def nonzero(vectors: dict[str, Vector]) -> dict[str, Vector]:
    return {k: v for k, v in vectors.items() if any(v)}


@FAST
@given(histories())
def test_each_rounds_tally_equals_a_recount(history: list[Step]) -> None:
    counting = (
        ev.RatingSubmitted
        | ev.HubTallied
        | ev.RatingsDiscarded
        | ev.PropositionOpened
        | ev.WindowOpened
    )
    for live, _, events in run(history):
        if not any(isinstance(e, counting) for e in events):
            continue
        expected = recount(live.log)
        for proposition in live.state.propositions.values():
            for round_ in proposition.rounds:
                want = expected[(proposition.proposition_id, round_.number)]
                assert {p: r.value for p, r in round_.ratings.items()} == want.ratings
                assert {h: hub.counts for h, hub in round_.hub_counts.items()} == want.hubs
                tally = round_.tally
                assert tally.counts == want.tally.counts
                assert nonzero(tally.by_group) == nonzero(want.tally.by_group)
                assert nonzero(tally.by_channel) == nonzero(want.tally.by_channel)
                outside = zeros()
                for participant, value in want.ratings.items():
                    outside[value] += not want.live[participant]
                assert tally.by_timing.get("window", zeros()) == outside
                inside = [a - b for a, b in zip(tally.counts, outside, strict=True)]
                assert tally.by_timing.get("live", zeros()) == inside
                assert round_.registered.counts == want.registered.counts
                assert nonzero(round_.registered.by_group) == nonzero(want.registered.by_group)
                vectors = [tally.counts, *tally.by_group.values(), *tally.by_channel.values()]
                assert all(n >= 0 for vector in vectors for n in vector)


@FAST
@given(histories() | histories(kinds=QUEUEING))
def test_the_queue_never_holds_two_entries_of_one_owner(history: list[Step]) -> None:
    for live, _, _ in run(history):
        queue = live.state.queue
        owners = [entry.owner for entry in queue.entries.values()]
        assert len(owners) == len(set(owners))
        assert queue.by_owner == {e.owner: e.entry_id for e in queue.entries.values()}
        assert all(key == entry.entry_id for key, entry in queue.entries.items())
        shown = ordered(queue, live.state.settings.queue_policy)
        assert sorted(e.entry_id for e in shown) == sorted(queue.entries)
        for owner in owners:
            if owner.startswith("p:"):
                assert not live.state.participants[owner[2:]].removed


@FAST
@given(histories())
def test_hub_counts_never_exceed_the_attendance(history: list[Step]) -> None:
    for live, _, events in run(history):
        for event in events:
            if isinstance(event, ev.HubTallied):
                assert sum(event.counts.values()) <= live.state.hubs[event.hub_id].attendance
        for proposition in live.state.propositions.values():
            if proposition.status != "open":
                continue
            for hub_id, counted in proposition.rounds[-1].hub_counts.items():
                assert sum(counted.counts) <= live.state.hubs[hub_id].attendance


@settings(max_examples=150, deadline=None)
@given(histories())
def test_refused_commands_change_nothing(history: list[Step]) -> None:
    final = Run()
    for final, _, _ in run(history, check_unchanged=True):  # noqa: B007 - checks as it runs
        pass
    assert final.accepted + final.refused == len(history)
    assert final.accepted >= 1  # the session's creation


def strings(value: object) -> Iterator[str]:
    """Every string in a JSON-like value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def comments_by(log: list[ev.Event]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for event in log:
        if isinstance(event, ev.RatingSubmitted) and event.comment:
            found.setdefault(event.participant_id, set()).add(event.comment)
    return found


def audiences(state: SessionState) -> Iterator[tuple[str, str]]:
    yield "display", ""
    for pid in state.participants:
        yield "participant", pid
    for hub_id in state.hubs:
        yield "hub", hub_id


@settings(max_examples=120, deadline=None)
@given(histories())
def test_views_never_leak_identities_names_or_comments(history: list[Step]) -> None:
    for live, _, _ in run(history):
        state = live.state
        comments = comments_by(live.log)
        in_queue = {name_of(entry.owner[2:]) for entry in queued(state)}
        for role, subject in audiences(state):
            shown = view(state, role, subject, live.now)
            mine = (role, subject) if role == "participant" else None
            others = [p for p in state.participants if ("participant", p) != mine]
            # Raising a hand is public: a waiting or speaking entry shows the name one gave.
            assert mentions(shown["queue"], {name_of(p) for p in others}) <= in_queue
            rest = {k: v for k, v in shown.items() if k != "queue"}
            assert not mentions(shown, set(others))
            assert not mentions(rest, {name_of(p) for p in others})
            own = comments.get(subject, set()) if mine else set()
            assert not mentions(shown, {c for p in others for c in comments.get(p, ())} - own)
            if mine is not None:
                # One's own comments come back only in `me`.
                elsewhere = {k: v for k, v in shown.items() if k != "me"}
                assert not mentions(elsewhere, own)
            _distribution_hidden_until_revealed(state, role, shown)
        # The facilitator reads objections with group and channel, never who.
        objections = view(state, "facilitator", "", live.now)["propositions"]
        assert not mentions(objections, {*state.participants, *map(name_of, state.participants)})


def mentions(value: object, tokens: set[str]) -> set[str]:
    """The tokens found anywhere in the strings of `value`, keys included."""
    text = "\0".join(strings(value))
    return {token for token in tokens if token in text}


def queued(state: SessionState) -> Iterator[Any]:
    """The participants' entries that are waiting or have the floor."""
    entries = list(state.queue.entries.values())
    if state.queue.current is not None:
        entries.append(state.queue.current.entry)
    return (entry for entry in entries if entry.owner.startswith("p:"))


def _distribution_hidden_until_revealed(state: SessionState, role: str, shown: Any) -> None:
    for item in shown["propositions"]:
        proposition = state.propositions[item["id"]]
        visible = proposition.revealed or state.settings.results_visibility == "live"
        for round_ in item["rounds"]:
            if visible:
                assert "counts" in round_
            elif role == "display":
                assert set(round_) == {"round", "revision", "total"}
            else:
                assert set(round_) == {"round", "revision"}


@settings(max_examples=100, deadline=None)
@given(histories(max_size=40))
def test_an_event_changes_only_the_sections_it_declares(history: list[Step]) -> None:
    """The shell recomputes only `TOUCHES[type(event)]`: nothing else may change."""
    state = SessionState()
    now = NOW
    for item in history:
        now += item.dt
        events = attempt(state, item, now)
        for event in events if isinstance(events, list) else []:
            before = all_views(state, now) if state.created else {}
            apply(state, event)
            for audience, sections in all_views(state, now).items():
                if audience not in before:  # a new participant or hub: all of it is new
                    continue
                changed = {k for k, body in sections.items() if before[audience][k] != body}
                assert changed <= TOUCHES[type(event)], (type(event).__name__, audience)


def all_views(state: SessionState, now: float) -> dict[tuple[str, str], dict[str, Any]]:
    views = {("facilitator", ""): view(state, "facilitator", "", now)}
    for role, subject in audiences(state):
        views[(role, subject)] = view(state, role, subject, now)
    return views


@FAST
@given(histories(kinds=QUEUEING))
def test_a_moved_entry_lands_where_it_was_moved(history: list[Step]) -> None:
    for live, item, events in run(history):
        for event in events:
            if isinstance(event, ev.EntryMoved):
                queue = live.state.queue
                assert position(queue, event.entry_id, live.state.settings.queue_policy) == min(
                    item.args[1], len(queue.entries)
                )


@settings(max_examples=120, deadline=None)
@given(histories(kinds=QUEUEING))
def test_queue_next_follows_the_order_shown(history: list[Step]) -> None:
    """At any moment, with nobody arriving, `queue:next` gives the floor in the order shown."""
    for live, _, _ in run(history):
        state = copy.deepcopy(live.state)
        shown = [e.entry_id for e in ordered(state.queue, state.settings.queue_policy)]
        given_floor = []
        for _ in shown:
            (event,) = decide(state, c.QueueNext(), FACILITATOR, live.now)
            apply(state, event)
            assert isinstance(event, ev.FloorGiven)
            given_floor.append(event.entry_id)
        assert given_floor == shown

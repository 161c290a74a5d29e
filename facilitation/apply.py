"""`apply(state, event) -> state`: total and deterministic.

`apply` trusts its event: `decide` produced it against this very state, or the
log recorded it after `decide` did. It changes `state` in place (the single
writer owns it) and returns it; replaying a log from an empty state rebuilds
exactly the state the live session had.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Final, Generic, TypeVar

from . import events as ev
from . import publication as pub
from . import windows as win
from . import wording_apply as w
from .opinions import position
from .queue import ordered
from .registrants import channel_of
from .state import (
    Entry,
    Hub,
    HubCounts,
    Mark,
    Participant,
    Proposition,
    Rating,
    Registrant,
    RoundState,
    SessionState,
    Tally,
    Timer,
    Turn,
    Vector,
)
from .vocabulary import HUB_DEFAULT_GROUP, SCALE, SCALE_INDEX, Channel, Intent


def apply(state: SessionState, event: ev.Event) -> SessionState:
    APPLY[type(event)].apply(state, event)
    state.version += 1
    return state


def replay(events: Iterable[ev.Event], state: SessionState | None = None) -> SessionState:
    state = SessionState() if state is None else state
    for event in events:
        apply(state, event)
    return state


def _session_created(s: SessionState, e: ev.SessionCreated) -> None:
    s.session_id, s.title, s.join_code = e.session_id, e.title, e.join_code
    s.languages, s.stakeholder_groups = e.languages, e.stakeholder_groups
    s.settings, s.created_at = e.settings, e.at


def _participant_joined(s: SessionState, e: ev.ParticipantJoined) -> None:
    s.participants[e.participant_id] = Participant(
        e.participant_id,
        e.stakeholder_group,
        e.channel,
        e.name,
        e.language,
        e.at,
        seq=s.version + 1,
    )


def _participant_removed(s: SessionState, e: ev.ParticipantRemoved) -> None:
    who = s.participants[e.participant_id]
    who.removed, who.seq = True, s.version + 1
    entry_id = s.queue.by_owner.get("p:" + e.participant_id)
    if entry_id is not None:
        _leave_queue(s, entry_id)


def _ratings_discarded(s: SessionState, e: ev.RatingsDiscarded) -> None:
    for proposition in s.propositions.values():
        for round_ in proposition.rounds:
            old = round_.ratings.pop(e.participant_id, None)
            if old is not None:
                _count(round_, old, -1)
                _changed(s, round_, e.participant_id)
    s.opinions.drop_row(e.participant_id)


def _count(round_: RoundState, rating: Rating, step: int) -> None:
    round_.tally.add(rating.stakeholder_group, rating.channel, rating.value, step)
    _add_timing(round_.tally, rating.live, rating.value, step)
    if rating.registered:
        round_.registered.add(rating.stakeholder_group, rating.channel, rating.value, step)


def _proposition_added(s: SessionState, e: ev.PropositionAdded) -> None:
    s.propositions[e.proposition_id] = Proposition(
        e.proposition_id, e.text, e.source, section=e.section
    )
    s.order.append(e.proposition_id)
    s.opinions.add_column(e.proposition_id)


def _proposition_moved(s: SessionState, e: ev.PropositionMoved) -> None:
    s.order.remove(e.proposition_id)
    s.order.insert(e.position - 1, e.proposition_id)


def _proposition_opened(s: SessionState, e: ev.PropositionOpened) -> None:
    proposition = s.propositions[e.proposition_id]
    proposition.status = "open"
    # A new round starts hidden: nobody sees a tally before rating it.
    proposition.revealed = False
    proposition.rounds.append(RoundState(e.round, e.at, revision=proposition.revision))
    s.opinions.clear_column(e.proposition_id)  # the map follows each proposition's latest round


def _proposition_closed(s: SessionState, e: ev.PropositionClosed) -> None:
    proposition = s.propositions[e.proposition_id]
    proposition.status = "closed"
    proposition.rounds[-1].closed_at = e.at
    _publish(proposition.rounds[-1])  # the remainder of the last step: the final figures


def _results_revealed(s: SessionState, e: ev.ResultsRevealed) -> None:
    s.propositions[e.proposition_id].revealed = e.visible


def _rating_submitted(s: SessionState, e: ev.RatingSubmitted) -> None:
    round_ = s.propositions[e.proposition_id].rounds[e.round - 1]
    old = round_.ratings.pop(e.participant_id, None)
    if old is not None:
        _count(round_, old, -1)
    if e.value is not None:
        who = s.participants[e.participant_id]
        value = SCALE_INDEX[e.value]
        live = s.propositions[e.proposition_id].status == "open"
        rating = Rating(
            value, e.comment, who.stakeholder_group, who.channel, e.at, who.registered, live
        )
        round_.ratings[e.participant_id] = rating
        _count(round_, rating, 1)
    _changed(s, round_, e.participant_id)
    if e.round == len(s.propositions[e.proposition_id].rounds):
        x = None if e.value is None else position(SCALE_INDEX[e.value])
        s.opinions.set(e.participant_id, e.proposition_id, x)


def _add_timing(tally: Tally, live: bool, value: int, step: int) -> None:
    tally.by_timing.setdefault("live" if live else "window", [0] * 6)[value] += step


def _hand_raised(s: SessionState, e: ev.HandRaised) -> None:
    who = s.participants[e.participant_id]
    name = who.name or who.stakeholder_group
    _enqueue(
        s,
        "p:" + e.participant_id,
        e.entry_id,
        name,
        who.stakeholder_group,
        who.channel,
        e.intent,
        e.proposition_id,
        None,
        e.at,
    )


def _hub_speaker_added(s: SessionState, e: ev.HubSpeakerAdded) -> None:
    _enqueue(
        s,
        f"h:{e.hub_id}:{e.name}",
        e.entry_id,
        e.name,
        e.stakeholder_group,
        "hub",
        e.intent,
        None,
        e.hub_id,
        e.at,
    )


def _enqueue(
    s: SessionState,
    owner: str,
    entry_id: str,
    name: str,
    group: str,
    channel: Channel,
    intent: Intent,
    proposition_id: str | None,
    hub_id: str | None,
    at: float,
) -> None:
    queue = s.queue
    existing = queue.by_owner.get(owner)
    if existing is not None:  # raising again keeps one's place
        entry = queue.entries[existing]
        entry.intent, entry.proposition_id = intent, proposition_id
        return
    queue.entries[entry_id] = Entry(
        entry_id, owner, name, group, channel, intent, proposition_id, hub_id, queue.next_seq, at
    )
    queue.by_owner[owner] = entry_id
    queue.next_seq += 1


def _leave_queue(s: SessionState, entry_id: str) -> Entry:
    """Take an entry out; pinned entries behind it move up one place."""
    queue = s.queue
    order = ordered(queue, s.settings.queue_policy)
    place = next(i for i, e in enumerate(order) if e.entry_id == entry_id) + 1
    for entry in queue.entries.values():
        if entry.pin is not None and entry.pin > place:
            entry.pin -= 1
    entry = queue.entries.pop(entry_id)
    del queue.by_owner[entry.owner]
    return entry


def _entry_removed(s: SessionState, e: ev.EntryRemoved) -> None:
    _leave_queue(s, e.entry_id)


def _entry_moved(s: SessionState, e: ev.EntryMoved) -> None:
    """The entry takes the place given and the others keep their order, as in a list.

    Pinned entries between its old and new place shift one place, so that each
    pin stays the place its entry is shown at: two pins never claim one place,
    and the entry just moved is shown exactly where the facilitator put it.
    """
    order = ordered(s.queue, s.settings.queue_policy)
    moved = s.queue.entries[e.entry_id]
    old = next(place for place, entry in enumerate(order, 1) if entry is moved)
    for place, entry in enumerate(order, 1):
        if entry.pin is None or entry is moved:
            continue
        if old < place <= e.position:
            entry.pin = place - 1
        elif e.position <= place < old:
            entry.pin = place + 1
    moved.pin = e.position


def _end_turn(s: SessionState, at: float) -> None:
    queue = s.queue
    if queue.current is not None:
        queue.current.ended_at = at
        queue.turns.append(queue.current)
        queue.current = None
    s.timer = Timer()


def _floor_given(s: SessionState, e: ev.FloorGiven) -> None:
    queue = s.queue
    _end_turn(s, e.at)
    if e.entry_id is None:
        return
    entry = _leave_queue(s, e.entry_id)
    entry.pin = None
    queue.current = Turn(entry, e.at)
    queue.had_floor.add(entry.owner)
    queue.last_side = "room" if entry.channel == "in_room" else "remote"
    seconds = float(s.settings.seconds_for(entry.intent))
    s.timer = Timer(seconds, seconds, e.at)


def _floor_yielded(s: SessionState, e: ev.FloorYielded) -> None:
    _end_turn(s, e.at)


def _queue_closed(s: SessionState, e: ev.QueueClosed) -> None:
    s.queue.closed = e.closed


def _display_chosen(s: SessionState, e: ev.DisplayChosen) -> None:
    s.display_mode, s.display_proposition = e.mode, e.proposition_id


def _timer_changed(s: SessionState, e: ev.TimerChanged) -> None:
    timer = s.timer
    if e.action == "start" and e.seconds is not None:
        s.timer = Timer(float(e.seconds), float(e.seconds), e.at)
    elif e.action == "start":
        timer.started_at = e.at
    elif e.action == "pause":
        timer.remaining, timer.started_at = timer.remaining_at(e.at), None
    else:
        timer.remaining, timer.started_at = timer.duration, None


def _consensus_marked(s: SessionState, e: ev.ConsensusMarked) -> None:
    mark = None if e.status == "unmarked" else Mark(e.status, e.note, e.at)
    s.propositions[e.proposition_id].mark = mark


def _hub_invited(s: SessionState, e: ev.HubInvited) -> None:
    s.hubs[e.hub_id] = Hub(e.hub_id, e.name, e.attendance, e.at)


def _hub_updated(s: SessionState, e: ev.HubUpdated) -> None:
    s.hubs[e.hub_id].attendance = e.attendance


def _hub_token_rotated(s: SessionState, e: ev.HubTokenRotated) -> None:
    s.hubs[e.hub_id].epoch = e.epoch


def _links_rotated(s: SessionState, e: ev.LinksRotated) -> None:
    s.link_epochs[e.role] = e.epoch


def _session_status_changed(s: SessionState, e: ev.SessionStatusChanged) -> None:
    s.status = e.status


def _registrants_imported(s: SessionState, e: ev.RegistrantsImported) -> None:
    for rid, name, email_key, group, channel, language in e.registrants:
        kind = channel_of(channel) or "remote"  # decide wrote `in_room` or `remote`
        s.registrants[rid] = Registrant(rid, name, email_key, group, kind, language, e.at)


def _registrant_removed(s: SessionState, e: ev.RegistrantRemoved) -> None:
    s.registrants[e.registrant_id].removed = True


def _invitation_opened(s: SessionState, e: ev.InvitationOpened) -> None:
    r = s.registrants[e.registrant_id]
    s.participants[r.registrant_id] = Participant(
        r.registrant_id,
        r.stakeholder_group,
        r.channel,
        r.name,
        r.language,
        e.at,
        registered=True,
        seq=s.version + 1,
    )


def _admission_set(s: SessionState, e: ev.AdmissionSet) -> None:
    s.settings = replace(s.settings, admission=e.admission, suggestion_follows=e.suggestion_follows)


def _hub_tallied(s: SessionState, e: ev.HubTallied) -> None:
    round_ = s.propositions[e.proposition_id].rounds[e.round - 1]
    old = round_.hub_counts.pop(e.hub_id, None)
    if old is not None:
        _add_hub_counts(round_.tally, old, -1)
    new = HubCounts(
        _vector(e.counts),
        {g: _vector(c) for g, c in (e.by_group or {HUB_DEFAULT_GROUP: e.counts}).items()},
    )
    round_.hub_counts[e.hub_id] = new
    _add_hub_counts(round_.tally, new, 1)
    _changed(s, round_, "hub:" + e.hub_id)


def _changed(s: SessionState, round_: RoundState, rater: str) -> None:
    """Count `rater` among those whose rating changed since the published figure;
    publish once `min_group_size` different raters have, never one at a time."""
    round_.unpublished.add(rater)
    if len(round_.unpublished) >= s.settings.min_group_size:
        _publish(round_)


def _publish(round_: RoundState) -> None:
    round_.published = round_.tally.copy()
    round_.published_registered = round_.registered.copy()
    round_.unpublished = set()


def _window_ended(s: SessionState, e: ev.WindowClosed | ev.WindowCancelled) -> None:
    win.window_closed(s, e)
    for proposition in s.propositions.values():
        latest = proposition.rounds[-1] if proposition.rounds else None
        if latest is not None and latest.window == e.window_id and latest.closed_at == e.at:
            _publish(latest)  # a round the window ended: its final figures, as at a close


def _add_hub_counts(tally: Tally, hub: HubCounts, sign: int) -> None:
    for i, count in enumerate(hub.counts):
        tally.counts[i] += sign * count
    channel = tally.by_channel.setdefault("hub", [0] * 6)
    live = tally.by_timing.setdefault("live", [0] * 6)  # hubs count only while it is open
    for i, count in enumerate(hub.counts):
        channel[i] += sign * count
        live[i] += sign * count
    for group, vector in hub.by_group.items():
        target = tally.by_group.setdefault(group, [0] * 6)
        for i, count in enumerate(vector):
            target[i] += sign * count


def _vector(counts: dict[str, int]) -> Vector:
    return [counts.get(value, 0) for value in SCALE]


E = TypeVar("E", bound=ev.Event)


@dataclass(frozen=True, slots=True)
class Handler(Generic[E]):
    event: type[E]
    apply: Callable[[SessionState, E], None]


# One handler per event; tests check that every event of `ev.Event` has one.
# Built from a bare tuple, so that mypy checks each handler against its event.
_HANDLERS = (
    Handler(ev.SessionCreated, _session_created),
    Handler(ev.ParticipantJoined, _participant_joined),
    Handler(ev.ParticipantRemoved, _participant_removed),
    Handler(ev.RatingsDiscarded, _ratings_discarded),
    Handler(ev.PropositionAdded, _proposition_added),
    Handler(ev.PropositionMoved, _proposition_moved),
    Handler(ev.PropositionOpened, _proposition_opened),
    Handler(ev.PropositionClosed, _proposition_closed),
    Handler(ev.ResultsRevealed, _results_revealed),
    Handler(ev.RatingSubmitted, _rating_submitted),
    Handler(ev.HandRaised, _hand_raised),
    Handler(ev.HubSpeakerAdded, _hub_speaker_added),
    Handler(ev.EntryRemoved, _entry_removed),
    Handler(ev.EntryMoved, _entry_moved),
    Handler(ev.FloorGiven, _floor_given),
    Handler(ev.FloorYielded, _floor_yielded),
    Handler(ev.QueueClosed, _queue_closed),
    Handler(ev.DisplayChosen, _display_chosen),
    Handler(ev.TimerChanged, _timer_changed),
    Handler(ev.ConsensusMarked, _consensus_marked),
    Handler(ev.HubInvited, _hub_invited),
    Handler(ev.HubUpdated, _hub_updated),
    Handler(ev.HubTokenRotated, _hub_token_rotated),
    Handler(ev.HubTallied, _hub_tallied),
    Handler(ev.LinksRotated, _links_rotated),
    Handler(ev.PropositionEdited, w.edited),
    Handler(ev.PropositionRevised, w.revised),
    Handler(ev.PropositionWithdrawn, w.withdrawn),
    Handler(ev.CloseUndone, w.close_undone),
    Handler(ev.AmendmentProposed, w.amendment_proposed),
    Handler(ev.AmendmentDecided, w.amendment_decided),
    Handler(ev.TranslationSet, w.translation_set),
    Handler(ev.SessionStatusChanged, _session_status_changed),
    Handler(ev.WindowSet, win.window_set),
    Handler(ev.WindowOpened, win.window_opened),
    Handler(ev.WindowClosed, _window_ended),
    Handler(ev.WindowCancelled, _window_ended),
    Handler(ev.OutcomePublished, pub.outcome_published),
    Handler(ev.OutcomeUnpublished, pub.outcome_unpublished),
    Handler(ev.ProvenanceRecorded, pub.provenance_recorded),
    Handler(ev.RegistrantsImported, _registrants_imported),
    Handler(ev.RegistrantRemoved, _registrant_removed),
    Handler(ev.InvitationOpened, _invitation_opened),
    Handler(ev.AdmissionSet, _admission_set),
)
APPLY: Final[dict[type[Any], Handler[Any]]] = {h.event: h for h in _HANDLERS}

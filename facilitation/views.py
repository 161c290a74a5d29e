"""Role views: what each role may see, as plain JSON-ready dicts.

Rules this module keeps:
- Nobody's individual rating is in any view. Participants see their own
  ratings (`me`) and aggregates; comments reach the facilitator only as
  objections, with group and channel but no identity.
- Participants and hubs see a round's numbers only once the facilitator
  reveals them (or the session shows results live). The display, which the
  room can see, always has the running total, the distribution only then.
- Participant ids and names appear only in the facilitator's view; a queue
  entry shows the name a person gave (raising a hand is public).
"""

import hashlib
import json
from collections.abc import Iterable
from typing import Any, Final, TypedDict

from . import events as ev
from .publication import publication
from .queue import ordered
from .state import Amendment, Entry, Proposition, RoundState, SessionState, Tally
from .tally import MERGED, as_counts, metrics, private_breakdown, private_tally
from .vocabulary import CONFUSED, DISAGREE, SCALE, STRONGLY_DISAGREE, TIMINGS
from .windows import rating_window, window_view, windows

View = dict[str, Any]

ROLE_SECTIONS: Final[dict[str, tuple[str, ...]]] = {
    "facilitator": (
        "session",
        "propositions",
        "queue",
        "timer",
        "participation",
        "hubs",
        "participants",
        "speaker_log",
        "windows",
        "publication",
    ),
    "display": ("session", "propositions", "queue", "timer", "participation", "hubs", "windows"),
    "participant": ("session", "propositions", "queue", "timer", "me", "windows", "place"),
    "hub": ("session", "propositions", "queue", "timer", "hubs", "hub"),
}
OBJECTING: Final = frozenset({DISAGREE, STRONGLY_DISAGREE, CONFUSED})
# No live view carries the whole queue: with two thousand hands up, each change would
# be megabytes to every screen. Phones, the projector and hubs get its head (what they
# show), its `length`, and their own entries apart (a phone's `place`, a hub's `own`);
# the console a page, and further pages on request (`queue:page`).
QUEUE_PAGE: Final = 5
CONSOLE_PAGE: Final = 50
QUEUE_HEAD: Final[dict[str, int]] = {
    "participant": QUEUE_PAGE,
    "display": QUEUE_PAGE,
    "hub": QUEUE_PAGE,
    "facilitator": CONSOLE_PAGE,
}

# Which sections of the views an event can change: the shell recomputes only these.
_ALL: Final = frozenset(ROLE_SECTIONS["facilitator"]) | {"me", "hub", "place"}
TOUCHES: Final[dict[type, frozenset[str]]] = {
    ev.SessionCreated: _ALL,
    ev.ParticipantJoined: frozenset({"participants", "participation"}),
    ev.ParticipantRemoved: frozenset({"participants", "participation", "queue", "me", "place"}),
    ev.RatingsDiscarded: frozenset({"propositions", "me"}),
    ev.PropositionAdded: frozenset({"propositions"}),
    ev.PropositionMoved: frozenset({"propositions"}),
    # Opening and closing can change what the projector shows (session.display).
    ev.PropositionOpened: frozenset({"propositions", "hub", "me", "session"}),
    ev.PropositionClosed: frozenset({"propositions", "session"}),
    ev.ResultsRevealed: frozenset({"propositions"}),
    ev.RatingSubmitted: frozenset({"propositions", "me"}),
    ev.HandRaised: frozenset({"queue", "me", "place"}),
    ev.HubSpeakerAdded: frozenset({"queue", "place"}),
    ev.EntryRemoved: frozenset({"queue", "me", "place"}),
    ev.EntryMoved: frozenset({"queue", "place"}),
    ev.FloorGiven: frozenset({"queue", "timer", "speaker_log", "me", "place"}),
    ev.FloorYielded: frozenset({"queue", "timer", "speaker_log", "me", "place"}),
    ev.QueueClosed: frozenset({"queue"}),
    ev.DisplayChosen: frozenset({"session"}),
    ev.TimerChanged: frozenset({"timer"}),
    ev.ConsensusMarked: frozenset({"propositions"}),
    ev.HubInvited: frozenset({"hubs", "participation", "hub"}),
    ev.HubUpdated: frozenset({"hubs", "participation", "hub"}),
    ev.HubTokenRotated: frozenset(),
    ev.HubTallied: frozenset({"propositions", "hub"}),
    ev.LinksRotated: frozenset(),
    ev.PropositionEdited: frozenset({"propositions"}),
    ev.PropositionRevised: frozenset({"propositions"}),
    ev.PropositionWithdrawn: frozenset({"propositions", "me", "hub", "session"}),
    ev.CloseUndone: frozenset({"propositions"}),
    ev.AmendmentProposed: frozenset({"propositions", "me", "hub"}),
    ev.AmendmentDecided: frozenset({"propositions", "me", "hub"}),
    ev.TranslationSet: frozenset({"propositions"}),
    ev.SessionStatusChanged: frozenset({"session"}),
    ev.WindowSet: frozenset({"windows"}),
    ev.WindowOpened: frozenset({"windows", "propositions", "me"}),
    ev.WindowClosed: frozenset({"windows", "propositions", "me"}),
    ev.WindowCancelled: frozenset({"windows", "propositions", "me"}),
    ev.OutcomePublished: frozenset({"publication"}),
    ev.OutcomeUnpublished: frozenset({"publication"}),
    ev.ProvenanceRecorded: frozenset({"propositions"}),
    ev.RegistrantsImported: frozenset({"participation"}),
    ev.RegistrantRemoved: frozenset({"participation"}),
    ev.InvitationOpened: frozenset({"participants", "participation"}),
    ev.AdmissionSet: frozenset({"session", "propositions", "participation"}),
}


def view(
    state: SessionState, role: str, subject: str, now: float, sections: Iterable[str] | None = None
) -> View:
    """The sections of `role`'s view (all of them by default), at time `now`."""
    wanted = (
        ROLE_SECTIONS[role]
        if sections is None
        else [s for s in ROLE_SECTIONS[role] if s in set(sections)]
    )
    return {name: _SECTIONS[name](state, role, subject, now) for name in wanted}


def results(state: SessionState, role: str) -> View:
    """The results document of docs/protocol.md, as `role` may see it."""
    body: View = {
        "session_id": state.session_id,
        "version": state.version,
        "propositions": propositions(state, role),
        "queue": queue(state),
    }
    if role == "facilitator":
        body["participants"] = participants(state)
        body["hubs"] = hubs(state)
    return body


def distribution_visible(state: SessionState, proposition: Proposition, role: str) -> bool:
    return (
        role == "facilitator" or proposition.revealed or state.settings.results_visibility == "live"
    )


def round_view(state: SessionState, round_: RoundState, full: bool, role: str) -> View:
    """One round's numbers; outside the console, the published figure (it moves in
    steps of `min_group_size` raters), and breakdowns (and the metrics built on
    them) are those of `private_tally`, so no small group shows."""
    if not full:  # the running total alone tells nobody what anyone rated
        return {
            "round": round_.number,
            "revision": round_.revision,
            "total": sum(round_.tally.counts),
        }
    # Outside the console the distribution moves in published steps (RoundState.published).
    live = role == "facilitator"
    tally = round_.tally if live else round_.published
    body: View = {
        "round": round_.number,
        "revision": round_.revision,
        "total": sum(tally.counts),
    }
    body["counts"] = as_counts(tally.counts)
    if role == "facilitator":
        body["by_group"] = {g: as_counts(v) for g, v in sorted(tally.by_group.items()) if any(v)}
        body["by_channel"] = {
            c: as_counts(tally.by_channel.get(c, [0] * 6)) for c in ("in_room", "remote", "hub")
        }
        if any(tally.by_timing.get("window", ())):
            body["by_timing"] = {t: as_counts(tally.by_timing.get(t, [0] * 6)) for t in TIMINGS}
    else:
        if any(tally.by_timing.get("window", ())):
            # Inside and outside the live hour apart only when each side hides one person.
            shown, _ = private_breakdown(tally.by_timing, state.settings.min_group_size)
            body["by_timing"] = {t: as_counts(v) for t, v in shown.items()}
        tally = private_tally(tally, state.settings.min_group_size)
        for key, parts in (("by_group", tally.by_group), ("by_channel", tally.by_channel)):
            body[key] = {k: as_counts(v) for k, v in parts.items() if k != MERGED}
            body[key + "_merged"] = as_counts(parts[MERGED]) if MERGED in parts else None
    body["metrics"] = metrics(tally, state.settings.consensus)
    if state.settings.admission == "both":
        whole = round_.tally if live else round_.published
        registered = round_.registered if live else round_.published_registered
        _split_by_admission(state, whole, registered, role, body)
    return body


def _split_by_admission(
    state: SessionState, whole: Tally, registered: Tally, role: str, body: View
) -> None:
    """Registered and self-declared raters apart (admission `both`): their counts,
    the registered raters' own metrics, and which of the two the suggestion reads.
    Outside the console the split obeys `min_group_size` like any breakdown, and
    is of the published figure."""
    parts = {
        "registered": list(registered.counts),
        "self_declared": [a - b for a, b in zip(whole.counts, registered.counts, strict=True)],
    }
    if role == "facilitator":
        body["by_admission"] = {k: as_counts(v) for k, v in parts.items()}
        body["metrics_registered"] = metrics(registered, state.settings.consensus)
    else:
        shown, bucket = private_breakdown(parts, state.settings.min_group_size)
        body["by_admission"] = {k: as_counts(v) for k, v in shown.items()}
        # Without both parts shown, the registered metrics would expose a small part.
        private = private_tally(registered, state.settings.min_group_size)
        body["metrics_registered"] = (
            metrics(private, state.settings.consensus)
            if len(shown) == 2 and bucket is None
            else None
        )
    follows = state.settings.suggestion_follows
    body["suggestion_follows"] = follows
    if follows == "registered":
        own = body["metrics_registered"]
        body["metrics"] = {
            **body["metrics"],
            "suggests_rough_consensus": bool(own and own["suggests_rough_consensus"]),
        }


def objections(proposition: Proposition) -> list[View]:
    found = [
        (
            rating.at,
            {
                "round": round_.number,
                "value": SCALE[rating.value],
                "comment": rating.comment,
                "stakeholder_group": rating.stakeholder_group,
                "channel": rating.channel,
            },
        )
        for round_ in proposition.rounds
        for rating in round_.ratings.values()
        if rating.comment and rating.value in OBJECTING
    ]
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def propositions(state: SessionState, role: str, *_: object) -> list[View]:
    shown = []
    for pid in state.order:
        p = state.propositions[pid]
        if p.status == "withdrawn" and role != "facilitator":
            continue  # gone from the agenda; the console and the report keep it
        window = rating_window(state, pid) if p.status != "open" and p.rounds else None
        full = distribution_visible(state, p, role)
        if full or role == "display":
            rounds = [round_view(state, r, full, role) for r in p.rounds]
        else:
            rounds = [{"round": r.number, "revision": r.revision} for r in p.rounds]
        item: View = {
            "id": p.proposition_id,
            "text": p.text,
            "source": p.source,
            "section": p.section,
            "status": p.status,
            "round": p.round,
            "revealed": p.revealed,
            "mark": None if p.mark is None else {"status": p.mark.status, "note": p.mark.note},
            "rounds": rounds,
            **wording_view(p),
        }
        if window is not None:
            item["window"] = window_view(window)
        if role == "facilitator":
            item["objections"] = objections(p)
            item["amendments"] = [amendment_view(a) for a in amendments_of(state, pid)]
            if p.provenance is not None:
                item["provenance"] = provenance(p)
        shown.append(item)
    return shown


def wording_view(p: Proposition) -> View:
    """The current revision's number and translations, and the wordings it replaced."""
    return {
        "revision": p.revision,
        "translations": dict(p.translations),
        "earlier": [
            {
                "revision": w.revision,
                "text": w.text,
                "source": w.source,
                "translations": dict(w.translations),
            }
            for w in p.earlier
        ],
    }


class AmendmentView(TypedDict):
    """An amendment as the console and the report show it: group and channel, never who."""

    amendment_id: str
    text: str
    why: str | None
    stakeholder_group: str
    channel: str
    status: str
    note: str | None
    revision: int | None
    at: float


def amendments_of(state: SessionState, proposition_id: str) -> list[Amendment]:
    return [a for a in state.amendments.values() if a.proposition_id == proposition_id]


def amendment_view(a: Amendment) -> AmendmentView:
    return {
        "amendment_id": a.amendment_id,
        "text": a.text,
        "why": a.why,
        "stakeholder_group": a.stakeholder_group,
        "channel": a.channel,
        "status": a.status,
        "note": a.note,
        "revision": a.revision,
        "at": a.at,
    }


def own_amendments(state: SessionState, author: str) -> list[View]:
    """The amendments `author` proposed and what became of them, for their view only."""
    return [
        {
            "amendment_id": a.amendment_id,
            "proposition_id": a.proposition_id,
            "text": a.text,
            "status": a.status,
            "note": a.note,
            "revision": a.revision,
        }
        for a in state.amendments.values()
        if a.author == author
    ]


def provenance(p: Proposition) -> View | None:
    found = p.provenance
    if found is None:
        return None
    return {
        "session_id": found.session_id,
        "title": found.title,
        "head": found.head,
        "status": found.status,
        "round": found.round,
        "total": found.total,
        "agree_share": found.agree_share,
        "counts": dict(found.counts),
    }


def entry_view(entry: Entry) -> View:
    return {
        "entry_id": entry.entry_id,
        "name": entry.name,
        "stakeholder_group": entry.stakeholder_group,
        "channel": entry.channel,
        "intent": entry.intent,
        "proposition_id": entry.proposition_id,
        "hub_id": entry.hub_id,
        "pinned": entry.pin is not None,
    }


def queue(state: SessionState, role: str = "results", subject: str = "", *_: object) -> View:
    """The floor and the waiting entries in order: for a live role only the first
    `QUEUE_HEAD[role]` of them; a hub's own waiting entries also come apart, with their
    positions (a phone's come in `place`)."""
    current = state.queue.current
    waiting = ordered(state.queue, state.settings.queue_policy)
    bound = QUEUE_HEAD.get(role)
    shown = waiting if bound is None else waiting[:bound]
    body: View = {
        "current": None
        if current is None
        else {**entry_view(current.entry), "started_at": current.started_at},
        "entries": [entry_view(e) for e in shown],
        "length": len(waiting),
        "closed": state.queue.closed,
    }
    if role == "facilitator" and bound is not None and len(waiting) > bound:
        body["beyond"] = _digest(waiting[bound:])
    if role == "hub":
        body["own"] = [
            {**entry_view(e), "position": position}
            for position, e in enumerate(waiting, 1)
            if e.hub_id == subject
        ]
    return body


def _digest(entries: list[Entry]) -> str:
    """A short fingerprint of the entries beyond the console's page: a move or a new
    intent out there changes the console's `queue` though its page stays the same, so
    a console showing further pages knows to fetch them again."""
    text = json.dumps([entry_view(e) for e in entries], sort_keys=True)
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def queue_page(state: SessionState, offset: int) -> View:
    """The console's page of waiting entries from `offset` (0-based), at most
    `CONSOLE_PAGE` of them, and how many wait in all."""
    waiting = ordered(state.queue, state.settings.queue_policy)
    return {
        "offset": offset,
        "entries": [entry_view(e) for e in waiting[offset : offset + CONSOLE_PAGE]],
        "length": len(waiting),
    }


def places(state: SessionState) -> dict[str, View]:
    """Every waiting participant's place in the queue, by participant id."""
    found = {}
    for position, entry in enumerate(ordered(state.queue, state.settings.queue_policy), 1):
        if entry.owner.startswith("p:"):
            found[entry.owner[2:]] = {
                "entry_id": entry.entry_id,
                "position": position,
                "intent": entry.intent,
            }
    return found


def place(state: SessionState, _role: str, participant_id: str, _now: float) -> View | None:
    """The participant's waiting entry and its 1-based position, or None."""
    return places(state).get(participant_id)


def timer(state: SessionState, _role: str, _subject: str, now: float) -> View:
    remaining = state.timer.remaining_at(now)
    return {
        "running": state.timer.running,
        "duration": state.timer.duration,
        "remaining": remaining,
    }


def session(state: SessionState, *_: object) -> View:
    return {
        "session_id": state.session_id,
        "title": state.title,
        "join_code": state.join_code,
        "languages": list(state.languages),
        "stakeholder_groups": list(state.stakeholder_groups),
        "settings": state.settings.to_dict(),
        "status": state.status,
        "display": {
            "mode": state.display_mode,
            "proposition_id": state.display_proposition,
            "shown": shown_on_display(state),
        },
    }


def shown_on_display(state: SessionState) -> str | None:
    """The proposition the projector shows, or None for the agenda.

    `auto` follows the one open proposition; with none open, the one opened
    last (its outcome is what the room waits for); with several open, or none
    ever opened, the agenda.
    """
    if state.display_mode != "auto":
        chosen = state.propositions.get(state.display_proposition or "")
        # A withdrawn proposition has left the room's agenda, the projector's too.
        return None if chosen is None or chosen.status == "withdrawn" else chosen.proposition_id
    opened = [p for p in state.propositions.values() if p.rounds and p.status != "withdrawn"]
    live = [p for p in opened if p.status == "open"]
    if len(live) == 1:
        return live[0].proposition_id
    if live or not opened:
        return None
    return max(opened, key=lambda p: p.rounds[-1].opened_at).proposition_id


def participation(state: SessionState, *_: object) -> View:
    present = [p for p in state.participants.values() if not p.removed]
    counts: View = {
        "joined": len(present),
        "in_room": sum(p.channel == "in_room" for p in present),
        "remote": sum(p.channel == "remote" for p in present),
        "hubs": len(state.hubs),
        "hub_attendance": sum(h.attendance for h in state.hubs.values()),
    }
    if state.settings.admission != "open" or state.registrants:
        counts["registered"] = sum(p.registered for p in present)
        counts["invited"] = sum(not r.removed for r in state.registrants.values())
    return counts


def hubs(state: SessionState, *_: object) -> list[View]:
    return [
        {"hub_id": h.hub_id, "name": h.name, "attendance": h.attendance}
        for h in state.hubs.values()
    ]


def participants(state: SessionState, *_: object) -> list[View]:
    return participants_since(state, -1)


def participants_since(state: SessionState, version: int) -> list[View]:
    """The rows of participants who joined or changed after `version`, in join order."""
    return [
        {
            "participant_id": p.participant_id,
            "name": p.name,
            "stakeholder_group": p.stakeholder_group,
            "channel": p.channel,
            "language": p.language,
            "removed": p.removed,
            "registered": p.registered,
        }
        for p in state.participants.values()
        if p.seq > version
    ]


def speaker_log(state: SessionState, *_: object) -> list[View]:
    turns = list(state.queue.turns)
    if state.queue.current is not None:
        turns.append(state.queue.current)
    return [
        {
            "entry_id": t.entry.entry_id,
            "name": t.entry.name,
            "stakeholder_group": t.entry.stakeholder_group,
            "channel": t.entry.channel,
            "intent": t.entry.intent,
            "hub_id": t.entry.hub_id,
            "started_at": t.started_at,
            "duration": None if t.ended_at is None else t.ended_at - t.started_at,
        }
        for t in turns
    ]


def me(state: SessionState, _role: str, participant_id: str, _now: float) -> View:
    who = state.participants[participant_id]
    ratings = {}
    for p in state.propositions.values():
        rating = p.rounds[-1].ratings.get(participant_id) if p.rounds else None
        if rating is not None:
            ratings[p.proposition_id] = {
                "round": p.round,
                "value": SCALE[rating.value],
                "comment": rating.comment,
            }
    return {
        "participant_id": who.participant_id,
        "name": who.name,
        "stakeholder_group": who.stakeholder_group,
        "channel": who.channel,
        "language": who.language,
        "entry_id": _own_entry(state, participant_id),
        "ratings": ratings,
        "amendments": own_amendments(state, "p:" + participant_id),
    }


def _own_entry(state: SessionState, participant_id: str) -> str | None:
    """The participant's waiting entry, else the entry that has the floor now:
    a phone reloaded while speaking still knows it has the floor."""
    owner = "p:" + participant_id
    waiting = state.queue.by_owner.get(owner)
    current = state.queue.current
    if waiting is None and current is not None and current.entry.owner == owner:
        return current.entry.entry_id
    return waiting


def hub(state: SessionState, _role: str, hub_id: str, _now: float) -> View:
    h = state.hubs[hub_id]
    tallies = {}
    for p in state.propositions.values():
        counted = p.rounds[-1].hub_counts.get(hub_id) if p.rounds else None
        if counted is not None:
            tallies[p.proposition_id] = {
                "round": p.round,
                "counts": as_counts(counted.counts),
                "by_group": {g: as_counts(v) for g, v in counted.by_group.items()},
            }
    return {
        "hub_id": h.hub_id,
        "name": h.name,
        "attendance": h.attendance,
        "tallies": tallies,
        "amendments": own_amendments(state, "h:" + hub_id),
    }


_SECTIONS: Final[dict[str, Any]] = {
    "session": session,
    "propositions": propositions,
    "queue": queue,
    "timer": timer,
    "participation": participation,
    "hubs": hubs,
    "participants": participants,
    "speaker_log": speaker_log,
    "me": me,
    "place": place,
    "hub": hub,
    "windows": windows,
    "publication": publication,
}

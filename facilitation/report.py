"""The outcome record of one session: the data every report format renders.

Rules this module keeps:
- Pure: `build(state, head)` reads a `SessionState` and the log's head it was
  given; no I/O, no clock. The same log gives the same report, byte for byte,
  whether it is built live by the server or offline from a data directory.
- No identities: no participant id, no name given at join, no individual
  rating, no join code. Ratings appear only as counts and as objections
  (group and channel only). Speakers appear by the name their queue entry
  showed, because raising a hand is public; people who never had the floor
  appear by name nowhere (waiting queue entries are left out on purpose).
- The figures are the state's own tallies and `tally.metrics`: the numbers
  the room and the chair saw, not a second computation that could disagree.
"""

from collections.abc import Iterable
from itertools import pairwise
from typing import Any, Final, NotRequired, TypedDict

from .opinion_record import OpinionReport
from .opinion_record import report as opinion_report
from .state import Participant, Proposition, RoundState, SessionState, Turn, Vector
from .tally import ShareMetrics, as_counts, metrics, share_metrics
from .views import AmendmentView, amendment_view, amendments_of, objections, provenance
from .vocabulary import PARTICIPANT_CHANNELS, TIMINGS
from .windows import windows
from .wordiff import Change, word_diff

FORMAT: Final = "plenary-report/1"
CHANNELS: Final = ("in_room", "remote", "hub")


class Shares(ShareMetrics):
    total: int
    counts: dict[str, int]


class HubShares(Shares):
    hub_id: str
    name: str


class RoundReport(TypedDict):
    round: int
    revision: int  # the wording this round rated
    text: str
    changes: list[Change] | None  # from the previous round's wording; None for the first
    by_language: dict[str, int]  # ratings from phones, by the participant's language
    opened_at: float
    closed_at: float | None
    total: int
    counts: dict[str, int]
    metrics: dict[str, Any]
    by_group: dict[str, Shares]
    by_channel: dict[str, Shares]
    by_hub: list[HubShares]
    by_timing: dict[str, Shares]  # "live": in the live hour; "window": outside it
    # Admission `both` only: registered and self-declared raters apart.
    by_admission: NotRequired[dict[str, Shares]]
    metrics_registered: NotRequired[dict[str, Any]]
    suggestion_follows: NotRequired[str]


class Shift(TypedDict):
    group: str | None  # None: everyone
    from_round: int
    to_round: int
    before_total: int
    after_total: int
    before_agree_share: float | None
    after_agree_share: float | None
    change: float | None


class MarkReport(TypedDict):
    status: str
    note: str | None
    at: float


class WordingReport(TypedDict):
    revision: int
    text: str
    source: str | None
    translations: dict[str, str]
    at: float | None  # None: as added
    amendment_id: str | None


class AmendmentReport(AmendmentView):
    """An amendment from the floor, with when the chair decided it."""

    decided_at: float | None


class PropositionReport(TypedDict):
    position: int
    id: str
    text: str
    source: str | None
    section: str | None
    status: str
    revision: int
    withdrawn_at: float | None
    wordings: list[WordingReport]
    amendments: list[AmendmentReport]
    mark: MarkReport | None
    rounds: list[RoundReport]
    objections: list[dict[str, Any]]
    shift: list[Shift]
    provenance: dict[str, Any] | None


class TurnReport(TypedDict):
    order: int
    name: str
    stakeholder_group: str
    channel: str
    hub_id: str | None
    hub: str | None
    intent: str
    started_at: float
    duration: float | None  # None: still speaking when the report was made


class Balance(TypedDict):
    turns: int
    seconds: float  # of finished turns
    speaking: int  # turns still running: their time is not known yet


class HubBalance(Balance):
    hub_id: str
    name: str


class Speakers(TypedDict):
    turns: list[TurnReport]
    by_group: dict[str, Balance]
    by_channel: dict[str, Balance]
    by_hub: list[HubBalance]


class Attendance(TypedDict):
    joined: int
    rated: int
    spoke: int


class HubAttendance(TypedDict):
    hub_id: str
    name: str
    attendance: int
    rounds_reported: int
    speakers: int
    turns: int


class Participation(TypedDict):
    joined: int
    removed: int
    rated: int
    spoke: int
    by_group: dict[str, Attendance]
    by_channel: dict[str, Attendance]
    hub_attendance: int
    hubs: list[HubAttendance]
    registered: NotRequired[int]  # admission other than `open`: joined through an invitation


class SessionInfo(TypedDict):
    session_id: str
    title: str
    created_at: float
    languages: list[str]
    stakeholder_groups: list[str]
    results_visibility: str
    consensus: dict[str, float]
    time_zone: str


class Report(TypedDict):
    format: str
    session: SessionInfo
    version: int
    head: str
    propositions: list[PropositionReport]
    speakers: Speakers
    participation: Participation
    windows: list[dict[str, Any]]
    opinions: OpinionReport


def build(state: SessionState, head: str) -> Report:
    """The report of `state`, whose log ends at `head` after `state.version` events.

    The result shares no mutable object with `state`, so the server can build
    it between two batches and render it afterwards.
    """
    groups = _group_order(state)
    return {
        "format": FORMAT,
        "session": {
            "session_id": state.session_id,
            "title": state.title,
            "created_at": state.created_at,
            "languages": list(state.languages),
            "stakeholder_groups": list(state.stakeholder_groups),
            "results_visibility": state.settings.results_visibility,
            "consensus": state.settings.consensus.to_dict(),
            "time_zone": state.settings.time_zone,
        },
        "version": state.version,
        "head": head,
        "propositions": [
            _proposition(state, i, state.propositions[pid], groups)
            for i, pid in enumerate(state.order, start=1)
        ],
        "speakers": _speakers(state, groups),
        "participation": _participation(state, groups),
        "windows": windows(state),
        "opinions": opinion_report(state),
    }


def shares(vector: Vector) -> Shares:
    """A distribution with the share metrics of docs/protocol.md (null while empty)."""
    return {"total": sum(vector), "counts": as_counts(vector), **share_metrics(vector)}


def _group_order(state: SessionState) -> list[str]:
    """The session's groups in its own order, then any other group seen (hubs' `other`)."""
    seen = {p.stakeholder_group for p in state.participants.values()}
    seen |= {t.entry.stakeholder_group for t in _turns(state)}
    for proposition in state.propositions.values():
        for round_ in proposition.rounds:
            seen |= {g for g, v in round_.tally.by_group.items() if any(v)}
    declared = list(state.stakeholder_groups)
    return declared + sorted(seen - set(declared))


def _proposition(
    state: SessionState, position: int, p: Proposition, groups: list[str]
) -> PropositionReport:
    return {
        "position": position,
        "id": p.proposition_id,
        "text": p.text,
        "source": p.source,
        "section": p.section,
        "status": p.status,
        "revision": p.revision,
        "withdrawn_at": p.withdrawn_at,
        "wordings": [
            {
                "revision": w.revision,
                "text": w.text,
                "source": w.source,
                "translations": dict(w.translations),
                "at": w.at,
                "amendment_id": w.amendment_id,
            }
            for w in p.wordings()
        ],
        "amendments": _amendments(state, p),
        "mark": None
        if p.mark is None
        else {"status": p.mark.status, "note": p.mark.note, "at": p.mark.at},
        "rounds": _rounds(state, p, groups),
        "objections": objections(p),
        "shift": _shift(p.rounds, groups),
        "provenance": provenance(p),
    }


def _amendments(state: SessionState, p: Proposition) -> list[AmendmentReport]:
    return [
        {**amendment_view(a), "decided_at": a.decided_at}
        for a in amendments_of(state, p.proposition_id)
    ]


def _rounds(state: SessionState, p: Proposition, groups: list[str]) -> list[RoundReport]:
    """Each round with the wording it rated, and how that wording changed from the last."""
    texts = {w.revision: w.text for w in p.wordings()}
    found: list[RoundReport] = []
    for i, r in enumerate(p.rounds):
        before = texts[p.rounds[i - 1].revision] if i else None
        text = texts[r.revision]
        found.append(
            _round(state, r, groups, text, None if before is None else word_diff(before, text))
        )
    return found


def _by_language(state: SessionState, r: RoundState) -> dict[str, int]:
    """How many rated from phones in each language (`unspecified`: none given at join).
    The rating belongs to the proposition whatever language it was read in."""
    counted: dict[str, int] = {}
    for participant_id in r.ratings:
        language = state.participants[participant_id].language or "unspecified"
        counted[language] = counted.get(language, 0) + 1
    order = [*state.languages, *sorted(set(counted) - set(state.languages))]
    return {language: counted[language] for language in order if language in counted}


def _round(
    state: SessionState,
    r: RoundState,
    groups: list[str],
    text: str,
    changes: list[Change] | None,
) -> RoundReport:
    report = _round_figures(state, r, groups, text, changes)
    if state.settings.admission == "both":
        _split(state, r, report)
    return report


def _split(state: SessionState, r: RoundState, report: RoundReport) -> None:
    """Registered and self-declared raters apart; with `suggestion_follows`
    `registered`, the suggestion is the registered raters' own."""
    registered = r.registered.counts
    rest = [a - b for a, b in zip(r.tally.counts, registered, strict=True)]
    report["by_admission"] = {"registered": shares(registered), "self_declared": shares(rest)}
    own = metrics(r.registered, state.settings.consensus)
    report["metrics_registered"] = own
    report["suggestion_follows"] = state.settings.suggestion_follows
    if state.settings.suggestion_follows == "registered":
        report["metrics"] = {
            **report["metrics"],
            "suggests_rough_consensus": own["suggests_rough_consensus"],
        }


def _round_figures(
    state: SessionState,
    r: RoundState,
    groups: list[str],
    text: str,
    changes: list[Change] | None,
) -> RoundReport:
    tally = r.tally
    return {
        "round": r.number,
        "revision": r.revision,
        "text": text,
        "changes": changes,
        "by_language": _by_language(state, r),
        "opened_at": r.opened_at,
        "closed_at": r.closed_at,
        "total": sum(tally.counts),
        "counts": as_counts(tally.counts),
        "metrics": metrics(tally, state.settings.consensus),
        "by_group": {
            g: shares(tally.by_group[g]) for g in groups if any(tally.by_group.get(g, ()))
        },
        "by_channel": {c: shares(list(tally.by_channel.get(c, [0] * 6))) for c in CHANNELS},
        "by_hub": [
            {**shares(list(counted.counts)), "hub_id": hub_id, "name": state.hubs[hub_id].name}
            for hub_id, counted in sorted(r.hub_counts.items(), key=lambda i: _hub_key(state, i[0]))
        ],
        "by_timing": {t: shares(list(tally.by_timing.get(t, [0] * 6))) for t in TIMINGS},
    }


def _shift(rounds: list[RoundState], groups: list[str]) -> list[Shift]:
    """Agree share before and after deliberation, for each pair of consecutive rounds."""
    found: list[Shift] = []
    for before, after in pairwise(rounds):
        present = [
            g
            for g in groups
            if any(before.tally.by_group.get(g, ())) or any(after.tally.by_group.get(g, ()))
        ]
        pairs = [(None, before.tally.counts, after.tally.counts)] + [
            (g, before.tally.by_group.get(g, [0] * 6), after.tally.by_group.get(g, [0] * 6))
            for g in present
        ]
        for group, old, new in pairs:
            old_share, new_share = shares(old)["agree_share"], shares(new)["agree_share"]
            found.append(
                {
                    "group": group,
                    "from_round": before.number,
                    "to_round": after.number,
                    "before_total": sum(old),
                    "after_total": sum(new),
                    "before_agree_share": old_share,
                    "after_agree_share": new_share,
                    "change": None
                    if old_share is None or new_share is None
                    else new_share - old_share,
                }
            )
    return found


def _turns(state: SessionState) -> list[Turn]:
    turns = list(state.queue.turns)
    if state.queue.current is not None:
        turns.append(state.queue.current)
    return turns


def _speakers(state: SessionState, groups: list[str]) -> Speakers:
    turns = [_turn(state, i, t) for i, t in enumerate(_turns(state), start=1)]
    by_group = {g: _balance(t for t in turns if t["stakeholder_group"] == g) for g in groups}
    return {
        "turns": turns,
        "by_group": {g: b for g, b in by_group.items() if b["turns"]},
        "by_channel": {c: _balance(t for t in turns if t["channel"] == c) for c in CHANNELS},
        "by_hub": [
            {
                **_balance(t for t in turns if t["hub_id"] == hub_id),
                "hub_id": hub_id,
                "name": state.hubs[hub_id].name,
            }
            for hub_id in _hub_ids(state)
        ],
    }


def _turn(state: SessionState, order: int, turn: Turn) -> TurnReport:
    entry = turn.entry
    return {
        "order": order,
        "name": entry.name,
        "stakeholder_group": entry.stakeholder_group,
        "channel": entry.channel,
        "hub_id": entry.hub_id,
        "hub": None if entry.hub_id is None else state.hubs[entry.hub_id].name,
        "intent": entry.intent,
        "started_at": turn.started_at,
        "duration": None if turn.ended_at is None else turn.ended_at - turn.started_at,
    }


def _balance(turns: Iterable[TurnReport]) -> Balance:
    chosen = list(turns)
    seconds = sum(t["duration"] for t in chosen if t["duration"] is not None)
    running = sum(t["duration"] is None for t in chosen)
    return {"turns": len(chosen), "seconds": float(seconds), "speaking": running}


def _participation(state: SessionState, groups: list[str]) -> Participation:
    rated = {pid for p in state.propositions.values() for r in p.rounds for pid in r.ratings}
    owners = {t.entry.owner for t in _turns(state)}
    spoke = {pid for pid in state.participants if "p:" + pid in owners}
    people = list(state.participants.values())

    def attendance(chosen: list[Participant]) -> Attendance:
        ids = {p.participant_id for p in chosen}
        return {"joined": len(ids), "rated": len(ids & rated), "spoke": len(ids & spoke)}

    by_group = {g: attendance([p for p in people if p.stakeholder_group == g]) for g in groups}
    everyone = attendance(people)
    found: Participation = {
        "joined": everyone["joined"],
        "rated": everyone["rated"],
        "spoke": everyone["spoke"],
        "removed": sum(p.removed for p in people),
        "by_group": {g: a for g, a in by_group.items() if a["joined"]},
        "by_channel": {
            c: attendance([p for p in people if p.channel == c]) for c in PARTICIPANT_CHANNELS
        },
        "hub_attendance": sum(h.attendance for h in state.hubs.values()),
        "hubs": [_hub_attendance(state, hub_id) for hub_id in _hub_ids(state)],
    }
    if state.settings.admission != "open":
        found["registered"] = sum(p.registered for p in people)
    return found


def _hub_attendance(state: SessionState, hub_id: str) -> HubAttendance:
    hub = state.hubs[hub_id]
    turns = [t for t in _turns(state) if t.entry.hub_id == hub_id]
    return {
        "hub_id": hub_id,
        "name": hub.name,
        "attendance": hub.attendance,
        "rounds_reported": sum(
            hub_id in r.hub_counts for p in state.propositions.values() for r in p.rounds
        ),
        "speakers": len({t.entry.owner for t in turns}),
        "turns": len(turns),
    }


def _hub_ids(state: SessionState) -> list[str]:
    return sorted(state.hubs, key=lambda hub_id: _hub_key(state, hub_id))


def _hub_key(state: SessionState, hub_id: str) -> tuple[float, str]:
    return (state.hubs[hub_id].invited_at, hub_id)

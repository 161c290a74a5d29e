"""The state of one session, rebuilt exactly by replaying its events.

Rules this module keeps:
- State objects are plain mutable dataclasses owned by one writer; only
  `apply` changes them, and only `decide` reads them to refuse commands.
- Tallies are kept incrementally: `RoundState.tally` always equals a recount
  of the latest rating of each participant plus the latest counts of each hub.
- Equality is structural, so a replayed state compares equal to the live one.
"""

from dataclasses import dataclass, field

from .opinions import OpinionMatrix
from .settings import SessionSettings
from .vocabulary import (
    AmendmentStatus,
    Channel,
    DisplayMode,
    Intent,
    MarkStatus,
    ParticipantChannel,
    SessionStatus,
    Status,
    WindowStatus,
)

Vector = list[int]  # six counts, indexed by vocabulary.SCALE_INDEX


def zeros() -> Vector:
    return [0, 0, 0, 0, 0, 0]


@dataclass(slots=True)
class Participant:
    participant_id: str
    stakeholder_group: str
    channel: ParticipantChannel
    name: str | None
    language: str | None
    joined_at: float
    removed: bool = False
    registered: bool = False  # came through a personal invitation
    # The log position (state version) of the event that last changed this row:
    # the console is sent the rows changed since the version it holds, not all.
    seq: int = 0


@dataclass(slots=True)
class Registrant:
    registrant_id: str  # also their participant id once they open their link
    name: str
    email_key: str  # a keyed digest of the email; the address is not in the log
    stakeholder_group: str
    channel: ParticipantChannel
    language: str
    imported_at: float
    removed: bool = False


@dataclass(slots=True)
class Rating:
    value: int  # index into SCALE
    comment: str | None
    stakeholder_group: str
    channel: Channel
    at: float
    registered: bool = False
    live: bool = True  # given while the chair had the proposition open (else in a window)


@dataclass(slots=True)
class HubCounts:
    counts: Vector
    by_group: dict[str, Vector]


@dataclass(slots=True)
class Tally:
    counts: Vector = field(default_factory=zeros)
    by_group: dict[str, Vector] = field(default_factory=dict)
    by_channel: dict[str, Vector] = field(default_factory=dict)
    # "live" and "window" (vocabulary.TIMINGS): inside the live hour or outside it.
    # Derived from the ratings' `live` and the hub counts like the rest, but left
    # out of equality: a tally compares by what was rated, not when.
    by_timing: dict[str, Vector] = field(default_factory=dict, compare=False)

    def copy(self) -> "Tally":
        return Tally(
            list(self.counts),
            {k: list(v) for k, v in self.by_group.items()},
            {k: list(v) for k, v in self.by_channel.items()},
            {k: list(v) for k, v in self.by_timing.items()},
        )

    def add(self, group: str, channel: str, value: int, step: int) -> None:
        self.counts[value] += step
        self.by_group.setdefault(group, zeros())[value] += step
        self.by_channel.setdefault(channel, zeros())[value] += step


@dataclass(slots=True)
class RoundState:
    number: int
    opened_at: float
    closed_at: float | None = None
    ratings: dict[str, Rating] = field(default_factory=dict)
    hub_counts: dict[str, HubCounts] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)
    revision: int = 1  # the proposition's wording this round rated
    window: str | None = None  # the rating window that started this round, if one did
    # What everyone but the facilitator sees of the distribution: `tally` as it
    # stood when `min_group_size` different raters (participants or hubs) had
    # changed their rating since the figure before, or when the round closed.
    # So no published step shows one person's change (docs/protocol.md).
    published: Tally = field(default_factory=Tally)
    unpublished: set[str] = field(default_factory=set)  # raters changed since `published`
    # The part of `tally` given by registered participants (admission `both`).
    registered: Tally = field(default_factory=Tally)
    published_registered: Tally = field(default_factory=Tally)  # its part of `published`


@dataclass(slots=True)
class Mark:
    status: MarkStatus
    note: str | None
    at: float


@dataclass(slots=True)
class Proposition:
    proposition_id: str
    text: str
    source: str | None
    status: Status = "draft"
    revealed: bool = False
    mark: Mark | None = None
    rounds: list[RoundState] = field(default_factory=list)
    # The wording on the record: `text` and `source` above are revision
    # `revision`; the wordings it replaced are kept, oldest first, in `earlier`.
    revision: int = 1
    translations: dict[str, str] = field(default_factory=dict)  # of this revision
    revised_at: float | None = None  # None: the wording it was added with
    amendment_id: str | None = None  # the amendment this revision accepted
    earlier: list["Wording"] = field(default_factory=list)
    withdrawn_at: float | None = None
    section: str | None = None  # the title of the draft's section it came from
    provenance: "Provenance | None" = None  # carried forward from a past session's outcome

    @property
    def round(self) -> int:
        return len(self.rounds)

    def wording(self) -> "Wording":
        """The current revision as a record of its own."""
        return Wording(
            self.revision,
            self.text,
            self.source,
            dict(self.translations),
            self.revised_at,
            self.amendment_id,
        )

    def wordings(self) -> list["Wording"]:
        """Every revision, oldest first, the current one last."""
        return [*self.earlier, self.wording()]


@dataclass(slots=True)
class Wording:
    revision: int
    text: str
    source: str | None
    translations: dict[str, str]
    at: float | None
    amendment_id: str | None


@dataclass(slots=True)
class Amendment:
    """A rewording proposed from the floor. `author` ("p:<participant_id>" or
    "h:<hub_id>") is for the proposer's own view only, never shown to others."""

    amendment_id: str
    proposition_id: str
    author: str
    stakeholder_group: str
    channel: Channel
    text: str
    why: str | None
    at: float
    status: AmendmentStatus = "proposed"
    note: str | None = None
    revision: int | None = None  # the revision it became, when accepted
    decided_at: float | None = None


@dataclass(slots=True)
class Provenance:
    """Where a carried-forward proposition comes from: a published outcome."""

    session_id: str
    title: str
    head: str
    status: MarkStatus
    round: int
    total: int
    agree_share: float | None
    counts: dict[str, int]


@dataclass(slots=True)
class Window:
    """A rating window: ratings are taken from `opens_at` until `closes_at`
    on one proposition (`proposition_id`) or the whole agenda (None)."""

    window_id: str
    proposition_id: str | None
    opens_at: float
    closes_at: float
    set_at: float
    status: WindowStatus = "scheduled"
    opened_at: float | None = None
    closed_at: float | None = None

    def covers(self, proposition_id: str) -> bool:
        return self.proposition_id is None or self.proposition_id == proposition_id


@dataclass(slots=True)
class Publication:
    """The published outcome: built from the log's first `version` events."""

    version: int
    note: str | None
    at: float


@dataclass(slots=True)
class Hub:
    hub_id: str
    name: str
    attendance: int
    invited_at: float
    epoch: int = 0


@dataclass(slots=True)
class Entry:
    entry_id: str
    owner: str  # "p:<participant_id>" or "h:<hub_id>:<name>": one entry per owner
    name: str
    stakeholder_group: str
    channel: Channel
    intent: Intent
    proposition_id: str | None
    hub_id: str | None
    seq: int  # arrival order; kept when the hand is raised again
    raised_at: float
    pin: int | None = None  # 1-based position the facilitator pinned it to


@dataclass(slots=True)
class Turn:
    entry: Entry
    started_at: float
    ended_at: float | None = None


@dataclass(slots=True)
class Timer:
    duration: float | None = None
    remaining: float | None = None  # at `started_at` when running, else now
    started_at: float | None = None

    @property
    def running(self) -> bool:
        return self.started_at is not None

    def remaining_at(self, now: float) -> float | None:
        if self.remaining is None or self.started_at is None:
            return self.remaining
        return self.remaining - (now - self.started_at)


@dataclass(slots=True)
class QueueState:
    entries: dict[str, Entry] = field(default_factory=dict)
    by_owner: dict[str, str] = field(default_factory=dict)  # owner -> entry_id
    current: Turn | None = None
    turns: list[Turn] = field(default_factory=list)  # the speaker log, finished turns
    had_floor: set[str] = field(default_factory=set)  # owners
    last_side: str | None = None
    next_seq: int = 0
    closed: bool = False  # the list of speakers: no new hands while closed


@dataclass(slots=True)
class SessionState:
    session_id: str = ""
    title: str = ""
    join_code: str = ""
    languages: tuple[str, ...] = ()
    stakeholder_groups: tuple[str, ...] = ()
    settings: SessionSettings = field(default_factory=SessionSettings)
    created_at: float = 0.0
    version: int = 0  # number of events applied
    participants: dict[str, Participant] = field(default_factory=dict)
    propositions: dict[str, Proposition] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # proposition ids in agenda order
    hubs: dict[str, Hub] = field(default_factory=dict)
    queue: QueueState = field(default_factory=QueueState)
    timer: Timer = field(default_factory=Timer)
    # What the projector shows (`display:show`): auto, one proposition or the agenda.
    display_mode: DisplayMode = "auto"
    display_proposition: str | None = None
    # Link generation of the console and the projector (`links:rotate`); absent: 0.
    link_epochs: dict[str, int] = field(default_factory=dict)
    amendments: dict[str, Amendment] = field(default_factory=dict)  # in the order proposed
    status: SessionStatus = "open"  # the operator's `closed` / `archived` refuse ratings
    windows: dict[str, Window] = field(default_factory=dict)  # rating windows, in setting order
    published: Publication | None = None  # the outcome as published; None: not (any more)
    registrants: dict[str, Registrant] = field(default_factory=dict)
    # Derived from the latest rounds' ratings: plain lists/dicts/floats, so a JSON
    # snapshot can carry it, and recomputable (opinions.recount), so it is left out
    # of equality and repr; tests compare it with a recount instead.
    opinions: OpinionMatrix = field(default_factory=OpinionMatrix, compare=False, repr=False)

    @property
    def created(self) -> bool:
        return bool(self.session_id)

    def current_round(self, proposition_id: str) -> RoundState | None:
        proposition = self.propositions.get(proposition_id)
        if proposition is None or not proposition.rounds:
            return None
        return proposition.rounds[-1]

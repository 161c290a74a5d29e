"""Commands: what a role asks for. Frozen, slotted, and valid by construction.

A constructor checks everything that does not depend on the session's state
(scale keys, lengths, ranges) and raises a coded `FacilitationError`; `decide`
checks the rest. Ids of new things (participants, propositions, entries,
hubs) are chosen by the caller so that `decide` stays deterministic.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from . import vocabulary as v
from .errors import BadRequest, TooLarge
from .settings import SessionSettings

Counts = dict[str, int]


def check_text(value: str | None, what: str, limit: int, *, required: bool = False) -> str | None:
    """Normalise free text: strip it, refuse it over `limit`, turn empty into None."""
    if value is None:
        if required:
            raise BadRequest(f"{what} is required.")
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{what} must be text.")
    text = value.strip()
    if len(text) > limit:
        raise TooLarge(f"{what} is {len(text)} characters long; the limit is {limit}.")
    if not text:
        if required:
            raise BadRequest(f"{what} must not be empty.")
        return None
    return text


def check_one_of(value: object, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise BadRequest(f"{what} must be one of: {', '.join(allowed)} (got {value!r}).")


def check_int(value: object, what: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{what} must be a whole number from {low} to {high}.")


def check_counts(counts: Mapping[str, int], what: str) -> None:
    if not isinstance(counts, Mapping):
        raise BadRequest(f"{what} must be an object of scale values to counts.")
    for key, count in counts.items():
        check_one_of(key, v.SCALE, f"Each key of {what}")
        check_int(count, f"{what}.{key}", 0, v.MAX_ATTENDANCE)


@dataclass(frozen=True, slots=True)
class CreateSession:
    session_id: str
    title: str
    join_code: str
    languages: tuple[str, ...] = v.LANGUAGES
    stakeholder_groups: tuple[str, ...] = v.DEFAULT_GROUPS
    settings: SessionSettings = field(default_factory=SessionSettings)
    # (proposition_id, text, source) of the propositions the session starts with
    propositions: tuple[tuple[str, str, str | None], ...] = ()

    def __post_init__(self) -> None:
        check_text(self.title, "The title", v.MAX_TITLE, required=True)
        for language in self.languages:
            check_one_of(language, v.LANGUAGES, "Each language")
        if not self.languages:
            raise BadRequest("A session needs at least one language.")
        if not 1 <= len(self.stakeholder_groups) <= v.MAX_GROUPS:
            raise BadRequest(f"A session needs 1 to {v.MAX_GROUPS} stakeholder groups.")
        if len(set(self.stakeholder_groups)) != len(self.stakeholder_groups):
            raise BadRequest("Stakeholder groups must not repeat.")
        for group in self.stakeholder_groups:
            check_text(group, "A stakeholder group", v.MAX_GROUP_NAME, required=True)
            if group != group.strip():
                raise BadRequest("Stakeholder groups must not start or end with spaces.")
        for _, text, source in self.propositions:
            check_text(text, "A proposition", v.MAX_PROPOSITION, required=True)
            check_text(source, "A proposition's source", v.MAX_SOURCE)


@dataclass(frozen=True, slots=True)
class Join:
    participant_id: str
    stakeholder_group: str
    channel: v.ParticipantChannel
    name: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        check_one_of(self.channel, v.PARTICIPANT_CHANNELS, "channel")
        check_text(self.name, "Your name", v.MAX_NAME)
        if self.language is not None:
            check_one_of(self.language, v.LANGUAGES, "language")


@dataclass(frozen=True, slots=True)
class RemoveParticipant:
    participant_id: str
    discard_ratings: bool = False


@dataclass(frozen=True, slots=True)
class AddProposition:
    proposition_id: str
    text: str
    source: str | None = None
    section: str | None = None  # the title of the draft's section it comes from

    def __post_init__(self) -> None:
        check_text(self.text, "The proposition", v.MAX_PROPOSITION, required=True)
        check_text(self.source, "The source", v.MAX_SOURCE)
        check_text(self.section, "The section title", v.MAX_SECTION)


@dataclass(frozen=True, slots=True)
class MoveProposition:
    proposition_id: str
    position: int

    def __post_init__(self) -> None:
        check_int(self.position, "position", 1, 100_000)


@dataclass(frozen=True, slots=True)
class OpenProposition:
    proposition_id: str


@dataclass(frozen=True, slots=True)
class CloseProposition:
    proposition_id: str


@dataclass(frozen=True, slots=True)
class RevealResults:
    proposition_id: str
    visible: bool

    def __post_init__(self) -> None:
        if not isinstance(self.visible, bool):
            raise BadRequest("visible must be true or false.")


@dataclass(frozen=True, slots=True)
class SubmitRating:
    proposition_id: str
    value: v.Value | None
    comment: str | None = None

    def __post_init__(self) -> None:
        if self.value is not None:
            check_one_of(self.value, v.SCALE, "value")
        check_text(self.comment, "The comment", v.MAX_COMMENT)


@dataclass(frozen=True, slots=True)
class RaiseHand:
    entry_id: str  # used only when the person has no entry yet
    intent: v.Intent
    proposition_id: str | None = None

    def __post_init__(self) -> None:
        check_one_of(self.intent, v.INTENTS, "intent")


@dataclass(frozen=True, slots=True)
class LowerHand:
    pass


@dataclass(frozen=True, slots=True)
class HubTally:
    proposition_id: str
    counts: Counts
    by_group: dict[str, Counts] | None = None

    def __post_init__(self) -> None:
        check_counts(self.counts, "counts")
        if self.by_group is None:
            return
        if not isinstance(self.by_group, Mapping):
            raise BadRequest("by_group must be an object of groups to counts.")
        summed: dict[str, int] = dict.fromkeys(v.SCALE, 0)
        for group, counts in self.by_group.items():
            check_counts(counts, f"by_group.{group}")
            for key, count in counts.items():
                summed[key] += count
        if any(summed[k] != self.counts.get(k, 0) for k in v.SCALE):
            raise BadRequest("by_group must add up to counts, value by value.")


@dataclass(frozen=True, slots=True)
class HubSpeaker:
    entry_id: str
    name: str
    stakeholder_group: str
    intent: v.Intent

    def __post_init__(self) -> None:
        check_text(self.name, "The speaker's name", v.MAX_NAME, required=True)
        check_one_of(self.intent, v.INTENTS, "intent")


@dataclass(frozen=True, slots=True)
class QueueNext:
    # The next speaker's time; None: the session's default for their intent.
    seconds: int | None = None

    def __post_init__(self) -> None:
        if self.seconds is not None:
            check_int(self.seconds, "seconds", 1, v.MAX_TIMER_SECONDS)


@dataclass(frozen=True, slots=True)
class YieldFloor:
    """The speaker ("I'm done"), or the hub whose speaker has the floor, ends the turn."""


@dataclass(frozen=True, slots=True)
class CloseQueue:
    """Closes (or, with `closed` false, reopens) the list of speakers."""

    closed: bool

    def __post_init__(self) -> None:
        if not isinstance(self.closed, bool):
            raise BadRequest("closed must be true or false.")


@dataclass(frozen=True, slots=True)
class ShowOnDisplay:
    """What the projector shows: `auto`, one `proposition`, or the `agenda`."""

    mode: v.DisplayMode
    proposition_id: str | None = None

    def __post_init__(self) -> None:
        check_one_of(self.mode, v.DISPLAY_MODES, "mode")
        if (self.mode == "proposition") != (self.proposition_id is not None):
            raise BadRequest("proposition_id is needed with mode 'proposition', and only with it.")


@dataclass(frozen=True, slots=True)
class QueueMove:
    entry_id: str
    position: int

    def __post_init__(self) -> None:
        check_int(self.position, "position", 1, 100_000)


@dataclass(frozen=True, slots=True)
class QueueRemove:
    entry_id: str


@dataclass(frozen=True, slots=True)
class SetTimer:
    action: v.TimerAction
    seconds: int | None = None

    def __post_init__(self) -> None:
        check_one_of(self.action, v.TIMER_ACTIONS, "action")
        if self.seconds is not None:
            check_int(self.seconds, "seconds", 1, v.MAX_TIMER_SECONDS)


@dataclass(frozen=True, slots=True)
class MarkConsensus:
    proposition_id: str
    status: v.MarkStatus
    note: str | None = None

    def __post_init__(self) -> None:
        check_one_of(self.status, v.MARKS, "status")
        check_text(self.note, "The note", v.MAX_NOTE)


@dataclass(frozen=True, slots=True)
class InviteHub:
    hub_id: str
    name: str
    attendance: int

    def __post_init__(self) -> None:
        check_text(self.name, "The hub's name", v.MAX_NAME, required=True)
        check_int(self.attendance, "attendance", 1, v.MAX_ATTENDANCE)


@dataclass(frozen=True, slots=True)
class UpdateHub:
    hub_id: str
    attendance: int

    def __post_init__(self) -> None:
        check_int(self.attendance, "attendance", 1, v.MAX_ATTENDANCE)


@dataclass(frozen=True, slots=True)
class RotateHubToken:
    hub_id: str


@dataclass(frozen=True, slots=True)
class RotateLinks:
    """A new generation of the console's or the projector's link; the old one stops working."""

    role: v.LinkRole

    def __post_init__(self) -> None:
        check_one_of(self.role, v.LINK_ROLES, "role")


@dataclass(frozen=True, slots=True)
class EditProposition:
    """New wording: a draft's is replaced; an opened proposition's is a new revision.

    `source` None keeps the current source; blank text clears it.
    """

    proposition_id: str
    text: str
    source: str | None = None
    new_round: bool = False

    def __post_init__(self) -> None:
        check_text(self.text, "The proposition", v.MAX_PROPOSITION, required=True)
        check_text(self.source, "The source", v.MAX_SOURCE)
        check_flag(self.new_round, "new_round")


@dataclass(frozen=True, slots=True)
class WithdrawProposition:
    proposition_id: str


@dataclass(frozen=True, slots=True)
class UndoClose:
    proposition_id: str


@dataclass(frozen=True, slots=True)
class ProposeAmendment:
    amendment_id: str
    proposition_id: str
    text: str
    why: str | None = None
    stakeholder_group: str | None = None  # a hub's only; a participant's is their own

    def __post_init__(self) -> None:
        check_text(self.text, "The amended wording", v.MAX_PROPOSITION, required=True)
        check_text(self.why, "The why", v.MAX_WHY)


@dataclass(frozen=True, slots=True)
class AcceptAmendment:
    """A new revision with the amendment's wording, or `text` if the chair edited it."""

    amendment_id: str
    text: str | None = None
    note: str | None = None
    new_round: bool = False

    def __post_init__(self) -> None:
        check_text(self.text, "The accepted wording", v.MAX_PROPOSITION)
        check_text(self.note, "The note", v.MAX_NOTE)
        check_flag(self.new_round, "new_round")


@dataclass(frozen=True, slots=True)
class DeclineAmendment:
    amendment_id: str
    note: str | None = None

    def __post_init__(self) -> None:
        check_text(self.note, "The note", v.MAX_NOTE)


@dataclass(frozen=True, slots=True)
class TranslateProposition:
    """The current revision's text in one language; blank text removes it."""

    proposition_id: str
    language: str
    text: str | None

    def __post_init__(self) -> None:
        check_one_of(self.language, v.LANGUAGES, "language")
        check_text(self.text, "The translation", v.MAX_PROPOSITION)


@dataclass(frozen=True, slots=True)
class ImportTranslations:
    """A CSV or JSON file with one column per language (docs/protocol.md)."""

    format: v.TranslationsFormat
    content: str

    def __post_init__(self) -> None:
        check_one_of(self.format, v.TRANSLATIONS_FORMATS, "format")
        check_text(self.content, "The file", v.MAX_TRANSLATIONS_FILE, required=True)


def check_flag(value: object, what: str) -> None:
    if not isinstance(value, bool):
        raise BadRequest(f"{what} must be true or false.")


@dataclass(frozen=True, slots=True)
class SetSessionStatus:
    """The operator closes a session (no more ratings, joins or hands), archives it,
    or reopens it."""

    status: v.SessionStatus

    def __post_init__(self) -> None:
        check_one_of(self.status, v.SESSION_STATUSES, "status")


@dataclass(frozen=True, slots=True)
class SetWindow:
    """A rating window, its times given as the session's local time
    (`2026-12-03T09:00`) or with an offset; `decide` resolves them."""

    window_id: str
    proposition_id: str | None
    opens_at: str
    closes_at: str

    def __post_init__(self) -> None:
        for name in ("opens_at", "closes_at"):
            check_local_time(getattr(self, name), name)


def check_local_time(value: object, what: str) -> None:
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        raise BadRequest(f"{what} must be a date and time such as 2026-12-03T09:00.")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{what} must be a date and time such as 2026-12-03T09:00.") from None


@dataclass(frozen=True, slots=True)
class CancelWindow:
    window_id: str


@dataclass(frozen=True, slots=True)
class AdvanceWindows:
    """Given by the shell's scheduler with `now` = a deadline: every window whose
    opening or closing time is at or before it opens or closes, at its own time."""


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    note: str | None = None

    def __post_init__(self) -> None:
        check_text(self.note, "The note", v.MAX_NOTE)


@dataclass(frozen=True, slots=True)
class UnpublishOutcome:
    pass


@dataclass(frozen=True, slots=True)
class Carried:
    """One proposition brought back from a past session's published outcome."""

    proposition_id: str
    text: str
    session_id: str
    title: str
    head: str
    status: v.MarkStatus
    round: int
    total: int
    agree_share: float | None
    counts: Counts

    def __post_init__(self) -> None:
        check_text(self.text, "A carried proposition", v.MAX_PROPOSITION, required=True)
        check_text(self.title, "The past session's title", v.MAX_TITLE, required=True)
        check_one_of(self.status, ("no_consensus", "needs_revision"), "A carried status")
        if not isinstance(self.head, str) or not 8 <= len(self.head) <= 64:
            raise BadRequest("A carried proposition needs the head of its outcome.")
        check_int(self.round, "round", 0, 100_000)
        check_int(self.total, "total", 0, 10_000_000)
        check_counts(self.counts, "counts")
        share = self.agree_share
        if share is not None and (
            isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1
        ):
            raise BadRequest("agree_share must be a number from 0 to 1, or null.")


@dataclass(frozen=True, slots=True)
class CarryForward:
    items: tuple[Carried, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.items) <= v.MAX_CARRIED:
            raise BadRequest(
                f"There is nothing to carry forward: the outcome has no proposition marked "
                f"no consensus or needing revision (or more than {v.MAX_CARRIED})."
            )


@dataclass(frozen=True, slots=True)
class RegistrantRow:
    """One row of a registrant list: its number in the file, the id it will
    have, the keyed digest of its email (`email_key`) and its columns."""

    row: int
    registrant_id: str
    email_key: str
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class ImportRegistrants:
    """A whole registrant list: all of it is imported, or none of it.

    `problems` are those found reading the file (its header); `decide` adds
    every row's own and refuses the list if there is any.
    """

    rows: tuple[RegistrantRow, ...]
    problems: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        if len(self.rows) > v.MAX_REGISTRANT_ROWS:
            raise TooLarge(
                f"One import takes at most {v.MAX_REGISTRANT_ROWS} registrants; "
                f"this one has {len(self.rows)}: split it into several files."
            )
        if not self.rows and not self.problems:
            raise BadRequest(
                "The list has no registrants: one row per registrant after the header."
            )


@dataclass(frozen=True, slots=True)
class SetAdmission:
    """Who may take part, and whose ratings the suggestion follows; `None` keeps it."""

    admission: v.Admission
    suggestion_follows: v.SuggestionBasis | None = None

    def __post_init__(self) -> None:
        check_one_of(self.admission, v.ADMISSIONS, "admission")
        if self.suggestion_follows is not None:
            check_one_of(self.suggestion_follows, v.SUGGESTION_BASES, "suggestion_follows")


@dataclass(frozen=True, slots=True)
class RemoveRegistrant:
    registrant_id: str


@dataclass(frozen=True, slots=True)
class OpenInvitation:
    """A registrant opens their personal link: the first time they become a participant."""

    registrant_id: str


Command = (
    CreateSession
    | Join
    | RemoveParticipant
    | AddProposition
    | MoveProposition
    | OpenProposition
    | CloseProposition
    | RevealResults
    | SubmitRating
    | RaiseHand
    | LowerHand
    | HubTally
    | HubSpeaker
    | QueueNext
    | YieldFloor
    | CloseQueue
    | ShowOnDisplay
    | QueueMove
    | QueueRemove
    | SetTimer
    | MarkConsensus
    | InviteHub
    | UpdateHub
    | RotateHubToken
    | RotateLinks
    | EditProposition
    | WithdrawProposition
    | UndoClose
    | ProposeAmendment
    | AcceptAmendment
    | DeclineAmendment
    | TranslateProposition
    | ImportTranslations
    | SetSessionStatus
    | SetWindow
    | CancelWindow
    | AdvanceWindows
    | PublishOutcome
    | UnpublishOutcome
    | CarryForward
    | ImportRegistrants
    | RemoveRegistrant
    | OpenInvitation
    | SetAdmission
)

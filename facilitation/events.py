"""Events: what happened. Every change of a session is one of these.

Events are frozen and slotted; `at` is the time (seconds since the epoch) the
shell passed to `decide`. `to_json`/`from_json` give plain JSON objects with
a schema version `v` and a `type`, the form the durable log stores.
"""

from dataclasses import MISSING, dataclass, fields
from typing import Any, Final

from .errors import BadRequest
from .settings import SessionSettings
from .vocabulary import (
    Admission,
    AmendmentStatus,
    Channel,
    DisplayMode,
    Intent,
    LinkRole,
    MarkStatus,
    ParticipantChannel,
    SessionStatus,
    SuggestionBasis,
    TimerAction,
    Value,
)

SCHEMA_VERSION: Final = 1
Counts = dict[str, int]


@dataclass(frozen=True, slots=True)
class SessionCreated:
    session_id: str
    title: str
    join_code: str
    languages: tuple[str, ...]
    stakeholder_groups: tuple[str, ...]
    settings: SessionSettings
    at: float


@dataclass(frozen=True, slots=True)
class ParticipantJoined:
    participant_id: str
    stakeholder_group: str
    channel: ParticipantChannel
    name: str | None
    language: str | None
    at: float


@dataclass(frozen=True, slots=True)
class ParticipantRemoved:
    participant_id: str
    at: float


@dataclass(frozen=True, slots=True)
class RatingsDiscarded:
    participant_id: str
    at: float


@dataclass(frozen=True, slots=True)
class PropositionAdded:
    proposition_id: str
    text: str
    source: str | None
    at: float
    section: str | None = None  # absent from logs written before sections: None


@dataclass(frozen=True, slots=True)
class PropositionMoved:
    proposition_id: str
    position: int
    at: float


@dataclass(frozen=True, slots=True)
class PropositionOpened:
    proposition_id: str
    round: int
    at: float


@dataclass(frozen=True, slots=True)
class PropositionClosed:
    proposition_id: str
    at: float


@dataclass(frozen=True, slots=True)
class ResultsRevealed:
    proposition_id: str
    visible: bool
    at: float


@dataclass(frozen=True, slots=True)
class RatingSubmitted:
    proposition_id: str
    round: int
    participant_id: str
    value: Value | None
    comment: str | None
    at: float


@dataclass(frozen=True, slots=True)
class HandRaised:
    entry_id: str
    participant_id: str
    intent: Intent
    proposition_id: str | None
    at: float


@dataclass(frozen=True, slots=True)
class HubSpeakerAdded:
    entry_id: str
    hub_id: str
    name: str
    stakeholder_group: str
    intent: Intent
    at: float


@dataclass(frozen=True, slots=True)
class EntryRemoved:
    """An entry left the queue: its owner lowered it, or the facilitator removed it."""

    entry_id: str
    by_facilitator: bool
    at: float


@dataclass(frozen=True, slots=True)
class EntryMoved:
    entry_id: str
    position: int
    at: float


@dataclass(frozen=True, slots=True)
class FloorGiven:
    """`queue:next`: the current turn ends; `entry_id` (None: nobody) gets the floor."""

    entry_id: str | None
    at: float


@dataclass(frozen=True, slots=True)
class FloorYielded:
    """The speaker of `entry_id` ended their own turn; nobody has the floor."""

    entry_id: str
    at: float


@dataclass(frozen=True, slots=True)
class QueueClosed:
    """The list of speakers closed (no new hands) or, `closed` false, reopened."""

    closed: bool
    at: float


@dataclass(frozen=True, slots=True)
class DisplayChosen:
    mode: DisplayMode
    proposition_id: str | None
    at: float


@dataclass(frozen=True, slots=True)
class TimerChanged:
    action: TimerAction
    seconds: int | None
    at: float


@dataclass(frozen=True, slots=True)
class ConsensusMarked:
    proposition_id: str
    status: MarkStatus
    note: str | None
    at: float


@dataclass(frozen=True, slots=True)
class HubInvited:
    hub_id: str
    name: str
    attendance: int
    at: float


@dataclass(frozen=True, slots=True)
class HubUpdated:
    hub_id: str
    attendance: int
    at: float


@dataclass(frozen=True, slots=True)
class HubTokenRotated:
    hub_id: str
    epoch: int
    at: float


@dataclass(frozen=True, slots=True)
class LinksRotated:
    role: LinkRole
    epoch: int
    at: float


@dataclass(frozen=True, slots=True)
class SessionStatusChanged:
    status: SessionStatus
    at: float


@dataclass(frozen=True, slots=True)
class HubTallied:
    hub_id: str
    proposition_id: str
    round: int
    counts: Counts
    by_group: dict[str, Counts] | None
    at: float


@dataclass(frozen=True, slots=True)
class AdmissionSet:
    admission: Admission
    suggestion_follows: SuggestionBasis
    at: float


# (registrant_id, name, email_key, stakeholder_group, channel, language): never the email.
RegistrantRecord = tuple[str, str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class RegistrantsImported:
    registrants: tuple[RegistrantRecord, ...]
    at: float


@dataclass(frozen=True, slots=True)
class RegistrantRemoved:
    registrant_id: str
    at: float


@dataclass(frozen=True, slots=True)
class InvitationOpened:
    """A registrant's first opening of their link: they take part as participant
    `registrant_id`, with the group, channel and language of their registration."""

    registrant_id: str
    at: float


@dataclass(frozen=True, slots=True)
class WindowSet:
    window_id: str
    proposition_id: str | None  # None: the whole agenda
    opens_at: float
    closes_at: float
    at: float


@dataclass(frozen=True, slots=True)
class WindowOpened:
    """`at` is the window's opening time, even when recorded later (a restart)."""

    window_id: str
    at: float


@dataclass(frozen=True, slots=True)
class WindowClosed:
    """`at` is the window's closing time, even when recorded later (a restart)."""

    window_id: str
    at: float


@dataclass(frozen=True, slots=True)
class WindowCancelled:
    window_id: str
    at: float


@dataclass(frozen=True, slots=True)
class OutcomePublished:
    version: int  # the outcome is built from the log's first `version` events
    note: str | None
    at: float


@dataclass(frozen=True, slots=True)
class OutcomeUnpublished:
    at: float


@dataclass(frozen=True, slots=True)
class ProvenanceRecorded:
    """A proposition just added was carried forward from a past session's outcome."""

    proposition_id: str
    session_id: str
    title: str
    head: str
    status: MarkStatus
    round: int
    total: int
    agree_share: float | None
    counts: Counts
    at: float


@dataclass(frozen=True, slots=True)
class PropositionEdited:
    """A draft's wording replaced in place: no round has rated it."""

    proposition_id: str
    text: str
    source: str | None
    at: float


@dataclass(frozen=True, slots=True)
class PropositionRevised:
    """A new revision; the one it replaces stays on the record with its rounds."""

    proposition_id: str
    revision: int
    text: str
    source: str | None
    amendment_id: str | None
    at: float


@dataclass(frozen=True, slots=True)
class PropositionWithdrawn:
    proposition_id: str
    at: float


@dataclass(frozen=True, slots=True)
class CloseUndone:
    """The last round, closed by mistake, is open again."""

    proposition_id: str
    at: float


@dataclass(frozen=True, slots=True)
class AmendmentProposed:
    amendment_id: str
    proposition_id: str
    author: str
    stakeholder_group: str
    channel: Channel
    text: str
    why: str | None
    at: float


@dataclass(frozen=True, slots=True)
class AmendmentDecided:
    amendment_id: str
    status: AmendmentStatus
    note: str | None
    revision: int | None
    at: float


@dataclass(frozen=True, slots=True)
class TranslationSet:
    """`text` None: the translation is removed."""

    proposition_id: str
    revision: int
    language: str
    text: str | None
    at: float


Event = (
    SessionCreated
    | ParticipantJoined
    | ParticipantRemoved
    | RatingsDiscarded
    | PropositionAdded
    | PropositionMoved
    | PropositionOpened
    | PropositionClosed
    | ResultsRevealed
    | RatingSubmitted
    | HandRaised
    | HubSpeakerAdded
    | EntryRemoved
    | EntryMoved
    | FloorGiven
    | FloorYielded
    | QueueClosed
    | DisplayChosen
    | TimerChanged
    | ConsensusMarked
    | HubInvited
    | HubUpdated
    | HubTokenRotated
    | HubTallied
    | LinksRotated
    | SessionStatusChanged
    | RegistrantsImported
    | RegistrantRemoved
    | InvitationOpened
    | AdmissionSet
    | WindowSet
    | WindowOpened
    | WindowClosed
    | WindowCancelled
    | OutcomePublished
    | OutcomeUnpublished
    | ProvenanceRecorded
    | PropositionEdited
    | PropositionRevised
    | PropositionWithdrawn
    | CloseUndone
    | AmendmentProposed
    | AmendmentDecided
    | TranslationSet
)

EVENT_TYPES: Final[dict[str, type[Event]]] = {
    "session_created": SessionCreated,
    "participant_joined": ParticipantJoined,
    "participant_removed": ParticipantRemoved,
    "ratings_discarded": RatingsDiscarded,
    "proposition_added": PropositionAdded,
    "proposition_moved": PropositionMoved,
    "proposition_opened": PropositionOpened,
    "proposition_closed": PropositionClosed,
    "results_revealed": ResultsRevealed,
    "rating_submitted": RatingSubmitted,
    "hand_raised": HandRaised,
    "hub_speaker_added": HubSpeakerAdded,
    "entry_removed": EntryRemoved,
    "entry_moved": EntryMoved,
    "floor_given": FloorGiven,
    "floor_yielded": FloorYielded,
    "queue_closed": QueueClosed,
    "display_chosen": DisplayChosen,
    "timer_changed": TimerChanged,
    "consensus_marked": ConsensusMarked,
    "hub_invited": HubInvited,
    "hub_updated": HubUpdated,
    "hub_token_rotated": HubTokenRotated,
    "hub_tallied": HubTallied,
    "links_rotated": LinksRotated,
    "session_status_changed": SessionStatusChanged,
    "registrants_imported": RegistrantsImported,
    "registrant_removed": RegistrantRemoved,
    "invitation_opened": InvitationOpened,
    "admission_set": AdmissionSet,
    "window_set": WindowSet,
    "window_opened": WindowOpened,
    "window_closed": WindowClosed,
    "window_cancelled": WindowCancelled,
    "outcome_published": OutcomePublished,
    "outcome_unpublished": OutcomeUnpublished,
    "provenance_recorded": ProvenanceRecorded,
    "proposition_edited": PropositionEdited,
    "proposition_revised": PropositionRevised,
    "proposition_withdrawn": PropositionWithdrawn,
    "close_undone": CloseUndone,
    "amendment_proposed": AmendmentProposed,
    "amendment_decided": AmendmentDecided,
    "translation_set": TranslationSet,
}
TYPE_NAMES: Final[dict[type[Event], str]] = {cls: name for name, cls in EVENT_TYPES.items()}
_FIELDS: Final[dict[type[Event], tuple[str, ...]]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in EVENT_TYPES.values()
}
# Fields added to an event after logs were written with it: an old body lacks them.
_OPTIONAL: Final[dict[type[Event], frozenset[str]]] = {
    cls: frozenset(f.name for f in fields(cls) if f.default is not MISSING)
    for cls in EVENT_TYPES.values()
}


def to_json(event: Event) -> dict[str, Any]:
    """The event as a plain JSON object: `{"v": 1, "type": ..., <fields>}`."""
    body: dict[str, Any] = {"v": SCHEMA_VERSION, "type": TYPE_NAMES[type(event)]}
    for name in _FIELDS[type(event)]:
        value = getattr(event, name)
        if value is None and name in _OPTIONAL[type(event)]:
            continue  # absent means None: bodies without it read (and hash) as before
        if isinstance(value, SessionSettings):
            value = value.to_dict()
        elif isinstance(value, tuple):
            value = [list(item) if isinstance(item, tuple) else item for item in value]
        body[name] = value
    return body


def from_json(body: dict[str, Any]) -> Event:
    """Rebuild an event from `to_json`'s form; raises BadRequest on anything else."""
    if body.get("v") != SCHEMA_VERSION:
        raise BadRequest(f"Unsupported event schema version {body.get('v')!r}.")
    cls = EVENT_TYPES.get(body.get("type", ""))
    if cls is None:
        raise BadRequest(f"Unknown event type {body.get('type')!r}.")
    try:
        values = {
            name: body[name] for name in _FIELDS[cls] if name in body or name not in _OPTIONAL[cls]
        }
    except KeyError as missing:
        raise BadRequest(f"Event {body['type']} lacks field {missing}.") from None
    if cls is SessionCreated:
        values["languages"] = tuple(values["languages"])
        values["stakeholder_groups"] = tuple(values["stakeholder_groups"])
        values["settings"] = SessionSettings.from_dict(values["settings"])
    if cls is RegistrantsImported:
        values["registrants"] = tuple(tuple(r) for r in values["registrants"])
    return cls(**values)

"""The wire contract's payloads, validated at the edge (pydantic).

Shapes are checked here (types, required keys, no unknown keys, well-formed
text, bounded nesting and numbers); values that the domain owns (text limits →
`too_large`, groups of this session, attendance) are checked by the domain's
constructors and `decide`. Which payload each command takes is declared in
`server/registry.py`.
"""

from math import isfinite
from typing import Annotated, Any, Final, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from facilitation import commands as c
from facilitation.settings import SessionSettings
from facilitation.vocabulary import (
    Admission,
    DisplayMode,
    Intent,
    LinkRole,
    MarkStatus,
    ParticipantChannel,
    SessionStatus,
    SuggestionBasis,
    TimerAction,
    TranslationsFormat,
    Value,
)

from .errors import ApiError
from .sessions import new_id

Id = Annotated[str, Field(min_length=1, max_length=64)]
Counts = dict[Annotated[str, Field(max_length=64)], int]
M = TypeVar("M", bound=BaseModel)

# No command nests deeper than a hub's `by_group` counts (payload → by_group →
# group → value); a little room above that, and far below Python's recursion
# limit, so deep nesting is a `bad_request`, never a traceback.
MAX_DEPTH: Final = 8
# JSON numbers beyond what every client represents exactly (2**53) are not
# counts, positions or seconds of any command.
MAX_NUMBER: Final = 2**53


def check_json(value: object, depth: int = 0) -> None:
    """Refuse what no command carries: lone surrogates, deep nesting, huge numbers.

    Raises `ApiError("bad_request")` naming the problem; used on socket
    payloads and HTTP bodies alike, before any model sees them.
    """
    if depth > MAX_DEPTH:
        raise ApiError("bad_request", f"The payload is nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        if not isfinite(value) or abs(value) > MAX_NUMBER:
            raise ApiError("bad_request", "A number in the payload is out of range.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(str(key))
            check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json(item, depth + 1)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(
            "bad_request",
            "The text is not well-formed Unicode (a lone surrogate): "
            "please retype it and send it again.",
        ) from None


class Strict(BaseModel):
    """Unknown keys refused, no coercion, and `check_json` before anything else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _well_formed(cls, data: Any) -> Any:
        check_json(data)
        return data


class Payload(Strict):
    request_id: Id | None = None


class Empty(Payload):
    pass


class RatingSubmit(Payload):
    proposition_id: Id
    value: Value | None
    comment: str | None = None


class HandRaise(Payload):
    intent: Intent
    proposition_id: Id | None = None


class HubTallyPayload(Payload):
    proposition_id: Id
    counts: Counts
    by_group: dict[Annotated[str, Field(max_length=64)], Counts] | None = None


class HubSpeakerPayload(Payload):
    name: str
    stakeholder_group: Annotated[str, Field(max_length=64)]
    intent: Intent


class PropositionAdd(Payload):
    text: str
    source: str | None = None
    section: str | None = None


class PropositionRef(Payload):
    proposition_id: Id


class PropositionMove(Payload):
    proposition_id: Id
    position: int


class ResultsReveal(Payload):
    proposition_id: Id
    visible: bool


class EntryMove(Payload):
    entry_id: Id
    position: int


class EntryRef(Payload):
    entry_id: Id


class QueueNextPayload(Payload):
    seconds: int | None = None


class QueuePage(Payload):
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class QueueClose(Payload):
    closed: bool


class DisplayShow(Payload):
    mode: DisplayMode
    proposition_id: Id | None = None


class TimerSet(Payload):
    action: TimerAction
    seconds: int | None = None


class ConsensusMark(Payload):
    proposition_id: Id
    status: MarkStatus
    note: str | None = None


class HubInvite(Payload):
    name: str
    attendance: int


class HubUpdate(Payload):
    hub_id: Id
    attendance: int


class HubRef(Payload):
    hub_id: Id


class LinksRotate(Payload):
    role: LinkRole


class ParticipantRemove(Payload):
    participant_id: Id
    discard_ratings: bool = False


class PropositionEdit(Payload):
    proposition_id: Id
    text: str
    source: str | None = None
    new_round: bool = False


class AmendmentPropose(Payload):
    proposition_id: Id
    text: str
    why: str | None = None
    stakeholder_group: Annotated[str, Field(max_length=64)] | None = None


class AmendmentAccept(Payload):
    amendment_id: Id
    text: str | None = None
    note: str | None = None
    new_round: bool = False


class AmendmentDecline(Payload):
    amendment_id: Id
    note: str | None = None


class PropositionTranslate(Payload):
    proposition_id: Id
    language: Annotated[str, Field(max_length=8)]
    text: str | None


class TranslationsBody(Strict):
    """`POST /api/sessions/{id}/translations`: a file's text and its format."""

    format: TranslationsFormat
    content: str


class WindowSetPayload(Payload):
    proposition_id: Id | None = None  # None: every proposition of the agenda
    opens_at: Annotated[str, Field(max_length=40)]
    closes_at: Annotated[str, Field(max_length=40)]


class WindowRef(Payload):
    window_id: Id


class OutcomePublish(Payload):
    note: str | None = None


class AdmissionSetPayload(Payload):
    admission: Admission
    suggestion_follows: SuggestionBasis | None = None


class RegistrantRef(Payload):
    registrant_id: Id


class InvitationBody(Strict):
    invitation: Annotated[str, Field(max_length=200)]


class InvitationsSend(Strict):
    # None: every registrant not removed whose invitation was not sent yet.
    registrant_ids: list[Id] | None = Field(default=None, max_length=2000)
    again: bool = False  # also those already sent


def parse(model: type[M], raw: object) -> M:
    """Validate a payload, turning pydantic's errors into one actionable `bad_request`."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ApiError("bad_request", "The payload must be a JSON object.")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        raise ApiError("bad_request", f"{where}: {first['msg']}.") from None


class PropositionIn(Strict):
    text: str
    source: str | None = None


class CreateSessionBody(Strict):
    title: str
    languages: list[Annotated[str, Field(max_length=8)]] | None = None
    stakeholder_groups: list[Annotated[str, Field(max_length=64)]] | None = None
    propositions: list[PropositionIn] | None = Field(default=None, max_length=500)
    settings: dict[str, Any] | None = None

    def command(self, join_code: str) -> c.CreateSession:
        extra: dict[str, Any] = {}
        if self.languages is not None:
            extra["languages"] = tuple(self.languages)
        if self.stakeholder_groups is not None:
            extra["stakeholder_groups"] = tuple(self.stakeholder_groups)
        return c.CreateSession(
            new_id(),
            self.title,
            join_code,
            settings=SessionSettings.from_dict(self.settings),
            propositions=tuple((new_id(), p.text, p.source) for p in self.propositions or ()),
            **extra,
        )


class SessionStatusBody(Strict):
    status: SessionStatus


class SettingsCheckBody(Strict):
    settings: dict[str, Any] | None = None


class JoinBody(Strict):
    join_code: Annotated[str, Field(max_length=32)]
    stakeholder_group: Annotated[str, Field(max_length=64)]
    channel: ParticipantChannel
    name: str | None = None
    language: Annotated[str, Field(max_length=8)] | None = None

"""The wire contract's payloads, validated at the edge (pydantic), and the
mapping from command names (`entity:verb`) to domain commands.

Shapes are checked here (types, required keys, no unknown keys); values that
the domain owns (text limits → `too_large`, groups of this session, attendance)
are checked by the domain's constructors and `decide`.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from facilitation import commands as c
from facilitation.settings import SessionSettings

from .errors import ApiError
from .sessions import new_id

Id = Annotated[str, Field(min_length=1, max_length=64)]
Value = Literal["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "confused"]
Intent = Literal["point_of_order", "reply", "clarify", "speak"]
MarkStatus = Literal["rough_consensus", "no_consensus", "needs_revision", "unmarked"]
Counts = dict[Annotated[str, Field(max_length=64)], int]
M = TypeVar("M", bound=BaseModel)


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
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


class TimerSet(Payload):
    action: Literal["start", "pause", "reset"]
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


class ParticipantRemove(Payload):
    participant_id: Id
    discard_ratings: bool = False


Builder = Callable[[Any], c.Command]
COMMANDS: dict[str, tuple[type[Payload], Builder]] = {
    "rating:submit": (RatingSubmit, lambda p: c.SubmitRating(p.proposition_id, p.value, p.comment)),
    "hand:raise": (HandRaise, lambda p: c.RaiseHand(new_id(), p.intent, p.proposition_id)),
    "hand:lower": (Empty, lambda p: c.LowerHand()),
    "hub:tally": (HubTallyPayload, lambda p: c.HubTally(p.proposition_id, p.counts, p.by_group)),
    "hub:speaker": (
        HubSpeakerPayload,
        lambda p: c.HubSpeaker(new_id(), p.name, p.stakeholder_group, p.intent),
    ),
    "proposition:add": (PropositionAdd, lambda p: c.AddProposition(new_id(), p.text, p.source)),
    "proposition:move": (
        PropositionMove,
        lambda p: c.MoveProposition(p.proposition_id, p.position),
    ),
    "proposition:open": (PropositionRef, lambda p: c.OpenProposition(p.proposition_id)),
    "proposition:close": (PropositionRef, lambda p: c.CloseProposition(p.proposition_id)),
    "results:reveal": (ResultsReveal, lambda p: c.RevealResults(p.proposition_id, p.visible)),
    "queue:next": (Empty, lambda p: c.QueueNext()),
    "queue:move": (EntryMove, lambda p: c.QueueMove(p.entry_id, p.position)),
    "queue:remove": (EntryRef, lambda p: c.QueueRemove(p.entry_id)),
    "timer:set": (TimerSet, lambda p: c.SetTimer(p.action, p.seconds)),
    "consensus:mark": (
        ConsensusMark,
        lambda p: c.MarkConsensus(p.proposition_id, p.status, p.note),
    ),
    "hub:invite": (HubInvite, lambda p: c.InviteHub(new_id(), p.name, p.attendance)),
    "hub:update": (HubUpdate, lambda p: c.UpdateHub(p.hub_id, p.attendance)),
    "hub:rotate": (HubRef, lambda p: c.RotateHubToken(p.hub_id)),
    "participant:remove": (
        ParticipantRemove,
        lambda p: c.RemoveParticipant(p.participant_id, p.discard_ratings),
    ),
}
LOCAL_COMMANDS = frozenset({"sync", "auth:refresh"})  # answered by the socket layer alone


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


class PropositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    text: str
    source: str | None = None


class CreateSessionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
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


class JoinBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    join_code: Annotated[str, Field(max_length=32)]
    stakeholder_group: Annotated[str, Field(max_length=64)]
    channel: Literal["in_room", "remote"]
    name: str | None = None
    language: Annotated[str, Field(max_length=8)] | None = None

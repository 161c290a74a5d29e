"""The socket commands of the wire contract, one entry each.

An entry names the command on the wire, its payload model (validated at the
edge), the builder of its domain command, and what follows it outside the
log (a hub link issued, connections closed). The roles allowed and the ack's
fields come from the domain's rule for that command (`facilitation.decide.RULES`),
so neither is declared twice. The gateway, the generated client and load
generator vocabularies, and the command table of `docs/protocol.md` are all
read from here; tests check that every domain command has an entry.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypeVar

from facilitation import commands as c
from facilitation.actor import ActorRole
from facilitation.decide import RULES
from facilitation.outcomes import FIELDS
from facilitation.vocabulary import ROLES, LinkRole

from . import wire as w
from .auth import Claims
from .live import LiveSession
from .sessions import new_id
from .views import personal, room

P = TypeVar("P", bound=w.Payload)
C = TypeVar("C", bound=c.Command)
Ack = dict[str, Any]


class Effects(Protocol):
    """What may follow a durable command outside the log; the gateway provides it."""

    def hub_link(self, runner: LiveSession, hub_id: str) -> tuple[str, str]:
        """A token for the hub's current link generation, and its console link."""
        ...

    def link(self, runner: LiveSession, role: LinkRole) -> tuple[str, str]:
        """A token for the current generation of a shared link, and the link."""
        ...

    async def close(self, room: str, which: Callable[[Claims], bool]) -> None:
        """Close the connections in `room` whose claims `which` selects, never the caller's."""
        ...

    def adopt(self, token: str) -> None:
        """The caller's connection goes on under `token`."""
        ...

    async def tell(self, runner: LiveSession, participant_id: str) -> None:
        """Send one participant's connections their own `me` section, now."""
        ...

    async def forget_registrant(self, runner: LiveSession, registrant_id: str) -> None:
        """Delete a removed registrant's email address and delivery status."""
        ...


After = Callable[[Effects, LiveSession, P, Ack], Awaitable[Ack]]


@dataclass(frozen=True, slots=True)
class CommandEntry(Generic[P, C]):
    name: str
    payload: type[P]
    command: type[C]
    build: Callable[[P], C]
    after: After[P] | None = None
    added_fields: tuple[str, ...] = ()  # ack fields the after-effect adds

    @property
    def roles(self) -> frozenset[ActorRole]:
        return RULES[self.command].roles

    @property
    def ack_fields(self) -> tuple[str, ...]:
        fields = FIELDS[RULES[self.command].outcome.__name__]
        return fields + tuple(f for f in self.added_fields if f not in fields)


@dataclass(frozen=True, slots=True)
class LocalEntry:
    """A command the socket layer answers alone, without the log."""

    name: str
    payload: type[w.Payload]
    ack_fields: tuple[str, ...]
    summary: str
    only: frozenset[ActorRole] = frozenset()  # the roles that may give it; empty: any

    @property
    def roles(self) -> frozenset[ActorRole]:
        return self.only or frozenset(ROLES)


def entry(
    name: str,
    payload: type[P],
    command: type[C],
    build: Callable[[P], C],
    after: After[P] | None = None,
    added_fields: tuple[str, ...] = (),
) -> CommandEntry[P, C]:
    """A typed entry: mypy checks that `build` takes `payload` and makes `command`."""
    return CommandEntry(name, payload, command, build, after, added_fields)


async def _hub_link(fx: Effects, runner: LiveSession, hub_id: str, ack: Ack) -> Ack:
    token, url = fx.hub_link(runner, hub_id)
    return {**ack, "hub_id": hub_id, "token": token, "url": url}


async def _invited(fx: Effects, runner: LiveSession, _: w.HubInvite, ack: Ack) -> Ack:
    return await _hub_link(fx, runner, ack["hub_id"], ack)


async def _rotated(fx: Effects, runner: LiveSession, p: w.HubRef, ack: Ack) -> Ack:
    epoch = runner.state.hubs[p.hub_id].epoch
    await fx.close(room(runner.session_id, "hub", p.hub_id), lambda claims: claims.epoch != epoch)
    return await _hub_link(fx, runner, p.hub_id, ack)


async def _removed(fx: Effects, runner: LiveSession, p: w.ParticipantRemove, ack: Ack) -> Ack:
    await fx.close(personal(runner.session_id, p.participant_id), lambda _: True)
    return ack


async def _registrant_removed(
    fx: Effects, runner: LiveSession, p: w.RegistrantRef, ack: Ack
) -> Ack:
    # Their link is revoked by the log; their open connections end here.
    await fx.close(personal(runner.session_id, p.registrant_id), lambda _: True)
    await fx.forget_registrant(runner, p.registrant_id)
    return ack


async def _links_rotated(fx: Effects, runner: LiveSession, p: w.LinksRotate, ack: Ack) -> Ack:
    epoch = runner.state.link_epochs.get(p.role, 0)
    token, url = fx.link(runner, p.role)
    if p.role == "facilitator":
        fx.adopt(token)  # the console that rotated its own link stays connected
    await fx.close(room(runner.session_id, p.role), lambda claims: claims.epoch != epoch)
    return {**ack, "token": token, "url": url}


async def _amendment_decided(
    fx: Effects, runner: LiveSession, p: w.AmendmentAccept | w.AmendmentDecline, ack: Ack
) -> Ack:
    """The proposer's phone shows what became of their amendment (a hub's shows it
    through its own `hub` section, which the fan-out sends)."""
    author = runner.state.amendments[p.amendment_id].author
    if author.startswith("p:"):
        await fx.tell(runner, author[2:])
    return ack


# Built from a bare tuple, so that mypy checks each builder against its payload.
_ENTRIES = (
    entry(
        "rating:submit",
        w.RatingSubmit,
        c.SubmitRating,
        lambda p: c.SubmitRating(p.proposition_id, p.value, p.comment),
    ),
    entry(
        "hand:raise",
        w.HandRaise,
        c.RaiseHand,
        lambda p: c.RaiseHand(new_id(), p.intent, p.proposition_id),
    ),
    entry("hand:lower", w.Empty, c.LowerHand, lambda p: c.LowerHand()),
    entry(
        "hub:tally",
        w.HubTallyPayload,
        c.HubTally,
        lambda p: c.HubTally(p.proposition_id, p.counts, p.by_group),
    ),
    entry(
        "hub:speaker",
        w.HubSpeakerPayload,
        c.HubSpeaker,
        lambda p: c.HubSpeaker(new_id(), p.name, p.stakeholder_group, p.intent),
    ),
    entry(
        "proposition:add",
        w.PropositionAdd,
        c.AddProposition,
        lambda p: c.AddProposition(new_id(), p.text, p.source, p.section),
    ),
    entry(
        "proposition:move",
        w.PropositionMove,
        c.MoveProposition,
        lambda p: c.MoveProposition(p.proposition_id, p.position),
    ),
    entry(
        "proposition:open",
        w.PropositionRef,
        c.OpenProposition,
        lambda p: c.OpenProposition(p.proposition_id),
    ),
    entry(
        "proposition:close",
        w.PropositionRef,
        c.CloseProposition,
        lambda p: c.CloseProposition(p.proposition_id),
    ),
    entry(
        "results:reveal",
        w.ResultsReveal,
        c.RevealResults,
        lambda p: c.RevealResults(p.proposition_id, p.visible),
    ),
    entry("queue:next", w.QueueNextPayload, c.QueueNext, lambda p: c.QueueNext(p.seconds)),
    entry("queue:yield", w.Empty, c.YieldFloor, lambda p: c.YieldFloor()),
    entry("queue:close", w.QueueClose, c.CloseQueue, lambda p: c.CloseQueue(p.closed)),
    entry(
        "display:show",
        w.DisplayShow,
        c.ShowOnDisplay,
        lambda p: c.ShowOnDisplay(p.mode, p.proposition_id),
    ),
    entry("queue:move", w.EntryMove, c.QueueMove, lambda p: c.QueueMove(p.entry_id, p.position)),
    entry("queue:remove", w.EntryRef, c.QueueRemove, lambda p: c.QueueRemove(p.entry_id)),
    entry("timer:set", w.TimerSet, c.SetTimer, lambda p: c.SetTimer(p.action, p.seconds)),
    entry(
        "consensus:mark",
        w.ConsensusMark,
        c.MarkConsensus,
        lambda p: c.MarkConsensus(p.proposition_id, p.status, p.note),
    ),
    entry(
        "hub:invite",
        w.HubInvite,
        c.InviteHub,
        lambda p: c.InviteHub(new_id(), p.name, p.attendance),
        after=_invited,
        added_fields=("token", "url"),
    ),
    entry("hub:update", w.HubUpdate, c.UpdateHub, lambda p: c.UpdateHub(p.hub_id, p.attendance)),
    entry(
        "hub:rotate",
        w.HubRef,
        c.RotateHubToken,
        lambda p: c.RotateHubToken(p.hub_id),
        after=_rotated,
        added_fields=("hub_id", "token", "url"),
    ),
    entry(
        "links:rotate",
        w.LinksRotate,
        c.RotateLinks,
        lambda p: c.RotateLinks(p.role),
        after=_links_rotated,
        added_fields=("token", "url"),
    ),
    entry(
        "participant:remove",
        w.ParticipantRemove,
        c.RemoveParticipant,
        lambda p: c.RemoveParticipant(p.participant_id, p.discard_ratings),
        after=_removed,
    ),
    entry(
        "proposition:edit",
        w.PropositionEdit,
        c.EditProposition,
        lambda p: c.EditProposition(p.proposition_id, p.text, p.source, p.new_round),
    ),
    entry(
        "proposition:withdraw",
        w.PropositionRef,
        c.WithdrawProposition,
        lambda p: c.WithdrawProposition(p.proposition_id),
    ),
    entry(
        "proposition:undo_close",
        w.PropositionRef,
        c.UndoClose,
        lambda p: c.UndoClose(p.proposition_id),
    ),
    entry(
        "amendment:propose",
        w.AmendmentPropose,
        c.ProposeAmendment,
        lambda p: c.ProposeAmendment(
            new_id(), p.proposition_id, p.text, p.why, p.stakeholder_group
        ),
    ),
    entry(
        "amendment:accept",
        w.AmendmentAccept,
        c.AcceptAmendment,
        lambda p: c.AcceptAmendment(p.amendment_id, p.text, p.note, p.new_round),
        after=_amendment_decided,
    ),
    entry(
        "amendment:decline",
        w.AmendmentDecline,
        c.DeclineAmendment,
        lambda p: c.DeclineAmendment(p.amendment_id, p.note),
        after=_amendment_decided,
    ),
    entry(
        "proposition:translate",
        w.PropositionTranslate,
        c.TranslateProposition,
        lambda p: c.TranslateProposition(p.proposition_id, p.language, p.text),
    ),
    entry(
        "window:set",
        w.WindowSetPayload,
        c.SetWindow,
        lambda p: c.SetWindow(new_id(), p.proposition_id, p.opens_at, p.closes_at),
    ),
    entry("window:cancel", w.WindowRef, c.CancelWindow, lambda p: c.CancelWindow(p.window_id)),
    entry(
        "outcome:publish", w.OutcomePublish, c.PublishOutcome, lambda p: c.PublishOutcome(p.note)
    ),
    entry("outcome:unpublish", w.Empty, c.UnpublishOutcome, lambda p: c.UnpublishOutcome()),
    entry(
        "admission:set",
        w.AdmissionSetPayload,
        c.SetAdmission,
        lambda p: c.SetAdmission(p.admission, p.suggestion_follows),
    ),
    entry(
        "registrant:remove",
        w.RegistrantRef,
        c.RemoveRegistrant,
        lambda p: c.RemoveRegistrant(p.registrant_id),
        after=_registrant_removed,
    ),
)
COMMANDS: Final[dict[str, CommandEntry[Any, Any]]] = {e.name: e for e in _ENTRIES}

LOCAL: Final[dict[str, LocalEntry]] = {
    e.name: e
    for e in (
        LocalEntry("sync", w.Empty, (), "a fresh `snapshot` follows the ack"),
        LocalEntry("auth:refresh", w.Empty, ("token",), "the same role and session, new expiry"),
        LocalEntry(
            "queue:page",
            w.QueuePage,
            ("version", "offset", "entries", "length"),
            "up to 50 waiting entries from `offset` (0-based), and how many wait",
            frozenset({"facilitator"}),
        ),
    )
}

# Domain commands given over HTTP rather than a socket, with their routes.
HTTP_COMMANDS: Final[dict[type[c.Command], str]] = {
    c.CreateSession: "POST /api/sessions",
    c.Join: "POST /api/join",
    c.ImportTranslations: "POST /api/sessions/{session_id}/translations",
    c.SetSessionStatus: "POST /api/sessions/{session_id}/status",
    c.CarryForward: "POST /api/sessions/{session_id}/carry-forward",
    c.ImportRegistrants: "POST /api/sessions/{session_id}/registrants",
    c.OpenInvitation: "POST /api/invitation",
}

# Domain commands the shell gives on its own, with who gives them and when.
SHELL_COMMANDS: Final[dict[type[c.Command], str]] = {
    c.AdvanceWindows: "the window scheduler (server/windows.py), at each deadline and at start",
}

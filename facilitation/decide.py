"""`decide(state, command, actor, now) -> list[Event]`: the session's rules.

Rules this module keeps:
- `decide` never changes `state`; a refusal raises a `FacilitationError`
  subclass carrying the wire code, so a refused command changes nothing.
- Each command has one `Rule` in `RULES`: its handler, the roles allowed to
  give it (any other role is `forbidden`) and the fields its ack carries.
  A removed participant's commands are `unauthorized`.
- A command that asks for what already holds (withdrawing a rating one never
  gave, revealing what is revealed) decides no events and succeeds.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from . import commands as c
from . import events as ev
from . import outcomes as o
from . import publication as pub
from . import windows as win
from . import wording as w
from .actor import Actor, ActorRole
from .errors import (
    BadRequest,
    Closed,
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    rows_refused,
)
from .queue import ordered
from .registrants import channel_of, duplicates, row_problems
from .state import Hub, Participant, Proposition, SessionState
from .vocabulary import HUB_DEFAULT_GROUP

C = TypeVar("C", bound=c.Command)
Decide = Callable[[SessionState, C, Actor, float], list[ev.Event]]


@dataclass(frozen=True, slots=True)
class Rule(Generic[C]):
    """How one command is decided, who may give it, and what its ack carries."""

    command: type[C]
    decide: Decide[C]
    roles: frozenset[ActorRole]
    outcome: o.Outcome[C]


def rule(
    command: type[C],
    handler: Decide[C],
    *roles: ActorRole,
    outcome: o.Outcome[C] = o.nothing,
) -> Rule[C]:
    """A typed rule: mypy checks that `handler` and `outcome` take this command."""
    return Rule(command, handler, frozenset(roles or ("facilitator",)), outcome)


def decide(state: SessionState, command: c.Command, actor: Actor, now: float) -> list[ev.Event]:
    found = RULES[type(command)]
    allowed = found.roles
    if actor.role not in allowed:
        raise Forbidden(f"A {actor.role} may not do this; it is for: {', '.join(sorted(allowed))}.")
    if not state.created and not isinstance(command, c.CreateSession):
        raise NotFound("There is no such session.")
    if state.status != "open" and type(command) in REFUSED_WHEN_CLOSED:
        raise Closed(
            f"This session is {state.status}: it takes no more ratings, joins or hands. "
            "The operator can reopen it."
        )
    return found.decide(state, command, actor, now)


def outcome(state: SessionState, command: c.Command, actor: Actor) -> dict[str, Any]:
    """The ack's fields for `command`, read from the state after its events applied."""
    return RULES[type(command)].outcome(state, command, actor)


def _create_session(s: SessionState, cmd: c.CreateSession, _: Actor, now: float) -> list[ev.Event]:
    if s.created:
        raise Conflict("This session exists already.")
    created: list[ev.Event] = [
        ev.SessionCreated(
            cmd.session_id,
            cmd.title.strip(),
            cmd.join_code,
            cmd.languages,
            cmd.stakeholder_groups,
            cmd.settings,
            now,
        )
    ]
    for pid, text, source in cmd.propositions:
        created.append(ev.PropositionAdded(pid, text.strip(), _clean(source), now))
    return created


def _join(s: SessionState, cmd: c.Join, _: Actor, now: float) -> list[ev.Event]:
    if s.settings.admission == "registered":
        raise Forbidden(
            "This session admits invited participants only: open the personal "
            "link of your invitation instead of the join code."
        )
    _check_group(s, cmd.stakeholder_group)
    if cmd.participant_id in s.participants:
        raise Conflict("That participant id is taken.")
    return [
        ev.ParticipantJoined(
            cmd.participant_id,
            cmd.stakeholder_group,
            cmd.channel,
            _clean(cmd.name),
            cmd.language,
            now,
        )
    ]


def _remove_participant(
    s: SessionState, cmd: c.RemoveParticipant, _: Actor, now: float
) -> list[ev.Event]:
    who = s.participants.get(cmd.participant_id)
    if who is None:
        raise NotFound("There is no such participant.")
    removed: list[ev.Event] = []
    if not who.removed:
        removed.append(ev.ParticipantRemoved(cmd.participant_id, now))
    if cmd.discard_ratings and _has_ratings(s, cmd.participant_id):
        removed.append(ev.RatingsDiscarded(cmd.participant_id, now))
    return removed


def _add_proposition(
    s: SessionState, cmd: c.AddProposition, _: Actor, now: float
) -> list[ev.Event]:
    if cmd.proposition_id in s.propositions:
        raise Conflict("That proposition id is taken.")
    return [
        ev.PropositionAdded(
            cmd.proposition_id, cmd.text.strip(), _clean(cmd.source), now, _clean(cmd.section)
        )
    ]


def _move_proposition(
    s: SessionState, cmd: c.MoveProposition, _: Actor, now: float
) -> list[ev.Event]:
    _proposition(s, cmd.proposition_id)
    position = min(cmd.position, len(s.order))
    if s.order.index(cmd.proposition_id) == position - 1:
        return []
    return [ev.PropositionMoved(cmd.proposition_id, position, now)]


def _open(s: SessionState, cmd: c.OpenProposition, _: Actor, now: float) -> list[ev.Event]:
    proposition = _proposition(s, cmd.proposition_id)
    if proposition.status == "open":
        raise Conflict("This proposition is open already.")
    if proposition.status == "withdrawn":
        raise Conflict("This proposition was withdrawn; it cannot be opened.")
    return [ev.PropositionOpened(cmd.proposition_id, proposition.round + 1, now)]


def _close(s: SessionState, cmd: c.CloseProposition, _: Actor, now: float) -> list[ev.Event]:
    if _proposition(s, cmd.proposition_id).status != "open":
        raise Conflict("This proposition is not open, so it cannot be closed.")
    return [ev.PropositionClosed(cmd.proposition_id, now)]


def _reveal(s: SessionState, cmd: c.RevealResults, _: Actor, now: float) -> list[ev.Event]:
    proposition = _proposition(s, cmd.proposition_id)
    if not proposition.rounds:
        raise Conflict("This proposition has not been opened yet: there is nothing to reveal.")
    if proposition.revealed == cmd.visible:
        return []
    return [ev.ResultsRevealed(cmd.proposition_id, cmd.visible, now)]


def _rate(s: SessionState, cmd: c.SubmitRating, actor: Actor, now: float) -> list[ev.Event]:
    _participant(s, actor)
    proposition = _proposition(s, cmd.proposition_id)
    if proposition.status == "withdrawn":
        raise Closed("This proposition was withdrawn: it is no longer rated.")
    if proposition.status != "open" and (
        not proposition.rounds or win.rating_window(s, cmd.proposition_id, now) is None
    ):
        raise Closed(
            "Rating is closed for this proposition: wait until the chair opens it "
            "or a rating window opens."
        )
    round_ = proposition.rounds[-1]
    if round_.revision != proposition.revision:  # only a window's round can be behind
        raise Closed("The wording was revised: wait until the chair opens a round to rate it.")
    old = round_.ratings.get(actor.subject)
    comment = _clean(cmd.comment)
    if cmd.value is None and old is None:
        return []
    return [
        ev.RatingSubmitted(
            cmd.proposition_id,
            round_.number,
            actor.subject,
            cmd.value,
            comment if cmd.value is not None else None,
            now,
        )
    ]


def _raise_hand(s: SessionState, cmd: c.RaiseHand, actor: Actor, now: float) -> list[ev.Event]:
    _participant(s, actor)
    if cmd.proposition_id is not None:
        _proposition(s, cmd.proposition_id)
    existing = s.queue.by_owner.get("p:" + actor.subject)
    if existing is None:
        _check_list_open(s)
    if existing is None and cmd.entry_id in s.queue.entries:
        raise Conflict("That entry id is taken.")
    return [
        ev.HandRaised(existing or cmd.entry_id, actor.subject, cmd.intent, cmd.proposition_id, now)
    ]


def _lower_hand(s: SessionState, _: c.LowerHand, actor: Actor, now: float) -> list[ev.Event]:
    _participant(s, actor)
    entry_id = s.queue.by_owner.get("p:" + actor.subject)
    return [] if entry_id is None else [ev.EntryRemoved(entry_id, False, now)]


def _hub_tally(s: SessionState, cmd: c.HubTally, actor: Actor, now: float) -> list[ev.Event]:
    hub = _hub(s, actor.subject)
    proposition = _proposition(s, cmd.proposition_id)
    if proposition.status != "open":
        raise Closed("Counting is closed for this proposition: wait until the chair opens it.")
    total = sum(cmd.counts.values())
    if total > hub.attendance:
        raise BadRequest(
            f"These counts add up to {total}, more than the hub's attendance of "
            f"{hub.attendance}. Ask the facilitator to update the attendance."
        )
    for group in cmd.by_group or {}:
        # `other` is where ungrouped hub counts go, so a hub may always name it.
        if group != HUB_DEFAULT_GROUP:
            _check_group(s, group)
    counts = {k: n for k, n in cmd.counts.items() if n}
    by_group = (
        None
        if cmd.by_group is None
        else {g: {k: n for k, n in v.items() if n} for g, v in cmd.by_group.items()}
    )
    return [ev.HubTallied(hub.hub_id, cmd.proposition_id, proposition.round, counts, by_group, now)]


def _hub_speaker(s: SessionState, cmd: c.HubSpeaker, actor: Actor, now: float) -> list[ev.Event]:
    hub = _hub(s, actor.subject)
    _check_group(s, cmd.stakeholder_group)
    name = cmd.name.strip()
    existing = s.queue.by_owner.get(f"h:{hub.hub_id}:{name}")
    if existing is None:
        _check_list_open(s)
    if existing is None and cmd.entry_id in s.queue.entries:
        raise Conflict("That entry id is taken.")
    return [
        ev.HubSpeakerAdded(
            existing or cmd.entry_id, hub.hub_id, name, cmd.stakeholder_group, cmd.intent, now
        )
    ]


def _queue_next(s: SessionState, cmd: c.QueueNext, __: Actor, now: float) -> list[ev.Event]:
    waiting = ordered(s.queue, s.settings.queue_policy)
    if not waiting and s.queue.current is None:
        raise Conflict("Nobody is waiting to speak.")
    given: list[ev.Event] = [ev.FloorGiven(waiting[0].entry_id if waiting else None, now)]
    if waiting and cmd.seconds is not None:
        # The chair's time for this speaker, recorded with the turn in one commit.
        given.append(ev.TimerChanged("start", cmd.seconds, now))
    return given


def _yield_floor(s: SessionState, _: c.YieldFloor, actor: Actor, now: float) -> list[ev.Event]:
    current = s.queue.current
    if actor.role == "participant":
        _participant(s, actor)
        owner = "p:" + actor.subject
        mine = current is not None and current.entry.owner == owner
    else:
        _hub(s, actor.subject)
        mine = current is not None and current.entry.hub_id == actor.subject
    if current is None or not mine:
        raise Conflict("You do not have the floor, so there is no turn of yours to end.")
    return [ev.FloorYielded(current.entry.entry_id, now)]


def _close_queue(s: SessionState, cmd: c.CloseQueue, _: Actor, now: float) -> list[ev.Event]:
    if s.queue.closed == cmd.closed:
        return []
    return [ev.QueueClosed(cmd.closed, now)]


def _show(s: SessionState, cmd: c.ShowOnDisplay, _: Actor, now: float) -> list[ev.Event]:
    if cmd.proposition_id is not None:
        _proposition(s, cmd.proposition_id)
    if (s.display_mode, s.display_proposition) == (cmd.mode, cmd.proposition_id):
        return []
    return [ev.DisplayChosen(cmd.mode, cmd.proposition_id, now)]


def _queue_move(s: SessionState, cmd: c.QueueMove, _: Actor, now: float) -> list[ev.Event]:
    if cmd.entry_id not in s.queue.entries:
        raise NotFound("That queue entry is not waiting (any more).")
    return [ev.EntryMoved(cmd.entry_id, min(cmd.position, len(s.queue.entries)), now)]


def _queue_remove(s: SessionState, cmd: c.QueueRemove, _: Actor, now: float) -> list[ev.Event]:
    if cmd.entry_id not in s.queue.entries:
        raise NotFound("That queue entry is not waiting (any more).")
    return [ev.EntryRemoved(cmd.entry_id, True, now)]


def _timer(s: SessionState, cmd: c.SetTimer, _: Actor, now: float) -> list[ev.Event]:
    timer = s.timer
    if cmd.action == "start" and cmd.seconds is None:
        if timer.duration is None:
            raise BadRequest("The first start of the timer needs seconds.")
        if timer.running:
            return []
    if cmd.action == "pause" and not timer.running:
        return []
    if cmd.action == "reset" and timer.duration is None:
        return []
    return [ev.TimerChanged(cmd.action, cmd.seconds if cmd.action == "start" else None, now)]


def _mark(s: SessionState, cmd: c.MarkConsensus, _: Actor, now: float) -> list[ev.Event]:
    _proposition(s, cmd.proposition_id)
    note = None if cmd.status == "unmarked" else _clean(cmd.note)
    return [ev.ConsensusMarked(cmd.proposition_id, cmd.status, note, now)]


def _invite_hub(s: SessionState, cmd: c.InviteHub, _: Actor, now: float) -> list[ev.Event]:
    if cmd.hub_id in s.hubs:
        raise Conflict("That hub id is taken.")
    return [ev.HubInvited(cmd.hub_id, cmd.name.strip(), cmd.attendance, now)]


def _update_hub(s: SessionState, cmd: c.UpdateHub, _: Actor, now: float) -> list[ev.Event]:
    hub = s.hubs.get(cmd.hub_id)
    if hub is None:
        raise NotFound("There is no such hub.")
    for proposition in s.propositions.values():
        if proposition.status == "open":
            counted = proposition.rounds[-1].hub_counts.get(cmd.hub_id)
            if counted is not None and sum(counted.counts) > cmd.attendance:
                raise BadRequest(
                    f"The hub has already counted {sum(counted.counts)} ratings on "
                    "an open proposition; the attendance cannot be lower."
                )
    return [ev.HubUpdated(cmd.hub_id, cmd.attendance, now)]


def _rotate_hub(s: SessionState, cmd: c.RotateHubToken, _: Actor, now: float) -> list[ev.Event]:
    hub = s.hubs.get(cmd.hub_id)
    if hub is None:
        raise NotFound("There is no such hub.")
    return [ev.HubTokenRotated(cmd.hub_id, hub.epoch + 1, now)]


def _rotate_links(s: SessionState, cmd: c.RotateLinks, _: Actor, now: float) -> list[ev.Event]:
    return [ev.LinksRotated(cmd.role, s.link_epochs.get(cmd.role, 0) + 1, now)]


def _session_status(
    s: SessionState, cmd: c.SetSessionStatus, _: Actor, now: float
) -> list[ev.Event]:
    return [] if s.status == cmd.status else [ev.SessionStatusChanged(cmd.status, now)]


def _import_registrants(
    s: SessionState, cmd: c.ImportRegistrants, _: Actor, now: float
) -> list[ev.Event]:
    problems = list(cmd.problems)
    for row in cmd.rows:
        problems += [(row.row, reason) for reason in row_problems(row.values, s)]
        if row.registrant_id in s.registrants or row.registrant_id in s.participants:
            raise Conflict("That registrant id is taken.")
    problems += duplicates([(row.row, row.email_key) for row in cmd.rows], s)
    if problems:
        raise rows_refused(sorted(problems, key=lambda problem: problem[0]))
    records = []
    for row in cmd.rows:
        values = row.values
        channel = channel_of(values["channel"])
        assert channel is not None  # row_problems found none
        records.append(
            (
                row.registrant_id,
                values["name"].strip(),
                row.email_key,
                values["stakeholder_group"],
                channel,
                values["language"].lower(),
            )
        )
    return [ev.RegistrantsImported(tuple(records), now)]


def _remove_registrant(
    s: SessionState, cmd: c.RemoveRegistrant, _: Actor, now: float
) -> list[ev.Event]:
    registrant = s.registrants.get(cmd.registrant_id)
    if registrant is None:
        raise NotFound("There is no such registrant.")
    if registrant.removed:
        return []
    removed: list[ev.Event] = [ev.RegistrantRemoved(cmd.registrant_id, now)]
    who = s.participants.get(cmd.registrant_id)
    if who is not None and not who.removed:
        removed.append(ev.ParticipantRemoved(cmd.registrant_id, now))
    return removed


def _open_invitation(
    s: SessionState, cmd: c.OpenInvitation, _: Actor, now: float
) -> list[ev.Event]:
    registrant = s.registrants.get(cmd.registrant_id)
    if registrant is None or registrant.removed:
        raise Unauthorized(
            "This invitation link is no longer valid: the facilitator withdrew it. "
            "Ask the organisers for a new invitation."
        )
    who = s.participants.get(cmd.registrant_id)
    if who is not None and who.removed:
        raise Unauthorized("The facilitator removed you from this session.")
    if who is not None:
        return []  # another device of the same person: they go on as themselves
    return [ev.InvitationOpened(cmd.registrant_id, now)]


def _set_admission(s: SessionState, cmd: c.SetAdmission, _: Actor, now: float) -> list[ev.Event]:
    follows = cmd.suggestion_follows or s.settings.suggestion_follows
    if (cmd.admission, follows) == (s.settings.admission, s.settings.suggestion_follows):
        return []
    return [ev.AdmissionSet(cmd.admission, follows, now)]


def _participant(s: SessionState, actor: Actor) -> Participant:
    who = s.participants.get(actor.subject)
    if who is None:
        raise Unauthorized("You are not a participant of this session: join it first.")
    if who.removed:
        raise Unauthorized("The facilitator removed you from this session.")
    return who


def _hub(s: SessionState, hub_id: str) -> Hub:
    hub = s.hubs.get(hub_id)
    if hub is None:
        raise Unauthorized("This hub is not invited to this session.")
    return hub


def _proposition(s: SessionState, proposition_id: str) -> Proposition:
    proposition = s.propositions.get(proposition_id)
    if proposition is None:
        raise NotFound("There is no such proposition in this session.")
    return proposition


def _check_list_open(s: SessionState) -> None:
    if s.queue.closed:
        raise Closed(
            "The list of speakers is closed: the chair is not taking more speakers now. "
            "You can ask again if the chair reopens it."
        )


def _check_group(s: SessionState, group: str) -> None:
    if group not in s.stakeholder_groups:
        raise BadRequest(
            f"Unknown stakeholder group {group!r}; this session has: "
            f"{', '.join(s.stakeholder_groups)}."
        )


def _has_ratings(s: SessionState, participant_id: str) -> bool:
    return any(participant_id in r.ratings for p in s.propositions.values() for r in p.rounds)


def _clean(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None


# One rule per command; tests check that every command of `c.Command` has one.
# Built from a bare tuple, so that mypy checks each handler against its command
# (a declared `Rule[Any]` context would let any handler through).
_RULES = (
    rule(c.CreateSession, _create_session, "operator", outcome=o.session_id),
    rule(c.Join, _join, "guest", outcome=o.participant_id),
    rule(c.RemoveParticipant, _remove_participant),
    rule(c.AddProposition, _add_proposition, outcome=o.proposition_id),
    rule(c.MoveProposition, _move_proposition),
    rule(c.OpenProposition, _open, outcome=o.round_of),
    rule(c.CloseProposition, _close),
    rule(c.RevealResults, _reveal),
    rule(c.SubmitRating, _rate, "participant", outcome=o.round_of),
    rule(c.RaiseHand, _raise_hand, "participant", outcome=o.own_entry),
    rule(c.LowerHand, _lower_hand, "participant"),
    rule(c.HubTally, _hub_tally, "hub", outcome=o.round_of),
    rule(c.HubSpeaker, _hub_speaker, "hub", outcome=o.hub_entry),
    rule(c.QueueNext, _queue_next, outcome=o.current_speaker),
    rule(c.YieldFloor, _yield_floor, "participant", "hub"),
    rule(c.CloseQueue, _close_queue),
    rule(c.ShowOnDisplay, _show),
    rule(c.QueueMove, _queue_move),
    rule(c.QueueRemove, _queue_remove),
    rule(c.SetTimer, _timer),
    rule(c.MarkConsensus, _mark),
    rule(c.InviteHub, _invite_hub, outcome=o.hub_id),
    rule(c.UpdateHub, _update_hub),
    rule(c.RotateHubToken, _rotate_hub),
    rule(c.RotateLinks, _rotate_links, outcome=o.link_role),
    rule(c.EditProposition, w.edit, outcome=o.revision_of),
    rule(c.WithdrawProposition, w.withdraw),
    rule(c.UndoClose, w.undo_close, outcome=o.round_of),
    rule(c.ProposeAmendment, w.propose, "participant", "hub", outcome=o.amendment_id),
    rule(c.AcceptAmendment, w.accept, outcome=o.amendment_revision),
    rule(c.DeclineAmendment, w.decline),
    rule(c.TranslateProposition, w.translate),
    rule(c.ImportTranslations, w.import_translations, outcome=o.translations_imported),
    rule(c.SetSessionStatus, _session_status, "operator", outcome=o.session_status),
    rule(c.SetWindow, win.set_window, outcome=o.window_id),
    rule(c.CancelWindow, win.cancel_window),
    rule(c.AdvanceWindows, win.advance_windows, "scheduler"),
    rule(c.PublishOutcome, pub.publish, outcome=o.published_version),
    rule(c.UnpublishOutcome, pub.unpublish),
    rule(c.CarryForward, pub.carry_forward, outcome=o.carried),
    rule(c.ImportRegistrants, _import_registrants, outcome=o.imported),
    rule(c.RemoveRegistrant, _remove_registrant),
    rule(c.OpenInvitation, _open_invitation, "guest", outcome=o.invited),
    rule(c.SetAdmission, _set_admission),
)
RULES: Final[dict[type[Any], Rule[Any]]] = {r.command: r for r in _RULES}
# What a closed or archived session refuses (`closed`): whatever adds ratings,
# people or speakers, or opens a round; the chair may still mark and report.
REFUSED_WHEN_CLOSED: Final[frozenset[type[Any]]] = frozenset(
    {
        c.Join,
        c.SubmitRating,
        c.RaiseHand,
        c.HubTally,
        c.HubSpeaker,
        c.OpenProposition,
        c.OpenInvitation,
        c.ProposeAmendment,
    }
)

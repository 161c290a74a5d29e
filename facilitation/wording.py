"""The rules of a proposition's wording: edits, revisions, withdrawal, undoing a
close, amendments from the floor and translations (`decide.RULES` uses these).

Rules this module keeps:
- A draft (never opened) is edited in place; once a round has rated it, a new
  wording is a new revision and every earlier one stays on the record with the
  rounds that rated it. A revision ends a running round: its ratings were
  given to the wording it had.
- A close is undone only while the round it closed rated the current wording
  (no revision since) and no new round has begun.
- An amendment's author is recorded for the author's own view; no other view
  or report shows it.
"""

from . import commands as c
from . import events as ev
from .actor import Actor
from .errors import BadRequest, Closed, Conflict, NotFound, Unauthorized
from .state import Amendment, Proposition, SessionState
from .translation_file import read
from .vocabulary import HUB_DEFAULT_GROUP, MAX_PENDING_AMENDMENTS, Channel


def edit(s: SessionState, cmd: c.EditProposition, _: Actor, now: float) -> list[ev.Event]:
    p = _live(s, cmd.proposition_id)
    text = cmd.text.strip()
    source = p.source if cmd.source is None else (cmd.source.strip() or None)
    if text == p.text and source == p.source and not cmd.new_round:
        return []
    if not p.rounds:
        edited: list[ev.Event] = []
        if text != p.text or source != p.source:
            edited.append(ev.PropositionEdited(p.proposition_id, text, source, now))
        if cmd.new_round:
            edited.append(ev.PropositionOpened(p.proposition_id, 1, now))
        return edited
    return _revise(p, text, source, None, cmd.new_round, now)


def _revise(
    p: Proposition,
    text: str,
    source: str | None,
    amendment_id: str | None,
    new_round: bool,
    now: float,
) -> list[ev.Event]:
    """[close the running round], the new revision, [its first round]."""
    revised: list[ev.Event] = []
    if p.status == "open":
        revised.append(ev.PropositionClosed(p.proposition_id, now))
    if text != p.text or source != p.source or amendment_id is not None:
        revised.append(
            ev.PropositionRevised(p.proposition_id, p.revision + 1, text, source, amendment_id, now)
        )
    if new_round:
        revised.append(ev.PropositionOpened(p.proposition_id, p.round + 1, now))
    return revised


def withdraw(s: SessionState, cmd: c.WithdrawProposition, _: Actor, now: float) -> list[ev.Event]:
    p = _proposition(s, cmd.proposition_id)
    if p.status == "withdrawn":
        return []
    # A running round is closed first, as the chair's close would (final figures published).
    closed: list[ev.Event] = (
        [ev.PropositionClosed(p.proposition_id, now)] if p.status == "open" else []
    )
    return [*closed, ev.PropositionWithdrawn(p.proposition_id, now)]


def undo_close(s: SessionState, cmd: c.UndoClose, _: Actor, now: float) -> list[ev.Event]:
    p = _live(s, cmd.proposition_id)
    if p.status != "closed":
        raise Conflict("This proposition is not closed, so there is no close to undo.")
    if p.rounds[-1].revision != p.revision:
        raise Conflict(
            "The wording was revised since this round closed; open a new round to rate it."
        )
    return [ev.CloseUndone(p.proposition_id, now)]


def propose(s: SessionState, cmd: c.ProposeAmendment, actor: Actor, now: float) -> list[ev.Event]:
    author, group, channel = _author(s, cmd, actor)
    p = _proposition(s, cmd.proposition_id)
    if p.status not in ("draft", "open"):
        raise Closed("Amendments are taken on propositions that are open or not yet opened.")
    if cmd.amendment_id in s.amendments:
        raise Conflict("That amendment id is taken.")
    text = cmd.text.strip()
    if text == p.text:
        raise BadRequest("That is the current wording: change it to propose an amendment.")
    waiting = sum(
        a.author == author and a.proposition_id == p.proposition_id and a.status == "proposed"
        for a in s.amendments.values()
    )
    if waiting >= MAX_PENDING_AMENDMENTS:
        raise Conflict(
            f"You have {waiting} amendments waiting on this proposition; "
            "wait until the chair decides on them."
        )
    why = None if cmd.why is None else cmd.why.strip() or None
    return [
        ev.AmendmentProposed(
            cmd.amendment_id, p.proposition_id, author, group, channel, text, why, now
        )
    ]


def accept(s: SessionState, cmd: c.AcceptAmendment, _: Actor, now: float) -> list[ev.Event]:
    amendment = _pending(s, cmd.amendment_id)
    p = _live(s, amendment.proposition_id)
    text = amendment.text if cmd.text is None else cmd.text.strip()
    note = None if cmd.note is None else cmd.note.strip() or None
    revised = _revise(p, text, p.source, amendment.amendment_id, cmd.new_round, now)
    decided = ev.AmendmentDecided(amendment.amendment_id, "accepted", note, p.revision + 1, now)
    # The decision follows the revision it made and precedes the round that rates it.
    at = 2 if p.status == "open" else 1
    return [*revised[:at], decided, *revised[at:]]


def decline(s: SessionState, cmd: c.DeclineAmendment, _: Actor, now: float) -> list[ev.Event]:
    amendment = _pending(s, cmd.amendment_id)
    note = None if cmd.note is None else cmd.note.strip() or None
    return [ev.AmendmentDecided(amendment.amendment_id, "declined", note, None, now)]


def translate(s: SessionState, cmd: c.TranslateProposition, _: Actor, now: float) -> list[ev.Event]:
    p = _live(s, cmd.proposition_id)
    _check_language(s, cmd.language)
    text = None if cmd.text is None else cmd.text.strip() or None
    if p.translations.get(cmd.language) == text:
        return []
    return [ev.TranslationSet(p.proposition_id, p.revision, cmd.language, text, now)]


def import_translations(
    s: SessionState, cmd: c.ImportTranslations, _: Actor, now: float
) -> list[ev.Event]:
    return [
        ev.TranslationSet(pid, s.propositions[pid].revision, language, text, now)
        for pid, language, text in read(s, cmd.format, cmd.content)
        if s.propositions[pid].translations.get(language) != text
    ]


def _author(s: SessionState, cmd: c.ProposeAmendment, actor: Actor) -> tuple[str, str, Channel]:
    if actor.role == "hub":
        if actor.subject not in s.hubs:
            raise Unauthorized("This hub is not invited to this session.")
        group = cmd.stakeholder_group or HUB_DEFAULT_GROUP
        if group != HUB_DEFAULT_GROUP and group not in s.stakeholder_groups:
            raise BadRequest(
                f"Unknown stakeholder group {group!r}; this session has: "
                f"{', '.join(s.stakeholder_groups)}."
            )
        return f"h:{actor.subject}", group, "hub"
    who = s.participants.get(actor.subject)
    if who is None:
        raise Unauthorized("You are not a participant of this session: join it first.")
    if who.removed:
        raise Unauthorized("The facilitator removed you from this session.")
    return f"p:{who.participant_id}", who.stakeholder_group, who.channel


def _pending(s: SessionState, amendment_id: str) -> Amendment:
    amendment = s.amendments.get(amendment_id)
    if amendment is None:
        raise NotFound("There is no such amendment in this session.")
    if amendment.status != "proposed":
        raise Conflict(f"This amendment was {amendment.status} already.")
    return amendment


def _proposition(s: SessionState, proposition_id: str) -> Proposition:
    proposition = s.propositions.get(proposition_id)
    if proposition is None:
        raise NotFound("There is no such proposition in this session.")
    return proposition


def _live(s: SessionState, proposition_id: str) -> Proposition:
    """A proposition that is not withdrawn."""
    proposition = _proposition(s, proposition_id)
    if proposition.status == "withdrawn":
        raise Conflict("This proposition was withdrawn; its record can no longer change.")
    return proposition


def _check_language(s: SessionState, language: str) -> None:
    if language not in s.languages:
        raise BadRequest(
            f"{language!r} is not a language of this session; it has: {', '.join(s.languages)}."
        )

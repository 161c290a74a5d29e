"""How wording events change the state (`apply.APPLY` uses these)."""

from . import events as ev
from .state import Amendment, SessionState


def edited(s: SessionState, e: ev.PropositionEdited) -> None:
    p = s.propositions[e.proposition_id]
    p.text, p.source = e.text, e.source


def revised(s: SessionState, e: ev.PropositionRevised) -> None:
    p = s.propositions[e.proposition_id]
    p.earlier.append(p.wording())
    p.revision, p.text, p.source = e.revision, e.text, e.source
    p.translations = {}  # translations were of the wording it replaces
    p.revised_at, p.amendment_id = e.at, e.amendment_id


def withdrawn(s: SessionState, e: ev.PropositionWithdrawn) -> None:
    p = s.propositions[e.proposition_id]
    p.status, p.withdrawn_at = "withdrawn", e.at
    for amendment in s.amendments.values():
        if amendment.proposition_id == e.proposition_id and amendment.status == "proposed":
            amendment.status, amendment.decided_at = "withdrawn", e.at


def close_undone(s: SessionState, e: ev.CloseUndone) -> None:
    p = s.propositions[e.proposition_id]
    p.status = "open"
    p.rounds[-1].closed_at = None


def amendment_proposed(s: SessionState, e: ev.AmendmentProposed) -> None:
    s.amendments[e.amendment_id] = Amendment(
        e.amendment_id,
        e.proposition_id,
        e.author,
        e.stakeholder_group,
        e.channel,
        e.text,
        e.why,
        e.at,
    )


def amendment_decided(s: SessionState, e: ev.AmendmentDecided) -> None:
    amendment = s.amendments[e.amendment_id]
    amendment.status, amendment.note = e.status, e.note
    amendment.revision, amendment.decided_at = e.revision, e.at


def translation_set(s: SessionState, e: ev.TranslationSet) -> None:
    translations = s.propositions[e.proposition_id].translations
    if e.text is None:
        translations.pop(e.language, None)
    else:
        translations[e.language] = e.text

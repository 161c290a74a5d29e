"""Publishing a session's outcome, and carrying a past outcome forward.

Rules this module keeps:
- `outcome:publish` pins the outcome to the log as it stands: the event
  records how many events come before it (`version`), and the published
  outcome is built from exactly those, whatever happens afterwards, until
  the chair publishes again (a new version) or takes it down.
- A carried proposition enters as a draft, like any added proposition, with
  its provenance recorded beside it: the past session, the head of the
  outcome it came from, its mark there and its last figures.
"""

from . import commands as c
from . import events as ev
from .actor import Actor
from .errors import Conflict
from .state import Provenance, Publication, SessionState


def publish(s: SessionState, cmd: c.PublishOutcome, _: Actor, now: float) -> list[ev.Event]:
    note = cmd.note.strip() if cmd.note else None
    return [ev.OutcomePublished(s.version, note or None, now)]


def unpublish(s: SessionState, _: c.UnpublishOutcome, __: Actor, now: float) -> list[ev.Event]:
    if s.published is None:
        raise Conflict("The outcome is not published: there is nothing to take down.")
    return [ev.OutcomeUnpublished(now)]


def carry_forward(s: SessionState, cmd: c.CarryForward, _: Actor, now: float) -> list[ev.Event]:
    found: list[ev.Event] = []
    for item in cmd.items:
        if item.proposition_id in s.propositions:
            raise Conflict("That proposition id is taken.")
        found.append(ev.PropositionAdded(item.proposition_id, item.text.strip(), None, now))
        found.append(
            ev.ProvenanceRecorded(
                item.proposition_id,
                item.session_id,
                item.title.strip(),
                item.head,
                item.status,
                item.round,
                item.total,
                item.agree_share,
                dict(item.counts),
                now,
            )
        )
    return found


def outcome_published(s: SessionState, e: ev.OutcomePublished) -> None:
    s.published = Publication(e.version, e.note, e.at)


def outcome_unpublished(s: SessionState, _: ev.OutcomeUnpublished) -> None:
    s.published = None


def provenance_recorded(s: SessionState, e: ev.ProvenanceRecorded) -> None:
    s.propositions[e.proposition_id].provenance = Provenance(
        e.session_id, e.title, e.head, e.status, e.round, e.total, e.agree_share, dict(e.counts)
    )


def publication(state: SessionState, *_: object) -> dict[str, object]:
    """The console's view of the publication: whether, which version, when."""
    published = state.published
    if published is None:
        return {"published": False}
    return {
        "published": True,
        "version": published.version,
        "note": published.note,
        "at": published.at,
    }

"""The event JSON codec: every event type survives a round trip through text."""

import json

import pytest

from facilitation import events as ev
from facilitation.errors import BadRequest
from facilitation.settings import ConsensusThresholds, SessionSettings

AT = 1_700_000_123.25

SAMPLES: list[ev.Event] = [
    ev.SessionCreated(
        "s1",
        "Plenary",
        "JKMNPQRS",
        ("en", "fr"),
        ("youth", "business"),
        SessionSettings(
            results_visibility="live",
            speaking_seconds=90,
            queue_policy="fifo",
            intent_seconds=(("point_of_order", 60), ("reply", 90)),
            consensus=ConsensusThresholds(min_ratings=20, min_agree_share=0.8),
        ),
        AT,
    ),
    ev.ParticipantJoined("p1", "youth", "remote", "Ana", "fr", AT),
    ev.ParticipantJoined("p2", "youth", "in_room", None, None, AT),
    ev.ParticipantRemoved("p1", AT),
    ev.RatingsDiscarded("p1", AT),
    ev.PropositionAdded("a", "Keep it open", "Report, p. 3", AT),
    ev.PropositionAdded("b", "Ünïcödé ✓ «texte» نص", None, AT),
    ev.PropositionMoved("a", 2, AT),
    ev.PropositionOpened("a", 1, AT),
    ev.PropositionClosed("a", AT),
    ev.ResultsRevealed("a", True, AT),
    ev.ResultsRevealed("a", False, AT),
    ev.RatingSubmitted("a", 1, "p1", "disagree", "Too vague", AT),
    ev.RatingSubmitted("a", 2, "p1", None, None, AT),
    ev.HandRaised("e1", "p1", "reply", "a", AT),
    ev.HandRaised("e2", "p2", "speak", None, AT),
    ev.HubSpeakerAdded("x1", "h1", "Omar", "youth", "clarify", AT),
    ev.EntryRemoved("e1", True, AT),
    ev.EntryMoved("e2", 3, AT),
    ev.FloorGiven("e2", AT),
    ev.FloorGiven(None, AT),
    ev.FloorYielded("e2", AT),
    ev.QueueClosed(True, AT),
    ev.QueueClosed(False, AT),
    ev.DisplayChosen("proposition", "a", AT),
    ev.DisplayChosen("agenda", None, AT),
    ev.TimerChanged("start", 60, AT),
    ev.TimerChanged("pause", None, AT),
    ev.ConsensusMarked("a", "rough_consensus", "Objections addressed", AT),
    ev.ConsensusMarked("a", "unmarked", None, AT),
    ev.HubInvited("h1", "Nairobi hub", 40, AT),
    ev.HubUpdated("h1", 12, AT),
    ev.HubTokenRotated("h1", 2, AT),
    ev.LinksRotated("facilitator", 1, AT),
    ev.LinksRotated("display", 3, AT),
    ev.PropositionAdded("c", "Sectioned", "Draft, ¶ 4", AT, "Access and inclusion"),
    ev.SessionStatusChanged("closed", AT),
    ev.SessionStatusChanged("archived", AT),
    ev.HubTallied("h1", "a", 1, {"agree": 4, "confused": 1}, None, AT),
    ev.WindowSet("w1", "a", AT + 60, AT + 3600, AT),
    ev.WindowSet("w2", None, AT, AT + 60, AT),
    ev.WindowOpened("w1", AT + 60),
    ev.WindowClosed("w1", AT + 3600),
    ev.WindowCancelled("w2", AT),
    ev.OutcomePublished(41, "Adopted by rough consensus", AT),
    ev.OutcomePublished(42, None, AT),
    ev.OutcomeUnpublished(AT),
    ev.ProvenanceRecorded(
        "b",
        "s0",
        "IGF 2025",
        "ab" * 32,
        "needs_revision",
        2,
        14,
        0.5,
        {"agree": 7, "disagree": 7},
        AT,
    ),
    ev.ProvenanceRecorded("b", "s0", "IGF 2025", "cd" * 32, "no_consensus", 1, 0, None, {}, AT),
    ev.HubTallied(
        "h1", "a", 2, {"agree": 4}, {"youth": {"agree": 3}, "business": {"agree": 1}}, AT
    ),
    ev.PropositionEdited("a", "Keep it open", None, AT),
    ev.PropositionRevised("a", 2, "Keep it open and free", "Draft 2, p. 3", None, AT),
    ev.PropositionRevised("a", 3, "Keep it free", None, "am1", AT),
    ev.PropositionWithdrawn("b", AT),
    ev.CloseUndone("a", AT),
    ev.AmendmentProposed("am1", "a", "p:p1", "youth", "remote", "Keep it free", "Shorter", AT),
    ev.AmendmentProposed("am2", "a", "h:h1", "other", "hub", "Keep it", None, AT),
    ev.AmendmentDecided("am1", "accepted", None, 3, AT),
    ev.AmendmentDecided("am2", "declined", "Out of scope", None, AT),
    ev.TranslationSet("a", 3, "fr", "Le garder libre", AT),
    ev.TranslationSet("a", 3, "ar", None, AT),
    ev.RegistrantsImported(
        (
            ("r1", "Amina Diallo", "9f0c" * 8, "youth", "in_room", "fr"),
            ("r2", "Li Na", "1a2b" * 8, "business", "remote", "zh"),
        ),
        AT,
    ),
    ev.RegistrantRemoved("r2", AT),
    ev.InvitationOpened("r1", AT),
    ev.AdmissionSet("both", "registered", AT),
]


def test_the_samples_cover_every_event_type() -> None:
    assert {type(event) for event in SAMPLES} == set(ev.EVENT_TYPES.values())


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_round_trip_through_json_text(event: ev.Event) -> None:
    body = ev.to_json(event)
    assert body["v"] == ev.SCHEMA_VERSION == 1
    assert body["type"] == ev.TYPE_NAMES[type(event)]
    text = json.dumps(body, allow_nan=False)
    assert ev.from_json(json.loads(text)) == event


def test_json_form_is_plain() -> None:
    assert ev.to_json(ev.RatingSubmitted("a", 1, "p1", "agree", None, AT)) == {
        "v": 1,
        "type": "rating_submitted",
        "proposition_id": "a",
        "round": 1,
        "participant_id": "p1",
        "value": "agree",
        "comment": None,
        "at": AT,
    }
    created = ev.to_json(SAMPLES[0])
    assert created["languages"] == ["en", "fr"]
    assert created["settings"] == {
        "results_visibility": "live",
        "speaking_seconds": 90,
        "queue_policy": "fifo",
        "min_group_size": 3,
        "intent_seconds": {"point_of_order": 60, "reply": 90},
        "consensus": {
            "min_ratings": 20,
            "min_agree_share": 0.8,
            "max_strong_oppose_share": 0.10,
            "max_confused_share": 0.15,
            "min_group_agree_share": 0.5,
            "min_group_ratings": 3,
            "min_opinion_consensus": 0.0,
        },
        "opinions_every": 200,
        "opinions_seconds": 5,
        "time_zone": "UTC",
        "admission": "open",
        "suggestion_follows": "all",
    }


def test_type_names_are_the_snake_case_of_the_classes() -> None:
    for name, cls in ev.EVENT_TYPES.items():
        assert "".join(part.title() for part in name.split("_")) == cls.__name__


@pytest.mark.parametrize(
    "body",
    [
        {"type": "floor_given", "entry_id": None, "at": AT},
        {"v": 2, "type": "floor_given", "entry_id": None, "at": AT},
        {"v": 1, "type": "floor_taken", "entry_id": None, "at": AT},
        {"v": 1, "entry_id": None, "at": AT},
        {"v": 1, "type": "floor_given", "at": AT},
        {"v": 1, "type": "session_created", "session_id": "s1", "at": AT},
    ],
)
def test_from_json_refuses_what_to_json_never_wrote(body: dict[str, object]) -> None:
    with pytest.raises(BadRequest) as caught:
        ev.from_json(body)
    assert caught.value.code == "bad_request"


def test_a_proposition_without_a_section_keeps_the_body_it_always_had() -> None:
    """Logs written before sections existed read back, and hash, exactly as before."""
    old = {"v": 1, "type": "proposition_added", "proposition_id": "a", "text": "T"}
    old |= {"source": None, "at": AT}
    assert ev.to_json(ev.from_json(old)) == old
    assert ev.from_json(old) == ev.PropositionAdded("a", "T", None, AT, None)
    sectioned = ev.to_json(ev.PropositionAdded("a", "T", None, AT, "Access"))
    assert sectioned["section"] == "Access"

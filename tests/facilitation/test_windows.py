"""Rating windows, publication and carrying forward, in the pure core."""

import copy
from datetime import UTC, datetime

from facilitation import Actor
from facilitation import commands as c
from facilitation import events as ev
from facilitation.public_outcome import build_outcome
from facilitation.report import build
from facilitation.state import Provenance, Publication, RoundState, Window

from .conftest import FACILITATOR, NOW, join, open_, rate, refuse, session, step

SCHEDULER = Actor("scheduler")


def local(at: float, zone: str = "UTC") -> str:
    """`at` as the wall-clock time a chair in `zone` would type."""
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(at, ZoneInfo(zone)).replace(tzinfo=None).isoformat()


def test_times_are_read_in_the_sessions_time_zone() -> None:
    state = session(settings={"time_zone": "Asia/Tokyo"}, propositions=("a",))
    events = step(state, c.SetWindow("w", "a", "2026-12-03T09:00", "2026-12-03T18:00"), FACILITATOR)
    tokyo_nine = datetime(2026, 12, 3, 0, 0, tzinfo=UTC).timestamp()  # 09:00 at UTC+9
    assert events == [ev.WindowSet("w", "a", tokyo_nine, tokyo_nine + 9 * 3600, NOW)]
    assert state.windows["w"] == Window("w", "a", tokyo_nine, tokyo_nine + 9 * 3600, NOW)
    with_offset = c.SetWindow("v", None, "2026-12-03T09:00+01:00", "2026-12-03T10:00+01:00")
    (set_,) = step(state, with_offset, FACILITATOR)
    assert isinstance(set_, ev.WindowSet)
    assert set_.opens_at == tokyo_nine + 8 * 3600


def test_a_window_before_the_live_hour_takes_ratings_outside_it() -> None:
    state = session(propositions=("a", "b"))
    join(state, "p1")
    step(state, c.SetWindow("w", "a", local(NOW + 60), local(NOW + 3600)), FACILITATOR)
    refuse(state, c.SubmitRating("a", "agree"), Actor("participant", "p1"), "closed", NOW + 10)
    assert step(state, c.AdvanceWindows(), SCHEDULER, NOW + 30) == []  # not yet
    opened = step(state, c.AdvanceWindows(), SCHEDULER, NOW + 60)
    assert opened == [ev.WindowOpened("w", NOW + 60)]
    assert state.propositions["a"].rounds == [RoundState(1, NOW + 60, window="w")]
    assert state.propositions["b"].rounds == []  # another proposition: not covered
    rate(state, "p1", "a", "agree", now=NOW + 100)
    tally = state.propositions["a"].rounds[0].tally
    assert tally.by_timing == {"window": [0, 1, 0, 0, 0, 0]}
    report = build(state, "0" * 64)
    timing = report["propositions"][0]["rounds"][0]["by_timing"]
    assert (timing["window"]["total"], timing["live"]["total"]) == (1, 0)
    # The chair opens it live: round 2, whose ratings are in the live hour.
    open_(state, "a", NOW + 200)
    rate(state, "p1", "a", "disagree", now=NOW + 210)
    assert state.propositions["a"].rounds[1].tally.by_timing == {"live": [0, 0, 0, 1, 0, 0]}


def test_closing_is_recorded_at_the_deadline_however_late() -> None:
    state = session(propositions=("a",))
    join(state, "p1")
    step(state, c.SetWindow("w", None, local(NOW + 60), local(NOW + 120)), FACILITATOR)
    # The scheduler acts long after both deadlines (a server that was down).
    late = step(state, c.AdvanceWindows(), SCHEDULER, NOW + 86_400)
    assert late == [ev.WindowOpened("w", NOW + 60), ev.WindowClosed("w", NOW + 120)]
    window = state.windows["w"]
    assert (window.status, window.opened_at, window.closed_at) == ("closed", NOW + 60, NOW + 120)
    assert state.propositions["a"].rounds[0].closed_at == NOW + 120


def test_no_rating_after_the_closing_time_even_before_it_is_recorded() -> None:
    state = session(propositions=("a",))
    p1 = join(state, "p1")
    step(state, c.SetWindow("w", "a", local(NOW - 60), local(NOW + 60)), FACILITATOR)
    assert state.windows["w"].status == "open"  # its opening had passed: opens as it is set
    refuse(state, c.SubmitRating("a", "agree"), p1, "closed", NOW + 60)
    rate(state, "p1", "a", "agree", now=NOW + 59)


def test_bad_windows_are_refused() -> None:
    state = session(propositions=("a",))
    refuse(state, c.SetWindow("w", "zz", local(NOW), local(NOW + 9)), FACILITATOR, "not_found")
    refuse(state, c.SetWindow("w", "a", local(NOW + 9), local(NOW)), FACILITATOR, "bad_request")
    refuse(state, c.SetWindow("w", "a", local(NOW - 9), local(NOW)), FACILITATOR, "bad_request")
    refuse(state, lambda: c.SetWindow("w", "a", "tomorrow", "later"), FACILITATOR, "bad_request")
    refuse(state, c.SetWindow("w", "a", local(NOW), local(NOW + 9)), Actor("display"), "forbidden")
    refuse(state, c.AdvanceWindows(), FACILITATOR, "forbidden")
    refuse(state, c.CancelWindow("nope"), FACILITATOR, "not_found")


def test_cancelling_an_open_window_closes_it_now() -> None:
    state = session(propositions=("a",))
    step(state, c.SetWindow("w", "a", local(NOW - 60), local(NOW + 60)), FACILITATOR)
    step(state, c.CancelWindow("w"), FACILITATOR, NOW + 5)
    assert (state.windows["w"].status, state.windows["w"].closed_at) == ("cancelled", NOW + 5)
    refuse(state, c.CancelWindow("w"), FACILITATOR, "conflict")
    assert step(state, c.AdvanceWindows(), SCHEDULER, NOW + 999) == []


def test_publishing_pins_the_version_and_unpublishing_takes_it_down() -> None:
    state = session(propositions=("a",))
    version = state.version
    step(state, c.PublishOutcome("Thanks to all"), FACILITATOR, NOW)
    assert state.published == Publication(version, "Thanks to all", NOW)
    step(state, c.PublishOutcome(), FACILITATOR, NOW + 1)
    assert state.published == Publication(version + 1, None, NOW + 1)
    step(state, c.UnpublishOutcome(), FACILITATOR, NOW + 2)
    assert state.published is None
    refuse(state, c.UnpublishOutcome(), FACILITATOR, "conflict")


def test_carried_propositions_come_back_as_drafts_with_their_provenance() -> None:
    state = session()
    item = c.Carried(
        "n1",
        "Revise me",
        "old",
        "IGF 2025",
        "ab" * 32,
        "needs_revision",
        2,
        14,
        0.5,
        {"agree": 7, "disagree": 7},
    )
    before = copy.deepcopy(state)
    step(state, c.CarryForward((item,)), FACILITATOR)
    carried = state.propositions["n1"]
    assert (carried.text, carried.status, carried.rounds) == ("Revise me", "draft", [])
    assert carried.provenance == Provenance(
        "old", "IGF 2025", "ab" * 32, "needs_revision", 2, 14, 0.5, {"agree": 7, "disagree": 7}
    )
    recorded = build(state, "0" * 64)["propositions"][0]["provenance"]
    assert recorded is not None
    assert recorded["head"] == "ab" * 32
    refuse(state, c.CarryForward((item,)), FACILITATOR, "conflict")
    assert before.propositions == {}


def test_the_published_outcome_has_the_final_wording_in_every_language() -> None:
    state = session(propositions=("a",))
    step(state, c.MarkConsensus("a", "rough_consensus", "Agreed"), FACILITATOR)
    step(state, c.TranslateProposition("a", "fr", "Texte de a"), FACILITATOR)
    step(state, c.TranslateProposition("a", "ar", "نص أ"), FACILITATOR)
    report = build(state, "0" * 64)
    (recognised,) = build_outcome(report, NOW, None, 3)["recognised"]
    assert recognised["text"] == "Text of a"
    assert recognised["translations"] == {"fr": "Texte de a", "ar": "نص أ"}
    assert recognised["chair_note"] == "Agreed"

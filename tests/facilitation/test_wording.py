"""A proposition's wording on the record: edit, revise, withdraw, undo a close,
amendments from the floor, translations; each with its refusals."""

from facilitation import commands as c
from facilitation import events as ev
from facilitation.state import Amendment, SessionState, Wording
from facilitation.views import view

from .conftest import (
    DISPLAY,
    FACILITATOR,
    NOW,
    OPERATOR,
    hub_actor,
    invite,
    join,
    open_,
    person,
    rate,
    refuse,
    session,
    snapshot,
    step,
)


def rated_round_one() -> SessionState:
    """`a` opened, rated by p1, closed; `b` a draft."""
    state = session(propositions=("a", "b"))
    join(state, "p1")
    open_(state, "a")
    rate(state, "p1", "a", "agree")
    step(state, c.CloseProposition("a"), FACILITATOR, NOW - 20)
    return state


def test_a_draft_is_edited_in_place() -> None:
    state = session(propositions=("a",))
    before = snapshot(state)
    events = step(state, c.EditProposition("a", " New words ", "Draft 2, §1"), FACILITATOR)
    assert events == [ev.PropositionEdited("a", "New words", "Draft 2, §1", NOW)]
    expected = before
    expected.propositions["a"].text = "New words"
    expected.propositions["a"].source = "Draft 2, §1"
    expected.version += 1
    assert state == expected
    # No source given keeps it; a blank one clears it; the same words decide nothing.
    step(state, c.EditProposition("a", "Newer words"), FACILITATOR)
    assert state.propositions["a"].source == "Draft 2, §1"
    step(state, c.EditProposition("a", "Newer words", ""), FACILITATOR)
    assert state.propositions["a"].source is None
    assert step(state, c.EditProposition("a", "Newer words"), FACILITATOR) == []
    assert state.propositions["a"].revision == 1
    assert state.propositions["a"].earlier == []


def test_an_opened_proposition_is_revised_and_round_two_rates_the_new_wording() -> None:
    state = rated_round_one()
    before = snapshot(state)
    events = step(state, c.EditProposition("a", "Text of a, amended", None, True), FACILITATOR)
    assert events == [
        ev.PropositionRevised("a", 2, "Text of a, amended", None, None, NOW),
        ev.PropositionOpened("a", 2, NOW),
    ]
    expected = before
    p = expected.propositions["a"]
    p.earlier = [Wording(1, "Text of a", None, {}, None, None)]
    p.text, p.revision, p.revised_at = "Text of a, amended", 2, NOW
    p.status = "open"
    expected.propositions["a"].rounds.append(
        type(p.rounds[0])(2, NOW, revision=2)  # the new round rates revision 2
    )
    expected.opinions = state.opinions
    expected.version += 2
    assert state == expected
    assert [r.revision for r in state.propositions["a"].rounds] == [1, 2]
    assert state.propositions["a"].rounds[0].ratings["p1"].value == 1  # round 1 kept


def test_revising_an_open_round_closes_it_first() -> None:
    state = session(propositions=("a",))
    open_(state, "a")
    events = step(state, c.EditProposition("a", "Reworded"), FACILITATOR)
    assert events == [
        ev.PropositionClosed("a", NOW),
        ev.PropositionRevised("a", 2, "Reworded", None, None, NOW),
    ]
    p = state.propositions["a"]
    assert (p.status, p.rounds[0].closed_at, p.rounds[0].revision, p.revision) == (
        "closed",
        NOW,
        1,
        2,
    )


def test_edit_refusals() -> None:
    state = rated_round_one()
    step(state, c.WithdrawProposition("b"), FACILITATOR)
    refuse(state, c.EditProposition("b", "Again"), FACILITATOR, "conflict")
    refuse(state, c.EditProposition("zz", "Again"), FACILITATOR, "not_found")
    refuse(state, lambda: c.EditProposition("a", "  "), FACILITATOR, "bad_request")
    refuse(state, lambda: c.EditProposition("a", "x" * 2001), FACILITATOR, "too_large")
    refuse(state, lambda: c.EditProposition("a", "ok", "s" * 501), FACILITATOR, "too_large")
    refuse(state, c.EditProposition("a", "Again"), person("p1"), "forbidden")
    refuse(state, c.EditProposition("a", "Again"), DISPLAY, "forbidden")


def test_withdraw_keeps_the_record_and_leaves_the_agenda() -> None:
    state = session(propositions=("a", "b"))
    join(state, "p1")
    open_(state, "a")
    rate(state, "p1", "a", "agree")
    step(state, c.ProposeAmendment("m1", "a", "Other words"), person("p1"), NOW - 10)
    before = snapshot(state)
    assert step(state, c.WithdrawProposition("a"), FACILITATOR) == [
        ev.PropositionClosed("a", NOW),
        ev.PropositionWithdrawn("a", NOW),
    ]
    expected = before
    p = expected.propositions["a"]
    p.status, p.withdrawn_at, p.rounds[0].closed_at = "withdrawn", NOW, NOW
    # Closed as the chair's close would: the final figures published.
    p.rounds[0].published = p.rounds[0].tally.copy()
    p.rounds[0].published_registered = p.rounds[0].registered.copy()
    p.rounds[0].unpublished = set()
    expected.amendments["m1"].status = "withdrawn"
    expected.amendments["m1"].decided_at = NOW
    expected.version += 2
    assert state == expected
    assert step(state, c.WithdrawProposition("a"), FACILITATOR) == []
    for role, subject in (("participant", "p1"), ("display", ""), ("facilitator", "")):
        shown = [p["id"] for p in view(state, role, subject, NOW)["propositions"]]
        assert shown == (["a", "b"] if role == "facilitator" else ["b"])
    # The projector, following the proposition opened last, leaves it too.
    assert view(state, "display", "", NOW)["session"]["display"]["shown"] is None
    refuse(state, c.OpenProposition("a"), FACILITATOR, "conflict")
    refuse(state, c.SubmitRating("a", "agree"), person("p1"), "closed")
    refuse(state, c.TranslateProposition("a", "fr", "Texte"), FACILITATOR, "conflict")
    refuse(state, c.WithdrawProposition("zz"), FACILITATOR, "not_found")
    refuse(state, c.WithdrawProposition("b"), person("p1"), "forbidden")


def test_a_close_is_undone_while_no_new_round_has_begun() -> None:
    state = rated_round_one()
    before = snapshot(state)
    assert step(state, c.UndoClose("a"), FACILITATOR) == [ev.CloseUndone("a", NOW)]
    expected = before
    expected.propositions["a"].status = "open"
    expected.propositions["a"].rounds[0].closed_at = None
    expected.version += 1
    assert state == expected
    rate(state, "p1", "a", "neutral")  # the same round goes on
    assert len(state.propositions["a"].rounds) == 1
    refuse(state, c.UndoClose("a"), FACILITATOR, "conflict")  # open: nothing to undo
    refuse(state, c.UndoClose("b"), FACILITATOR, "conflict")  # a draft
    refuse(state, c.UndoClose("a"), person("p1"), "forbidden")
    # Revised since the close: the closed round rated another wording.
    step(state, c.CloseProposition("a"), FACILITATOR)
    step(state, c.EditProposition("a", "New words"), FACILITATOR)
    refuse(state, c.UndoClose("a"), FACILITATOR, "conflict")


def test_an_amendment_from_a_phone_is_accepted_into_a_new_round() -> None:
    state = session(propositions=("a",))
    join(state, "p1", "civil_society", "remote", name="Ana")
    open_(state, "a")
    before = snapshot(state)
    step(state, c.ProposeAmendment("m1", "a", " Shorter words ", " Clearer "), person("p1"))
    expected = before
    expected.amendments["m1"] = Amendment(
        "m1", "a", "p:p1", "civil_society", "remote", "Shorter words", "Clearer", NOW
    )
    expected.version += 1
    assert state == expected
    # The console sees group and channel, never who.
    (shown,) = view(state, "facilitator", "", NOW)["propositions"][0]["amendments"]
    assert shown["stakeholder_group"] == "civil_society"
    assert "p1" not in str(shown)
    events = step(state, c.AcceptAmendment("m1", "Shorter, edited", "Thanks", True), FACILITATOR)
    assert events == [
        ev.PropositionClosed("a", NOW),
        ev.PropositionRevised("a", 2, "Shorter, edited", None, "m1", NOW),
        ev.AmendmentDecided("m1", "accepted", "Thanks", 2, NOW),
        ev.PropositionOpened("a", 2, NOW),
    ]
    p = state.propositions["a"]
    assert (p.text, p.revision, p.amendment_id, p.round, p.rounds[-1].revision) == (
        "Shorter, edited",
        2,
        "m1",
        2,
        2,
    )
    own = view(state, "participant", "p1", NOW)["me"]["amendments"]
    assert own == [
        {
            "amendment_id": "m1",
            "proposition_id": "a",
            "text": "Shorter words",
            "status": "accepted",
            "note": "Thanks",
            "revision": 2,
        }
    ]
    refuse(state, c.AcceptAmendment("m1"), FACILITATOR, "conflict")
    refuse(state, c.DeclineAmendment("m1"), FACILITATOR, "conflict")


def test_a_declined_amendment_and_a_hub_amendment() -> None:
    state = session(propositions=("a",))
    join(state, "p1")
    join(state, "p2")
    hub = invite(state, "h1")
    step(state, c.ProposeAmendment("m1", "a", "Words", None), person("p1"))
    step(state, c.ProposeAmendment("m2", "a", "Hub words", None, "academia"), hub)
    before = snapshot(state)
    assert step(state, c.DeclineAmendment("m1", " Out of scope "), FACILITATOR) == [
        ev.AmendmentDecided("m1", "declined", "Out of scope", None, NOW)
    ]
    expected = before
    expected.amendments["m1"].status = "declined"
    expected.amendments["m1"].note = "Out of scope"
    expected.amendments["m1"].decided_at = NOW
    expected.version += 1
    assert state == expected
    assert state.amendments["m2"].author == "h:h1"
    assert state.amendments["m2"].channel == "hub"
    assert view(state, "hub", "h1", NOW)["hub"]["amendments"][0]["amendment_id"] == "m2"
    # Only the proposer sees their amendment's fate.
    assert view(state, "participant", "p2", NOW)["me"]["amendments"] == []
    assert "amendments" not in view(state, "display", "", NOW)["propositions"][0]


def test_amendment_refusals() -> None:
    state = session(propositions=("a", "b", "c"))
    join(state, "p1")
    hub = invite(state, "h1")
    open_(state, "b")
    step(state, c.CloseProposition("b"), FACILITATOR)
    step(state, c.WithdrawProposition("c"), FACILITATOR)
    refuse(state, c.ProposeAmendment("m1", "b", "Words"), person("p1"), "closed")
    refuse(state, c.ProposeAmendment("m1", "c", "Words"), person("p1"), "closed")
    refuse(state, c.ProposeAmendment("m1", "zz", "Words"), person("p1"), "not_found")
    refuse(state, c.ProposeAmendment("m1", "a", "Text of a"), person("p1"), "bad_request")
    refuse(state, c.ProposeAmendment("m1", "a", "Words"), person("ghost"), "unauthorized")
    refuse(state, c.ProposeAmendment("m1", "a", "Words", None, "martians"), hub, "bad_request")
    refuse(state, c.ProposeAmendment("m1", "a", "Words"), FACILITATOR, "forbidden")
    refuse(state, c.ProposeAmendment("m1", "a", "Words"), DISPLAY, "forbidden")
    refuse(state, lambda: c.ProposeAmendment("m1", "a", " "), person("p1"), "bad_request")
    refuse(state, lambda: c.ProposeAmendment("m1", "a", "x" * 2001), person("p1"), "too_large")
    refuse(
        state, lambda: c.ProposeAmendment("m1", "a", "ok", "w" * 1001), person("p1"), "too_large"
    )
    for i in range(3):
        step(state, c.ProposeAmendment(f"m{i}", "a", f"Words {i}"), person("p1"))
    refuse(state, c.ProposeAmendment("m9", "a", "Words 9"), person("p1"), "conflict")
    refuse(state, c.ProposeAmendment("m0", "a", "Other"), hub, "conflict")  # id taken
    refuse(state, c.AcceptAmendment("zz"), FACILITATOR, "not_found")
    refuse(state, c.AcceptAmendment("m0"), person("p1"), "forbidden")
    refuse(state, lambda: c.DeclineAmendment("m0", "n" * 2001), FACILITATOR, "too_large")
    step(state, c.SetSessionStatus("closed"), OPERATOR)  # the floor is closed with the session
    refuse(state, c.ProposeAmendment("m8", "a", "More"), person("p1"), "closed")
    step(state, c.SetSessionStatus("open"), OPERATOR)
    step(state, c.RemoveParticipant("p1"), FACILITATOR)
    refuse(state, c.ProposeAmendment("m8", "a", "More"), person("p1"), "unauthorized")


def test_translations_belong_to_the_current_revision() -> None:
    state = session(propositions=("a",))
    before = snapshot(state)
    assert step(state, c.TranslateProposition("a", "fr", " Texte de a "), FACILITATOR) == [
        ev.TranslationSet("a", 1, "fr", "Texte de a", NOW)
    ]
    expected = before
    expected.propositions["a"].translations = {"fr": "Texte de a"}
    expected.version += 1
    assert state == expected
    assert step(state, c.TranslateProposition("a", "fr", "Texte de a"), FACILITATOR) == []
    step(state, c.TranslateProposition("a", "ar", "نص أ"), FACILITATOR)
    open_(state, "a")
    step(state, c.EditProposition("a", "Text of a, revised"), FACILITATOR)
    p = state.propositions["a"]
    assert p.translations == {}
    assert p.earlier[0].translations == {"fr": "Texte de a", "ar": "نص أ"}
    step(state, c.TranslateProposition("a", "fr", "Nouveau"), FACILITATOR)
    step(state, c.TranslateProposition("a", "fr", None), FACILITATOR)
    assert p.translations == {}
    shown = view(state, "display", "", NOW)
    assert shown["propositions"][0]["earlier"][0]["translations"]["ar"] == "نص أ"


def test_translation_refusals() -> None:
    state = session(propositions=("a",))
    state.languages = ("en", "fr")  # a session of two languages
    refuse(state, c.TranslateProposition("a", "ar", "نص"), FACILITATOR, "bad_request")
    refuse(state, lambda: c.TranslateProposition("a", "tlh", "x"), FACILITATOR, "bad_request")
    refuse(state, lambda: c.TranslateProposition("a", "fr", "x" * 2001), FACILITATOR, "too_large")
    refuse(state, c.TranslateProposition("zz", "fr", "x"), FACILITATOR, "not_found")
    refuse(state, c.TranslateProposition("a", "fr", "x"), hub_actor("h1"), "forbidden")


def test_a_translations_file_sets_every_cell_or_nothing() -> None:
    state = session(propositions=("a", "b", "c"))
    step(state, c.WithdrawProposition("b"), FACILITATOR)
    csv = "position,original,fr,ar\n1,Text of a,Texte de a,نص أ\n\n2,Text of c,Texte de c,\n"
    before = snapshot(state)
    events = step(state, c.ImportTranslations("csv", csv), FACILITATOR)
    assert events == [
        ev.TranslationSet("a", 1, "ar", "نص أ", NOW),  # in the session's order of languages
        ev.TranslationSet("a", 1, "fr", "Texte de a", NOW),
        ev.TranslationSet("c", 1, "fr", "Texte de c", NOW),
    ]
    expected = before
    expected.propositions["a"].translations = {"fr": "Texte de a", "ar": "نص أ"}
    expected.propositions["c"].translations = {"fr": "Texte de c"}
    expected.version += 3
    assert state == expected
    step(state, c.ImportTranslations("json", '[{"id": "c", "es": "Texto de c"}]'), FACILITATOR)
    assert state.propositions["c"].translations == {"fr": "Texte de c", "es": "Texto de c"}


def test_a_bad_translations_file_names_the_row_and_the_reason() -> None:
    state = session(propositions=("a", "b"))
    faults = {
        "position,fr,de\n1,Texte,Text\n": "Column 'de' is not one of",
        "fr\nTexte\n": "needs an id or a position column",
        "position,fr\n1,Texte\n3,Texte\n": "Row 3: there is no proposition at position 3",
        "position,fr\n1,Texte\nx,Texte\n": "Row 3: position 'x' is not a whole number",
        "position,fr\n1,Texte,extra\n": "Row 2 has 3 cells; the header row has 2",
        "position,fr\n1,Texte\n1,Encore\n": "Row 3: this proposition was already given in Row 2",
        "id,fr\nzz,Texte\n": "Row 2: there is no proposition with id 'zz'",
        "position,fr\n": "no rows",
    }
    for content, reason in faults.items():
        error = refuse(state, c.ImportTranslations("csv", content), FACILITATOR, "bad_request")
        assert reason in error.message, (content, error.message)
    long_cell = "position,fr\n2," + "x" * 2001 + "\n"
    error = refuse(state, c.ImportTranslations("csv", long_cell), FACILITATOR, "too_large")
    assert error.message.startswith("Row 2, column fr: 2001 characters")
    for content, reason in {
        "{": "not JSON",
        '{"a": 1}': "must be a list",
        '[{"position": 1, "fr": "x"}, 7]': "Item 2 is not an object",
        '[{"position": 1, "fr": 5}]': "Item 1, column fr: the translation must be text",
    }.items():
        error = refuse(state, c.ImportTranslations("json", content), FACILITATOR, "bad_request")
        assert reason in error.message, (content, error.message)
    refuse(state, lambda: c.ImportTranslations("xlsx", "x"), FACILITATOR, "bad_request")  # type: ignore[arg-type]
    refuse(state, lambda: c.ImportTranslations("csv", "x" * 200_001), FACILITATOR, "too_large")
    refuse(state, c.ImportTranslations("csv", "position,fr\n1,T\n"), person("p1"), "forbidden")

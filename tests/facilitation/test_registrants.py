"""Registered participants in the core: lists imported whole or not at all,
invitations that continue one person, removal, admission, and the split of
registered and self-declared raters."""

import copy
from typing import Any

import pytest

from facilitation import commands as c
from facilitation import events as ev
from facilitation.errors import BadRequest
from facilitation.registrants import read_csv
from facilitation.report import build
from facilitation.state import Participant, Registrant, SessionState
from facilitation.views import view

from .conftest import (
    FACILITATOR,
    GUEST,
    NOW,
    join,
    open_,
    rate,
    refuse,
    session,
    step,
)

HEADER = "name,email,stakeholder group,on-site or online,language"


def rows_of(text: str, first_id: int = 0) -> tuple[c.RegistrantRow, ...]:
    """The command rows of a CSV text, with ids r<n> and the lower-cased email as key."""
    raw, problems = read_csv(text)
    assert problems == []
    return tuple(
        c.RegistrantRow(r.row, f"r{first_id + i}", r.values["email"].lower(), r.values)
        for i, r in enumerate(raw)
    )


def listing(*lines: str) -> str:
    return "\n".join((HEADER, *lines)) + "\n"


def imported(state: SessionState, *lines: str, first_id: int = 0) -> list[ev.Event]:
    return step(state, c.ImportRegistrants(rows_of(listing(*lines), first_id)), FACILITATOR)


def test_a_list_with_bad_rows_is_refused_whole_naming_every_bad_row() -> None:
    state = session(propositions=("a",))
    text = listing(
        "Amina Diallo,amina@example.org,civil_society,on-site,fr",
        "Bad Email,amina.example.org,government,online,en",
        "Unknown Group,u@example.org,martians,online,en",
        "Twice,AMINA@example.org,academia,online,es",
        "No Language,n@example.org,academia,online,",
        "Pigeon,p@example.org,academia,by pigeon,xx",
    )
    error = refuse(state, c.ImportRegistrants(rows_of(text)), FACILITATOR, "bad_request")
    assert error.rows == [
        (3, "bad email 'amina.example.org'"),
        (4, "unknown group 'martians'"),
        (5, "duplicate email (also on row 2)"),
        (6, "missing column: language"),
        (7, "unknown channel 'by pigeon' (on-site or online)"),
        (7, "unknown language 'xx' (this session has ar, zh, en, fr, ru, es)"),
    ]
    assert "nothing was imported" in error.message
    assert state.registrants == {}


def test_a_missing_column_is_reported_on_the_header_row() -> None:
    rows, problems = read_csv("name,email,language\nAna,ana@example.org,en\n")
    assert (rows, problems) == (
        [],
        [(1, "missing column: stakeholder_group"), (1, "missing column: channel")],
    )
    state = session()
    error = refuse(state, c.ImportRegistrants((), tuple(problems)), FACILITATOR, "bad_request")
    assert error.rows == problems


def test_reading_skips_a_byte_order_mark_and_blank_lines_and_counts_rows_as_shown() -> None:
    rows, problems = read_csv("\ufeff" + HEADER + "\r\n\r\nAna,ana@example.org,other,Online,EN\r\n")
    assert problems == []
    assert [(r.row, r.values["channel"], r.values["language"]) for r in rows] == [
        (3, "Online", "EN")
    ]


def test_a_list_saved_with_semicolons_or_tabs_reads_the_same() -> None:
    for separator in (";", "\t"):
        text = (
            HEADER.replace(",", separator)
            + "\n"
            + separator.join(("Dupont, Marie", "marie@example.org", "academia", "on-site", "fr"))
        )
        rows, problems = read_csv(text)
        assert problems == []
        assert [r.values for r in rows] == [
            {
                "name": "Dupont, Marie",
                "email": "marie@example.org",
                "stakeholder_group": "academia",
                "channel": "on-site",
                "language": "fr",
            }
        ]


def test_a_list_beyond_the_row_limit_is_refused() -> None:
    text = listing(*[f"P{i},p{i}@example.org,other,online,en" for i in range(2001)])
    with pytest.raises(BadRequest, match="at most 2000"):
        read_csv(text)


def test_a_good_list_is_recorded_without_any_email_address() -> None:
    state = session()
    events = imported(
        state,
        "Amina Diallo,amina@example.org,civil_society,on-site,fr",
        "Li Na,li@example.org,government,Online,ZH",
    )
    assert events == [
        ev.RegistrantsImported(
            (
                ("r0", "Amina Diallo", "amina@example.org", "civil_society", "in_room", "fr"),
                ("r1", "Li Na", "li@example.org", "government", "remote", "zh"),
            ),
            NOW,
        )
    ]
    assert state.registrants == {
        "r0": Registrant(
            "r0", "Amina Diallo", "amina@example.org", "civil_society", "in_room", "fr", NOW
        ),
        "r1": Registrant("r1", "Li Na", "li@example.org", "government", "remote", "zh", NOW),
    }
    # Here the key is the address itself; the shell's is an HMAC digest
    # (server.auth.email_key): tests/server/test_registrants.py reads the log.
    again = refuse(
        state,
        c.ImportRegistrants(rows_of(listing("Amina D.,amina@example.org,academia,online,en"), 5)),
        FACILITATOR,
        "bad_request",
    )
    assert again.rows == [(2, "duplicate email: already registered in this session")]


def test_an_invitation_opened_twice_continues_one_participant_with_one_rating() -> None:
    state = session(propositions=("a",))
    imported(state, "Amina Diallo,amina@example.org,civil_society,online,fr")
    before = copy.deepcopy(state)
    assert step(state, c.OpenInvitation("r0"), GUEST) == [ev.InvitationOpened("r0", NOW)]
    before.version += 1
    before.participants["r0"] = Participant(
        "r0",
        "civil_society",
        "remote",
        "Amina Diallo",
        "fr",
        NOW,
        registered=True,
        seq=before.version,
    )
    assert state == before
    # A second device: nothing new, the same person.
    assert step(state, c.OpenInvitation("r0"), GUEST) == []
    open_(state, "a")
    rate(state, "r0", "a", "disagree")
    rate(state, "r0", "a", "agree")
    round_ = state.propositions["a"].rounds[-1]
    assert sum(round_.tally.counts) == 1
    assert round_.tally.counts[1] == 1
    assert round_.registered.counts == round_.tally.counts


def test_removing_a_registrant_revokes_the_link_and_removes_the_participant() -> None:
    state = session()
    imported(state, "Amina Diallo,amina@example.org,civil_society,online,fr")
    step(state, c.OpenInvitation("r0"), GUEST)
    events = step(state, c.RemoveRegistrant("r0"), FACILITATOR)
    assert events == [ev.RegistrantRemoved("r0", NOW), ev.ParticipantRemoved("r0", NOW)]
    assert state.registrants["r0"].removed
    assert state.participants["r0"].removed
    error = refuse(state, c.OpenInvitation("r0"), GUEST, "unauthorized")
    assert "no longer valid" in error.message
    assert step(state, c.RemoveRegistrant("r0"), FACILITATOR) == []
    refuse(state, c.RemoveRegistrant("nobody"), FACILITATOR, "not_found")
    refuse(state, c.OpenInvitation("nobody"), GUEST, "unauthorized")


def test_registered_admission_refuses_the_join_code() -> None:
    state = session(settings={"admission": "registered"})
    error = refuse(state, c.Join("p1", "government", "in_room"), GUEST, "forbidden")
    assert "invited participants only" in error.message
    imported(state, "Amina Diallo,amina@example.org,civil_society,online,fr")
    assert step(state, c.OpenInvitation("r0"), GUEST) == [ev.InvitationOpened("r0", NOW)]


def both_session(follows: str) -> SessionState:
    """Three registered raters who disagree and twelve self-declared who agree."""
    settings: dict[str, object] = {
        "admission": "both",
        "suggestion_follows": follows,
        "consensus": {"min_ratings": 3},
    }
    state = session(propositions=("a",), settings=settings)
    imported(
        state,
        *(f"Reg {i},reg{i}@example.org,civil_society,online,en" for i in range(3)),
    )
    for i in range(3):
        step(state, c.OpenInvitation(f"r{i}"), GUEST)
    for i in range(12):
        join(state, f"p{i}", "civil_society")
    open_(state, "a")
    for i in range(3):
        rate(state, f"r{i}", "a", "disagree")
    for i in range(12):
        rate(state, f"p{i}", "a", "agree")
    return state


def test_both_admission_splits_registered_and_self_declared_raters() -> None:
    state = both_session("all")
    shown = view(state, "facilitator", "", NOW)
    round_ = shown["propositions"][0]["rounds"][-1]
    assert round_["by_admission"]["registered"]["disagree"] == 3
    assert round_["by_admission"]["self_declared"]["agree"] == 12
    assert round_["metrics_registered"]["agree_share"] == 0
    assert round_["metrics"]["agree_share"] == 12 / 15
    assert round_["suggestion_follows"] == "all"
    assert shown["participation"]["registered"] == 3
    assert shown["participation"]["invited"] == 3
    report = build(state, "0" * 64)
    rounds = report["propositions"][0]["rounds"][-1]
    assert rounds["by_admission"]["registered"]["total"] == 3
    assert rounds["by_admission"]["self_declared"]["total"] == 12
    assert report["participation"].get("registered") == 3


def test_the_suggestion_follows_the_registered_raters_when_the_setting_says_so() -> None:
    everyone = both_session("all")
    registered = both_session("registered")
    counted = [
        view(s, "facilitator", "", NOW)["propositions"][0]["rounds"][-1]
        for s in (everyone, registered)
    ]
    # Fifteen raters, 80% agree: everyone's figures suggest rough consensus;
    # the three registered raters all disagree, so theirs do not.
    assert counted[0]["metrics"]["suggests_rough_consensus"] is True
    assert counted[1]["metrics"]["suggests_rough_consensus"] is False
    assert counted[1]["metrics"]["agree_share"] == counted[0]["metrics"]["agree_share"]
    reports = [build(s, "0" * 64)["propositions"][0]["rounds"][-1] for s in (everyone, registered)]
    assert reports[0]["metrics"]["suggests_rough_consensus"] is True
    assert reports[1]["metrics"]["suggests_rough_consensus"] is False
    assert reports[1]["suggestion_follows"] == "registered"


def test_outside_the_console_a_small_part_of_the_split_is_not_shown() -> None:
    state = session(
        propositions=("a",), settings={"admission": "both", "results_visibility": "live"}
    )
    imported(state, "Solo,solo@example.org,government,online,en")
    step(state, c.OpenInvitation("r0"), GUEST)
    for i in range(4):
        join(state, f"p{i}", "civil_society")
    open_(state, "a")
    rate(state, "r0", "a", "disagree")
    for i in range(4):
        rate(state, f"p{i}", "a", "agree")
    display = view(state, "display", "", NOW)["propositions"][0]["rounds"][-1]
    assert display["by_admission"] == {}
    assert display["metrics_registered"] is None
    console = view(state, "facilitator", "", NOW)["propositions"][0]["rounds"][-1]
    assert console["by_admission"]["registered"]["disagree"] == 1


def test_the_chair_changes_admission_and_the_suggestion_basis_on_the_record() -> None:
    state = both_session("all")

    def round_of(s: SessionState) -> dict[str, Any]:
        shown: dict[str, Any] = view(s, "facilitator", "", NOW)["propositions"][0]["rounds"][-1]
        return shown

    assert round_of(state)["metrics"]["suggests_rough_consensus"] is True
    events = step(state, c.SetAdmission("both", "registered"), FACILITATOR)
    assert events == [ev.AdmissionSet("both", "registered", NOW)]
    assert round_of(state)["metrics"]["suggests_rough_consensus"] is False
    assert step(state, c.SetAdmission("both"), FACILITATOR) == []  # already so
    step(state, c.SetAdmission("registered"), FACILITATOR)
    assert state.settings.suggestion_follows == "registered"  # kept when not given
    refuse(state, c.Join("late", "government", "in_room"), GUEST, "forbidden")
    refuse(state, lambda: c.SetAdmission("closed"), FACILITATOR, "bad_request")  # type: ignore[arg-type]

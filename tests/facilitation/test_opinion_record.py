"""What the views and the report show of opinion groups (facilitation/opinion_record.py)."""

from copy import deepcopy
from dataclasses import replace

import pytest

from facilitation import Actor, apply, decide
from facilitation import commands as c
from facilitation.opinion_record import (
    console,
    differences,
    display,
    of_round,
    own_group,
    own_groups,
    report,
    suggestion,
)
from facilitation.opinions import compute
from facilitation.settings import ConsensusThresholds, SessionSettings
from facilitation.state import SessionState
from facilitation.vocabulary import Value

PROFILES: tuple[tuple[Value, ...], ...] = (
    ("agree", "strongly_agree", "strongly_disagree", "strongly_disagree"),
    ("agree", "strongly_disagree", "strongly_agree", "strongly_disagree"),
    ("neutral", "strongly_disagree", "strongly_disagree", "strongly_agree"),
)


def session(min_group_size: int = 3, sizes: tuple[int, ...] = (5, 5, 5)) -> SessionState:
    """Groups of the given sizes rating by three profiles over four propositions."""
    state = SessionState()
    settings = SessionSettings(min_group_size=min_group_size)
    texts = tuple((f"p{j}", f"Proposition {j}", None) for j in range(4))

    def run(command: c.Command, actor: Actor) -> None:
        for event in decide(state, command, actor, 1.0):
            apply(state, event)

    run(
        c.CreateSession("s", "T", "ABCDEFGH", settings=settings, propositions=texts),
        Actor("operator"),
    )
    people = [(k, i) for k, size in enumerate(sizes) for i in range(size)]
    for k, i in people:
        run(c.Join(f"u{k}{i}", "government", "in_room"), Actor("guest"))
    for j in range(4):
        run(c.OpenProposition(f"p{j}"), Actor("facilitator"))
        for k, i in people:
            # One softened rating each, so every person has their own point.
            value = PROFILES[k][j] if j != 1 + i % 3 or i == 0 else "neutral"
            run(c.SubmitRating(f"p{j}", value), Actor("participant", f"u{k}{i}"))
    return state


def test_suggestion_requires_opinion_consensus_only_when_asked() -> None:
    off, on = ConsensusThresholds(), ConsensusThresholds(min_opinion_consensus=0.6)
    assert suggestion(True, None, off) is True
    assert suggestion(True, 0.59, on) is False
    assert suggestion(True, 0.6, on) is True
    assert suggestion(True, None, on) is False  # groups not known yet: no suggestion
    assert suggestion(False, 0.9, on) is False


def test_small_groups_reach_only_the_console() -> None:
    state = session(min_group_size=4, sizes=(6, 6, 3))
    opinions = compute(state.opinions)
    assert sorted(g.size for g in opinions.groups) == [3, 6, 6]
    assert len(console(state, opinions)["points"]) == 15
    assert display(state, opinions) is None  # nothing revealed yet
    for p in state.propositions.values():
        p.revealed = True
    shown = display(state, opinions)
    assert shown is not None
    assert sorted(g["size"] for g in shown["groups"]) == [6, 6]
    assert len(shown["points"]) == 12
    small = next(g for g in opinions.groups if g.size == 3)
    assert own_group(state, opinions, small.members[0]) is None
    big = next(g for g in opinions.groups if g.size == 6)
    assert own_group(state, opinions, big.members[0]) == {"label": big.label, "groups": 2}
    section = report(state)
    assert [g["size"] for g in section["groups"]] == [6, 6]
    assert section["hidden"] == 3


def test_every_phones_own_group_at_once_is_each_phones_own_group() -> None:
    state = session(min_group_size=4, sizes=(6, 6, 3))
    opinions = compute(state.opinions)
    placed = sorted(opinions.points)
    assert own_groups(state, opinions) == {}  # nothing revealed yet
    for p in state.propositions.values():
        p.revealed = True
    everyone = own_groups(state, opinions)
    expected = {pid: own_group(state, opinions, pid) for pid in placed}
    assert everyone == {pid: group for pid, group in expected.items() if group is not None}
    assert len(everyone) == 12  # the group of 3 is below min_group_size 4: none of them
    for g in opinions.groups:  # the index behind both is each group's members, no other
        assert all(opinions.group_of(pid) == g.label for pid in g.members)
    assert opinions.group_of("nobody") is None


def test_report_figures_by_hand_and_differences_name_each_change() -> None:
    state = session()
    section = report(state)
    first = section["propositions"][0]["rounds"][0]
    # Two groups agree unanimously, one is neutral: ((6/7)^2 * 1/7)^(1/3).
    assert first["opinion_consensus"] == pytest.approx(((6 / 7) ** 2 / 7) ** (1 / 3))
    # One declared group of 15, 10 agree: (11/17).
    assert first["stakeholder_consensus"] == pytest.approx(11 / 17)
    assert differences(section, section) == []
    tampered = {**section, "placed": 14, "groups": section["groups"][:2]}
    assert differences(section, tampered) == [
        "opinions.groups: 2 item(s) in the report, 3 recomputed",
        "opinions.placed: the report says 14, the log gives 15",
    ]
    assert differences({"x": 1.0}, {"x": 1.0 + 1e-12}) == []
    assert differences({"x": True}, {"x": 1}) != []


def test_stricter_setting_withholds_the_reports_suggestion() -> None:
    state = session()
    loose = report(state)["propositions"][0]["suggests_rough_consensus"]
    state.settings = replace(
        state.settings,
        consensus=ConsensusThresholds(
            min_ratings=12, min_agree_share=0.6, min_opinion_consensus=0.6
        ),
    )
    assert loose is False  # 10 of 15 agree is below the default 0.7
    looser = replace(state.settings.consensus, min_opinion_consensus=0.0)
    strict = report(state)["propositions"][0]["suggests_rough_consensus"]
    state.settings = replace(state.settings, consensus=looser)
    assert (strict, report(state)["propositions"][0]["suggests_rough_consensus"]) == (
        False,
        True,
    )


def two_rounds(reverse: bool = False) -> SessionState:
    """Round 1 by three profiles (5, 5, 5); in round 2 profile B's people (u1*) rate as
    profile A does, so round 2 has two camps: A with B (10) and C (5). `reverse`
    submits every round's ratings in the opposite order."""
    state = session()

    def run(command: c.Command, actor: Actor) -> None:
        for event in decide(state, command, actor, 2.0):
            apply(state, event)

    people = [(k, i) for k in range(3) for i in range(5)]
    for j in range(4):
        run(c.CloseProposition(f"p{j}"), Actor("facilitator"))
        run(c.OpenProposition(f"p{j}"), Actor("facilitator"))
        for k, i in reversed(people) if reverse else people:
            camp = 0 if k == 1 else k
            value = PROFILES[camp][j] if j != 1 + i % 3 or i == 0 else "neutral"
            run(c.SubmitRating(f"p{j}", value), Actor("participant", f"u{k}{i}"))
    return state


def test_each_round_has_its_own_groups_and_figures() -> None:
    state = two_rounds()
    section = report(state)
    first, second = section["rounds"]
    assert (first["round"], first["placed"], first["hidden"]) == (1, 15, 0)
    assert sorted(g["size"] for g in first["groups"]) == [5, 5, 5]
    assert (second["round"], second["placed"], second["hidden"]) == (2, 15, 0)
    assert [g["size"] for g in second["groups"]] == [10, 5]
    members = {g.size: set(g.members) for g in of_round(state, 2).groups}
    assert members[10] == {f"u{k}{i}" for k in (0, 1) for i in range(5)}
    assert {frozenset(g.members) for g in of_round(state, 1).groups} == {
        frozenset(f"u{k}{i}" for i in range(5)) for k in range(3)
    }
    assert all(g["representative"] for r in section["rounds"] for g in r["groups"])
    p0 = section["propositions"][0]["rounds"]
    # Round 1: A and B agree (5 of 5 each), C neutral: ((6/7)^2 * 1/7)^(1/3).
    assert p0[0]["opinion_consensus"] == pytest.approx(((6 / 7) ** 2 / 7) ** (1 / 3))
    # Round 2: A with B agree (10 of 10), C neutral: (11/12 * 1/7)^(1/2).
    assert p0[1]["opinion_consensus"] == pytest.approx((11 / 12 / 7) ** 0.5)
    # Stakeholder groups: one declared group of 15, 10 agree, in both rounds: 11/17.
    assert [r["stakeholder_consensus"] for r in p0] == pytest.approx([11 / 17, 11 / 17])
    # The live map holds the latest rounds: its groups and figure are round 2's.
    assert section["groups"] == second["groups"]
    assert section["propositions"][0]["opinion_consensus"] == p0[1]["opinion_consensus"]


def test_round_groups_do_not_depend_on_the_order_of_ratings() -> None:
    assert report(two_rounds())["rounds"] == report(two_rounds(reverse=True))["rounds"]


def test_a_changed_round_one_figure_is_named() -> None:
    section = report(two_rounds())
    given = deepcopy(section)
    figure = section["propositions"][0]["rounds"][0]["opinion_consensus"]
    assert figure is not None
    given["propositions"][0]["rounds"][0]["opinion_consensus"] = figure + 0.01
    given["rounds"][0]["groups"][0]["size"] = 4
    assert differences(section, given) == [
        "opinions.propositions[0].rounds[0].opinion_consensus: the report says "
        f"{figure + 0.01!r}, the log gives {figure!r}",
        "opinions.rounds[0].groups[0].size: the report says 4, the log gives 5",
    ]

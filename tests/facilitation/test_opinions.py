"""Opinion groups (facilitation/opinions.py): formulas, determinism, recovery, edges."""

import json
import random
from collections import Counter
from math import comb, isfinite

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitation import SessionState, apply
from facilitation import events as ev
from facilitation.errors import BadRequest
from facilitation.opinions import (
    Opinions,
    agreement,
    compute,
    group_consensus,
    prop_test,
    recount,
    representativeness,
    stakeholder_consensus,
    two_prop_test,
)
from facilitation.opinions import from_json as opinions_from_json
from facilitation.opinions import to_json as opinions_to_json
from facilitation.settings import SessionSettings
from facilitation.vocabulary import Value

VALUES: tuple[Value, ...] = ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree")
X_OF = {"strongly_agree": 1.0, "agree": 0.5, "neutral": 0.0, "disagree": -0.5}
X_OF["strongly_disagree"] = -1.0


# --- Hand-computed formulas ----------------------------------------------------------


def test_agreement_and_consensus_by_hand() -> None:
    assert agreement(3, 4) == pytest.approx(4 / 6)
    # sqrt(4/6 * 1/6) = sqrt(4/36) = 1/3
    assert group_consensus([(3, 4), (0, 4)]) == pytest.approx(1 / 3)
    assert group_consensus([]) is None


def test_unanimous_group_by_hand() -> None:
    # 10 of 10 agree: (10 + 1) / (10 + 2) = 11/12, never 1: pseudocounts keep it finite.
    assert group_consensus([(10, 10), (10, 10)]) == pytest.approx(11 / 12)
    # 2 sqrt(11) (11/11 - 1/2) = sqrt(11)
    assert prop_test(10, 10) == pytest.approx(3.31662, abs=1e-4)
    # p1 = 11/11, p2 = 1/11, pooled 12/22: (10/11) / sqrt(6/11 * 5/11 * 2/11) = 4.28175
    assert two_prop_test(10, 10, 0, 10) == pytest.approx(4.28175, abs=1e-4)
    rep = representativeness("q", (10, 0, 10), (0, 10, 10))
    assert rep is not None
    assert rep.direction == "agree"
    assert rep.probability == pytest.approx(11 / 12)
    assert rep.ratio == pytest.approx(11.0)  # (11/12) / (1/12)


def test_representativeness_needs_significance() -> None:
    # 2 of 3 agree inside, 5 of 10 outside: z of the proportion = 2*2*(3/4 - 1/2) = 1 < 1.2816
    assert prop_test(2, 3) == pytest.approx(1.0)
    assert representativeness("q", (2, 0, 3), (5, 5, 10)) is None
    # disagreement is found the same way
    rep = representativeness("q", (0, 10, 10), (10, 0, 10))
    assert rep is not None
    assert rep.direction == "disagree"


def test_stakeholder_consensus_by_hand() -> None:
    # a: 1 strongly agree + 2 agree of 4 seen (3 confused left out) -> 4/6; b: 0 of 4 -> 1/6
    by_group = {"a": [1, 2, 0, 1, 0, 3], "b": [0, 0, 0, 0, 4, 0], "c": [0, 0, 0, 0, 0, 2]}
    assert stakeholder_consensus(by_group) == pytest.approx(1 / 3)


# --- Sessions built from events -----------------------------------------------------------


def session(props: int, people: dict[str, str]) -> tuple[SessionState, list[ev.Event]]:
    state = SessionState()
    setup: list[ev.Event] = [
        ev.SessionCreated(
            "s", "T", "ABC123", ("en",), ("gov", "cs", "tech"), SessionSettings(), 0.0
        )
    ]
    for j in range(props):
        setup.append(ev.PropositionAdded(f"q{j:02d}", f"Text {j}", None, 0.0))
        setup.append(ev.PropositionOpened(f"q{j:02d}", 1, 0.0))
    for pid, group in sorted(people.items()):
        setup.append(ev.ParticipantJoined(pid, group, "in_room", None, None, 0.0))
    for event in setup:
        apply(state, event)
    return state, setup


def rate(pid: str, j: int, value: Value | None) -> ev.RatingSubmitted:
    return ev.RatingSubmitted(f"q{j:02d}", 1, pid, value, None, 1.0)


def planted(
    n: int, props: int, seed: int, noise: float = 0.1
) -> tuple[dict[str, int], dict[str, str], list[ev.RatingSubmitted]]:
    """Participants rating by three hidden profiles; stakeholder groups drawn independently."""
    rng = random.Random(seed)
    profiles = [[rng.choice(VALUES) for _ in range(props)] for _ in range(3)]
    hidden, groups, ratings = {}, {}, []
    for i in range(n):
        pid = f"p{i:05d}"
        hidden[pid], groups[pid] = i % 3, rng.choice(("gov", "cs", "tech"))
        for j in range(props):
            if rng.random() < 0.9:
                value = profiles[i % 3][j] if rng.random() > noise else rng.choice(VALUES)
                ratings.append(rate(pid, j, value))
    return hidden, groups, ratings


def adjusted_rand(a: list[int], b: list[int]) -> float:
    """Hubert and Arabie's adjusted Rand index from the contingency table."""
    pairs = Counter(zip(a, b, strict=True))
    index = sum(comb(v, 2) for v in pairs.values())
    rows = sum(comb(v, 2) for v in Counter(a).values())
    cols = sum(comb(v, 2) for v in Counter(b).values())
    expected = rows * cols / comb(len(a), 2)
    top = (rows + cols) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


def labels_of(result: Opinions, ids: list[str]) -> list[int]:
    return [result.group_of(pid) or 0 for pid in ids]


def test_adjusted_rand_by_hand() -> None:
    assert adjusted_rand([0, 0, 1, 1], [5, 5, 7, 7]) == 1.0
    # cells 2,1,1,2 -> index 2; rows 3+3 -> 6; cols 2+2+2 -> 3; expected 6*3/15 = 1.2;
    # top (6+3)/2 = 4.5 -> (2 - 1.2) / (4.5 - 1.2)
    assert adjusted_rand([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.8 / 3.3)


def rated(props: int, groups: dict[str, str], ratings: list[ev.RatingSubmitted]) -> SessionState:
    """A session of `props` open propositions with these people, after these ratings."""
    state, _ = session(props, groups)
    for event in ratings:
        apply(state, event)
    return state


def test_planted_groups_recovered_across_stakeholder_groups() -> None:
    hidden, groups, ratings = planted(300, 12, seed=7)
    state = rated(12, groups, ratings)
    result = compute(state.opinions)
    ids = sorted(hidden)
    found = labels_of(result, ids)
    assert len(result.groups) == 3
    assert adjusted_rand([hidden[p] for p in ids], found) > 0.9
    # the declared groups cut across the profiles, and the opinion groups do not follow them
    assert adjusted_rand([("gov", "cs", "tech").index(groups[p]) for p in ids], found) < 0.1
    for group in result.groups:
        assert group.representative, "each planted camp has propositions that mark it out"


def test_a_result_sent_as_json_arrives_equal() -> None:
    """What an owner publishes for its replicas is the result itself, every float exact."""
    hidden, groups, ratings = planted(300, 12, seed=7)
    result = compute(rated(12, groups, ratings).opinions)
    carried = opinions_from_json(json.loads(json.dumps(opinions_to_json(result))))
    assert carried == result
    assert all(carried.group_of(p) == result.group_of(p) for p in hidden)
    assert carried.groups[0].representative == result.groups[0].representative


def test_same_ratings_any_order_same_groups() -> None:
    _hidden, groups, ratings = planted(120, 9, seed=3, noise=0.3)
    outcomes = []
    for seed in range(3):
        order = list(ratings)
        random.Random(seed).shuffle(order)
        state, _ = session(9, groups)
        for event in order:
            apply(state, event)
        outcomes.append((state.opinions, compute(state.opinions)))
    assert outcomes[0][0] == outcomes[1][0] == outcomes[2][0]
    assert outcomes[0][1] == outcomes[1][1] == outcomes[2][1]
    assert len(outcomes[0][1].groups) >= 2


def test_axis_signs_and_labels_stable_with_one_percent_more() -> None:
    _hidden, groups, ratings = planted(303, 10, seed=11)
    first = [r for r in ratings if r.participant_id < "p00300"]
    state, _ = session(10, groups)
    for event in first:
        apply(state, event)
    before = compute(state.opinions)
    for event in ratings[len(first) :]:
        apply(state, event)
    after = compute(state.opinions, previous=before)
    for old, new in zip(before.axes, after.axes, strict=True):
        assert sum(a * b for a, b in zip(old, new, strict=True)) > 0.9
    kept = sum(before.group_of(p) == after.group_of(p) for p in before.points)
    assert kept >= 0.98 * len(before.points)
    # from scratch, labels come from size order, so a replay gets the same labels too
    assert compute(state.opinions).groups == compute(recount(state.opinions)).groups


# --- Incremental sums ---------------------------------------------------------------------

CHANGE = st.tuples(
    st.sampled_from(("rate", "rate", "rate", "withdraw", "discard", "add")),
    st.integers(0, 5),
    st.integers(0, 7),
    st.sampled_from((*VALUES, "confused")),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(CHANGE, max_size=80))
def test_incremental_sums_equal_recount(changes: list[tuple[str, int, int, Value]]) -> None:
    people = {f"p{i}": "gov" for i in range(6)}
    state, _ = session(4, people)
    added = 4
    for kind, who, prop, value in changes:
        pid = f"p{who}"
        if kind == "add":
            apply(state, ev.PropositionAdded(f"q{added:02d}", "New", None, 2.0))
            apply(state, ev.PropositionOpened(f"q{added:02d}", 1, 2.0))
            added += 1
        elif kind == "discard":
            apply(state, ev.RatingsDiscarded(pid, 2.0))
        else:
            apply(state, rate(pid, prop % added, None if kind == "withdraw" else value))
    assert state.opinions == recount(state.opinions)
    expected = {
        pid: {
            prop.proposition_id: X_OF[SCALE[r.value]]
            for prop in state.propositions.values()
            if prop.rounds and (r := prop.rounds[-1].ratings.get(pid)) and r.value != 5
        }
        for pid in people
    }
    assert state.opinions.rows == {pid: row for pid, row in expected.items() if row}


SCALE: tuple[Value, ...] = (*VALUES, "confused")


def test_new_round_starts_an_empty_column() -> None:
    state, _ = session(2, {"a": "gov"})
    apply(state, rate("a", 0, "agree"))
    apply(state, ev.PropositionClosed("q00", 2.0))
    apply(state, ev.PropositionOpened("q00", 2, 3.0))
    assert state.opinions.rows == {}
    assert state.opinions == recount(state.opinions)


# --- Edges ------------------------------------------------------------------------------


def test_too_few_participants_give_no_groups() -> None:
    state, _ = session(3, {"a": "gov", "b": "cs", "c": "tech"})
    chosen: tuple[tuple[str, Value], ...] = (
        ("a", "agree"),
        ("b", "disagree"),
        ("c", "strongly_agree"),
    )
    for pid, value in chosen:
        for j in range(3):
            apply(state, rate(pid, j, value))
    result = compute(state.opinions)
    assert len(result.points) == 3
    assert result.groups == ()
    assert result.consensus == {"q00": None, "q01": None, "q02": None}


def test_fewer_distinct_points_than_groups() -> None:
    people = {f"p{i}": "gov" for i in range(10)}
    state, _ = session(3, people)
    for i in range(10):
        for j in range(3):
            apply(state, rate(f"p{i}", j, "agree"))
    assert compute(state.opinions).groups == ()  # one distinct point: no camps
    for i in range(5):
        for j in range(3):
            apply(state, rate(f"p{i}", j, "disagree"))
    result = compute(state.opinions)
    assert sorted(g.size for g in result.groups) == [5, 5]


def test_proposition_everyone_found_confusing() -> None:
    _hidden, groups, ratings = planted(60, 8, seed=5)
    state = rated(9, groups, ratings)
    for pid in groups:
        apply(state, rate(pid, 8, "confused"))
    result = compute(state.opinions)
    assert state.opinions.counts[8] == 0
    assert all(isfinite(x) for axis in result.axes for x in axis)
    assert result.axes[0][8] == pytest.approx(0.0, abs=1e-9)
    # no agreement seen in any group: each group's (0 + 1) / (0 + 2)
    assert result.consensus["q08"] == pytest.approx(0.5)
    assert all(r.proposition_id != "q08" for g in result.groups for r in g.representative)


def test_proposition_added_mid_session() -> None:
    hidden, groups, ratings = planted(90, 8, seed=9)
    state = rated(8, groups, ratings)
    before = compute(state.opinions)
    apply(state, ev.PropositionAdded("q08", "Late", None, 5.0))
    apply(state, ev.PropositionOpened("q08", 1, 5.0))
    assert compute(state.opinions, previous=before).groups == before.groups  # empty column
    for pid in sorted(groups):
        apply(state, rate(pid, 8, "agree" if hidden[pid] == 0 else "disagree"))
    after = compute(state.opinions, previous=before)
    assert state.opinions == recount(state.opinions)
    assert len(after.axes[0]) == 9
    first = next(g for g in after.groups if hidden[g.members[0]] == 0)
    assert "q08" in {r.proposition_id for r in first.representative}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"opinions_every": 0}, "settings.opinions_every must be a whole number of ratings"),
        ({"opinions_every": True}, "settings.opinions_every must be a whole number of ratings"),
        ({"opinions_seconds": 0.5}, "settings.opinions_seconds must be a whole number of seconds"),
    ],
)
def test_cadence_settings_are_checked(raw: dict[str, object], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        SessionSettings.from_dict(raw)
    assert SessionSettings.from_dict({"opinions_every": 50}).opinions_every == 50

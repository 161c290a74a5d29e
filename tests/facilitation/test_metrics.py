"""Consensus metrics, exactly as docs/protocol.md defines them, on hand-computed examples."""

from typing import Any

import pytest

from facilitation import commands as c
from facilitation.settings import ConsensusThresholds
from facilitation.state import Tally
from facilitation.tally import agreement_score, metrics
from facilitation.views import round_view

from .conftest import FACILITATOR, hub_actor, invite, join, open_, rate, session, step

DEFAULT = ConsensusThresholds()


def tally_of(by_group: dict[str, list[int]]) -> Tally:
    """A tally of the given groups, everyone in the room."""
    tally = Tally()
    for group, vector in by_group.items():
        for value, count in enumerate(vector):
            for _ in range(count):
                tally.add(group, "in_room", value, 1)
    return tally


def test_no_ratings_gives_nulls() -> None:
    assert metrics(Tally(), DEFAULT) == {
        "agree_share": None,
        "oppose_share": None,
        "strong_oppose_share": None,
        "confused_share": None,
        "agreement_score": None,
        "group_consensus": None,
        "weakest_group": None,
        "flags": ["low_sample"],
        "suggests_rough_consensus": False,
    }


def test_a_divided_group_blocks_the_suggestion() -> None:
    # n = 20: SA 6, A 8, N 2, D 2, SD 1, C 1.
    tally = tally_of(
        {
            "government": [3, 4, 0, 0, 0, 0],  # 7 ratings, 7 agree
            "civil_society": [2, 3, 1, 1, 1, 0],  # 8 ratings, 5 agree
            "academia": [1, 1, 1, 1, 0, 1],  # 5 ratings, 2 agree
        }
    )
    assert tally.counts == [6, 8, 2, 2, 1, 1]
    assert metrics(tally, DEFAULT) == {
        "agree_share": 14 / 20,
        "oppose_share": 3 / 20,
        "strong_oppose_share": 1 / 20,
        "confused_share": 1 / 20,
        # (10*6 + 5*8 - 5*2 - 10*1) / (20 - 1)
        "agreement_score": pytest.approx(80 / 19),
        # (7+1)/(7+2) * (5+1)/(8+2) * (2+1)/(5+2)
        "group_consensus": pytest.approx(8 / 9 * 6 / 10 * 3 / 7),
        "weakest_group": {"group": "academia", "agree_share": 2 / 5},
        "flags": [],
        # Every overall test passes (0.70 agree, 0.05 strongly opposed, 0.05
        # confused) but academia agrees at 0.4 < 0.5.
        "suggests_rough_consensus": False,
    }


def test_rough_consensus_is_suggested_when_every_threshold_holds() -> None:
    tally = tally_of({"government": [3, 2, 1, 0, 0, 0], "other": [2, 2, 1, 1, 0, 0]})
    assert metrics(tally, DEFAULT) == {
        "agree_share": 9 / 12,
        "oppose_share": 1 / 12,
        "strong_oppose_share": 0.0,
        "confused_share": 0.0,
        "agreement_score": pytest.approx(65 / 12),
        "group_consensus": pytest.approx(6 / 8 * 5 / 8),
        "weakest_group": {"group": "other", "agree_share": 4 / 6},
        "flags": [],
        "suggests_rough_consensus": True,
    }


def test_custom_thresholds_change_the_suggestion_and_the_sample_flag() -> None:
    tally = tally_of({"government": [3, 2, 1, 0, 0, 0], "other": [2, 2, 1, 1, 0, 0]})
    assert not metrics(tally, ConsensusThresholds(min_agree_share=0.8))["suggests_rough_consensus"]
    assert not metrics(tally, ConsensusThresholds(min_group_agree_share=0.7))[
        "suggests_rough_consensus"
    ]
    strict = metrics(tally, ConsensusThresholds(min_ratings=13))
    assert strict["flags"] == ["low_sample"]
    assert not strict["suggests_rough_consensus"]
    # Groups with fewer than `min_group_ratings` ratings are not judged.
    lenient = metrics(tally, ConsensusThresholds(min_group_agree_share=0.7, min_group_ratings=7))
    assert lenient["weakest_group"] is None
    assert lenient["suggests_rough_consensus"]


@pytest.mark.parametrize(
    ("vector", "suggests", "flags"),
    [
        # agree share exactly 0.70 (14/20) passes, 13/20 fails
        ([7, 7, 6, 0, 0, 0], True, []),
        ([7, 6, 7, 0, 0, 0], False, []),
        # strongly disagree exactly 0.10 (2/20) passes, 3/20 fails
        ([7, 7, 4, 0, 2, 0], True, []),
        ([7, 7, 3, 0, 3, 0], False, []),
        # confused exactly 0.15 (3/20) passes and flags confusion; 4/20 fails
        ([7, 7, 3, 0, 0, 3], True, ["confusion"]),
        ([7, 7, 2, 0, 0, 4], False, ["confusion"]),
        # 11 ratings all agreeing: too few
        ([11, 0, 0, 0, 0, 0], False, ["low_sample"]),
        ([12, 0, 0, 0, 0, 0], True, []),
        # plain disagreement does not block, only its strong form and confusion do
        ([0, 14, 0, 6, 0, 0], True, []),
    ],
)
def test_thresholds_at_their_boundaries(
    vector: list[int], suggests: bool, flags: list[str]
) -> None:
    result = metrics(tally_of({"government": vector}), DEFAULT)
    assert (result["suggests_rough_consensus"], result["flags"]) == (suggests, flags)


def test_small_groups_do_not_count_for_the_weakest_group() -> None:
    tally = tally_of(
        {
            "government": [10, 2, 0, 0, 0, 0],
            "academia": [0, 0, 0, 2, 0, 0],  # 2 ratings, none agreeing: ignored
        }
    )
    result = metrics(tally, DEFAULT)
    assert result["weakest_group"] == {"group": "government", "agree_share": 1.0}
    assert result["suggests_rough_consensus"]
    # ...but they still weigh in group-informed consensus.
    assert result["group_consensus"] == pytest.approx(13 / 14 * 1 / 4)
    assert not metrics(tally, ConsensusThresholds(min_group_ratings=2))["suggests_rough_consensus"]


def test_weakest_group_ties_break_by_name() -> None:
    tally = tally_of({"zeta": [0, 1, 0, 2, 0, 0], "alpha": [1, 0, 0, 0, 2, 0]})
    assert metrics(tally, DEFAULT)["weakest_group"] == {"group": "alpha", "agree_share": 1 / 3}


def test_agreement_score_leaves_confused_out() -> None:
    assert agreement_score([1, 0, 0, 0, 0, 0]) == 10.0
    assert agreement_score([0, 0, 0, 0, 3, 0]) == -10.0
    assert agreement_score([0, 2, 0, 0, 0, 0]) == 5.0
    assert agreement_score([0, 0, 0, 2, 0, 0]) == -5.0
    assert agreement_score([0, 0, 4, 0, 0, 0]) == 0.0
    assert agreement_score([1, 0, 0, 0, 0, 9]) == 10.0
    assert agreement_score([0, 0, 0, 0, 0, 3]) is None
    all_confused = metrics(tally_of({"other": [0, 0, 0, 0, 0, 3]}), DEFAULT)
    assert all_confused["agreement_score"] is None
    assert all_confused["agree_share"] == 0.0
    assert all_confused["confused_share"] == 1.0
    assert all_confused["flags"] == ["low_sample", "confusion"]


def test_hub_counts_count_in_n_and_under_other_through_the_whole_pipeline() -> None:
    state = session(propositions=("a",))
    invite(state, "h1", attendance=12)
    join(state, "p1", "government", "in_room")
    join(state, "p2", "government", "remote")
    open_(state, "a")
    rate(state, "p1", "a", "agree")
    rate(state, "p2", "a", "strongly_disagree")
    step(state, c.HubTally("a", {"strongly_agree": 9, "confused": 1}), hub_actor("h1"))
    body: dict[str, Any] = round_view(state, state.propositions["a"].rounds[0], True, "facilitator")
    zero = dict.fromkeys(
        ("strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "confused"), 0
    )
    assert body == {
        "round": 1,
        "revision": 1,
        "total": 12,
        "counts": {**zero, "strongly_agree": 9, "agree": 1, "strongly_disagree": 1, "confused": 1},
        "by_group": {
            "government": {**zero, "agree": 1, "strongly_disagree": 1},
            "other": {**zero, "strongly_agree": 9, "confused": 1},
        },
        "by_channel": {
            "in_room": {**zero, "agree": 1},
            "remote": {**zero, "strongly_disagree": 1},
            "hub": {**zero, "strongly_agree": 9, "confused": 1},
        },
        "metrics": {
            "agree_share": 10 / 12,
            "oppose_share": 1 / 12,
            "strong_oppose_share": 1 / 12,
            "confused_share": 1 / 12,
            "agreement_score": pytest.approx((90 + 5 - 10) / 11),
            "group_consensus": pytest.approx(2 / 4 * 10 / 12),
            "weakest_group": {"group": "other", "agree_share": 0.9},
            "flags": [],
            "suggests_rough_consensus": True,
        },
    }
    # Custom thresholds of the session reach the view.
    strict = session(propositions=("a",), settings={"consensus": {"max_strong_oppose_share": 0}})
    step(strict, c.InviteHub("h1", "Hub", 12), FACILITATOR)
    open_(strict, "a")
    step(strict, c.HubTally("a", {"agree": 11, "strongly_disagree": 1}), hub_actor("h1"))
    strict_metrics = round_view(strict, strict.propositions["a"].rounds[0], True, "facilitator")[
        "metrics"
    ]
    assert strict_metrics["suggests_rough_consensus"] is False
    assert strict_metrics["agree_share"] == 11 / 12

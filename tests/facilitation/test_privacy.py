"""Breakdowns that leave the console: no part, shown or merged, below the minimum."""

import pytest

from facilitation.errors import BadRequest
from facilitation.settings import SessionSettings
from facilitation.state import Tally
from facilitation.tally import MERGED, metrics, private_breakdown, private_tally


def v(agree: int = 0, disagree: int = 0) -> list[int]:
    return [0, agree, 0, disagree, 0, 0]


def test_a_group_of_exactly_the_minimum_is_shown_and_nothing_is_merged() -> None:
    assert private_breakdown({"academia": v(3), "government": v(1, 3)}, 3) == (
        {"academia": v(3), "government": v(1, 3)},
        None,
    )


def test_small_groups_are_merged_when_the_bucket_reaches_the_minimum() -> None:
    parts = {"academia": v(1), "civil_society": v(0, 2), "government": v(5)}
    assert private_breakdown(parts, 3) == ({"government": v(5)}, v(1, 2))


def test_a_bucket_below_the_minimum_takes_the_smallest_shown_group() -> None:
    # Withholding academia's single rating alone would not hide it: the total
    # minus the shown groups is that rating. So the smallest group joins it.
    parts = {"academia": v(1), "civil_society": v(0, 4), "government": v(3)}
    assert private_breakdown(parts, 3) == ({"civil_society": v(0, 4)}, v(4))


def test_when_nothing_can_be_shown_there_is_no_breakdown() -> None:
    assert private_breakdown({"academia": v(1), "government": v(1)}, 3) == ({}, None)
    assert private_breakdown({"academia": v(1), "government": v(3)}, 3) == ({}, None)


def test_every_shown_part_and_the_bucket_reach_the_minimum() -> None:
    parts = {f"g{i}": v(i % 4, i % 3) for i in range(12)}
    for minimum in range(1, 8):
        shown, bucket = private_breakdown(parts, minimum)
        assert all(sum(p) >= minimum for p in shown.values())
        assert bucket is None or sum(bucket) >= minimum
        total = [sum(col) for col in zip(*parts.values(), strict=True)]
        added = [sum(col) for col in zip(*shown.values(), bucket or [0] * 6, strict=True)]
        assert not shown or added == total


def test_private_metrics_never_name_a_small_group() -> None:
    tally = Tally(
        counts=v(9, 4),
        by_group={"academia": v(0, 1), "government": v(6), "other": v(3, 3)},
        by_channel={"in_room": v(9, 4)},
    )
    thresholds = SessionSettings().consensus
    # min_group_ratings 1: the chair's metrics name academia (one rater).
    loose = type(thresholds)(min_group_ratings=1)
    assert metrics(tally, loose)["weakest_group"] == {"group": "academia", "agree_share": 0.0}
    public = private_tally(tally, 3)
    assert MERGED not in public.by_channel
    # academia (1) cannot hide alone, so government (6, first of the smallest) joins it.
    assert public.by_group == {"other": v(3, 3), MERGED: v(6, 1)}
    assert metrics(public, loose)["weakest_group"] == {"group": "other", "agree_share": 0.5}


def test_min_group_size_is_a_whole_number_of_raters() -> None:
    assert SessionSettings.from_dict({"min_group_size": 5}).min_group_size == 5
    for bad in (0, 1.5, True, "3", 1001):
        with pytest.raises(BadRequest, match="min_group_size"):
            SessionSettings.from_dict({"min_group_size": bad})

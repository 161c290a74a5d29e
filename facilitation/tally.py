"""Consensus metrics of one round (docs/protocol.md, "Consensus metrics").

Tallies themselves are kept incrementally by `apply`; these functions read a
tally in O(number of groups) and never recount ratings.
"""

from collections.abc import Mapping
from typing import Any, Final, TypedDict

from .settings import ConsensusThresholds
from .state import Tally, Vector
from .vocabulary import (
    AGREE,
    CONFUSED,
    DISAGREE,
    MAX_GROUP_NAME,
    SCALE,
    STRONGLY_AGREE,
    STRONGLY_DISAGREE,
)

MERGED: Final = "~" * (MAX_GROUP_NAME + 1)
"""The key of the merged bucket inside a `private_tally`: longer than any
group name may be, so it names no real group (nor channel)."""


def private_breakdown(
    parts: Mapping[str, Vector], minimum: int
) -> tuple[dict[str, Vector], Vector | None]:
    """The breakdown (by group or by channel) that may leave the console:
    (the parts shown, the merged bucket or None).

    Guarantees: every part shown has at least `minimum` raters; parts below it
    are summed into the bucket, which is itself either None or at least
    `minimum`. Because the total distribution is public, whatever is withheld
    equals the total minus what is shown, so a too-small bucket is grown by the
    smallest shown parts (not merely dropped) until it reaches `minimum`; if
    nothing is left to show, there is no breakdown (the total says it all).
    """
    shown = {k: list(v) for k, v in parts.items() if sum(v) >= minimum}
    bucket = [0] * 6
    for k, v in parts.items():
        if k not in shown:
            bucket = [a + b for a, b in zip(bucket, v, strict=True)]
    while 0 < sum(bucket) < minimum and shown:
        smallest = min(shown, key=lambda k: (sum(shown[k]), k))
        bucket = [a + b for a, b in zip(bucket, shown.pop(smallest), strict=True)]
    if not shown:
        return {}, None
    return dict(sorted(shown.items())), (bucket if sum(bucket) > 0 else None)


def private_tally(tally: Tally, minimum: int) -> Tally:
    """`tally` as phones, hubs and the display may see it (`private_breakdown`),
    with each merged bucket under `MERGED`."""

    def merged(parts: Mapping[str, Vector]) -> dict[str, Vector]:
        shown, bucket = private_breakdown(parts, minimum)
        return shown if bucket is None else {**shown, MERGED: bucket}

    return Tally(
        counts=list(tally.counts),
        by_group=merged(tally.by_group),
        by_channel=merged(tally.by_channel),
    )


def as_counts(vector: Vector) -> dict[str, int]:
    return dict(zip(SCALE, vector, strict=True))


def agreeing(vector: Vector) -> int:
    return vector[STRONGLY_AGREE] + vector[AGREE]


def agreement_score(vector: Vector) -> float | None:
    """The Idea Rating Sheets score, from -10 to +10, with confused left out."""
    judged = sum(vector) - vector[CONFUSED]
    if judged == 0:
        return None
    points = (
        10 * vector[STRONGLY_AGREE]
        + 5 * vector[AGREE]
        - 5 * vector[DISAGREE]
        - 10 * vector[STRONGLY_DISAGREE]
    )
    return points / judged


class ShareMetrics(TypedDict):
    agree_share: float | None
    oppose_share: float | None
    strong_oppose_share: float | None
    confused_share: float | None
    agreement_score: float | None


def share_metrics(vector: Vector) -> ShareMetrics:
    """The share metrics of one distribution (docs/protocol.md); null while it is empty.
    The live views and the reports both read them from here."""
    n = sum(vector)

    def share(count: int) -> float | None:
        return None if n == 0 else count / n

    return {
        "agree_share": share(agreeing(vector)),
        "oppose_share": share(vector[DISAGREE] + vector[STRONGLY_DISAGREE]),
        "strong_oppose_share": share(vector[STRONGLY_DISAGREE]),
        "confused_share": share(vector[CONFUSED]),
        "agreement_score": agreement_score(vector),
    }


def metrics(tally: Tally, thresholds: ConsensusThresholds) -> dict[str, Any]:
    counts = tally.counts
    n = sum(counts)
    groups = {g: vec for g, vec in tally.by_group.items() if sum(vec) > 0}
    flags = []
    if n < thresholds.min_ratings:
        flags.append("low_sample")
    if counts[CONFUSED] >= 3:
        flags.append("confusion")
    if n == 0:
        return {
            **share_metrics(counts),
            "group_consensus": None,
            "weakest_group": None,
            "flags": flags,
            "suggests_rough_consensus": False,
        }
    agree_share = agreeing(counts) / n
    strong_oppose_share = counts[STRONGLY_DISAGREE] / n
    confused_share = counts[CONFUSED] / n
    group_consensus = 1.0
    for vec in groups.values():
        group_consensus *= (agreeing(vec) + 1) / (sum(vec) + 2)
    sized = {
        g: agreeing(vec) / sum(vec)
        for g, vec in groups.items()
        if sum(vec) >= thresholds.min_group_ratings
    }
    weakest = min(sized.items(), key=lambda item: (item[1], item[0])) if sized else None
    suggests = (
        n >= thresholds.min_ratings
        and agree_share >= thresholds.min_agree_share
        and strong_oppose_share <= thresholds.max_strong_oppose_share
        and confused_share <= thresholds.max_confused_share
        and all(share >= thresholds.min_group_agree_share for share in sized.values())
    )
    return {
        **share_metrics(counts),
        "group_consensus": group_consensus,
        # The merged bucket of a private tally is the weakest without a name.
        "weakest_group": None
        if weakest is None
        else {"group": None if weakest[0] == MERGED else weakest[0], "agree_share": weakest[1]},
        "flags": flags,
        "suggests_rough_consensus": suggests,
    }

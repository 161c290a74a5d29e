"""The breakdowns of a round, in the one order every format lists them."""

from typing import NamedTuple

from facilitation.report import RoundReport, Shares

from .words import label


class Breakdown(NamedTuple):
    kind: str  # "all", "group", "channel", "hub", "admission" (registered or self-declared),
    # or "timing" (in the live hour or outside it, when anyone rated outside it)
    key: str  # group name, channel, hub id; "" for all
    title: str  # as a reader sees it
    shares: Shares


def breakdowns(round_: RoundReport) -> list[Breakdown]:
    """Everyone, then each stakeholder group, each channel, each hub, and (admission
    `both`) the registered and the self-declared raters."""
    everyone: Shares = {
        "total": round_["total"],
        "counts": round_["counts"],
        "agree_share": round_["metrics"]["agree_share"],
        "oppose_share": round_["metrics"]["oppose_share"],
        "strong_oppose_share": round_["metrics"]["strong_oppose_share"],
        "confused_share": round_["metrics"]["confused_share"],
        "agreement_score": round_["metrics"]["agreement_score"],
    }
    found = [Breakdown("all", "", "Everyone", everyone)]
    found += [Breakdown("group", g, label(g), s) for g, s in round_["by_group"].items()]
    found += [Breakdown("channel", c, label(c), s) for c, s in round_["by_channel"].items()]
    found += [Breakdown("hub", h["hub_id"], h["name"], h) for h in round_["by_hub"]]
    split = round_.get("by_admission", {})
    found += [Breakdown("admission", k, label(k), s) for k, s in split.items()]
    timing = round_["by_timing"]
    if timing["window"]["total"]:
        found += [Breakdown("timing", k, label(k), s) for k, s in timing.items()]
    return found

"""Opinion groups as the views and the report show them (docs/opinions.md).

Rules this module keeps:
- Pure: every function reads a `SessionState` and an `Opinions` result.
- Only the console's section has every group and every point. Outside it no
  group below the session's `min_group_size` appears, nor its members' points;
  no section outside the console carries a participant id, and a phone learns
  only its own person's group.
- The report's section is a function of the log alone: `of_state` computes the
  groups from scratch (labels by size), so `plenary verify` recomputes the same
  figures from the same events. So does `of_round`, the groups of round k of
  every proposition that had one: rows and entries are inserted sorted, so the
  order ratings arrived in does not matter.
"""

from math import isclose
from typing import Any, Final, TypedDict

from .opinions import (
    Group,
    OpinionMatrix,
    Opinions,
    Representative,
    compute,
    position,
    stakeholder_consensus,
)
from .settings import ConsensusThresholds
from .state import Proposition, SessionState
from .tally import metrics

SCOPE: Final = "latest_round"  # the map holds each proposition's latest round only
CONSOLE_DIGITS: Final = 4  # map coordinates: enough to draw, no more
PUBLIC_DIGITS: Final = 2
SPLIT: Final = "opinion_split"  # flag: the tally suggests consensus, the opinion groups do not


class RepresentativeReport(TypedDict):
    id: str
    position: int  # the proposition's place in the report (1-based)
    direction: str  # "agree" or "disagree"
    probability: float
    ratio: float


class GroupReport(TypedDict):
    label: int
    size: int
    representative: list[RepresentativeReport]


class RoundFigures(TypedDict):
    round: int
    stakeholder_consensus: float | None
    opinion_consensus: float | None  # over the groups of this round number (`of_round`)


class PropositionFigures(TypedDict):
    id: str
    position: int
    rounds: list[RoundFigures]
    opinion_consensus: float | None  # the live map's (latest rounds), as the console showed it
    suggests_rough_consensus: bool  # the latest round's, with the opinion requirement


class RoundGroups(TypedDict):
    round: int
    propositions: int  # how many propositions had a round of this number
    placed: int
    groups: list[GroupReport]
    hidden: int


class OpinionReport(TypedDict):
    scope: str
    placed: int
    groups: list[GroupReport]  # groups of at least min_group_size, by label
    hidden: int  # placed participants in smaller groups (not listed)
    min_opinion_consensus: float
    rounds: list[RoundGroups]  # round 1 = each proposition's first round, and so on
    propositions: list[PropositionFigures]


def of_state(state: SessionState) -> Opinions:
    """The groups a from-scratch computation of the log's ratings gives."""
    return compute(state.opinions)


def round_matrix(state: SessionState, number: int) -> OpinionMatrix:
    """The matrix of round `number`: a column per proposition that had such a round
    (in the order added), each participant's latest rating in it, valued as in the
    live matrix. Built sorted, so it does not depend on the order ratings came in."""
    matrix = OpinionMatrix()
    with_round = [
        pid for pid in state.opinions.columns if len(state.propositions[pid].rounds) >= number
    ]
    for pid in with_round:
        matrix.add_column(pid)
    entries = sorted(
        (participant, pid, rating.value)
        for pid in with_round
        for participant, rating in state.propositions[pid].rounds[number - 1].ratings.items()
    )
    for participant, pid, value in entries:
        x = position(value)
        if x is not None:
            matrix.set(participant, pid, x)
    return matrix


def of_round(state: SessionState, number: int) -> Opinions:
    """The groups of round `number`, from scratch (labels by size)."""
    return compute(round_matrix(state, number))


def round_count(state: SessionState) -> int:
    return max((len(p.rounds) for p in state.propositions.values()), default=0)


def requires(thresholds: ConsensusThresholds) -> bool:
    return thresholds.min_opinion_consensus > 0


def suggestion(suggests: bool, figure: float | None, thresholds: ConsensusThresholds) -> bool:
    """The rough-consensus suggestion, also requiring consensus across opinion groups when
    the session asks for it: the figure must be known and reach `min_opinion_consensus`."""
    if not requires(thresholds):
        return suggests
    return suggests and figure is not None and figure >= thresholds.min_opinion_consensus


def results_public(state: SessionState) -> bool:
    """Results are public once a proposition is revealed, or in `live` mode: only then
    do the projector and phones get anything of the opinion groups."""
    return state.settings.results_visibility == "live" or any(
        p.revealed for p in state.propositions.values()
    )


def shown_groups(state: SessionState, opinions: Opinions) -> list[int]:
    """Labels of the groups that may be shown outside the console."""
    least = state.settings.min_group_size
    return [g.label for g in opinions.groups if g.size >= least]


def _rep(r: Representative, positions: dict[str, int]) -> RepresentativeReport:
    return {
        "id": r.proposition_id,
        "position": positions.get(r.proposition_id, 0),
        "direction": r.direction,
        "probability": r.probability,
        "ratio": r.ratio,
    }


def _group(g: Group, positions: dict[str, int]) -> GroupReport:
    """One group as the console and the report list it: label, size, representative
    propositions (never its members)."""
    return {
        "label": g.label,
        "size": g.size,
        "representative": [_rep(r, positions) for r in g.representative],
    }


def _stakeholder(p: Proposition, number: int) -> float | None:
    round_ = p.rounds[number - 1]
    return stakeholder_consensus(round_.tally.by_group)


# --- Views ---------------------------------------------------------------------


def console(state: SessionState, opinions: Opinions | None) -> dict[str, Any]:
    """The console's section: every group with its size and representative propositions,
    and the map's points as [x, y, label] (no id; sorted, so no order gives one away)."""
    if opinions is None:
        return {"placed": 0, "groups": [], "points": [], "min_group_size": _least(state)}
    positions = _positions(state)
    labels = opinions.labels
    points = sorted(
        [round(x, CONSOLE_DIGITS), round(y, CONSOLE_DIGITS), labels.get(pid)]
        for pid, (x, y) in opinions.points.items()
    )
    return {
        "placed": len(opinions.points),
        "groups": [_group(g, positions) for g in opinions.groups],
        "points": [[x, y, label] for x, y, label in _by_label(points)],
        "min_group_size": _least(state),
    }


def display(state: SessionState, opinions: Opinions | None) -> dict[str, Any] | None:
    """The projector's map, once results are public (a reveal, or `live`): groups of at
    least `min_group_size` and their members' points, coarser than the console's."""
    if opinions is None or not results_public(state):
        return None
    shown = set(shown_groups(state, opinions))
    if not shown:
        return None
    points = sorted(
        [
            round(opinions.points[pid][0], PUBLIC_DIGITS),
            round(opinions.points[pid][1], PUBLIC_DIGITS),
            g.label,
        ]
        for g in opinions.groups
        if g.label in shown
        for pid in g.members
    )
    return {
        "groups": [{"label": g.label, "size": g.size} for g in opinions.groups if g.label in shown],
        "points": points,
    }


def own_group(state: SessionState, opinions: Opinions | None, participant_id: str) -> Any:
    """A phone's own group, or None (results not public yet, not placed, or in a group
    too small to show). Not before a reveal: while a vote runs, phones are not told
    which camp they are in, and a burst of ratings is not followed by a burst of
    personal messages."""
    if opinions is None or not results_public(state):
        return None
    shown = shown_groups(state, opinions)
    label = opinions.group_of(participant_id)
    if label is None or label not in shown:
        return None
    return {"label": label, "groups": len(shown)}


def own_groups(state: SessionState, opinions: Opinions | None) -> dict[str, Any]:
    """`own_group` of every participant at once, in O(participants): those it gives
    None are left out."""
    if opinions is None or not results_public(state):
        return {}
    shown = shown_groups(state, opinions)
    return {
        pid: {"label": label, "groups": len(shown)}
        for pid, label in opinions.labels.items()
        if label in shown
    }


def card_figures(state: SessionState, p: Proposition, opinions: Opinions | None) -> Any:
    """Both consensus figures of a proposition's current round, for its console card."""
    if not p.rounds:
        return None
    return {
        "round": p.round,
        "stakeholder_groups": _stakeholder(p, p.round),
        "opinion_groups": None if opinions is None else opinions.consensus.get(p.proposition_id),
    }


def with_opinion_figures(
    state: SessionState, shown: list[dict[str, Any]], opinions: Opinions | None, role: str
) -> None:
    """Add to a view's propositions what depends on the opinion groups: the console's
    cards get both consensus figures (`consensus`); for every role, the current round's
    suggestion also requires consensus across opinion groups when the session asks."""
    thresholds = state.settings.consensus
    for item in shown:
        p = state.propositions[item["id"]]
        if role == "facilitator":
            item["consensus"] = card_figures(state, p, opinions)
        current = item["rounds"][-1] if item["rounds"] else {}
        if requires(thresholds) and "metrics" in current and current["round"] == p.round:
            figure = None if opinions is None else opinions.consensus.get(p.proposition_id)
            metrics_ = current["metrics"]
            tally_suggests = metrics_["suggests_rough_consensus"]
            metrics_["suggests_rough_consensus"] = suggestion(tally_suggests, figure, thresholds)
            if tally_suggests and not metrics_["suggests_rough_consensus"]:
                metrics_["flags"] = [*metrics_["flags"], SPLIT]  # withheld for this reason alone


def _by_label(points: list[list[Any]]) -> list[list[Any]]:
    """Unplaced-in-a-group points (label None) sort after the others."""
    return sorted(points, key=lambda pt: (pt[2] is None, pt[2] or 0, pt[0], pt[1]))


def _least(state: SessionState) -> int:
    return state.settings.min_group_size


def _positions(state: SessionState) -> dict[str, int]:
    return {pid: i for i, pid in enumerate(state.order, start=1)}


# --- Report --------------------------------------------------------------------


def report(state: SessionState) -> OpinionReport:
    """The report's opinion section: the live map's groups (each proposition's latest
    round), the groups of each round number, and per proposition and round both
    consensus figures. The latest round's suggestion is the tally's (`metrics`) with
    the opinion requirement added, on the live map's figure as the console showed it."""
    opinions = of_state(state)
    thresholds = state.settings.consensus
    positions = _positions(state)
    per_round = [of_round(state, k) for k in range(1, round_count(state) + 1)]
    figures: list[PropositionFigures] = []
    for pid in state.order:
        p = state.propositions[pid]
        figure = opinions.consensus.get(pid)
        rounds: list[RoundFigures] = [
            {
                "round": r.number,
                "stakeholder_consensus": _stakeholder(p, r.number),
                "opinion_consensus": per_round[r.number - 1].consensus.get(pid),
            }
            for r in p.rounds
        ]
        figures.append(
            {
                "id": pid,
                "position": positions[pid],
                "rounds": rounds,
                "opinion_consensus": figure,
                "suggests_rough_consensus": bool(p.rounds)
                and suggestion(_suggests(p, thresholds), figure, thresholds),
            }
        )
    return {
        "scope": SCOPE,
        **_groups_report(state, opinions, positions),
        "min_opinion_consensus": thresholds.min_opinion_consensus,
        "rounds": [
            {
                "round": k,
                "propositions": len(found.columns),
                **_groups_report(state, found, positions),
            }
            for k, found in enumerate(per_round, start=1)
        ],
        "propositions": figures,
    }


class _Groups(TypedDict):
    placed: int
    groups: list[GroupReport]
    hidden: int


def _groups_report(state: SessionState, opinions: Opinions, positions: dict[str, int]) -> _Groups:
    """Groups of at least `min_group_size` with their representative propositions; the
    people in smaller groups only counted."""
    shown = set(shown_groups(state, opinions))
    return {
        "placed": len(opinions.points),
        "groups": [_group(g, positions) for g in opinions.groups if g.label in shown],
        "hidden": sum(g.size for g in opinions.groups if g.label not in shown),
    }


def _suggests(p: Proposition, thresholds: ConsensusThresholds) -> bool:
    return bool(metrics(p.rounds[-1].tally, thresholds)["suggests_rough_consensus"])


def differences(expected: Any, given: Any, path: str = "opinions") -> list[str]:
    """Where `given` (a report's section) differs from `expected` (the recomputation):
    one line per difference; numbers are equal within 1e-9 relative."""
    if isinstance(expected, dict) and isinstance(given, dict):
        found = []
        for key in sorted(set(expected) | set(given), key=str):
            if key not in given:
                found.append(f"{path}.{key}: missing from the report")
            elif key not in expected:
                found.append(f"{path}.{key}: not part of the recomputation")
            else:
                found += differences(expected[key], given[key], f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(given, list):
        if len(expected) != len(given):
            return [f"{path}: {len(given)} item(s) in the report, {len(expected)} recomputed"]
        return [
            line
            for i, (e, g) in enumerate(zip(expected, given, strict=True))
            for line in differences(e, g, f"{path}[{i}]")
        ]
    if _number(expected) and _number(given):
        if isclose(float(expected), float(given), rel_tol=1e-9, abs_tol=1e-12):
            return []
    elif expected == given and type(expected) is type(given):
        return []
    return [f"{path}: the report says {given!r}, the log gives {expected!r}"]


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

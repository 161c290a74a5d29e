"""The report's opinion groups as tables, for the Markdown and HTML reports.

Built from the report's `opinions` section (facilitation/opinion_record.py)
only; user text (proposition texts) passes through the renderer's escape.
"""

from facilitation.report import Report

from .tables import Escape, Table
from .words import NONE, number, percent

TITLE = "Opinion groups"


def intro(report: Report) -> str:
    section = report["opinions"]
    per_round = "; ".join(
        f"round {r['round']}: {r['placed']} placed, {len(r['groups'])} group(s) listed"
        + (f", {r['hidden']} in smaller groups, not listed" if r["hidden"] else "")
        for r in section["rounds"]
    )
    return (
        f"Opinion groups of each round number (round 1 is each proposition's first round): "
        f"{per_round or 'no round yet'}. Computed from the log (docs/opinions.md); "
        "`plenary verify --report` recomputes them."
    )


def has_groups(report: Report) -> bool:
    return any(r["groups"] for r in report["opinions"]["rounds"])


def groups(report: Report, esc: Escape) -> Table:
    texts = {p["id"]: p["text"] for p in report["propositions"]}
    rows = []
    for round_ in report["opinions"]["rounds"]:
        for g in round_["groups"]:
            reps = "; ".join(
                f"{r['position']}. {esc(texts.get(r['id'], ''))} "
                f"({r['direction']} {percent(r['probability'])})"
                for r in g["representative"]
            )
            rows.append([str(round_["round"]), str(g["label"]), str(g["size"]), reps or NONE])
    return Table(["Round", "Group", "People", "Representative propositions"], rows)


def figures(report: Report, esc: Escape) -> Table:
    texts = {p["id"]: p["text"] for p in report["propositions"]}
    rows = []
    for p in report["opinions"]["propositions"]:
        for r in p["rounds"]:
            latest = r is p["rounds"][-1]
            rows.append(
                [
                    str(p["position"]),
                    esc(texts.get(p["id"], "")),
                    str(r["round"]),
                    number(r["stakeholder_consensus"]),
                    number(r["opinion_consensus"]),
                    ("yes" if p["suggests_rough_consensus"] else "no") if latest else NONE,
                ]
            )
    head = [
        "#",
        "Proposition",
        "Round",
        "Consensus across stakeholder groups",
        "Consensus across opinion groups",
        "Suggests rough consensus",
    ]
    return Table(head, rows)

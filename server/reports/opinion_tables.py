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
    shown = len(section["groups"])
    hidden = section["hidden"]
    smaller = f"; {hidden} in smaller groups, not listed" if hidden else ""
    return (
        f"{section['placed']} people placed on the opinion map; {shown} opinion group(s) "
        f"listed{smaller}. Computed from the log over each proposition's latest round "
        "(docs/opinions.md); `plenary verify --report` recomputes them."
    )


def groups(report: Report, esc: Escape) -> Table:
    texts = {p["id"]: p["text"] for p in report["propositions"]}
    rows = []
    for g in report["opinions"]["groups"]:
        reps = "; ".join(
            f"{r['position']}. {esc(texts.get(r['id'], ''))} "
            f"({r['direction']} {percent(r['probability'])})"
            for r in g["representative"]
        )
        rows.append([str(g["label"]), str(g["size"]), reps or NONE])
    return Table(["Group", "People", "Representative propositions"], rows)


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

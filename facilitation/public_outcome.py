"""The published outcome: what anyone may read, taken from the report.

Rules this module keeps:
- One source: every figure is copied from the report (`facilitation.report`)
  built at the published version, or is a sum of report figures (a merged
  bucket); nothing is counted a second time. Each proposition names the
  report round its figures come from (`source`), so a reader (and the tests)
  can check every figure against the report.
- Nothing identifies who rated what: a stakeholder group, channel or side of
  the live hour with fewer raters than `min_group_size` shows no distribution
  of its own; it is merged as on phones and the display
  (`tally.private_breakdown`). Objections keep their value and comment, never
  group, channel or identity. No participant id, name or join code.
"""

from typing import Any, Final

from .report import Report, RoundReport, shares
from .state import Vector
from .tally import private_breakdown
from .vocabulary import SCALE

FORMAT: Final = "plenary-outcome/1"
SECTIONS: Final = (
    ("rough_consensus", "recognised"),
    ("no_consensus", "no_consensus"),
    ("needs_revision", "needs_revision"),
)
Body = dict[str, Any]


def build_outcome(
    report: Report, published_at: float, note: str | None, min_group_size: int
) -> Body:
    """The outcome of `report` (built at the published version), as published at `published_at`."""
    session = report["session"]
    found: Body = {
        "format": FORMAT,
        "session": {
            "session_id": session["session_id"],
            "title": session["title"],
            "created_at": session["created_at"],
            "time_zone": session.get("time_zone", "UTC"),
            "languages": list(session["languages"]),
            "stakeholder_groups": list(session["stakeholder_groups"]),
        },
        "published_at": published_at,
        "note": note,
        "version": report["version"],
        "head": report["head"],
        "verify": f"plenary verify --data <data directory> {session['session_id']} "
        f"--head {report['head']}",
        "min_group_size": min_group_size,
    }
    for status, key in SECTIONS:
        found[key] = [
            _proposition(p, min_group_size)
            for p in report["propositions"]
            if p["mark"] is not None and p["mark"]["status"] == status
        ]
    found["participation"] = _participation(report)
    return found


def carried_items(outcome: Body) -> list[Body]:
    """What a later session brings back: the propositions without consensus or to revise."""
    items = []
    for key in ("no_consensus", "needs_revision"):
        for p in outcome.get(key, []):
            figures = p.get("figures") or {}
            items.append(
                {
                    "text": p["text"],
                    "status": p["status"],
                    "round": p.get("round") or 0,
                    "total": figures.get("total", 0),
                    "agree_share": figures.get("agree_share"),
                    "counts": figures.get("counts", {}),
                }
            )
    return items


def _proposition(p: Any, minimum: int) -> Body:
    rounds: list[RoundReport] = p["rounds"]
    last = rounds[-1] if rounds else None
    # The final wording: the current revision's text and every translation it has.
    current = [w for w in p.get("wordings", []) if w["revision"] == p.get("revision")]
    translations = current[-1]["translations"] if current else {}
    return {
        "id": p["id"],
        "position": p["position"],
        "text": p["text"],
        "translations": dict(translations),
        "status": p["mark"]["status"],
        "chair_note": p["mark"]["note"],
        "round": None if last is None else last["round"],
        "source": None
        if last is None
        else f"propositions/{p['position'] - 1}/rounds/{len(rounds) - 1}",
        "figures": None if last is None else _figures(last, minimum),
        "objections": [
            {"round": o["round"], "value": o["value"], "comment": o["comment"]}
            for o in p["objections"]
        ],
    }


def _figures(r: RoundReport, minimum: int) -> Body:
    figures: Body = {
        "total": r["total"],
        "counts": dict(r["counts"]),
        "agree_share": r["metrics"].get("agree_share"),
        "agreement_score": r["metrics"].get("agreement_score"),
    }
    for key in ("by_group", "by_channel", "by_timing"):
        parts: dict[str, Any] = dict(r.get(key, {}))  # type: ignore[call-overload]
        shown, bucket = private_breakdown(
            {name: _vector(part["counts"]) for name, part in parts.items()}, minimum
        )
        figures[key] = {name: dict(parts[name]) for name in shown}
        figures[key + "_merged"] = None if bucket is None else dict(shares(bucket))
    return figures


def _vector(counts: dict[str, int]) -> Vector:
    return [counts.get(value, 0) for value in SCALE]


def _participation(report: Report) -> Body:
    taking = report["participation"]
    return {
        "joined": taking["joined"],
        "rated": taking["rated"],
        "spoke": taking["spoke"],
        "by_channel": {c: dict(a) for c, a in taking["by_channel"].items()},
        "hubs": len(taking["hubs"]),
        "hub_attendance": taking["hub_attendance"],
    }

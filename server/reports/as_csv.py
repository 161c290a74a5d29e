"""The report as one CSV table: one row per proposition, round and breakdown.

A breakdown is everyone (`all`), one stakeholder group (`group`), one channel
(`channel`: in_room, remote, hub) or one hub (`hub`). Every row repeats the
session, the log's head and the version, so any excerpt of the table still
says which log it came from. The speaker log and participation are not in
this table (they have other columns); they are in the JSON, Markdown and
HTML reports. A proposition not opened yet has one row without figures; a
session without propositions, one row with the session, head and version.
Each round's row names the revision it rated and that wording (`round_text`),
so a table of several rounds says which words each figure belongs to.
"""

import csv
import io
from typing import Final

from facilitation.report import Report, RoundReport
from facilitation.vocabulary import SCALE

from .rows import Breakdown, breakdowns

COLUMNS: Final = (
    "session_id",
    "head",
    "version",
    "proposition",
    "proposition_id",
    "text",
    "source",
    "section",
    "status",
    "mark",
    "mark_note",
    "round",
    "breakdown",
    "key",
    "label",
    "total",
    *SCALE,
    "agree_share",
    "oppose_share",
    "strong_oppose_share",
    "confused_share",
    "agreement_score",
    "group_consensus",
    "suggests_rough_consensus",
    "revision",
    "round_text",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str | None) -> str:
    """User text a spreadsheet will show, never evaluate (OWASP "CSV injection")."""
    if text is None:
        return ""
    return "'" + text if text.startswith(_FORMULA) else text


def render(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    stamp = [report["session"]["session_id"], report["head"], report["version"]]
    for p in report["propositions"]:
        mark = p["mark"]
        about = [
            *stamp,
            p["position"],
            p["id"],
            inert(p["text"]),
            inert(p["source"]),
            inert(p["section"]),
            p["status"],
            mark["status"] if mark else "",
            inert(mark["note"]) if mark else "",
        ]
        if not p["rounds"]:  # not opened yet: listed, with no figures
            writer.writerow(about)
        for r in p["rounds"]:
            writer.writerows([*about, r["round"], *_figures(r, b)] for b in breakdowns(r))
    if not report["propositions"]:  # the table still says which log it came from
        writer.writerow(stamp)
    return out.getvalue()


def _figures(r: RoundReport, b: Breakdown) -> list[object]:
    s, whole = b.shares, b.kind == "all"
    return [
        b.kind,
        inert(b.key),
        inert(b.title),
        s["total"],
        *(s["counts"][v] for v in SCALE),
        _num(s["agree_share"]),
        _num(s["oppose_share"]),
        _num(s["strong_oppose_share"]),
        _num(s["confused_share"]),
        _num(s["agreement_score"]),
        _num(r["metrics"]["group_consensus"]) if whole else "",
        str(r["metrics"]["suggests_rough_consensus"]).lower() if whole else "",
        r["revision"],
        inert(r["text"]),
    ]


def _num(value: float | None) -> str:
    # Full precision: a spreadsheet rounds for display, a recount compares exactly.
    return "" if value is None else repr(value)

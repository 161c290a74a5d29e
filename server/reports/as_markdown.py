"""The report as Markdown: a chair's summary to paste, mail or publish.

All user text (titles, propositions, notes, comments, names) passes through
`md()`, so a comment cannot inject a link, an image, raw HTML or a table
cell into a page that renders this Markdown.
"""

import re
from typing import Final

from facilitation.report import PropositionReport, Report, RoundReport

from . import opinion_tables, tables
from .rows import Breakdown, breakdowns
from .tables import Column, Table
from .wording import MARKDOWN_MARKS, amendment, earlier_wordings, round_wording, translations
from .words import NONE, label, provenance, short, when

# Punctuation that starts Markdown or HTML syntax anywhere in a line.
_INLINE: Final = re.compile(r"([\\`*_\[\]<>|&~#!])")
# What starts a block (list item, heading, quote) when it opens a line or cell.
_LEADING: Final = re.compile(r"^(\d+)([.)])|^([-+=])")


def md(text: str | None) -> str:
    """User text made inert: on one line, with Markdown's syntax escaped."""
    if text is None:
        return NONE
    flat = " ".join(text.split())  # a newline would end a table row or list item
    flat = _INLINE.sub(r"\\\1", flat)
    return _LEADING.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", flat)


def render(report: Report) -> str:
    lines: list[str] = []
    lines += _header(report)
    lines += _summary(report)
    section = None
    for proposition in report["propositions"]:
        if proposition["section"] and proposition["section"] != section:
            lines += [f"# Section: {md(proposition['section'])}", ""]
        section = proposition["section"]
        lines += _proposition(proposition)
    lines += _speakers(report)
    lines += _participation(report)
    lines += _opinions(report)
    lines += _notes()
    return "\n".join(lines) + "\n"


def _table(table: Table) -> list[str]:
    found = ["| " + " | ".join(table.head) + " |", "|" + "---|" * len(table.head)]
    found += ["| " + " | ".join(row) + " |" for row in table.rows]
    return [*found, ""]


def _header(report: Report) -> list[str]:
    session = report["session"]
    head = report["head"]
    return [
        f"# Outcome record: {md(session['title'])}",
        "",
        *_table(
            Table(
                ["", ""],
                [
                    ["Session", f"`{session['session_id']}`"],
                    ["Opened", when(session["created_at"])],
                    ["Log head", f"`{head}` (short `{short(head)}`)"],
                    ["Version", f"{report['version']} events"],
                ],
            )
        ),
        "Anyone holding a copy of the data directory can check every figure below: "
        f"`plenary verify --data DIR {session['session_id']} --head {short(head)}`.",
        "",
    ]


# Without a picture, the last round is told in figures and in words.
_SUMMARY: Final[list[Column[PropositionReport]]] = [
    tables.POSITION,
    Column("Proposition", lambda p: md(p["text"])),
    tables.MARK,
    tables.ROUNDS,
    tables.LAST_TOTAL,
    tables.LAST_AGREE,
    tables.LAST_SCORE,
    tables.LAST_SUGGESTS,
]


def _summary(report: Report) -> list[str]:
    return ["## Summary", "", *_table(tables.table(_SUMMARY, report["propositions"]))]


def _proposition(p: PropositionReport) -> list[str]:
    mark = p["mark"]
    lines = [
        f"## {p['position']}. {md(p['text'])}",
        "",
        f"Source: {md(p['source'])} · Status: {label(p['status'])} · Chair's mark: "
        + (
            f"**{label(mark['status'])}** ({when(mark['at'])})"
            + (f" — {md(mark['note'])}" if mark["note"] else "")
            if mark
            else "none"
        ),
        "",
    ]
    if p["withdrawn_at"] is not None:
        lines += [f"Withdrawn {when(p['withdrawn_at'])}; kept here for the record.", ""]
    lines += _wording(p)
    carried = provenance(p["provenance"])
    if carried:
        lines += [md(carried), ""]
    for round_ in p["rounds"]:
        lines += _round(round_)
    if p["shift"]:
        lines += ["### Shift between rounds (agree share)", ""]
        lines += _table(tables.shift(p, md))
    if p["amendments"]:
        lines += ["### Amendments from the floor", ""]
        lines += [f"- {amendment(a, md)}" for a in p["amendments"]] + [""]
    lines += ["### Objections", ""]
    if not p["objections"]:
        lines += ["No comments from those who disagreed or were confused.", ""]
    for o in p["objections"]:
        lines.append(
            f"- Round {o['round']} · {label(o['value'])} · {md(label(o['stakeholder_group']))}, "
            f"{label(o['channel'])}: “{md(o['comment'])}”"
        )
    return [*lines, ""]


def _round(r: RoundReport) -> list[str]:
    facts = [
        f"Ratings {r['total']}",  # the page has the count in the round's heading
        *tables.facts(r, md),
        "suggests rough consensus "
        + ("**yes**" if r["metrics"]["suggests_rough_consensus"] else "no")
        + tables.suggestion_basis(r),
    ]
    return [
        f"### Round {r['round']}",
        "",
        f"Opened {when(r['opened_at'])}, closed {when(r['closed_at'])}.",
        "",
        *(line + "\n" for line in round_wording(r, md, MARKDOWN_MARKS)),
        " · ".join(facts) + ".",
        "",
        *_table(tables.table(_BREAKDOWN, breakdowns(r))),
    ]


def _wording(p: PropositionReport) -> list[str]:
    lines: list[str] = []
    earlier = earlier_wordings(p, md)
    if earlier:
        lines += ["### Wordings", "", *(f"- {line}" for line in earlier), ""]
    translated = translations(p, md)
    if translated:
        lines += ["### Translations", "", *(f"- {line}" for line in translated), ""]
    return lines


# One flat table: a breakdown's kind prefixes its title, and its shares are spelled out.
_KINDS: Final = {
    "all": "",
    "group": "Group: ",
    "channel": "Channel: ",
    "hub": "Hub: ",
    "admission": "",
    "timing": "",
}
_BREAKDOWN: Final[list[Column[Breakdown]]] = [
    Column("Who", lambda b: _KINDS[b.kind] + md(b.title)),
    tables.TOTAL,
    *tables.COUNTS,
    tables.AGREE,
    tables.OPPOSE,
    tables.CONFUSED,
    tables.SCORE,
]


def _speakers(report: Report) -> list[str]:
    turns = tables.turns(report["speakers"], md)
    lines = ["## Speakers", ""]
    lines += _table(turns) if turns.rows else ["Nobody was given the floor.", ""]
    lines += ["### Balance of speaking", ""]
    lines += _table(tables.balance(report["speakers"], md))
    return lines


def _participation(report: Report) -> list[str]:
    part = report["participation"]
    lines = [
        "## Participation",
        "",
        f"{part['joined']} joined on their own devices ({part['removed']} later removed by "
        f"the chair); {part['hub_attendance']} attended through {len(part['hubs'])} hub(s).",
        "",
        *_table(tables.participation(part, md)),
    ]
    if part["hubs"]:
        lines += ["### Hubs", ""]
        lines += _table(tables.hubs(part, md))
    return lines


def _opinions(report: Report) -> list[str]:
    lines = [f"## {opinion_tables.TITLE}", "", opinion_tables.intro(report), ""]
    if opinion_tables.has_groups(report):
        lines += _table(opinion_tables.groups(report, md))
    return lines + _table(opinion_tables.figures(report, md))


def _notes() -> list[str]:
    return [
        "## How to read this",
        "",
        "Agree counts strongly agree and agree; oppose counts disagree and strongly disagree. "
        "The agreement score runs from -10 to +10 with confused left out. Group consensus "
        "ranks propositions within this session and is not a percentage. Hub rooms report "
        "counts, not people: their people are in the ratings, not in Joined or Rated. "
        "A suggestion of rough consensus only informs; the chair's mark decides.",
        "",
    ]

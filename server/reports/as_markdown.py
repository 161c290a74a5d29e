"""The report as Markdown: a chair's summary to paste, mail or publish.

All user text (titles, propositions, notes, comments, names) passes through
`md()`, so a comment cannot inject a link, an image, raw HTML or a table
cell into a page that renders this Markdown.
"""

import re
from typing import Final

from facilitation.report import Balance, PropositionReport, Report, RoundReport, Shares
from facilitation.vocabulary import SCALE

from .rows import breakdowns
from .words import (
    NONE,
    change,
    clock,
    duration,
    label,
    number,
    percent,
    score,
    short,
    value_labels,
    when,
)

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
    for proposition in report["propositions"]:
        lines += _proposition(proposition)
    lines += _speakers(report)
    lines += _participation(report)
    lines += _notes()
    return "\n".join(lines) + "\n"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    found = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    found += ["| " + " | ".join(row) + " |" for row in rows]
    return [*found, ""]


def _header(report: Report) -> list[str]:
    session = report["session"]
    head = report["head"]
    return [
        f"# Outcome record: {md(session['title'])}",
        "",
        *_table(
            ["", ""],
            [
                ["Session", f"`{session['session_id']}`"],
                ["Opened", when(session["created_at"])],
                ["Log head", f"`{head}` (short `{short(head)}`)"],
                ["Version", f"{report['version']} events"],
            ],
        ),
        "Anyone holding a copy of the data directory can check every figure below: "
        f"`plenary verify --data DIR {session['session_id']} --head {short(head)}`.",
        "",
    ]


def _summary(report: Report) -> list[str]:
    rows = []
    for p in report["propositions"]:
        last = p["rounds"][-1] if p["rounds"] else None
        metrics = last["metrics"] if last else {}
        rows.append(
            [
                str(p["position"]),
                md(p["text"]),
                label(p["mark"]["status"]) if p["mark"] else NONE,
                str(len(p["rounds"])),
                str(last["total"]) if last else NONE,
                percent(metrics.get("agree_share")),
                score(metrics.get("agreement_score")),
                ("yes" if metrics["suggests_rough_consensus"] else "no") if last else NONE,
            ]
        )
    head = ["#", "Proposition", "Chair's mark", "Rounds", "Ratings (last round)"]
    head += ["Agree", "Score", "Suggests rough consensus"]
    return ["## Summary", "", *_table(head, rows)]


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
    for round_ in p["rounds"]:
        lines += _round(round_)
    if p["shift"]:
        lines += ["### Shift between rounds (agree share)", ""]
        rows = [
            [
                "Everyone" if s["group"] is None else md(label(s["group"])),
                f"{s['from_round']} → {s['to_round']}",
                f"{percent(s['before_agree_share'])} (n={s['before_total']})",
                f"{percent(s['after_agree_share'])} (n={s['after_total']})",
                change(s["change"]),
            ]
            for s in p["shift"]
        ]
        lines += _table(["Group", "Rounds", "Before", "After", "Change"], rows)
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
    m = r["metrics"]
    weakest = m["weakest_group"]
    facts = [
        f"Ratings {r['total']}",
        f"agree {percent(m['agree_share'])}",
        f"oppose {percent(m['oppose_share'])}",
        f"strongly oppose {percent(m['strong_oppose_share'])}",
        f"confused {percent(m['confused_share'])}",
        f"agreement score {score(m['agreement_score'])}",
        f"group consensus {number(m['group_consensus'])}",
        "weakest group "
        + (
            f"{md(label(weakest['group']))} ({percent(weakest['agree_share'])})"
            if weakest
            else NONE
        ),
        "flags " + (", ".join(label(f) for f in m["flags"]) or NONE),
        "suggests rough consensus " + ("**yes**" if m["suggests_rough_consensus"] else "no"),
    ]
    rows = [[_kind(b.kind) + md(b.title), *_cells(b.shares)] for b in breakdowns(r)]
    head = ["Who", "n", *value_labels(), "Agree", "Oppose", "Confused", "Score"]
    return [
        f"### Round {r['round']}",
        "",
        f"Opened {when(r['opened_at'])}, closed {when(r['closed_at'])}.",
        "",
        " · ".join(facts) + ".",
        "",
        *_table(head, rows),
    ]


def _kind(kind: str) -> str:
    return {"all": "", "group": "Group: ", "channel": "Channel: ", "hub": "Hub: "}[kind]


def _cells(s: Shares) -> list[str]:
    return [
        str(s["total"]),
        *(str(s["counts"][v]) for v in SCALE),
        percent(s["agree_share"]),
        percent(s["oppose_share"]),
        percent(s["confused_share"]),
        score(s["agreement_score"]),
    ]


def _speakers(report: Report) -> list[str]:
    speakers = report["speakers"]
    rows = [
        [
            str(t["order"]),
            md(t["name"]),
            md(label(t["stakeholder_group"])),
            f"Hub: {md(t['hub'])}" if t["hub"] else label(t["channel"]),
            label(t["intent"]),
            clock(t["started_at"]),
            duration(t["duration"]),
        ]
        for t in speakers["turns"]
    ]
    lines = ["## Speakers", ""]
    head = ["#", "Name (as given)", "Group", "Channel", "Intent", "Start (UTC)", "Duration"]
    lines += _table(head, rows) if rows else ["Nobody was given the floor.", ""]
    balance = [[md(label(g)), str(b["turns"]), _time(b)] for g, b in speakers["by_group"].items()]
    balance += [
        [f"Channel: {label(c)}", str(b["turns"]), _time(b)]
        for c, b in speakers["by_channel"].items()
    ]
    balance += [[f"Hub: {md(h['name'])}", str(h["turns"]), _time(h)] for h in speakers["by_hub"]]
    lines += ["### Balance of speaking", ""]
    lines += _table(["Who", "Turns", "Time"], balance)
    return lines


def _time(balance: Balance) -> str:
    running = balance["speaking"]
    return duration(balance["seconds"]) + (f" + {running} speaking" if running else "")


def _participation(report: Report) -> list[str]:
    part = report["participation"]
    rows = [["Everyone", str(part["joined"]), str(part["rated"]), str(part["spoke"])]]
    rows += [
        [md(label(g)), str(a["joined"]), str(a["rated"]), str(a["spoke"])]
        for g, a in part["by_group"].items()
    ]
    rows += [
        [f"Channel: {label(c)}", str(a["joined"]), str(a["rated"]), str(a["spoke"])]
        for c, a in part["by_channel"].items()
    ]
    lines = [
        "## Participation",
        "",
        f"{part['joined']} joined on their own devices ({part['removed']} later removed by "
        f"the chair); {part['hub_attendance']} attended through {len(part['hubs'])} hub(s).",
        "",
        *_table(["Who", "Joined", "Rated", "Spoke"], rows),
    ]
    if part["hubs"]:
        hubs = [
            [
                md(h["name"]),
                str(h["attendance"]),
                str(h["rounds_reported"]),
                str(h["speakers"]),
                str(h["turns"]),
            ]
            for h in part["hubs"]
        ]
        lines += ["### Hubs", ""]
        lines += _table(["Hub", "Attendance", "Rounds reported", "Speakers", "Turns"], hubs)
    return lines


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

"""The report as one self-contained HTML page, printable to PDF from a browser.

No scripts, no external resources: styles are inline and the agreement bars
are inline SVG, so the page prints the same offline and passes the server's
Content-Security-Policy. All user text passes through `u()`, which escapes it
and isolates its direction (`<bdi>`): names and comments may be Arabic.
"""

from html import escape
from typing import Final

from facilitation.report import PropositionReport, Report, RoundReport
from facilitation.vocabulary import SCALE

from . import opinion_tables, tables
from .bars import bar, swatch
from .rows import Breakdown, breakdowns
from .tables import Column, Table
from .wording import HTML_MARKS, amendment, earlier_wordings, round_wording, translations
from .words import NONE, label, provenance, short, when

STYLE: Final = """
@page { size: A4; margin: 15mm 12mm; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; box-sizing: border-box; }
body { font: 10.5pt/1.45 system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #111;
       max-width: 62rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.7em; margin: 0 0 .5rem; } h2 { margin-top: 2rem; border-bottom: 2px solid #333; }
h3 { margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem;
        font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #ddd; padding: .15rem .35rem; text-align: right;
         vertical-align: middle; }
th.l, td.l { text-align: left; }
th { font-weight: 600; background: #f5f5f5; }
tr.kind th { background: none; text-align: left; padding-top: .6rem; font-style: italic; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0; }
.meta dt { font-weight: 600; } .meta dd { margin: 0; }
.mark { display: inline-block; padding: .05rem .5rem; border: 1.5px solid #333; border-radius: 1rem;
        font-weight: 600; }
.legend span { margin-right: 1rem; white-space: nowrap; }
.facts { margin: .3rem 0; } .muted { color: #555; }
del { color: #b2182b; } ins { color: #1a6e2e; font-weight: 600; text-decoration: none; }
blockquote { margin: .3rem 0; padding-left: .7rem; border-left: 3px solid #b2182b; }
figure { margin: .4rem 0; } svg { max-width: 100%; height: auto; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  section.proposition { break-before: page; }
  table, figure, blockquote, .round-head { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
"""


def u(text: str | None) -> str:
    """User text, escaped and direction-isolated."""
    return NONE if text is None else f"<bdi>{escape(text, quote=True)}</bdi>"


def render(report: Report) -> str:
    session = report["session"]
    body = [
        _header(report),
        _summary(report),
        *(_sectioned(p, i, report["propositions"]) for i, p in enumerate(report["propositions"])),
        _speakers(report),
        _participation(report),
        _opinions(report),
        _notes(),
    ]
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Outcome record: {escape(session['title'])}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _table(table: Table, align: str = "") -> str:
    """`align` has one letter per column, `l` for text, `r` for numbers (the default)."""
    lines = ["<table><thead>" + _row(table.head, align, "th") + "</thead><tbody>"]
    lines += [_row(row, align) for row in table.rows]
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _row(cells: list[str], align: str, tag: str = "td") -> str:
    def attr(i: int) -> str:
        return ' class="l"' if i < len(align) and align[i] == "l" else ""

    return "<tr>" + "".join(f"<{tag}{attr(i)}>{c}</{tag}>" for i, c in enumerate(cells)) + "</tr>"


def _header(report: Report) -> str:
    session, head = report["session"], report["head"]
    command = f"plenary verify --data DIR {session['session_id']} --head {short(head)}"
    legend = "".join(f"<span>{swatch(v)} {label(v)}</span>" for v in SCALE)
    return f"""<header>
<h1>Outcome record: {u(session["title"])}</h1>
<dl class="meta">
<dt>Session</dt><dd><code>{escape(session["session_id"])}</code></dd>
<dt>Opened</dt><dd>{when(session["created_at"])}</dd>
<dt>Log head</dt><dd><code>{escape(head)}</code> (short <code>{escape(short(head))}</code>)</dd>
<dt>Version</dt><dd>{report["version"]} events</dd>
</dl>
<p class="muted">Anyone holding a copy of the data directory can check every figure here:
<code>{escape(command)}</code></p>
<p class="legend">{legend}</p>
</header>"""


# A proposition links to its section; its last round shows as a bar.
_SUMMARY: Final[list[Column[PropositionReport]]] = [
    tables.POSITION,
    Column("Proposition", lambda p: f'<a href="#p{p["position"]}">{u(p["text"])}</a>'),
    tables.MARK,
    tables.ROUNDS,
    Column("Last round", tables.of_last_round(lambda r: bar(r["counts"], 240, 12, captions=False))),
    tables.LAST_AGREE,
    tables.LAST_SCORE,
]


def _summary(report: Report) -> str:
    summary = tables.table(_SUMMARY, report["propositions"])
    return "<section>\n<h2>Summary</h2>\n" + _table(summary, "rllrl") + "\n</section>"


def _sectioned(p: PropositionReport, i: int, every: list[PropositionReport]) -> str:
    """The proposition, under its section's title where a new section begins."""
    starts = p["section"] and (i == 0 or every[i - 1]["section"] != p["section"])
    title = f'<h2 class="section">Section: {u(p["section"])}</h2>\n' if starts else ""
    return title + _proposition(p)


def _proposition(p: PropositionReport) -> str:
    mark = p["mark"]
    marked = (
        f'<span class="mark">{label(mark["status"])}</span> <span class="muted">'
        f"{when(mark['at'])}</span>"
        + (f"<blockquote>{u(mark['note'])}</blockquote>" if mark["note"] else "")
        if mark
        else "none"
    )
    parts = [
        f'<section class="proposition" id="p{p["position"]}">',
        f"<h2>{p['position']}. {u(p['text'])}</h2>",
        f"<p>Source: {u(p['source'])} · Status: {label(p['status'])}</p>",
        f"<p>Chair's mark: {marked}</p>",
        *_wording(p),
        *([f"<p>{u(carried)}</p>"] if (carried := provenance(p["provenance"])) else []),
        *(_round(r) for r in p["rounds"]),
    ]
    if p["amendments"]:
        parts.append("<h3>Amendments from the floor</h3>")
        parts += ["<ul>", *(f"<li>{amendment(a, u)}</li>" for a in p["amendments"]), "</ul>"]
    if p["shift"]:
        parts += ["<h3>Shift between rounds (agree share)</h3>", _table(tables.shift(p, u), "l")]
    parts.append("<h3>Objections</h3>")
    if not p["objections"]:
        parts.append('<p class="muted">No comments from those who disagreed or were confused.</p>')
    parts += [
        f'<blockquote>{u(o["comment"])}<br><span class="muted">Round {o["round"]} · '
        f"{label(o['value'])} · {u(label(o['stakeholder_group']))}, {label(o['channel'])}"
        "</span></blockquote>"
        for o in p["objections"]
    ]
    parts.append("</section>")
    return "\n".join(parts)


def _wording(p: PropositionReport) -> list[str]:
    parts = []
    if p["withdrawn_at"] is not None:
        parts.append(f"<p>Withdrawn {when(p['withdrawn_at'])}; kept here for the record.</p>")
    for title, lines in (
        ("Wordings", earlier_wordings(p, u)),
        ("Translations", translations(p, u)),
    ):
        if lines:
            parts += [f"<h3>{title}</h3>", "<ul>", *(f"<li>{line}</li>" for line in lines), "</ul>"]
    return parts


def _round(r: RoundReport) -> str:
    facts = [
        *tables.facts(r, u),
        "suggests rough consensus "
        + ("<strong>yes</strong>" if r["metrics"]["suggests_rough_consensus"] else "no")
        + tables.suggestion_basis(r),
    ]
    found = breakdowns(r)
    table = tables.table(_BREAKDOWN, found)
    rows: list[str] = []
    kind = "all"
    for b, cells in zip(found, table.rows, strict=True):
        if b.kind != kind:
            rows.append(
                f'<tr class="kind"><th colspan="{len(table.head)}">{_KINDS[b.kind]}</th></tr>'
            )
        kind = b.kind
        rows.append(_row(cells, "lrl"))
    return "\n".join(
        [
            f'<div class="round-head"><h3>Round {r["round"]} · {r["total"]} ratings</h3>',
            f'<p class="muted">Opened {when(r["opened_at"])}, closed {when(r["closed_at"])}.</p>',
            *(f'<p class="wording">{line}</p>' for line in round_wording(r, u, HTML_MARKS)),
            f"<figure>{bar(r['counts'])}</figure>",
            f'<p class="facts">{" · ".join(facts)}.</p></div>',
            "<table><thead>" + _row(table.head, "lrl", "th") + "</thead><tbody>",
            *rows,
            "</tbody></table>",
        ]
    )


# Breakdowns sit under a heading of their kind; the bar stands for the oppose and confused shares.
_KINDS: Final = {
    "group": "By stakeholder group",
    "channel": "By channel",
    "hub": "By hub",
    "admission": "Registered and self-declared",
    "timing": "Inside and outside the live hour",
}
_BREAKDOWN: Final[list[Column[Breakdown]]] = [
    Column("Who", lambda b: u(b.title)),
    tables.TOTAL,
    Column("", lambda b: bar(b.shares["counts"], 150, 10, captions=False)),
    *tables.COUNTS,
    tables.AGREE,
    tables.SCORE,
]


def _speakers(report: Report) -> str:
    turns = tables.turns(report["speakers"], u)
    log = (
        _table(turns, "rlllll")
        if turns.rows
        else '<p class="muted">Nobody was given the floor.</p>'
    )
    return (
        '<section class="speakers">\n<h2>Speakers</h2>\n'
        + log
        + "\n<h3>Balance of speaking</h3>\n"
        + _table(tables.balance(report["speakers"], u), "l")
        + "\n</section>"
    )


def _participation(report: Report) -> str:
    part = report["participation"]
    parts = [
        "<section>",
        "<h2>Participation</h2>",
        f"<p>{part['joined']} joined on their own devices ({part['removed']} later removed by "
        f"the chair); {part['hub_attendance']} attended through {len(part['hubs'])} hub(s).</p>",
        _table(tables.participation(part, u), "l"),
    ]
    if part["hubs"]:
        parts += ["<h3>Hubs</h3>", _table(tables.hubs(part, u), "l")]
    parts.append("</section>")
    return "\n".join(parts)


def _opinions(report: Report) -> str:
    parts = ["<section>", f"<h2>{opinion_tables.TITLE}</h2>"]
    parts.append(f"<p>{escape(opinion_tables.intro(report))}</p>")
    if opinion_tables.has_groups(report):
        parts.append(_table(opinion_tables.groups(report, u), "llrl"))
    parts += [_table(opinion_tables.figures(report, u), "lllrrl"), "</section>"]
    return "\n".join(parts)


def _notes() -> str:
    return """<section>
<h2>How to read this</h2>
<p>Agree counts strongly agree and agree; oppose counts disagree and strongly disagree. The bars
put disagreement left of the centre line and agreement right of it; neutral and confused sit apart
on the right, on the same scale. The agreement score runs from -10 to +10 with confused left out.
Group consensus ranks propositions within this session and is not a percentage. Hub rooms report
counts, not people: their people are in the ratings, not in Joined or Rated. A suggestion of rough
consensus only informs; the chair's mark decides.</p>
</section>"""

"""The tables the Markdown and HTML reports both draw, as rows of cell strings.

One builder for both formats, so they cannot disagree on what a cell says.
User text goes through the format's `Escape`; a format only draws a `Table`
its own way. The summary and a round's breakdowns differ by format (the page
draws a bar where Markdown spells out figures), so their columns are defined
here once and each format lists the ones it shows. A round's facts, the line
above its table, are shared too.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Generic, NamedTuple, TypeAlias, TypeVar

from facilitation.report import Balance, Participation, PropositionReport, RoundReport, Speakers
from facilitation.vocabulary import SCALE

from .rows import Breakdown
from .words import NONE, change, clock, duration, label, number, percent, score

# User text made safe for one format (`as_markdown.md`, `as_html.u`); None shows as NONE.
Escape: TypeAlias = Callable[[str | None], str]
T = TypeVar("T")


class Table(NamedTuple):
    head: list[str]
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    head: str
    cell: Callable[[T], str]


def table(columns: Sequence[Column[T]], items: Iterable[T]) -> Table:
    return Table([c.head for c in columns], [[c.cell(item) for c in columns] for item in items])


def of_last_round(cell: Callable[[RoundReport], str]) -> Callable[[PropositionReport], str]:
    """A summary cell taken from a proposition's last round; NONE before its first round."""
    return lambda p: cell(p["rounds"][-1]) if p["rounds"] else NONE


# The summary, one line per proposition; each format writes the proposition's text.
POSITION: Final[Column[PropositionReport]] = Column("#", lambda p: str(p["position"]))
MARK: Final[Column[PropositionReport]] = Column(
    "Chair's mark", lambda p: label(p["mark"]["status"]) if p["mark"] else NONE
)
ROUNDS: Final[Column[PropositionReport]] = Column("Rounds", lambda p: str(len(p["rounds"])))
LAST_TOTAL: Final[Column[PropositionReport]] = Column(
    "Ratings (last round)", of_last_round(lambda r: str(r["total"]))
)
LAST_AGREE: Final[Column[PropositionReport]] = Column(
    "Agree", of_last_round(lambda r: percent(r["metrics"]["agree_share"]))
)
LAST_SCORE: Final[Column[PropositionReport]] = Column(
    "Score", of_last_round(lambda r: score(r["metrics"]["agreement_score"]))
)
LAST_SUGGESTS: Final[Column[PropositionReport]] = Column(
    "Suggests rough consensus",
    of_last_round(lambda r: "yes" if r["metrics"]["suggests_rough_consensus"] else "no"),
)

# A round's figures, one line per breakdown; each format writes who the line is about.
TOTAL: Final[Column[Breakdown]] = Column("n", lambda b: str(b.shares["total"]))
AGREE: Final[Column[Breakdown]] = Column("Agree", lambda b: percent(b.shares["agree_share"]))
OPPOSE: Final[Column[Breakdown]] = Column("Oppose", lambda b: percent(b.shares["oppose_share"]))
CONFUSED: Final[Column[Breakdown]] = Column(
    "Confused", lambda b: percent(b.shares["confused_share"])
)
SCORE: Final[Column[Breakdown]] = Column("Score", lambda b: score(b.shares["agreement_score"]))


def _count(value: str) -> Column[Breakdown]:
    return Column(label(value), lambda b: str(b.shares["counts"][value]))


COUNTS: Final = [_count(v) for v in SCALE]


def facts(r: RoundReport, esc: Escape) -> list[str]:
    """A round's metrics in words; each format adds the verdict in its own emphasis."""
    m = r["metrics"]
    weakest = m["weakest_group"]
    return [
        f"agree {percent(m['agree_share'])}",
        f"oppose {percent(m['oppose_share'])}",
        f"strongly oppose {percent(m['strong_oppose_share'])}",
        f"confused {percent(m['confused_share'])}",
        f"agreement score {score(m['agreement_score'])}",
        f"group consensus {number(m['group_consensus'])}",
        "weakest group "
        + (
            f"{esc(label(weakest['group']))} ({percent(weakest['agree_share'])})"
            if weakest
            else NONE
        ),
        "flags " + (", ".join(label(f) for f in m["flags"]) or NONE),
    ]


def shift(p: PropositionReport, esc: Escape) -> Table:
    rows = [
        [
            "Everyone" if s["group"] is None else esc(label(s["group"])),
            f"{s['from_round']} → {s['to_round']}",
            f"{percent(s['before_agree_share'])} (n={s['before_total']})",
            f"{percent(s['after_agree_share'])} (n={s['after_total']})",
            change(s["change"]),
        ]
        for s in p["shift"]
    ]
    return Table(["Group", "Rounds", "Before", "After", "Change"], rows)


def turns(speakers: Speakers, esc: Escape) -> Table:
    rows = [
        [
            str(t["order"]),
            esc(t["name"]),
            esc(label(t["stakeholder_group"])),
            f"Hub: {esc(t['hub'])}" if t["hub"] else label(t["channel"]),
            label(t["intent"]),
            clock(t["started_at"]),
            duration(t["duration"]),
        ]
        for t in speakers["turns"]
    ]
    head = ["#", "Name (as given)", "Group", "Channel", "Intent", "Start (UTC)", "Duration"]
    return Table(head, rows)


def balance(speakers: Speakers, esc: Escape) -> Table:
    rows = [[esc(label(g)), str(b["turns"]), _time(b)] for g, b in speakers["by_group"].items()]
    rows += [
        [f"Channel: {label(c)}", str(b["turns"]), _time(b)]
        for c, b in speakers["by_channel"].items()
    ]
    rows += [[f"Hub: {esc(h['name'])}", str(h["turns"]), _time(h)] for h in speakers["by_hub"]]
    return Table(["Who", "Turns", "Time"], rows)


def _time(spoken: Balance) -> str:
    running = spoken["speaking"]
    return duration(spoken["seconds"]) + (f" + {running} speaking" if running else "")


def participation(part: Participation, esc: Escape) -> Table:
    rows = [["Everyone", str(part["joined"]), str(part["rated"]), str(part["spoke"])]]
    rows += [
        [esc(label(g)), str(a["joined"]), str(a["rated"]), str(a["spoke"])]
        for g, a in part["by_group"].items()
    ]
    rows += [
        [f"Channel: {label(c)}", str(a["joined"]), str(a["rated"]), str(a["spoke"])]
        for c, a in part["by_channel"].items()
    ]
    return Table(["Who", "Joined", "Rated", "Spoke"], rows)


def hubs(part: Participation, esc: Escape) -> Table:
    rows = [
        [
            esc(h["name"]),
            str(h["attendance"]),
            str(h["rounds_reported"]),
            str(h["speakers"]),
            str(h["turns"]),
        ]
        for h in part["hubs"]
    ]
    return Table(["Hub", "Attendance", "Rounds reported", "Speakers", "Turns"], rows)


def suggestion_basis(r: RoundReport) -> str:
    """Whose ratings the suggestion read, when not everyone's (admission `both`)."""
    return " (registered raters only)" if r.get("suggestion_follows") == "registered" else ""

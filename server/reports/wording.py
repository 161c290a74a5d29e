"""The wording parts of a report, shared by the Markdown and HTML formats:
the text each round rated and its changes, translations, amendments, and
how many rated in each language. `esc` is the format's escape for user text."""

from collections.abc import Callable

from facilitation.report import AmendmentReport, PropositionReport, RoundReport
from facilitation.wordiff import Change

from .words import label, when

Escape = Callable[[str | None], str]
# How each format marks removed and added words: (removed, added) templates.
Marks = tuple[str, str]
MARKDOWN_MARKS: Marks = ("~~{}~~", "**{}**")
HTML_MARKS: Marks = ("<del>{}</del>", "<ins>{}</ins>")


def changes(found: list[Change], esc: Escape, marks: Marks) -> str:
    removed, added = marks
    parts = []
    for change in found:
        text = esc(change["text"])
        parts.append(
            text
            if change["op"] == "same"
            else (removed if change["op"] == "removed" else added).format(text)
        )
    return " ".join(parts)


def round_wording(r: RoundReport, esc: Escape, marks: Marks) -> list[str]:
    """What the round rated; from round 2 on, the change since the round before."""
    lines = [f"Rated wording (revision {r['revision']}): “{esc(r['text'])}”"]
    if r["changes"] is not None:
        if any(change["op"] != "same" for change in r["changes"]):
            lines.append(
                f"Changed since round {r['round'] - 1}: {changes(r['changes'], esc, marks)}"
            )
        else:
            lines.append(f"Same wording as round {r['round'] - 1}.")
    if r["by_language"]:
        counted = ", ".join(f"{esc(label(k))} {n}" for k, n in r["by_language"].items())
        lines.append(f"Rated from phones, by language: {counted}.")
    return lines


def translations(p: PropositionReport, esc: Escape) -> list[str]:
    """Every revision's translations, one line each."""
    return [
        f"Revision {w['revision']}, {esc(language)}: “{esc(text)}”"
        for w in p["wordings"]
        for language, text in w["translations"].items()
    ]


def earlier_wordings(p: PropositionReport, esc: Escape) -> list[str]:
    return [
        f"Revision {w['revision']}"
        + (f" ({when(w['at'])})" if w["at"] else "")
        + f": “{esc(w['text'])}”"
        + (f" — from amendment {esc(w['amendment_id'])}" if w["amendment_id"] else "")
        for w in p["wordings"]
        if len(p["wordings"]) > 1
    ]


def amendment(a: AmendmentReport, esc: Escape) -> str:
    """One amendment: group and channel, never who; what became of it."""
    outcome = label(a["status"])
    if a["revision"] is not None:
        outcome += f" as revision {a['revision']}"
    return (
        f"“{esc(a['text'])}” — {esc(label(a['stakeholder_group']))}, {label(a['channel'])}"
        + (f"; why: {esc(a['why'])}" if a["why"] else "")
        + f". {outcome}"
        + (f": {esc(a['note'])}" if a["note"] else "")
        + "."
    )

"""A draft split into propositions the way a person reads it.

Rules this module keeps:
- Pure: text or paragraphs in, a `Draft` out; reading files is the shell's job
  (a Word document arrives here as `Paragraph`s carrying their style).
- Hard-wrapped lines are joined; a blank line, a numbered or bulleted item
  and a heading each end a proposition.
- Headings become section titles, never propositions; a lone top-level
  heading opening a Markdown draft is the draft's title.
- Every proposition keeps its source: the draft's title and its paragraph
  number (the number the document shows, else its place among the
  propositions), as "Title, ¶ 3".
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from .errors import BadRequest, TooLarge
from .vocabulary import MAX_SECTION, MAX_SOURCE

Style = Literal["title", "heading", "list", "body"]

MAX_ITEMS: Final = 500  # propositions one draft may bring in at once
MAX_WRAP: Final = 100  # longest line of text that reads as hard-wrapped

_HEADING: Final = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_UNDERLINE: Final = re.compile(r"^(=+|-{2,})\s*$")
# "3.", "3)", "(3)", "(c)", "c)", "iv)", bullets: what starts an item.
_MARKER: Final = re.compile(
    r"^\s*(?:(?P<bullet>[-*+•‣◦▪\u2013])|\(?(?P<number>\d{1,3}|[a-z]|[ivxlc]{1,6})[.)]"
    r"|\((?P<paren>\d{1,3}|[a-z]|[ivxlc]{1,6})\))\s+(?P<rest>\S.*)$"
)
_QUOTE: Final = re.compile(r"^\s*>\s?")
_EMPHASIS: Final = re.compile(r"(\*\*|__)(.+?)\1")
_ENDS_SENTENCE: Final = re.compile(r"[.!?;:,…]$")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One block of a draft: a Word paragraph, or lines up to a break."""

    text: str
    style: Style = "body"
    number: str | None = None  # the number a list item shows, if it shows one


@dataclass(frozen=True, slots=True)
class DraftItem:
    text: str
    section: str | None
    number: str
    source: str


@dataclass(frozen=True, slots=True)
class Draft:
    title: str | None
    items: tuple[DraftItem, ...]


def split_text(text: str, title: str | None = None, fallback: str | None = None) -> Draft:
    """A plain-text or Markdown draft as propositions."""
    return split_paragraphs(paragraphs_of_text(text), title, fallback)


def paragraphs_of_text(text: str) -> list[Paragraph]:
    """Lines joined into paragraphs: blank lines, items and headings break them."""
    lines = [_QUOTE.sub("", raw).rstrip() for raw in text.splitlines()]
    # Text pasted from a word processor has one long line per paragraph; only
    # text hard-wrapped at a width (80 or so) continues a paragraph on the next line.
    wrapped = max((len(line) for line in lines), default=0) <= MAX_WRAP
    reader = _Lines()
    for line in lines:
        reader.line(line)
        if not wrapped:
            reader.flush()
    found = reader.done()
    markdown = any(p.style in ("title", "heading") for p in found)
    return _titled(found) if markdown else [_guess_heading(p) for p in found]


def split_paragraphs(
    paragraphs: Iterable[Paragraph], title: str | None = None, fallback: str | None = None
) -> Draft:
    """Propositions from paragraphs: headings set the section, items carry their source.

    The title is `title` if given, else the draft's first title paragraph,
    else `fallback` (e.g. the file's name).
    """
    found: list[tuple[str, str | None, str | None]] = []  # text, section, number shown
    section: str | None = None
    titled = False
    for paragraph in paragraphs:
        text = _clean(paragraph.text)
        if not text:
            continue
        if paragraph.style == "title" and not titled:
            titled, title = True, title or text
        elif paragraph.style in ("title", "heading"):
            section = _bounded(text, MAX_SECTION)
        else:
            marked = _marker(text) if paragraph.number is None else None
            number = paragraph.number or (marked[0] if marked else None)
            found.append((marked[1] if marked else text, section, number))
    if not found:
        raise BadRequest("The draft has no text to make propositions of: it is empty.")
    if len(found) > MAX_ITEMS:
        raise TooLarge(
            f"The draft has {len(found)} propositions; at most {MAX_ITEMS} come in at once. "
            "Split the document and bring it in in parts."
        )
    name = _clean(title or fallback or "") or None
    return Draft(
        name, tuple(_item(t, s, n or str(i), name) for i, (t, s, n) in enumerate(found, 1))
    )


def source_of(title: str | None, number: str) -> str:
    """ "Title, ¶ 3", the title shortened so the source stays within its limit."""
    mark = f"¶ {number}"
    if not title:
        return mark
    return f"{_bounded(title, MAX_SOURCE - len(mark) - 2)}, {mark}"


class _Lines:
    """Gathers lines into paragraphs, one break at a time."""

    def __init__(self) -> None:
        self.found: list[Paragraph] = []
        self.lines: list[str] = []
        self.style: Style = "body"
        self.number: str | None = None

    def line(self, line: str) -> None:
        heading = _HEADING.match(line)
        marked = _MARKER.match(line)
        if not line.strip():
            self.flush()
        elif heading:
            self.flush()
            style: Style = "title" if len(heading.group(1)) == 1 else "heading"
            self.found.append(Paragraph(heading.group(2), style))
        elif _UNDERLINE.match(line):
            self.underline(line)
        elif marked:
            self.flush()
            self.style, self.number = "list", _number(marked)
            self.lines = [marked.group("rest")]
        else:
            self.lines.append(line.strip())

    def underline(self, line: str) -> None:
        """`Title` over `====` (or `----`) is a heading; a rule alone is a break."""
        if len(self.lines) == 1 and self.style == "body":
            style: Style = "title" if line.startswith("=") else "heading"
            self.found.append(Paragraph(self.lines[0], style))
            self.lines = []
        else:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.found.append(Paragraph(" ".join(self.lines), self.style, self.number))
        self.lines, self.style, self.number = [], "body", None

    def done(self) -> list[Paragraph]:
        self.flush()
        return self.found


def _titled(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    """One top-level heading opening the draft is its title; more are sections."""
    tops = [p for p in paragraphs if p.style == "title"]
    keep_title = len(tops) == 1 and paragraphs[0] is tops[0]
    return [
        p if p.style != "title" or keep_title else Paragraph(p.text, "heading") for p in paragraphs
    ]


def _guess_heading(paragraph: Paragraph) -> Paragraph:
    """In plain text, a short line standing alone without a full stop reads as a heading."""
    text = paragraph.text.strip()
    words = text.split()
    looks_like = (
        paragraph.style == "body"
        and len(text) <= 80
        and len(words) <= 10
        and not _ENDS_SENTENCE.search(text)
        and (text[:1].isupper() or text[:1].isdigit())
    )
    return Paragraph(text, "heading") if looks_like else paragraph


def _number(marked: re.Match[str]) -> str | None:
    return marked.group("number") or marked.group("paren")


def _marker(text: str) -> tuple[str, str] | None:
    """A number typed at the start of a paragraph ("12. We agree…"): the number and the rest."""
    marked = _MARKER.match(text)
    number = _number(marked) if marked else None
    return (number, marked.group("rest")) if marked and number else None


def _item(text: str, section: str | None, number: str, title: str | None) -> DraftItem:
    return DraftItem(text, section, number, source_of(title, number))


def _clean(text: str) -> str:
    """Soft line breaks and runs of spaces become one space; Markdown bold marks go."""
    return _EMPHASIS.sub(r"\2", " ".join(text.split()))


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

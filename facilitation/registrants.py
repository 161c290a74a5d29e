"""Registrant lists: reading a CSV file and checking every row against a session.

Rules this module keeps:
- Every problem of a file is found, not only the first: each is a
  `(row, reason)` pair, rows numbered as a spreadsheet shows them (the
  header is row 1).
- Nothing here reads a file or a clock: the text comes in, rows go out.
- An email is compared by its `email_key` (a keyed digest the shell makes),
  so the log never needs the address itself to refuse a duplicate.
"""

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from .errors import BadRequest
from .state import SessionState
from .vocabulary import MAX_EMAIL, MAX_NAME, MAX_REGISTRANT_ROWS, ParticipantChannel

Problem = tuple[int, str]

# The columns of a registrant list, and the header names each may go by.
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "name": ("name", "full name"),
    "email": ("email", "e-mail", "email address"),
    "stakeholder_group": ("stakeholder_group", "stakeholder group", "group"),
    "channel": ("channel", "on-site or online", "attendance", "participation"),
    "language": ("language", "lang"),
}
CHANNEL_WORDS: Final[dict[str, ParticipantChannel]] = {
    "on-site": "in_room",
    "on_site": "in_room",
    "onsite": "in_room",
    "in_room": "in_room",
    "online": "remote",
    "remote": "remote",
}
# Deliberately plain: one @, no spaces, a dot in the domain. Whether the
# address exists is for the mail server to say (a failed delivery).
EMAIL: Final = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]{2,}$")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row of the file, by column, before any check."""

    row: int
    values: dict[str, str]


def read_csv(text: str) -> tuple[list[RawRow], list[Problem]]:
    """The data rows of a registrant list, and the problems of its header.

    A missing column is reported once, on row 1; then no row is read.
    """
    if len(text) > 0 and text[0] == "\ufeff":  # a spreadsheet's byte order mark
        text = text[1:]
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as error:
        return [], [(1, f"not a readable CSV file ({error})")]
    if not lines:
        return [], [(1, "the file is empty: it needs a header row and one row per registrant")]
    found = _header(lines[0])
    missing = [column for column in COLUMNS if column not in found]
    if missing:
        return [], [(1, f"missing column: {name}") for name in missing]
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are no registrants
        values = {
            column: cells[index].strip() if index < len(cells) else ""
            for column, index in found.items()
        }
        rows.append(RawRow(number, values))
    if len(rows) > MAX_REGISTRANT_ROWS:
        raise BadRequest(
            f"The file has {len(rows)} registrants; one import takes at most "
            f"{MAX_REGISTRANT_ROWS}: split it into several files."
        )
    return rows, []


def _delimiter(text: str) -> str:
    """The header row's separator: spreadsheets in many locales save CSV with `;`
    (a comma is their decimal mark), some export tabs."""
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count)


def _header(cells: Sequence[str]) -> dict[str, int]:
    names = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = names.get(cell.strip().lower())
        if column is not None and column not in found:
            found[column] = index
    return found


def channel_of(word: str) -> ParticipantChannel | None:
    return CHANNEL_WORDS.get(word.strip().lower())


def row_problems(values: Mapping[str, str], state: SessionState) -> list[str]:
    """What is wrong with one row against this session (empty: nothing)."""
    found = [f"missing column: {c}" for c in COLUMNS if not values.get(c, "").strip()]
    if found:
        return found
    if len(values["name"]) > MAX_NAME:
        found.append(f"name longer than {MAX_NAME} characters")
    email = values["email"]
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        found.append(f"bad email {email[:80]!r}")
    if values["stakeholder_group"] not in state.stakeholder_groups:
        found.append(f"unknown group {values['stakeholder_group'][:80]!r}")
    if channel_of(values["channel"]) is None:
        found.append(f"unknown channel {values['channel'][:40]!r} (on-site or online)")
    if values["language"].lower() not in state.languages:
        found.append(
            f"unknown language {values['language'][:20]!r} "
            f"(this session has {', '.join(state.languages)})"
        )
    return found


def duplicates(keys: Sequence[tuple[int, str]], state: SessionState) -> list[Problem]:
    """Rows whose email is already registered here, or repeats an earlier row's."""
    taken = {r.email_key for r in state.registrants.values() if not r.removed}
    first: dict[str, int] = {}
    found = []
    for row, key in keys:
        if key in taken:
            found.append((row, "duplicate email: already registered in this session"))
        elif key in first:
            found.append((row, f"duplicate email (also on row {first[key]})"))
        else:
            first[key] = row
    return found

"""Translations brought in as a file: CSV or JSON, one column per language.

A file names each proposition by `id` or by `position` (its number on the
agenda, withdrawn propositions left out) and carries one column per language
code of the session; an `original` column is allowed and ignored, so a file
can show the text it translates. An empty cell leaves that translation as it
is. Any bad column or row refuses the whole file with the row and the reason,
so an import changes all it names or nothing.
"""

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Final

from .errors import BadRequest, TooLarge
from .state import SessionState
from .vocabulary import MAX_PROPOSITION, TranslationsFormat

KEYS: Final = ("id", "position")
IGNORED: Final = ("original",)

Row = tuple[str, dict[str, Any]]  # (where, column -> cell)
Translation = tuple[str, str, str]  # (proposition_id, language, text)


def read(state: SessionState, format: TranslationsFormat, content: str) -> list[Translation]:
    """The translations the file sets, or a BadRequest naming the first fault."""
    rows = _csv_rows(content) if format == "csv" else _json_rows(content)
    agenda = [pid for pid in state.order if state.propositions[pid].status != "withdrawn"]
    found: list[Translation] = []
    seen: dict[str, str] = {}
    for where, row in rows:
        _check_columns(state, row)
        pid = _proposition(state, agenda, where, row)
        if pid in seen:
            raise BadRequest(f"{where}: this proposition was already given in {seen[pid]}.")
        seen[pid] = where
        for language in state.languages:
            cell = row.get(language)
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            if not isinstance(cell, str):
                raise BadRequest(f"{where}, column {language}: the translation must be text.")
            text = cell.strip()
            if len(text) > MAX_PROPOSITION:
                raise TooLarge(
                    f"{where}, column {language}: {len(text)} characters; "
                    f"the limit is {MAX_PROPOSITION}."
                )
            found.append((pid, language, text))
    if not seen:
        raise BadRequest("The file has no rows of translations.")
    return found


def _csv_rows(content: str) -> Iterator[Row]:
    lines = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    if not lines:
        raise BadRequest("The file is empty: its first row must name the columns.")
    header = [cell.strip().lower() for cell in lines[0]]
    if len(set(header)) != len(header):
        raise BadRequest("Row 1: a column is named twice.")
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) != len(header):
            raise BadRequest(
                f"Row {number} has {len(cells)} cells; the header row has {len(header)}."
            )
        yield f"Row {number}", dict(zip(header, cells, strict=True))


def _json_rows(content: str) -> Iterator[Row]:
    try:
        data = json.loads(content)
    except ValueError as error:
        raise BadRequest(f"The file is not JSON: {error}.") from None
    if not isinstance(data, list):
        raise BadRequest("The JSON file must be a list of objects, one per proposition.")
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise BadRequest(f"Item {number} is not an object of columns to values.")
        yield f"Item {number}", {str(k).strip().lower(): v for k, v in item.items()}


def _check_columns(state: SessionState, row: dict[str, Any]) -> None:
    allowed = (*KEYS, *IGNORED, *state.languages)
    for column in row:
        if column not in allowed:
            raise BadRequest(
                f"Column {column!r} is not one of: {', '.join(allowed)} "
                f"(id or position, original, then the session's languages)."
            )
    if not any(key in row for key in KEYS):
        raise BadRequest("The file needs an id or a position column to name each proposition.")


def _proposition(state: SessionState, agenda: list[str], where: str, row: dict[str, Any]) -> str:
    if "id" in row and str(row["id"]).strip():
        pid = str(row["id"]).strip()
        if pid not in state.propositions:
            raise BadRequest(f"{where}: there is no proposition with id {pid!r}.")
        if state.propositions[pid].status == "withdrawn":
            raise BadRequest(f"{where}: that proposition was withdrawn.")
        return pid
    raw = row.get("position")
    try:
        number = int(str(raw).strip())
    except ValueError:
        raise BadRequest(f"{where}: position {raw!r} is not a whole number.") from None
    if not 1 <= number <= len(agenda):
        raise BadRequest(
            f"{where}: there is no proposition at position {number} (the agenda has {len(agenda)})."
        )
    return agenda[number - 1]

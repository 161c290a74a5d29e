"""Outcome reports of a session, in four formats, from `facilitation.report` data.

`render(report, fmt)` is the one entry point the HTTP routes and the CLI use.
"""

import json
from collections.abc import Callable
from typing import Final

from facilitation.report import Report

from . import as_csv, as_html, as_markdown

FORMATS: Final = ("md", "html", "csv", "json")
MEDIA_TYPES: Final[dict[str, str]] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def as_json(report: Report) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


_RENDERERS: Final[dict[str, Callable[[Report], str]]] = {
    "md": as_markdown.render,
    "html": as_html.render,
    "csv": as_csv.render,
    "json": as_json,
}


def render(report: Report, fmt: str) -> str:
    """The report in `fmt`, one of FORMATS (KeyError otherwise)."""
    return _RENDERERS[fmt](report)

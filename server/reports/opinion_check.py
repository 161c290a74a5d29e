"""`plenary verify --report FILE.json`: a report's opinion figures against the log's.

The opinion section of a report (`facilitation.opinion_record.report`) is
derived from the log alone, so it can be recomputed: the log is replayed up to
the event the report was made at (its `version`, whose hash must be the
report's `head`), the groups are computed from scratch (the live map's and
each round number's), and every figure is compared. A report made while the
session went on is checked at its own point of the log, not against later
ratings.
"""

import json
from pathlib import Path
from typing import Any

from facilitation.opinion_record import (
    differences,
    of_round,
    of_state,
    report,
    round_count,
    shown_groups,
)
from facilitation.opinions import Opinions
from facilitation.state import SessionState

from .offline import LogFailure, read, verify
from .words import percent


class ReportUnreadable(Exception):
    """The file is not a JSON report with an opinion section."""


def read_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ReportUnreadable(f"Cannot read {path}: {error.strerror}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ReportUnreadable(
            f"{path} is not a JSON report (export one with --format json)."
        ) from None
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(data, dict) or "opinions" not in data or not isinstance(version, int):
        raise ReportUnreadable(
            f"{path} has no opinion section or no version: it is not a Plenary JSON report."
        )
    return data


def compare(data: Path, session_id: str, given: dict[str, Any]) -> list[str]:
    """The differences between the report's opinion section and the recomputation."""
    rows, _ = read(data, session_id)
    version = given["version"]
    if not 1 <= version <= len(rows):
        return [f"version: the report says {version}, the log has events 1 to {len(rows)}"]
    replayed = verify(rows[:version], session_id)
    head = given.get("head")
    if head != replayed.head:
        raise LogFailure(
            version, f"the report's head {head!r} is not this log's head at that event."
        )
    return differences(report(replayed.state), given["opinions"])


def opinion_lines(state: SessionState) -> list[str]:
    """The opinion groups recomputed from the log, for verify's output: the live map's
    (each proposition's latest round), then each round number's."""
    opinions = of_state(state)
    lines = [f"  opinions recomputed: {_groups_line(state, opinions)}"]
    for position, pid in enumerate(state.order, start=1):
        figure = opinions.consensus.get(pid)
        if figure is not None:
            lines.append(f"    {position}. consensus across opinion groups {percent(figure)}")
    for number in range(1, round_count(state) + 1):
        lines.append(f"    round {number}: {_groups_line(state, of_round(state, number))}")
    return lines


def _groups_line(state: SessionState, opinions: Opinions) -> str:
    shown = set(shown_groups(state, opinions))
    sizes = ", ".join(
        f"{g.label}: {g.size}" if g.label in shown else f"{g.label}: below {_least(state)}"
        for g in opinions.groups
    )
    return (
        f"{len(opinions.points)} placed, "
        f"{len(opinions.groups)} group(s){' (' + sizes + ')' if sizes else ''}"
    )


def _least(state: SessionState) -> int:
    return state.settings.min_group_size

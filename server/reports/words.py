"""How reports say things: labels of the fixed vocabulary, numbers, times.

Every renderer speaks through these, so the Markdown, HTML and CSV reports
never disagree on a figure's rounding or a label's wording. Times are UTC:
a report is read in many time zones, and the log stores epoch seconds.
"""

from datetime import UTC, datetime
from typing import Final

LABELS: Final[dict[str, str]] = {
    "strongly_agree": "Strongly agree",
    "agree": "Agree",
    "neutral": "Neutral",
    "disagree": "Disagree",
    "strongly_disagree": "Strongly disagree",
    "confused": "Confused",
    "in_room": "Room",
    "remote": "Remote",
    "hub": "Hubs",
    "point_of_order": "Point of order",
    "reply": "Reply",
    "clarify": "Clarify",
    "speak": "Speak",
    "rough_consensus": "Rough consensus",
    "no_consensus": "No consensus",
    "needs_revision": "Needs revision",
    "unmarked": "Unmarked",
    "draft": "Draft",
    "open": "Open",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
    "proposed": "Waiting",
    "accepted": "Accepted",
    "declined": "Declined",
    "unspecified": "Not given",
    "government": "Government",
    "private_sector": "Private sector",
    "civil_society": "Civil society",
    "technical_community": "Technical community",
    "academia": "Academia",
    "intergovernmental_organization": "Intergovernmental organization",
    "other": "Other",
    "live": "In the live hour",
    "window": "Outside the live hour",
    "low_sample": "few ratings",
    "confusion": "confusion",
    "registered": "Registered raters",
    "self_declared": "Self-declared raters",
}
SHORT_HEAD: Final = 12  # as the display shows it (server.chain.SHORT)
NONE: Final = "—"


def label(key: str) -> str:
    """The words for a vocabulary key; a session's own group names stay as given."""
    return LABELS.get(key, key)


def percent(share: float | None) -> str:
    return NONE if share is None else f"{share:.0%}"


def score(value: float | None) -> str:
    return NONE if value is None else f"{value:+.1f}"


def number(value: float | None, digits: int = 3) -> str:
    return NONE if value is None else f"{value:.{digits}f}"


def change(value: float | None) -> str:
    """A change of share in percentage points."""
    return NONE if value is None else f"{value * 100:+.0f} pts"


def when(epoch: float | None) -> str:
    if epoch is None:
        return NONE
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "speaking"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def short(head: str) -> str:
    return head[:SHORT_HEAD]


def provenance(found: dict[str, object] | None) -> str | None:
    """Where a carried-forward proposition comes from, in words (None: it was not carried)."""
    if found is None:
        return None
    share = found["agree_share"]
    agree = percent(share if isinstance(share, float | int) else None)
    return (
        f"Carried forward from \u201c{found['title']}\u201d (session {found['session_id']}, "
        f"head {found['head']}): {label(str(found['status']))}; round {found['round']}, "
        f"{found['total']} rating(s), agree {agree}."
    )

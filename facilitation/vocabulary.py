"""The fixed names of the wire contract (docs/protocol.md, "Names").

The client's and the load generator's vocabularies are generated from this
module (`scripts/generate`); `scripts/check` fails when they are stale.
"""

from typing import Final, Literal

Value = Literal["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree", "confused"]
Channel = Literal["in_room", "remote", "hub"]
ParticipantChannel = Literal["in_room", "remote"]
Intent = Literal["point_of_order", "reply", "clarify", "speak"]
MarkStatus = Literal["rough_consensus", "no_consensus", "needs_revision", "unmarked"]
Role = Literal["facilitator", "participant", "hub", "display"]
Status = Literal["draft", "open", "closed", "withdrawn"]
TimerAction = Literal["start", "pause", "reset"]
ResultsVisibility = Literal["on_reveal", "live"]
QueuePolicy = Literal["default", "fifo"]
TranslationsFormat = Literal["csv", "json"]
AmendmentStatus = Literal["proposed", "accepted", "declined", "withdrawn"]
# A session takes ratings while `open`; `closed` and `archived` (closed and kept
# out of the operator's list by default) refuse them with `closed`.
SessionStatus = Literal["open", "closed", "archived"]
# What the projector shows: `auto` follows the one open proposition (the agenda
# otherwise), `proposition` one the chair chose, `agenda` the whole list.
DisplayMode = Literal["auto", "proposition", "agenda"]
WindowStatus = Literal["scheduled", "open", "closed", "cancelled"]
# When a rating was given: "live" while the chair had the proposition open
# (proposition:open until proposition:close), "window" inside a rating window
# while it was not open live (docs/reports.md, "The live hour").
Timing = Literal["live", "window"]
# Who may take part: the join code (group declared), personal invitations, or both.
Admission = Literal["open", "registered", "both"]
# Whose ratings the rough-consensus suggestion follows when admission is `both`.
SuggestionBasis = Literal["all", "registered"]
# The two kinds of raters kept apart when admission is `both`; hub counts are self-declared.
RaterKind = Literal["registered", "self_declared"]

# The Idea Rating Sheet scale, in its order. Tallies are lists indexed by it.
SCALE: Final[tuple[Value, ...]] = (
    "strongly_agree",
    "agree",
    "neutral",
    "disagree",
    "strongly_disagree",
    "confused",
)
SCALE_INDEX: Final[dict[str, int]] = {value: i for i, value in enumerate(SCALE)}
STRONGLY_AGREE, AGREE, NEUTRAL, DISAGREE, STRONGLY_DISAGREE, CONFUSED = range(6)

CHANNELS: Final[tuple[Channel, ...]] = ("in_room", "remote", "hub")
PARTICIPANT_CHANNELS: Final[tuple[ParticipantChannel, ...]] = ("in_room", "remote")
INTENTS: Final[tuple[Intent, ...]] = ("point_of_order", "reply", "clarify", "speak")
MARKS: Final[tuple[MarkStatus, ...]] = (
    "rough_consensus",
    "no_consensus",
    "needs_revision",
    "unmarked",
)
ROLES: Final[tuple[Role, ...]] = ("facilitator", "participant", "hub", "display")
# The roles whose links are shared, not personal: rotated as a whole (`links:rotate`).
LinkRole = Literal["facilitator", "display"]
LINK_ROLES: Final[tuple[LinkRole, ...]] = ("facilitator", "display")
TIMER_ACTIONS: Final[tuple[TimerAction, ...]] = ("start", "pause", "reset")
RESULTS_VISIBILITY: Final[tuple[ResultsVisibility, ...]] = ("on_reveal", "live")
QUEUE_POLICIES: Final[tuple[QueuePolicy, ...]] = ("default", "fifo")
TRANSLATIONS_FORMATS: Final[tuple[TranslationsFormat, ...]] = ("csv", "json")
# What became of an amendment; `withdrawn`: its proposition was withdrawn first.
AMENDMENT_STATUSES: Final[tuple[AmendmentStatus, ...]] = (
    "proposed",
    "accepted",
    "declined",
    "withdrawn",
)
SESSION_STATUSES: Final[tuple[SessionStatus, ...]] = ("open", "closed", "archived")
DISPLAY_MODES: Final[tuple[DisplayMode, ...]] = ("auto", "proposition", "agenda")
WINDOW_STATUSES: Final[tuple[WindowStatus, ...]] = ("scheduled", "open", "closed", "cancelled")
TIMINGS: Final[tuple[Timing, ...]] = ("live", "window")
ADMISSIONS: Final[tuple[Admission, ...]] = ("open", "registered", "both")
SUGGESTION_BASES: Final[tuple[SuggestionBasis, ...]] = ("all", "registered")
RATER_KINDS: Final[tuple[RaterKind, ...]] = ("registered", "self_declared")

DEFAULT_GROUPS: Final[tuple[str, ...]] = (
    "government",
    "private_sector",
    "civil_society",
    "technical_community",
    "academia",
    "intergovernmental_organization",
    "other",
)
# Hub counts given without a split by group are counted under this group.
HUB_DEFAULT_GROUP: Final = "other"
# The six official UN languages, the languages of the views.
LANGUAGES: Final[tuple[str, ...]] = ("ar", "zh", "en", "fr", "ru", "es")

# Limits of free text, in characters.
MAX_COMMENT: Final = 1000
MAX_NAME: Final = 80
MAX_TITLE: Final = 200
MAX_PROPOSITION: Final = 2000
MAX_SOURCE: Final = 500
MAX_SECTION: Final = 200
MAX_NOTE: Final = 2000
MAX_GROUPS: Final = 30
MAX_GROUP_NAME: Final = 60
MAX_ATTENDANCE: Final = 100_000
MAX_TIMER_SECONDS: Final = 24 * 3600
MAX_WHY: Final = MAX_COMMENT  # an amendment's "why", bounded like a comment
# Amendments one person (or hub) may have waiting on one proposition.
MAX_PENDING_AMENDMENTS: Final = 3
# A translations file (CSV or JSON), in characters.
MAX_TRANSLATIONS_FILE: Final = 200_000
MAX_TIME_ZONE: Final = 64
# Rating windows a session may hold, and how long one may stay open.
MAX_WINDOWS: Final = 200
MAX_WINDOW_SECONDS: Final = 90 * 24 * 3600
# Propositions one carry-forward may bring back.
MAX_CARRIED: Final = 500
# Rows of one registrant import (a list beyond it is split into several files).
MAX_REGISTRANT_ROWS: Final = 2000
MAX_EMAIL: Final = 254

"""Session settings: named, defaulted, documented, validated.

Every setting is declared once as (name, default, help); `docs/settings.md`
is checked against these lists by a test, so a setting cannot go undocumented.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from math import isfinite
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import BadRequest
from .vocabulary import (
    ADMISSIONS,
    INTENTS,
    QUEUE_POLICIES,
    RESULTS_VISIBILITY,
    SUGGESTION_BASES,
    Admission,
    QueuePolicy,
    ResultsVisibility,
    SuggestionBasis,
)

CONSENSUS_SETTINGS: Final[tuple[tuple[str, float, str], ...]] = (
    ("min_ratings", 12, "Fewest ratings (hub counts included) before consensus is suggested."),
    ("min_agree_share", 0.70, "Share of agree + strongly agree needed."),
    ("max_strong_oppose_share", 0.10, "Largest share of strongly disagree allowed."),
    ("max_confused_share", 0.15, "Largest share of confused allowed."),
    ("min_group_agree_share", 0.5, "Agree share every group with enough ratings must reach."),
    ("min_group_ratings", 3, "Ratings a group needs before it counts for the group test."),
    (
        "min_opinion_consensus",
        0.0,
        "Consensus across opinion groups (docs/opinions.md) the suggestion also requires; "
        "0 means not required. Above 0, a proposition whose opinion groups are not known yet "
        "is not suggested.",
    ),
)
SESSION_SETTINGS: Final[tuple[tuple[str, object, str], ...]] = (
    (
        "results_visibility",
        "on_reveal",
        "`on_reveal`: distributions shown once the chair reveals "
        "them; `live`: shown to everyone while ratings flow (a quick temperature check).",
    ),
    (
        "speaking_seconds",
        120,
        "Speaking time the timer starts with when `queue:next` gives the floor.",
    ),
    (
        "queue_policy",
        "default",
        "`default`: the order of docs/protocol.md; `fifo`: first come, first served.",
    ),
    (
        "min_group_size",
        3,
        "Fewest raters a stakeholder group or channel needs before phones, hubs and the "
        "display see its breakdown; smaller ones are merged into `by_group_merged` / "
        "`by_channel_merged`, which are never smaller than it either. The console keeps "
        "full detail.",
    ),
    (
        "intent_seconds",
        {},
        'Speaking time per queue intent, e.g. `{"point_of_order": 60, "reply": 90}`; '
        "an intent not listed gets `speaking_seconds`. The console can still give the next "
        "speaker another time (`queue:next` with `seconds`).",
    ),
    ("consensus", None, "Thresholds of the rough-consensus suggestion (see below)."),
    (
        "opinions_every",
        200,
        "Opinion groups are recomputed once this many rating changes have come in "
        "(docs/opinions.md), off the path of acknowledgements.",
    ),
    (
        "opinions_seconds",
        5,
        "...or once this many seconds have passed since the last recompute and any rating "
        "changed; never more than one recompute at a time.",
    ),
    (
        "time_zone",
        "UTC",
        "IANA name of the session's time zone (e.g. `Europe/Geneva`): rating windows are "
        "set and shown in it.",
    ),
    (
        "admission",
        "open",
        "`open`: anyone with the join code, declaring a stakeholder group; `registered`: "
        "personal invitations only (the join code is refused); `both`: either, with "
        "registered and self-declared raters kept apart in tallies, metrics and the report.",
    ),
    (
        "suggestion_follows",
        "all",
        "`all`: the rough-consensus suggestion reads every rating; `registered`: with "
        "admission `both`, it reads the registered raters' ratings only.",
    ),
)

_SHARE_KEYS: Final = frozenset(
    {
        "min_agree_share",
        "max_strong_oppose_share",
        "max_confused_share",
        "min_group_agree_share",
        "min_opinion_consensus",
    }
)


@dataclass(frozen=True, slots=True)
class ConsensusThresholds:
    min_ratings: int = 12
    min_agree_share: float = 0.70
    max_strong_oppose_share: float = 0.10
    max_confused_share: float = 0.15
    min_group_agree_share: float = 0.5
    min_group_ratings: int = 3
    min_opinion_consensus: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            # NaN and infinity are numbers to Python's json module, not to us.
            if isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
                raise BadRequest(f"settings.consensus.{f.name} must be a number.")
            if f.name in _SHARE_KEYS and not 0 <= value <= 1:
                raise BadRequest(f"settings.consensus.{f.name} must be between 0 and 1.")
            if f.name not in _SHARE_KEYS and (value < 0 or int(value) != value):
                raise BadRequest(f"settings.consensus.{f.name} must be a whole number ≥ 0.")

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "ConsensusThresholds":
        _reject_unknown(raw, {name for name, _, _ in CONSENSUS_SETTINGS}, "settings.consensus")
        values = {
            k: (int(v) if k in {"min_ratings", "min_group_ratings"} and _whole(v) else v)
            for k, v in raw.items()
        }
        return cls(**values)

    def to_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class SessionSettings:
    results_visibility: ResultsVisibility = "on_reveal"
    speaking_seconds: int = 120
    queue_policy: QueuePolicy = "default"
    min_group_size: int = 3
    # (intent, seconds) pairs, sorted: a tuple keeps the settings immutable.
    intent_seconds: tuple[tuple[str, int], ...] = ()
    consensus: ConsensusThresholds = field(default_factory=ConsensusThresholds)
    opinions_every: int = 200
    opinions_seconds: int = 5
    time_zone: str = "UTC"
    admission: Admission = "open"
    suggestion_follows: SuggestionBasis = "all"

    def __post_init__(self) -> None:
        check_time_zone(self.time_zone)
        if self.admission not in ADMISSIONS:
            raise BadRequest("settings.admission must be 'open', 'registered' or 'both'.")
        if self.suggestion_follows not in SUGGESTION_BASES:
            raise BadRequest("settings.suggestion_follows must be 'all' or 'registered'.")
        if self.results_visibility not in RESULTS_VISIBILITY:
            raise BadRequest("settings.results_visibility must be 'on_reveal' or 'live'.")
        if self.queue_policy not in QUEUE_POLICIES:
            raise BadRequest("settings.queue_policy must be 'default' or 'fifo'.")
        size = self.min_group_size
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 1000:
            raise BadRequest("settings.min_group_size must be a whole number of raters, 1 to 1000.")
        seconds = self.speaking_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= 86400:
            raise BadRequest(
                "settings.speaking_seconds must be a whole number of seconds, 1 to 86400."
            )
        for intent, value in self.intent_seconds:
            if intent not in INTENTS:
                raise BadRequest(
                    f"settings.intent_seconds: unknown intent {intent!r}; "
                    f"known: {', '.join(INTENTS)}."
                )
            _check_whole(value, 1, 86400, f"settings.intent_seconds.{intent}", "seconds")
        _check_whole(self.opinions_every, 1, 1_000_000, "settings.opinions_every", "ratings")
        _check_whole(self.opinions_seconds, 1, 86400, "settings.opinions_seconds", "seconds")

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> "SessionSettings":
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise BadRequest("settings must be an object.")
        _reject_unknown(raw, {name for name, _, _ in SESSION_SETTINGS}, "settings")
        consensus = raw.get("consensus")
        if consensus is not None and not isinstance(consensus, Mapping):
            raise BadRequest("settings.consensus must be an object.")
        values = {k: v for k, v in raw.items() if k not in ("consensus", "intent_seconds")}
        base = cls(**values, intent_seconds=_intent_seconds(raw.get("intent_seconds")))
        return replace(base, consensus=ConsensusThresholds.from_dict(consensus or {}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "results_visibility": self.results_visibility,
            "speaking_seconds": self.speaking_seconds,
            "queue_policy": self.queue_policy,
            "min_group_size": self.min_group_size,
            "intent_seconds": dict(self.intent_seconds),
            "consensus": self.consensus.to_dict(),
            "opinions_every": self.opinions_every,
            "opinions_seconds": self.opinions_seconds,
            "time_zone": self.time_zone,
            "admission": self.admission,
            "suggestion_follows": self.suggestion_follows,
        }

    def seconds_for(self, intent: str) -> int:
        """The speaking time a turn of this intent starts with."""
        return dict(self.intent_seconds).get(intent, self.speaking_seconds)


def _intent_seconds(raw: object) -> tuple[tuple[str, int], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise BadRequest("settings.intent_seconds must be an object of intents to seconds.")
    return tuple(sorted((str(k), v) for k, v in raw.items()))


def check_time_zone(name: object) -> ZoneInfo:
    """The zone of an IANA name. The tz database is a fixed table shipped with
    Python or the system, read like a module, never the clock."""
    if not isinstance(name, str) or not 0 < len(name) <= 64 or name.startswith("/"):
        raise BadRequest("settings.time_zone must be an IANA time zone name, e.g. Europe/Geneva.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(
            f"settings.time_zone: {name!r} is not a known IANA time zone (e.g. Europe/Geneva)."
        ) from None


def _check_whole(value: object, low: int, high: int, name: str, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name} must be a whole number of {unit}, {low} to {high}.")


def _whole(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and isfinite(value)
        and int(value) == value
    )


def _reject_unknown(raw: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(raw) - known)
    if unknown:
        raise BadRequest(
            f"Unknown {where} key(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
        )


# The settings whose value is one of a few names, and the settings made of others.
CHOICES: Final[dict[str, tuple[str, ...]]] = {
    "results_visibility": RESULTS_VISIBILITY,
    "queue_policy": QUEUE_POLICIES,
    "admission": ADMISSIONS,
    "suggestion_follows": SUGGESTION_BASES,
}
NESTED: Final[dict[str, tuple[tuple[str, object, str], ...]]] = {"consensus": CONSENSUS_SETTINGS}


def describe(
    declared: tuple[tuple[str, object, str], ...] = SESSION_SETTINGS,
) -> list[dict[str, Any]]:
    """The declared settings as form fields: name, default, help, kind and its limits.

    Read from the declarations above, so a form built from it offers every
    setting there is; values are still checked by `SessionSettings.from_dict`.
    """
    return [_field(name, default, help_text) for name, default, help_text in declared]


def _field(name: str, default: object, help_text: str) -> dict[str, Any]:
    described: dict[str, Any] = {"name": name, "default": default, "help": help_text}
    if name in NESTED:
        described |= {"kind": "group", "fields": describe(NESTED[name])}
    elif name in CHOICES:
        described |= {"kind": "choice", "choices": list(CHOICES[name])}
    elif isinstance(default, bool):
        described["kind"] = "boolean"
    elif isinstance(default, int):
        described |= {"kind": "integer", "min": 0}
    elif isinstance(default, float):
        described["kind"] = "number"
    elif isinstance(default, dict | list):
        described["kind"] = "json"  # e.g. seconds per intent: edited as JSON text
    else:
        described["kind"] = "text"
    if name in _SHARE_KEYS:
        described |= {"kind": "number", "min": 0, "max": 1}
    return described

"""The baselines' whole state: the latest rating per connection and proposition.

Kept to what the burst needs to be comparable with Plenary (a running count
per proposition, coalesced into `state` updates); nothing is stored.
"""

from __future__ import annotations

from typing import Any

Update = dict[str, Any]


class Tally:
    """Counts the latest rating per rater and proposition, and says what changed."""

    def __init__(self) -> None:
        self._ratings: dict[str, dict[str, Any]] = {}
        self._version = 0
        self._dirty = False

    def open(self, proposition_id: str) -> None:
        self._ratings.setdefault(proposition_id, {})
        self._touch()

    def rate(self, proposition_id: str, rater: str, value: Any) -> None:
        ratings = self._ratings.setdefault(proposition_id, {})
        if value is None:
            ratings.pop(rater, None)
        else:
            ratings[rater] = value
        self._touch()

    def snapshot(self) -> Update:
        return {"version": self._version, "propositions": self._propositions()}

    def take_update(self) -> Update | None:
        """The `state` to send if anything changed since the last call, else None."""
        if not self._dirty:
            return None
        self._dirty = False
        return self.snapshot()

    def _touch(self) -> None:
        self._version += 1
        self._dirty = True

    def _propositions(self) -> list[Update]:
        return [
            {
                "id": proposition_id,
                "status": "open",
                "round": 1,
                "rounds": [{"round": 1, "total": len(ratings)}],
            }
            for proposition_id, ratings in self._ratings.items()
        ]

"""Snapshots are JSON data: a round trip gives an equal state; anything else is refused whole."""

import json
from dataclasses import dataclass, field, fields
from typing import Any

import pytest
from hypothesis import given, settings

from facilitation import snapshot as snap
from facilitation.state import SessionState

from .histories import EVERYTHING, Step, finished, histories


def round_trip(state: SessionState) -> SessionState:
    return snap.decode(json.loads(json.dumps(snap.encode(state))))


@settings(max_examples=60, deadline=None)
@given(histories(60, EVERYTHING))
def test_a_snapshot_rebuilds_an_equal_state(history: list[Step]) -> None:
    state = finished(history).state
    assert round_trip(state) == state
    assert round_trip(state).version == state.version


def test_the_format_names_the_state_shape() -> None:
    data = snap.encode(SessionState())
    assert data["format"] == snap.FORMAT
    assert len(snap.FORMAT) == 16
    with pytest.raises(snap.SnapshotError, match="another state shape"):
        snap.decode({**data, "format": "0" * 16})


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("version",), "7", "int was expected"),
        (("participants",), [], "an object was expected"),
        (("settings", "queue_policy"), "random", "is not one of"),
        (("settings", "speaking_seconds"), 0, "speaking_seconds"),
        (("timer",), {"duration": None}, "not the fields of Timer"),
    ],
)
def test_a_damaged_snapshot_is_refused_whole(
    path: tuple[str, ...], value: object, reason: str
) -> None:
    data: dict[str, Any] = json.loads(json.dumps(snap.encode(SessionState())))
    target, held = data["state"], SessionState()
    for key in path[:-1]:
        target, held = target[position(held, key)], getattr(held, key)
    target[position(held, path[-1])] = value
    with pytest.raises(snap.SnapshotError, match=reason):
        snap.decode(data)


def position(instance: Any, name: str) -> int:
    """Where a field's value is in a snapshot's array for its class."""
    return [f.name for f in fields(instance) if f.init].index(name)


def test_an_instance_is_the_array_of_its_fields_in_order() -> None:
    data = snap.encode(SessionState())["state"]
    state = SessionState()
    assert isinstance(data, list)
    assert data[position(state, "version")] == state.version
    settings = data[position(state, "settings")]
    assert settings[position(state.settings, "queue_policy")] == state.settings.queue_policy


def test_the_layout_is_part_of_the_format(monkeypatch: pytest.MonkeyPatch) -> None:
    """A snapshot written in another layout (objects keyed by field name, before)
    carries another format, so it is refused whole and the log replayed."""
    monkeypatch.setattr(snap, "LAYOUT", "objects keyed by field name")
    assert snap.fingerprint(SessionState) != snap.FORMAT
    keyed = {"format": snap.FORMAT, "state": {"version": 0}}  # even under this format
    with pytest.raises(snap.SnapshotError, match="not the fields of SessionState"):
        snap.decode(keyed)


def shaped(count: type) -> type:
    """Two classes, one holding the other, whose nested field has the type given."""

    @dataclass
    class Inner:
        count: Any

    Inner.__annotations__["count"] = count

    @dataclass
    class Outer:
        inner: Inner
        names: list[str] = field(default_factory=list)

    return Outer


def test_the_fingerprint_moves_with_any_field_of_any_class_held() -> None:
    assert snap.fingerprint(shaped(int)) == snap.fingerprint(shaped(int))
    assert snap.fingerprint(shaped(int)) != snap.fingerprint(shaped(float))


def test_not_a_snapshot_at_all() -> None:
    samples: list[object] = [None, [], "state", {"format": snap.FORMAT}]
    for data in samples:
        with pytest.raises(snap.SnapshotError):
            snap.decode(data)

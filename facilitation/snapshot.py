"""Snapshots as plain JSON data, derived from the state classes' own fields.

`encode(state)` gives JSON-ready data, each dataclass instance as the array
of its init fields' values in declaration order; `decode(data)` rebuilds an
equal `SessionState` or raises `SnapshotError`, never a half-built state. The
snapshot carries `FORMAT`, a fingerprint of that layout and of every state
class's field names and types: when a state class changes shape, older
snapshots no longer match and are refused whole, so the shell replays the log
instead. Nothing here
runs code from the data (unlike pickle): decoding only builds the classes
the type hints name.
"""

import hashlib
import types
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from functools import cache
from operator import attrgetter
from typing import Any, Final, Literal, Union, get_args, get_origin, get_type_hints

from .errors import FacilitationError
from .state import SessionState


class SnapshotError(ValueError):
    """The data is not a snapshot of this code's state shape."""


def encode(state: SessionState) -> dict[str, Any]:
    return {"format": FORMAT, "state": _encoder(SessionState)(state)}


def decode(data: object) -> SessionState:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError("The snapshot is of another state shape (or not a snapshot).")
    try:
        state = _decoder(SessionState)(data.get("state"))
    except _Bad as bad:
        raise SnapshotError(f"state{bad.where}: {bad.reason}") from None
    assert isinstance(state, SessionState)
    return state


# Encoders and decoders are built once per type hint, not worked out again for
# every value: a hall of 10,000 holds about 20,000 dataclass instances, and a
# walk that asked each one's hints and origin took 5.5 times as long as the
# JSON encoding of its result (`python -m bench.snapshot_bench`), on the event
# loop, at the end of a burst (docs/benchmarks.md, "A hall of 10,000").
Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _optional(args: tuple[Any, ...]) -> Any:
    return next(a for a in args if a is not type(None))


@cache
def _encoder(hint: Any) -> Encoder:
    origin, args = get_origin(hint), get_args(hint)
    if isinstance(hint, type) and is_dataclass(hint):
        return _dataclass_encoder(hint)
    if origin in (Union, types.UnionType):
        inner = _encoder(_optional(args))
        return inner if inner is _same else lambda value: None if value is None else inner(value)
    if origin is list or (origin is tuple and args[-1:] == (...,)):
        item = _encoder(args[0])
        return list if item is _same else lambda value: [item(i) for i in value]
    if origin is set:
        item = _encoder(args[0])
        return sorted if item is _same else lambda value: sorted(item(i) for i in value)
    if origin is dict:
        item = _encoder(args[1])
        return dict if item is _same else lambda value: {k: item(v) for k, v in value.items()}
    return _same  # str, int, float, bool, Literal: JSON as they are


def _dataclass_encoder(cls: type) -> Encoder:
    """An instance as the list of its init fields' values, in declaration order:
    the field names are in the format's fingerprint, not repeated per instance
    (a hall's snapshot is less than half the bytes and the JSON time)."""
    hints = _hints(cls)
    coded = [_encoder(hint) for hint in hints.values()]
    rich = tuple((at, code) for at, code in enumerate(coded) if code is not _same)
    # attrgetter reads every field in one call; it gives a bare value for one name.
    names = tuple(hints)
    take = attrgetter(*names) if names else (lambda value: ())
    single = len(names) == 1

    def encoded(value: Any) -> Any:
        if value is None:
            return None
        out = [take(value)] if single else list(take(value))
        for at, code in rich:
            out[at] = code(out[at])
        return out

    return encoded


class _Bad(Exception):
    """Where in the data (built from the inside out) and why it is not a snapshot."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.where = ""


def _within(bad: _Bad, step: str) -> _Bad:
    bad.where = f"{step}{bad.where}"
    return bad


@cache
def _decoder(hint: Any) -> Decoder:
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        inner = _decoder(_optional(args))
        if type(None) not in args:
            return inner
        return lambda value: None if value is None else inner(value)
    if isinstance(hint, type) and is_dataclass(hint):
        return _dataclass_decoder(hint)
    if origin in (list, tuple, set):
        return _sequence_decoder(origin, _decoder(args[0]))
    if origin is dict:
        return _mapping_decoder(_decoder(args[1]))
    if origin is Literal:
        return _literal_decoder(args)
    return _scalar_decoder(hint)


def _dataclass_decoder(cls: type) -> Decoder:
    coded = tuple((name, _decoder(hint)) for name, hint in _hints(cls).items())
    size = len(coded)

    def decoded(value: Any) -> Any:
        if not isinstance(value, list) or len(value) != size:
            raise _Bad(f"not the fields of {cls.__name__} ({size} values in order).")
        built = {}
        for (name, code), item in zip(coded, value, strict=True):
            try:
                built[name] = code(item)
            except _Bad as bad:
                raise _within(bad, f".{name}") from None
        try:
            return cls(**built)
        except (ValueError, FacilitationError) as error:  # the settings' own checks refused it
            raise SnapshotError(f"{cls.__name__}: {error}") from None

    return decoded


def _sequence_decoder(origin: Any, item: Decoder) -> Decoder:
    def decoded(value: Any) -> Any:
        if not isinstance(value, list):
            raise _Bad("a list was expected.")
        try:
            items = [item(i) for i in value]
        except _Bad as bad:
            raise _within(bad, "[]") from None
        return items if origin is list else tuple(items) if origin is tuple else set(items)

    return decoded


def _mapping_decoder(item: Decoder) -> Decoder:
    def decoded(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Bad("an object was expected.")
        out = {}
        for key, entry in value.items():
            try:
                out[str(key)] = item(entry)
            except _Bad as bad:
                raise _within(bad, f".{key}") from None
        return out

    return decoded


def _literal_decoder(allowed: tuple[Any, ...]) -> Decoder:
    def decoded(value: Any) -> Any:
        if value not in allowed:
            raise _Bad(f"{value!r} is not one of {allowed}.")
        return value

    return decoded


_KINDS: Final[dict[type, tuple[type, ...]]] = {
    str: (str,),
    bool: (bool,),
    int: (int,),
    float: (int, float),
}


def _scalar_decoder(hint: Any) -> Decoder:
    allowed = _KINDS.get(hint)
    if allowed is None:
        raise SnapshotError(f"No snapshot form for {hint!r}.")
    exact = hint is bool

    def decoded(value: Any) -> Any:
        if not isinstance(value, allowed) or (not exact and isinstance(value, bool)):
            raise _Bad(f"a {hint.__name__} was expected.")
        return value

    return decoded


@cache
def _hints(cls: type) -> dict[str, Any]:
    """The init fields of a dataclass, with their resolved types."""
    resolved = get_type_hints(cls)
    return {f.name: resolved[f.name] for f in fields(cls) if f.init}


def _shape(hint: Any, seen: dict[str, str]) -> str:
    if is_dataclass(hint) and isinstance(hint, type):
        name = hint.__qualname__
        if name not in seen:
            seen[name] = ""  # reserve the name first: the state classes form no cycle, but be safe
            hints = _hints(hint)
            seen[name] = ",".join(f"{f}:{_shape(t, seen)}" for f, t in hints.items())
        return name
    args = get_args(hint)
    if args:
        inner = ",".join("..." if a is ... else _shape(a, seen) for a in args)
        return f"{getattr(get_origin(hint), '__name__', str(get_origin(hint)))}[{inner}]"
    return repr(hint) if not isinstance(hint, type) else hint.__name__


# How values are laid out, beside the classes' shape: a snapshot written with
# another layout (objects keyed by field name, before this one) is refused by
# its format, and the shell replays the log instead.
LAYOUT: Final = "dataclasses as arrays of their init fields in order"


def fingerprint(root: type) -> str:
    """A digest of the layout and of the field names and types of `root` and every
    class it holds."""
    seen: dict[str, str] = {}
    _shape(root, seen)
    described = ";".join(f"{name}({body})" for name, body in sorted(seen.items()))
    return hashlib.sha256(f"{LAYOUT}\n{described}".encode()).hexdigest()[:16]


FORMAT: Final = fingerprint(SessionState)

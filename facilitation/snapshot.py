"""Snapshots as plain JSON data, derived from the state classes' own fields.

`encode(state)` gives JSON-ready data; `decode(data)` rebuilds an equal
`SessionState` or raises `SnapshotError`, never a half-built state. The
snapshot carries `FORMAT`, a fingerprint of every state class's field names
and types: when a state class changes shape, older snapshots no longer match
and are refused whole, so the shell replays the log instead. Nothing here
runs code from the data (unlike pickle): decoding only builds the classes
the type hints name.
"""

import hashlib
import types
from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any, Final, Literal, Union, get_args, get_origin, get_type_hints

from .errors import FacilitationError
from .state import SessionState


class SnapshotError(ValueError):
    """The data is not a snapshot of this code's state shape."""


def encode(state: SessionState) -> dict[str, Any]:
    return {"format": FORMAT, "state": _encode(state, SessionState)}


def decode(data: object) -> SessionState:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError("The snapshot is of another state shape (or not a snapshot).")
    state = _decode(data.get("state"), SessionState, "state")
    assert isinstance(state, SessionState)
    return state


def _encode(value: Any, hint: Any) -> Any:
    origin, args = get_origin(hint), get_args(hint)
    if value is None:
        return None
    if isinstance(hint, type) and is_dataclass(hint):
        hints = _hints(hint)
        return {f: _encode(getattr(value, f), hints[f]) for f in hints}
    if origin in (Union, types.UnionType):
        return _encode(value, next(a for a in args if a is not type(None)))
    if origin is list or (origin is tuple and args[-1:] == (...,)):
        return [_encode(item, args[0]) for item in value]
    if origin is set:
        return sorted(_encode(item, args[0]) for item in value)
    if origin is dict:
        return {key: _encode(item, args[1]) for key, item in value.items()}
    return value


def _decode(value: Any, hint: Any, where: str) -> Any:
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _decode(value, next(a for a in args if a is not type(None)), where)
    if isinstance(hint, type) and is_dataclass(hint):
        hints = _hints(hint)
        if not isinstance(value, dict) or set(value) != set(hints):
            raise SnapshotError(f"{where}: not the fields of {hint.__name__}.")
        built = {f: _decode(value[f], hints[f], f"{where}.{f}") for f in hints}
        return _build(hint, built)
    if origin is list or origin is tuple or origin is set:
        if not isinstance(value, list):
            raise SnapshotError(f"{where}: a list was expected.")
        items = [_decode(item, args[0], f"{where}[]") for item in value]
        return items if origin is list else tuple(items) if origin is tuple else set(items)
    if origin is dict:
        if not isinstance(value, dict):
            raise SnapshotError(f"{where}: an object was expected.")
        return {str(k): _decode(item, args[1], f"{where}.{k}") for k, item in value.items()}
    if origin is Literal:
        if value not in args:
            raise SnapshotError(f"{where}: {value!r} is not one of {args}.")
        return value
    return _scalar(value, hint, where)


def _build(cls: Any, values: dict[str, Any]) -> Any:
    try:
        return cls(**values)
    except (ValueError, FacilitationError) as error:  # the settings' own checks refused it
        raise SnapshotError(f"{cls.__name__}: {error}") from None


def _scalar(value: Any, hint: Any, where: str) -> Any:
    kinds = {str: (str,), bool: (bool,), int: (int,), float: (int, float)}
    allowed = kinds.get(hint)
    if allowed is None:
        raise SnapshotError(f"{where}: no snapshot form for {hint!r}.")
    if not isinstance(value, allowed) or (hint is not bool and isinstance(value, bool)):
        raise SnapshotError(f"{where}: a {hint.__name__} was expected.")
    return value


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


def fingerprint(root: type) -> str:
    """A digest of the field names and types of `root` and every class it holds."""
    seen: dict[str, str] = {}
    _shape(root, seen)
    described = ";".join(f"{name}({body})" for name, body in sorted(seen.items()))
    return hashlib.sha256(described.encode()).hexdigest()[:16]


FORMAT: Final = fingerprint(SessionState)

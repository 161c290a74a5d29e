"""Domain commands as JSON, for forwarding one from the worker that received it
to the session's owner (server/forwarding.py).

The command is forwarded as built, not as the wire payload it came from: the
ids the caller chose (a new participant's, an entry's) are chosen once, HTTP
commands (a join, a status change) travel the same way as socket commands,
and the owner's constructors check the values again on decoding. Values are
tagged so that tuples, nested command dataclasses and settings come back as
they were: `{"T": [...]}` a tuple, `{"D": [[k, v], ...]}` a dict, `{"S": {...}}`
session settings, `{"C": name, "F": {...}}` a dataclass of `facilitation.commands`.
"""

import dataclasses
import typing
from typing import Any, Final

from facilitation import commands as c
from facilitation.errors import BadRequest
from facilitation.settings import SessionSettings

# Every dataclass the commands module defines: the commands and the rows they carry.
_CLASSES: Final[dict[str, type[Any]]] = {
    name: cls
    for name, cls in vars(c).items()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == c.__name__
}
_COMMANDS: Final = frozenset(typing.get_args(c.Command))
assert all(cls.__name__ in _CLASSES for cls in _COMMANDS)
# Each class's field names, read once: `dataclasses.fields` on every value was a
# visible share of a forwarding worker's time in a burst.
_FIELDS: Final = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _CLASSES.values()}


def encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return {"T": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"D": [[key, encode(item)] for key, item in value.items()]}
    if isinstance(value, SessionSettings):
        return {"S": value.to_dict()}
    names = _FIELDS.get(type(value))
    if names is not None:
        fields = {name: encode(getattr(value, name)) for name in names}
        return {"C": type(value).__name__, "F": fields}
    raise TypeError(f"a command carries a {type(value).__name__}, which cannot be forwarded")


def decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return [decode(item) for item in value] if isinstance(value, list) else value
    if "T" in value:
        return tuple(decode(item) for item in value["T"])
    if "D" in value:
        return {key: decode(item) for key, item in value["D"]}
    if "S" in value:
        return SessionSettings.from_dict(value["S"])
    cls = _CLASSES.get(value.get("C", ""))
    if cls is None:
        raise BadRequest(f"A forwarded command names no known command: {value.get('C')!r}.")
    return cls(**{name: decode(item) for name, item in value["F"].items()})


def decode_command(value: Any) -> c.Command:
    command = decode(value)
    if type(command) not in _COMMANDS:
        raise BadRequest("A forwarded message holds no command.")
    return typing.cast(c.Command, command)

"""The JSON codec of socket.io packets: a message that is not JSON we can read
becomes a command of its own, answered `bad_request` with its ack id.

python-socketio decodes a packet's JSON after reading its ack id; when that
decode raises (nesting deeper than Python's recursion limit, an integer too
long to convert), it logs a traceback and the sender never gets an answer.
Here the decode gives `[MALFORMED, {"reason": …}]` instead, so the gateway
answers the sender with a code and a message, and nobody else is affected.
"""

import json
from typing import Any, Final

from engineio import json as _json

MALFORMED: Final = "\x00malformed"  # no command name can start with NUL


def _bounded_int(digits: str) -> int:
    if len(digits) > 100:  # int() of a huge literal is slow: refused, as engine.io does
        raise ValueError("Integer is too large")
    return int(digits)


# One decoder and one encoder for every packet: json.loads and json.dumps
# with any keyword build a new decoder (with its scanner) or encoder per
# call, which was an allocation site per message.
_DECODER: Final = json.JSONDecoder(parse_int=_bounded_int)
_COMPACT: Final = (",", ":")  # the separators python-socketio encodes packets with
_ENCODER: Final = json.JSONEncoder(separators=_COMPACT)


def dumps(data: Any, **kwargs: Any) -> str:
    if kwargs.keys() == {"separators"} and tuple(kwargs["separators"]) == _COMPACT:
        return _ENCODER.encode(data)
    return str(_json.dumps(data, **kwargs))


def loads(text: Any, **kwargs: Any) -> Any:
    try:
        if kwargs or not isinstance(text, str):
            return _json.loads(text, **kwargs)
        return _DECODER.decode(text)
    except RecursionError:
        return [MALFORMED, {"reason": "The message is nested too deeply to be a command."}]
    except ValueError as error:
        return [MALFORMED, {"reason": f"The message is not valid JSON for a command: {error}."}]

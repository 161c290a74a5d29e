"""The JSON codec of socket.io packets: a message that is not JSON we can read
becomes a command of its own, answered `bad_request` with its ack id.

python-socketio decodes a packet's JSON after reading its ack id; when that
decode raises (nesting deeper than Python's recursion limit, an integer too
long to convert), it logs a traceback and the sender never gets an answer.
Here the decode gives `[MALFORMED, {"reason": …}]` instead, so the gateway
answers the sender with a code and a message, and nobody else is affected.
"""

from typing import Any, Final

from engineio import json as _json

MALFORMED: Final = "\x00malformed"  # no command name can start with NUL


def dumps(*args: Any, **kwargs: Any) -> str:
    return str(_json.dumps(*args, **kwargs))


def loads(*args: Any, **kwargs: Any) -> Any:
    try:
        return _json.loads(*args, **kwargs)
    except RecursionError:
        return [MALFORMED, {"reason": "The message is nested too deeply to be a command."}]
    except ValueError as error:
        return [MALFORMED, {"reason": f"The message is not valid JSON for a command: {error}."}]

"""Nothing half-wired: every command and event of the unions has each of its parts.

A command added to `Command` without a rule, a wire entry (or HTTP route), a
line in docs/protocol.md or a generator in the random histories fails here,
naming what is missing; so does an event without its apply handler, its
`TOUCHES` entry or a JSON sample.
"""

from pathlib import Path
from typing import get_args

import pytest

from facilitation import commands as c
from facilitation import events as ev
from facilitation.apply import APPLY
from facilitation.decide import RULES
from facilitation.outcomes import FIELDS
from facilitation.views import TOUCHES
from server.registry import COMMANDS, HTTP_COMMANDS, SHELL_COMMANDS

from .histories import BUILD
from .test_events import SAMPLES

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
ALL_COMMANDS = get_args(c.Command)
ALL_EVENTS = get_args(ev.Event)


def by_name(kinds: tuple[type, ...]) -> list[type]:
    return sorted(kinds, key=lambda kind: kind.__name__)


@pytest.mark.parametrize("command", by_name(ALL_COMMANDS), ids=lambda k: k.__name__)
def test_every_command_has_a_rule(command: type) -> None:
    assert command in RULES, f"{command.__name__} has no rule in facilitation.decide.RULES"
    assert RULES[command].outcome.__name__ in FIELDS, f"{command.__name__}'s outcome lacks fields"


@pytest.mark.parametrize("command", by_name(ALL_COMMANDS), ids=lambda k: k.__name__)
def test_every_command_reaches_the_wire_and_the_docs(command: type) -> None:
    names = [name for name, entry in COMMANDS.items() if entry.command is command]
    route = HTTP_COMMANDS.get(command)
    shell = SHELL_COMMANDS.get(command)
    assert names or route or shell, f"{command.__name__} has no entry in server.registry"
    wired = len(names) + (route is not None) + (shell is not None)
    assert wired == 1, f"{command.__name__} is wired twice"
    documented = f"`{names[0]} {{" if names else f"`{route}" if route else f"`{command.__name__}`"
    assert documented in DOCS, f"{command.__name__}: docs/protocol.md lacks {documented}"


@pytest.mark.parametrize("command", by_name(ALL_COMMANDS), ids=lambda k: k.__name__)
def test_every_command_is_drawn_in_random_histories(command: type) -> None:
    assert command.__name__ in BUILD, f"tests/facilitation/histories.py: no {command.__name__}"


@pytest.mark.parametrize("event", by_name(ALL_EVENTS), ids=lambda k: k.__name__)
def test_every_event_has_a_handler_a_touch_and_a_sample(event: type) -> None:
    assert event in APPLY, f"{event.__name__} has no handler in facilitation.apply.APPLY"
    assert event in TOUCHES, f"{event.__name__} has no entry in facilitation.views.TOUCHES"
    assert event in ev.TYPE_NAMES, f"{event.__name__} has no JSON type name in events.EVENT_TYPES"
    assert any(type(s) is event for s in SAMPLES), f"{event.__name__}: no JSON sample"


def test_the_tables_hold_nothing_else() -> None:
    assert set(RULES) == set(ALL_COMMANDS)
    assert set(APPLY) == set(ALL_EVENTS) == set(TOUCHES) == set(ev.TYPE_NAMES)
    wired = {entry.command for entry in COMMANDS.values()} | set(HTTP_COMMANDS)
    assert wired | set(SHELL_COMMANDS) == set(ALL_COMMANDS)

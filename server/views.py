"""The shell's side of role views: rooms, and the links and log head added to them."""

import time
from collections.abc import Iterable
from typing import Any, Final

from facilitation.opinion_record import (
    console,
    display,
    own_group,
    results_public,
    with_opinion_figures,
)
from facilitation.opinions import Opinions
from facilitation.views import ROLE_SECTIONS, view
from facilitation.vocabulary import LINK_ROLES, LinkRole

from .auth import Authenticator
from .live import LiveSession


def room(session_id: str, role: str, subject: str = "") -> str:
    """The socket.io room of one audience: a role, and for hubs, one hub."""
    return f"{session_id}/{role}/{subject}" if role == "hub" else f"{session_id}/{role}"


# Sections the shell adds to the core's (facilitation.views.ROLE_SECTIONS): opinion
# groups are computed by the shell at its own cadence (server/opinions.py).
SHELL_SECTIONS: Final[dict[str, tuple[str, ...]]] = {
    "facilitator": ("opinions",),
    "display": ("opinions",),
}


def sections_of(role: str) -> tuple[str, ...]:
    return ROLE_SECTIONS[role] + SHELL_SECTIONS.get(role, ())


def personal(session_id: str, participant_id: str) -> str:
    """The socket.io room of one participant's connections."""
    return f"{session_id}/p/{participant_id}"


def role_view(
    runner: LiveSession,
    role: str,
    subject: str,
    now: float,
    sections: Iterable[str] | None = None,
) -> dict[str, Any]:
    wanted = None if sections is None else set(sections)
    body = view(runner.state, role, subject, now, wanted)
    if "session" in body:
        body["session"]["join_url"] = runner.join_url
    if "propositions" in body:
        with_opinion_figures(runner.state, body["propositions"], runner.opinions, role)
    if "opinions" in SHELL_SECTIONS.get(role, ()) and (wanted is None or "opinions" in wanted):
        body["opinions"] = _opinions(runner, role)
    if role == "participant" and subject and wanted is None:  # a phone's own snapshot
        body["opinion_group"] = own_group(runner.state, runner.opinions, subject)
    return body


def _opinions(runner: LiveSession, role: str) -> Any:
    """The role's opinion section, built once per result and what it depends on (a map
    of 10,000 points is not rebuilt on every flush of a burst)."""
    state = runner.state
    depends = (results_public(state), state.settings.min_group_size, tuple(state.order))
    found = _memo.get((runner.session_id, role))
    if found is not None and found[0] is runner.opinions and found[1] == depends:
        return found[2]
    section = (console if role == "facilitator" else display)(state, runner.opinions)
    _memo[(runner.session_id, role)] = (runner.opinions, depends, section)
    return section


_memo: dict[tuple[str, str], tuple[Opinions | None, tuple[Any, ...], Any]] = {}


def snapshot(runner: LiveSession, role: str, subject: str) -> dict[str, Any]:
    """Everything `role` may see, with the version and the log's head."""
    return {
        "version": runner.state.version,
        "role": role,
        "head": runner.head_short,
        **role_view(runner, role, subject, time.time()),
    }


# The view each shared link opens.
SHARED_VIEWS: Final[dict[LinkRole, str]] = {"facilitator": "console", "display": "display"}


def shared_link(auth: Authenticator, runner: LiveSession, role: LinkRole) -> tuple[str, str]:
    """A token for the current generation of the console's or the projector's link
    (after `links:rotate`, the new one), and the link."""
    token = auth.issue(runner.session_id, role, "", runner.state.link_epochs.get(role, 0))
    return token, runner.link(SHARED_VIEWS[role], token)


def shared_links(auth: Authenticator, runner: LiveSession) -> dict[LinkRole, tuple[str, str]]:
    return {role: shared_link(auth, runner, role) for role in LINK_ROLES}


def hub_link(auth: Authenticator, runner: LiveSession, hub_id: str) -> tuple[str, str]:
    """A token for the hub's current link generation, and its console link."""
    token = auth.issue(runner.session_id, "hub", hub_id, runner.state.hubs[hub_id].epoch)
    return token, runner.link("hub", token)

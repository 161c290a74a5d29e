"""The shell's side of role views: rooms, and the links and log head added to them."""

import time
from collections.abc import Iterable
from typing import Any, Final

from facilitation.views import view
from facilitation.vocabulary import LINK_ROLES, LinkRole

from .auth import Authenticator
from .runner import SessionRunner


def room(session_id: str, role: str, subject: str = "") -> str:
    """The socket.io room of one audience: a role, and for hubs, one hub."""
    return f"{session_id}/{role}/{subject}" if role == "hub" else f"{session_id}/{role}"


def role_view(
    runner: SessionRunner,
    role: str,
    subject: str,
    now: float,
    sections: Iterable[str] | None = None,
) -> dict[str, Any]:
    body = view(runner.state, role, subject, now, sections)
    if "session" in body:
        body["session"]["join_url"] = runner.join_url
    return body


def snapshot(runner: SessionRunner, role: str, subject: str) -> dict[str, Any]:
    """Everything `role` may see, with the version and the log's head."""
    return {
        "version": runner.state.version,
        "role": role,
        "head": runner.head_short,
        **role_view(runner, role, subject, time.time()),
    }


# The view each shared link opens.
SHARED_VIEWS: Final[dict[LinkRole, str]] = {"facilitator": "console", "display": "display"}


def shared_link(auth: Authenticator, runner: SessionRunner, role: LinkRole) -> tuple[str, str]:
    """A token for the current generation of the console's or the projector's link
    (after `links:rotate`, the new one), and the link."""
    token = auth.issue(runner.session_id, role, "", runner.state.link_epochs.get(role, 0))
    return token, runner.link(SHARED_VIEWS[role], token)


def shared_links(auth: Authenticator, runner: SessionRunner) -> dict[LinkRole, tuple[str, str]]:
    return {role: shared_link(auth, runner, role) for role in LINK_ROLES}


def hub_link(auth: Authenticator, runner: SessionRunner, hub_id: str) -> tuple[str, str]:
    """A token for the hub's current link generation, and its console link."""
    token = auth.issue(runner.session_id, "hub", hub_id, runner.state.hubs[hub_id].epoch)
    return token, runner.link("hub", token)

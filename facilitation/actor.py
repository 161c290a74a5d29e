"""Who gives a command: a role, and for participants and hubs their id."""

from dataclasses import dataclass
from typing import Literal

from .vocabulary import Role

# The session roles of tokens, plus those that act without one: the
# operator (admin token) creates sessions, a guest (join code) joins one,
# the shell's scheduler opens and closes rating windows on time.
ActorRole = Role | Literal["operator", "guest", "scheduler"]


@dataclass(frozen=True, slots=True)
class Actor:
    role: ActorRole
    subject: str = ""

"""`plenary serve --demo`: a ready session to try everything in a minute."""

import sys
from typing import TextIO

import segno

from facilitation import Actor
from facilitation import commands as c

from .app import Parts
from .live import LiveSession
from .sessions import new_id
from .views import hub_link

PROPOSITIONS = (
    (
        "Main sessions should end with propositions that every participant can rate.",
        "Option paper, section 2",
    ),
    (
        "Rough consensus should be judged across stakeholder groups, not by counting heads.",
        "Option paper, section 3",
    ),
    ("Remote hubs should have the same place in the speaker queue as the room.", None),
    ("The chair's summary should list the objections that were weighed.", None),
)
DEMO_KEY = "demo_session"


async def ensure_demo(parts: Parts, base_url: str) -> LiveSession:
    """The demo session of this data directory, created on first use."""
    known = await parts.store.get_meta(DEMO_KEY)
    if known is not None:
        return await parts.sessions.get(known)
    command = c.CreateSession(
        new_id(),
        "Plenary demo: outcomes of a main session",
        parts.sessions.fresh_join_code(),
        propositions=tuple((new_id(), t, s) for t, s in PROPOSITIONS),
    )
    runner = await parts.sessions.create(command, base_url)
    await runner.submit(c.InviteHub(new_id(), "Demo remote hub", 40), Actor("facilitator"))
    await parts.store.set_meta(DEMO_KEY, runner.session_id)
    return runner


def print_banner(parts: Parts, runner: LiveSession, out: TextIO = sys.stdout) -> None:
    created = parts.api.created(runner)
    hub_id = next(iter(runner.state.hubs), None)
    lines = [
        "",
        f"Plenary demo session: {runner.state.title}",
        f"  Facilitator console: {created['urls']['console']}",
        f"  Projector display:   {created['urls']['display']}",
        f"  Join (phones):       {created['urls']['join']}   code {created['join_code']}",
    ]
    if hub_id is not None:
        lines.append(f"  Remote hub console:  {hub_link(parts.auth, runner, hub_id)[1]}")
    print("\n".join(lines), file=out)
    print("\nScan to join:", file=out)
    segno.make(created["urls"]["join"], error="m").terminal(out=out, compact=True)
    out.flush()

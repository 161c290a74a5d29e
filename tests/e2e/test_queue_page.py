"""A long speaker queue in a real browser: the console shows its first page and
"show more" reaches the rest, whose entries the chair still moves and removes; the
projector counts everyone waiting though it holds only the head."""

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewContext
from tests.e2e.views import FULL_HD, open_view
from tests.live import LiveServer, Peer

pytestmark = pytest.mark.browser
WAITING = 55  # more than the console's page of 50


async def _hub_speakers(server: LiveServer, created: dict[str, Any]) -> None:
    chair = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    invited = await chair.call("hub:invite", {"name": "Hub", "attendance": 60})
    hub = await Peer(server.url, invited["token"]).connect()
    for i in range(WAITING):
        payload = {"name": f"Speaker {i}", "stakeholder_group": "academia", "intent": "speak"}
        assert (await hub.call("hub:speaker", payload))["ok"]
    await hub.close()
    await chair.close()


def test_the_chair_reaches_and_moves_an_entry_beyond_the_first_page(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created = live_server.create_session(title="Long queue", propositions=["One"])
    console = open_view(new_context(1440, 1000), created["urls"]["console"])
    display = open_view(new_context(**FULL_HD), created["urls"]["display"])
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _hub_speakers(live_server, created)).result()
    queue = console.locator(".queue-list li")
    expect(queue).to_have_count(50)
    expect(console.locator(".queue-showing")).to_have_text("Showing 50 of 55 waiting.")
    expect(display.locator(".next-list li")).to_have_count(4)
    expect(display.get_by_text("+51 more waiting")).to_be_visible()
    console.get_by_role("button", name="Show more speakers").click()
    expect(queue).to_have_count(WAITING)
    expect(console.get_by_role("button", name="Show more speakers")).to_be_hidden()
    # The last entry moves up a place, though the live view never carried it.
    queue.last.get_by_role("button", name=re.compile("^Move up")).click()
    expect(queue.nth(WAITING - 2)).to_contain_text("Speaker 54")
    expect(queue.last).to_contain_text("Speaker 53")
    queue.last.get_by_role("button", name=re.compile("^Remove")).click()
    expect(queue).to_have_count(WAITING - 1)
    expect(display.get_by_text("+50 more waiting")).to_be_visible()

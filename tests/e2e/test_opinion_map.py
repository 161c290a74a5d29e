"""Opinion groups in Chromium: the console's map, groups and both figures on each
card, the projector's map after a reveal, and a phone's own group (English and
Arabic, axe-clean). The ratings come from fifteen scripted phones rating by
three planted profiles (tests/opinion_play.py)."""

import asyncio
import concurrent.futures
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewContext
from tests.e2e.views import FULL_HD, PHONE, card, open_view, screenshot, serious_violations
from tests.live import LiveServer
from tests.opinion_play import Played, grouped, play

pytestmark = pytest.mark.browser
MARKERS = "svg.opinion-svg > :not(line)"


async def scripted(server: LiveServer) -> Played:
    played = await play(server)
    await played.facilitator.until(grouped, timeout=15)
    first = played.proposition_ids[0]
    ack = await played.facilitator.call(
        "results:reveal", {"proposition_id": first, "visible": True}
    )
    assert ack["ok"]
    await played.close()
    return played


@pytest.mark.parametrize("locale", ["en-US", "ar"])
def test_console_map_figures_projector_map_and_own_group(
    live_server: LiveServer, new_context: NewContext, locale: str
) -> None:
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        played = thread.submit(asyncio.run, scripted(live_server)).result()
    urls = played.created["urls"]
    first = played.proposition_ids[0]

    console = open_view(new_context(1440, 1000, locale=locale), urls["console"])
    panel = console.locator("section.opinions")
    expect(panel.locator(MARKERS)).to_have_count(15)
    expect(panel.locator(".opinion-groups > li")).to_have_count(3)
    figures = card(console, first).locator(".consensus-figures")
    expect(figures.locator('[data-figure="opinion_groups"]')).to_have_text("0.47")
    expect(figures.locator('[data-figure="stakeholder_groups"]')).to_have_text("0.62")

    display = open_view(new_context(**FULL_HD, locale=locale), urls["display"])
    expect(display.locator(".display-opinions " + MARKERS)).to_have_count(15)
    shown = display.locator("body").inner_text()
    assert not any(name in shown for name in played.names)

    phone_context = new_context(**PHONE, locale=locale)
    key = f"plenary:participant:{played.created['join_code']}"
    phone_context.add_init_script(f"localStorage.setItem({key!r}, {played.tokens[0]!r});")
    phone = open_view(phone_context, urls["join"])
    own = phone.locator(".own-opinion-group")
    expect(own).to_be_visible()
    if locale == "en-US":
        expect(own).to_have_text(re.compile(r"opinion group [123] of 3\."))
        expect(panel.locator("h2")).to_have_text("Opinion groups")
    else:
        expect(own).to_contain_text("مجموعة الرأي")
        expect(panel.locator("h2")).to_have_text("مجموعات الرأي")
    expect(phone.locator("svg.opinion-svg")).to_have_count(0)

    for name, page in (("console", console), ("display", display), ("phone", phone)):
        screenshot(page, f"opinions-{name}-{locale}", full_page=name != "display")
        assert serious_violations(page) == [], name

"""The chair sets a rating window in the console, a phone rates inside it and
says until when (in the session's time zone), the console shows the ratings
outside the live hour apart, and the chair publishes the outcome, which an
anonymous browser then opens from the console's link. Both views stay axe-clean."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewContext
from tests.e2e.views import PHONE, card, join_phone, open_view, rate, serious_violations
from tests.live import LiveServer

pytestmark = pytest.mark.browser

ZONE = "Asia/Tokyo"


def typed(minutes_from_now: int) -> str:
    """A time as a datetime-local field holds it, in the session's zone."""
    moment = datetime.now(ZoneInfo(ZONE)) + timedelta(minutes=minutes_from_now)
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_a_window_set_in_the_console_reaches_the_phone(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created = live_server.create_session(
        "Windows", ["Rate me before the hour."], settings={"time_zone": ZONE}
    )
    pid = created["propositions"][0]["id"]
    console = open_view(new_context(1440, 1000), created["urls"]["console"])
    panel = console.locator("section.windows")
    expect(panel).to_contain_text(ZONE)
    panel.get_by_label("Proposition").select_option(pid)
    panel.get_by_label("Opens at").fill(typed(-5))
    panel.get_by_label("Closes at").fill(typed(120))
    closes = datetime.strptime(typed(120), "%Y-%m-%dT%H:%M")
    panel.get_by_role("button", name="Set window").click()
    expect(panel.locator('li[data-status="open"]')).to_have_count(1)
    expect(card(console, pid).locator(".badge.window-open")).to_be_visible()

    phone = join_phone(new_context(**PHONE), created["urls"]["join"], "academia")
    until = card(phone, pid).locator(".until-note")
    expect(until).to_contain_text("You may rate until")
    expect(until).to_contain_text(ZONE)
    expect(until).to_contain_text(closes.strftime("%-I:%M"))  # the wall clock in Tokyo
    rate(phone, pid, "agree")
    timing = card(console, pid).locator("table", has_text="Outside the live hour")
    expect(timing).to_be_visible()
    expect(timing.locator("tr", has_text="Outside the live hour")).to_contain_text("1")
    assert serious_violations(phone) == []
    assert serious_violations(console) == []

    outcome = console.locator("section.publish")
    outcome.get_by_role("button", name="Publish outcome").click()
    expect(outcome.locator(".outcome-state")).to_contain_text("Published (version")
    link = outcome.locator("a.outcome-link")
    expect(link).to_be_visible()
    reader = open_view(new_context(), link.inner_text())  # no token
    expect(reader.get_by_role("heading", name="Outcome: Windows")).to_be_visible()

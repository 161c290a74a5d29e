"""Phones on real networks: a reload keeps the person joined, a dropped
server shows "Reconnecting…" and re-syncs, a removed participant is told
and can join again, and the phone's code stays small."""

import pytest
from playwright.sync_api import Page, Response, expect

from tests.e2e.conftest import NewContext
from tests.e2e.views import DIST, PHONE, card, console_click, gzip_size, join_phone, open_view, rate
from tests.live import LiveServer

pytestmark = pytest.mark.browser

PHONE_JS_BUDGET = 80 * 1024  # gzipped, all of the phone's JavaScript


def test_a_reloaded_phone_stays_the_same_participant(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created = live_server.create_session(title="Reload", propositions=["One."])
    first = created["propositions"][0]["id"]
    console = open_view(new_context(), created["urls"]["console"])
    console_click(console, first, "Open")
    phone = join_phone(new_context(**PHONE), created["urls"]["join"], name="Kofi")
    rate(phone, first, "neutral", why="Need the numbers.")
    phone.reload()
    expect(card(phone, first).locator('button[data-value="neutral"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(card(phone, first).get_by_label("Why? (optional)")).to_have_value("Need the numbers.")
    expect(phone.locator("form.join")).to_have_count(0)
    expect(console.locator(".participant-list li")).to_have_count(1)


def test_a_dropped_server_shows_reconnecting_then_resyncs(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created = live_server.create_session(title="Flaky wifi", propositions=["First.", "Second."])
    first, second = (p["id"] for p in created["propositions"])
    console = open_view(new_context(), created["urls"]["console"])
    console_click(console, first, "Open")
    phone = join_phone(new_context(**PHONE), created["urls"]["join"])
    rate(phone, first, "agree")
    banner = phone.locator(".banner")
    expect(banner).to_be_hidden()

    live_server.stop()
    expect(banner).to_have_text("Reconnecting…")
    expect(console.locator(".banner")).to_be_visible()
    live_server.start()  # same port and data: the session is restored from disk
    # socket.io backs off up to 5 s between attempts.
    expect(banner).to_be_hidden(timeout=15_000)
    expect(console.locator(".banner")).to_be_hidden(timeout=15_000)
    console_click(console, second, "Open")
    expect(card(phone, second)).to_be_visible()
    expect(card(phone, first).locator('button[data-value="agree"]')).to_have_attribute(
        "aria-pressed", "true"
    )


def test_a_removed_participant_is_told_and_can_join_again(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created = live_server.create_session(title="Removal", propositions=["One."])
    console = open_view(new_context(), created["urls"]["console"])
    phone = join_phone(new_context(**PHONE), created["urls"]["join"], name="Troll")
    people = console.locator(".participant-list")
    expect(people).to_contain_text("Troll")
    console.once("dialog", lambda dialog: dialog.accept())
    people.get_by_role("button", name="Remove: Troll").click()
    expect(people.locator("li.is-removed")).to_contain_text("Troll")

    expect(phone.locator(".fatal")).to_contain_text("This link is no longer valid")
    phone.get_by_role("button", name="Join again").click()
    expect(phone.locator("form.join")).to_be_visible()


def test_a_bad_link_says_so(live_server: LiveServer, new_context: NewContext) -> None:
    page = open_view(new_context(**PHONE), live_server.url + "/join/NOSUCHCODE")
    expect(page.locator(".fatal")).to_be_visible()
    expect(page.locator(".fatal")).not_to_be_empty()
    expect(page.locator("form.join")).to_have_count(0)
    console = open_view(new_context(), live_server.url + "/console#token=forged")
    expect(console.locator(".fatal")).to_contain_text("This link is no longer valid")
    expect(
        open_view(new_context(), live_server.url + "/display").locator(".fatal")
    ).to_contain_text("no access token")


def test_the_phone_loads_little_javascript(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created = live_server.create_session(title="Weight", propositions=["One."])
    context = new_context(**PHONE)
    page: Page = context.new_page()
    scripts: list[str] = []

    def record(response: Response) -> None:
        if response.url.endswith(".js"):
            scripts.append(response.url.rsplit("/", 1)[-1])

    page.on("response", record)
    page.goto(created["urls"]["join"])
    page.get_by_label("Stakeholder group").select_option("other")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator(".whoami")).not_to_be_empty()
    assert scripts, "the phone loaded no script at all"
    assert not [s for s in scripts if s.startswith(("console", "display", "hub"))], scripts
    total = sum(gzip_size(DIST / "assets" / name) for name in scripts)
    print(f"phone JavaScript: {len(scripts)} files, {total} bytes gzipped")
    assert total <= PHONE_JS_BUDGET, (total, scripts)


def test_user_text_is_shown_as_text_never_as_markup(
    live_server: LiveServer, new_context: NewContext
) -> None:
    markup = '<img src=x onerror="document.body.dataset.owned=1">Hubs <b>first</b>'
    created = live_server.create_session(title="<i>Title</i>", propositions=[markup])
    first = created["propositions"][0]["id"]
    console = open_view(new_context(), created["urls"]["console"])
    display = open_view(new_context(), created["urls"]["display"])
    console_click(console, first, "Open")
    phone = join_phone(new_context(**PHONE), created["urls"]["join"], name="<script>x()</script>")
    rate(phone, first, "disagree", why="<a href='javascript:x()'>why</a>")
    phone.get_by_role("button", name="Raise hand").click()
    for page in (console, display, phone):
        expect(card(page, first).locator(".prop-text")).to_have_text(markup)
        expect(card(page, first).locator(".prop-text img, .prop-text b")).to_have_count(0)
        expect(page.locator("header .title")).to_contain_text("<i>Title</i>")
    expect(console.locator(".queue-list")).to_contain_text("<script>x()</script>")
    expect(console.locator(".objection-list .comment")).to_have_text(
        "<a href='javascript:x()'>why</a>"
    )
    expect(console.locator(".objection-list a")).to_have_count(0)
    for page in (console, display, phone):
        assert page.evaluate("() => document.body.dataset.owned") is None

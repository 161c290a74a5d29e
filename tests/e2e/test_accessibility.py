"""Every view, populated as in a live session, passes axe-core without
serious or critical violations, in English and in Arabic (right to left);
the UI follows the browser's language and can be switched."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import NewContext
from tests.e2e.views import (
    FULL_HD,
    HD,
    PHONE,
    card,
    console_click,
    join_phone,
    open_view,
    rate,
    screenshot,
    serious_violations,
)
from tests.live import LiveServer

pytestmark = pytest.mark.browser


@dataclass
class Live:
    join: str
    console: str
    display: str
    hub: str
    phone_storage: dict[str, str]


def live_session(live_server: LiveServer, new_context: NewContext) -> Live:
    """A session mid-flight: one proposition open, rated, revealed and marked,
    a hub invited, a hand raised and one person speaking."""
    created = live_server.create_session(
        title="Outcomes of the main session",
        propositions=[
            "Hubs should have an equal place in the queue.",
            "Summaries list objections.",
        ],
    )
    first = created["propositions"][0]["id"]
    console = open_view(new_context(1440, 1000), created["urls"]["console"])
    console_click(console, first, "Open")
    invite = console.locator(".invite-form")
    invite.get_by_label("Hub name").fill("Remote hub")
    invite.get_by_role("button", name="Invite hub").click()
    hub_url = console.locator("input.hub-url").input_value()
    speaker = join_phone(new_context(**PHONE), created["urls"]["join"], "government", name="Ana")
    speaker.get_by_role("button", name="Raise hand").click()
    expect(console.locator(".queue-list li")).to_have_count(1)
    phone = join_phone(new_context(**PHONE), created["urls"]["join"], "academia", name="Sam")
    rate(phone, first, "disagree", why="Too vague.")
    phone.get_by_role("button", name="Raise hand").click()
    expect(console.locator(".queue-list li")).to_have_count(2)
    console.get_by_role("button", name="Next speaker").click()
    console_click(console, first, "Reveal results")
    mark = card(console, first).locator(".mark-form")
    mark.locator("select").select_option("rough_consensus")
    mark.locator("textarea").fill("Hubs to be consulted.")
    mark.get_by_role("button", name="Save mark").click()
    expect(card(console, first).locator('.badge[data-mark="rough_consensus"]')).to_be_visible()
    storage = {k: v for k, v in phone.evaluate("() => Object.entries(localStorage)")}
    return Live(
        created["urls"]["join"],
        created["urls"]["console"],
        created["urls"]["display"],
        hub_url,
        storage,
    )


def ready(page: Page) -> Page:
    """Waits until a socket view shows its snapshot (the title is the session's)."""
    expect(page.locator("header .title")).to_contain_text("Outcomes of the main session")
    return page


def operator_page(server: LiveServer, context: BrowserContext) -> Page:
    """The operator's page signed in, its settings open: the list and the whole form."""
    page = open_view(context, server.url + "/admin")
    page.locator("input[type=password]").fill(server.admin_token)
    page.locator("form.sign-in button[type=submit]").click()
    expect(page.locator("table.sessions tbody tr").first).to_be_visible()
    page.locator("details.settings summary").click()
    return page


@pytest.mark.parametrize(
    ("locale", "lang", "direction"),
    # English and Arabic (right to left) as required; Russian for the longest
    # labels, Chinese for another script.
    [
        ("en-US", "en", "ltr"),
        ("ar-EG", "ar", "rtl"),
        ("ru-RU", "ru", "ltr"),
        ("zh-CN", "zh", "ltr"),
    ],
)
def test_every_view_passes_axe(
    live_server: LiveServer, new_context: NewContext, locale: str, lang: str, direction: str
) -> None:
    live = live_session(live_server, new_context)
    join_form = open_view(new_context(**PHONE, locale=locale), live.join)
    expect(join_form.locator("form.join select").first).to_be_visible()

    phone_context = new_context(**PHONE, locale=locale)
    # The same person as in the setup: their stored token, so no join form.
    phone_context.add_init_script(
        "".join(
            f"localStorage.setItem({k!r}, {v!r});"
            for k, v in live.phone_storage.items()
            if k.startswith("plenary:participant:")
        )
    )
    code_page = open_view(new_context(**PHONE, locale=locale), live.join.split("/join/")[0] + "/")
    expect(code_page.locator("form.code-form input")).to_be_visible()
    views = {
        "code-page": code_page,
        "join-form": join_form,
        "phone": ready(open_view(phone_context, live.join)),
        "console": ready(open_view(new_context(1440, 1000, locale=locale), live.console)),
        "display": ready(open_view(new_context(**FULL_HD, locale=locale), live.display)),
        "hub": ready(open_view(new_context(1280, 900, locale=locale), live.hub)),
        "admin": operator_page(live_server, new_context(1440, 1000, locale=locale)),
    }
    expect(views["display"].locator(".dbar-legend").first).to_be_visible()
    expect(views["phone"].locator(".position")).to_be_visible()
    for name, page in views.items():
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("html")).to_have_attribute("dir", direction)
        screenshot(page, f"{name}-{lang}")
        assert serious_violations(page) == [], name
    # The projector at the other size it must serve.
    views["display"].set_viewport_size(HD)
    screenshot(views["display"], f"display-1280x720-{lang}")


def test_language_follows_the_browser_and_can_be_switched(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created = live_server.create_session(title="Langues", propositions=["Une proposition."])
    page = open_view(new_context(**PHONE, locale="fr-FR"), created["urls"]["join"])
    expect(page.get_by_role("button", name="Rejoindre")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator("#ui-language").select_option("zh")
    expect(page.get_by_role("button", name="加入")).to_be_visible()
    page.locator("#ui-language").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("button", name="انضمام")).to_be_visible()
    # The choice is kept for the next visit.
    page.reload()
    expect(page.get_by_role("button", name="انضمام")).to_be_visible()

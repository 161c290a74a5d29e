"""Texts in the session's languages and amendments from the floor, in a real
browser: translations imported in the console reach an Arabic and a French
phone (each can see the original), the projector shows the session's main
language; an amendment typed on a phone is accepted in the console into a new
round and the phone shows "Accepted"; axe stays clean on the new parts."""

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import NewContext
from tests.e2e.views import FULL_HD, PHONE, card, console_click, open_view, serious_violations
from tests.live import LiveServer

pytestmark = pytest.mark.browser

ORIGINAL = "Hubs have the same place in the queue as the room."
FRENCH = "Les hubs ont la même place dans la file que la salle."
ARABIC = "للمراكز المكان نفسه في الطابور مثل القاعة."
AMENDED = "Hubs and remote speakers have the same place in the queue as the room."
TRANSLATIONS = f"position,original,fr,ar\n1,{ORIGINAL},{FRENCH},{ARABIC}\n"


def phone(new_context: NewContext, live_server: LiveServer, code: str, locale: str) -> Page:
    """A participant who joined in the language of `locale`, on a phone in that language."""
    language = locale.split("-")[0]
    token = live_server.join(code, "civil_society", "remote", language=language)["token"]
    context: BrowserContext = new_context(**PHONE, locale=locale)
    context.add_init_script(f"localStorage.setItem('plenary:participant:{code}', {token!r});")
    return open_view(context, f"{live_server.url}/join/{code}")


def test_phones_read_their_language_and_an_amendment_is_accepted(
    live_server: LiveServer, new_context: NewContext
) -> None:
    # French is the session's main language: the projector shows it.
    created = live_server.create_session(
        "Langues et amendements", [ORIGINAL], languages=["fr", "en", "ar"]
    )
    (first,) = (p["id"] for p in created["propositions"])
    code = created["join_code"]
    console = open_view(new_context(1440, 1000), created["urls"]["console"])
    expect(console.locator(".prop-list article")).to_have_count(1)
    console.locator(".translations-import input[type=file]").set_input_files(
        {"name": "translations.csv", "mimeType": "text/csv", "buffer": TRANSLATIONS.encode()}
    )
    console.locator(".translations-import").get_by_role("button", name="Import", exact=True).click()
    expect(console.locator(".translations-import [role=status]")).to_have_text(
        "2 translations imported."
    )
    console_click(console, first, "Open")

    arabic = phone(new_context, live_server, code, "ar-EG")
    french = phone(new_context, live_server, code, "fr-FR")
    for page, text, lang in ((arabic, ARABIC, "ar"), (french, FRENCH, "fr")):
        shown = card(page, first).locator(".prop-text")
        expect(shown).to_have_text(text)
        expect(shown).to_have_attribute("lang", lang)
        toggle = card(page, first).locator(".toggle-original")
        toggle.click()
        expect(shown).to_have_text(ORIGINAL)
        toggle.click()
        expect(shown).to_have_text(text)
    display = open_view(new_context(**FULL_HD), created["urls"]["display"] + "&also=ar")
    expect(card(display, first).locator(".prop-text")).to_have_text(FRENCH)
    expect(card(display, first).locator(".prop-also")).to_have_text(ARABIC)

    # The French phone proposes a rewording; the console sees group and channel.
    form = card(french, first).locator("details.amend")
    # The form holds the wording as it stands the moment it opens: filled a moment
    # later, it could land between selecting the box and typing into it (as `fill`
    # does, in two steps), and propose the old wording and the new run together.
    opened_with = form.evaluate(
        "d => { d.querySelector('summary').click(); return d.querySelector('textarea').value; }"
    )
    assert opened_with == ORIGINAL
    form.locator("textarea").first.fill(AMENDED)
    form.get_by_role("button").click()
    own = french.locator(".own-amendments li")
    expect(own).to_have_attribute("data-status", "proposed")
    pending = card(console, first).locator("article.amendment")
    expect(pending.locator("q")).to_have_text(AMENDED)  # exactly what was typed
    expect(pending).to_contain_text("Civil society · Remote")
    assert serious_violations(console) == [], "console"
    assert serious_violations(french) == [], "phone"

    pending.get_by_role("button", name="Accept and open a new round").click()
    expect(own).to_have_attribute("data-status", "accepted")
    expect(own).to_contain_text("Acceptée")
    # The new revision has no translation yet: every phone reads the new original.
    expect(card(arabic, first).locator(".prop-text")).to_have_text(AMENDED)
    expect(card(arabic, first).locator(".toggle-original")).to_be_hidden()
    expect(card(console, first).locator(".badges .badge", has_text="Revision 2")).to_be_visible()
    assert serious_violations(arabic) == [], "arabic phone"


def test_the_console_revises_withdraws_undoes_a_close_and_reorders(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created = live_server.create_session(
        "Agenda", ["First paragraph.", "Second paragraph.", "Third paragraph."]
    )
    first, second, third = (p["id"] for p in created["propositions"])
    console = open_view(new_context(1440, 1000), created["urls"]["console"])
    console.on("dialog", lambda dialog: dialog.accept())  # the withdrawal asks first
    order = console.locator(".prop-list > article")
    expect(order).to_have_count(3)

    # Keyboard: the handle of the first, End → last; typed position 1 → first again.
    card(console, first).locator(".drag-handle").press("End")
    expect(order.last).to_have_attribute("data-proposition", first)
    position = card(console, third).locator(".position-form")
    position.get_by_label("Position").fill("1")
    position.get_by_role("button", name="Move").click()
    expect(order.first).to_have_attribute("data-proposition", third)
    # Dragging the second onto the first card's place.
    card(console, second).locator(".drag-handle").drag_to(order.first)
    expect(order.first).to_have_attribute("data-proposition", second)

    # Open, close, undo the close: round 1 is open again.
    console_click(console, first, "Open")
    console_click(console, first, "Close")
    expect(card(console, first).locator(".badge.status-closed")).to_be_visible()
    card(console, first).get_by_role("button", name="Undo close: First paragraph.").click()
    expect(card(console, first).locator(".badge.status-open")).to_be_visible()

    # Revised into round 2; the record keeps revision 1 with round 1.
    card(console, first).get_by_role("button", name="Edit text: First paragraph.").click()
    card(console, first).get_by_label("Text", exact=True).fill("First paragraph, amended.")
    card(console, first).get_by_role("button", name="Save and open a new round").click()
    expect(card(console, first).locator(".prop-text")).to_have_text("First paragraph, amended.")
    expect(card(console, first).locator(".badges")).to_contain_text("Revision 2")
    expect(card(console, first).locator(".wordings-record")).to_contain_text(
        "Round 1 rated revision 1 · Round 2 rated revision 2"
    )

    card(console, third).get_by_role("button", name="Withdraw: Third paragraph.").click()
    expect(card(console, third).locator(".badge.status-withdrawn")).to_be_visible()
    display = open_view(new_context(**FULL_HD), created["urls"]["display"])
    # The projector follows the open proposition, in its new wording.
    expect(card(display, first).locator(".prop-text")).to_have_text("First paragraph, amended.")
    expect(display.locator(f'[data-proposition="{third}"]')).to_have_count(0)
    assert serious_violations(console) == [], "console"

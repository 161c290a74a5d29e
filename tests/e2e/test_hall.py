"""The hall in a real browser against the real server: a projector that shows
a long proposition whole and the next speakers unclipped, switched to the
agenda from the console; a phone given the floor with its countdown, paused
and yielded; a hub counting by group; the chair's mark and note reaching a
phone, a hub and the projector; and the front page taking a code as typed.

One server and one session for the whole module: the views are opened once
and followed through the steps, as in a real hour."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.views import FULL_HD, PHONE, card, console_click, open_view, screenshot
from tests.e2e.views import serious_violations as axe_violations
from tests.live import LiveServer

pytestmark = pytest.mark.browser

# Sixty words: long enough that a three-line clamp would hide its end.
LONG = (
    "Main sessions of the Forum should end with a short list of propositions that every "
    "participant, whether in the room, connected remotely or gathered in a hub, can rate "
    "before the chair writes the summary, and the summary should record the objections "
    "that were weighed, the groups that did not agree, and the reasons given for the "
    "wording kept unchanged."
)
assert len(LONG.split()) == 60
SHORT = "Remote hubs should have the same place in the speaker queue as the room."
LAST_WORD = "unchanged."
SPEAKERS = [
    "Wanjiru Kamau-Odhiambo",
    "Dr. Maria-José Fernández de la Cruz",
    "Li Wei",
    "Omar Haddad",
]
NOTE = "Hubs to be consulted on the wording before the summary."

# The element (or, with `lastWord`, its text's last word) as drawn: its box,
# whether the viewport holds it, and every ancestor that would clip it.
CLIPPING = """([el, lastWord]) => {
  let box = el.getBoundingClientRect();
  if (lastWord) {
    const node = [...el.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
    const text = node.textContent.trimEnd();
    const range = document.createRange();
    range.setStart(node, text.lastIndexOf(" ") + 1);
    range.setEnd(node, text.length);
    box = range.getBoundingClientRect();
  }
  const outside = (outer) => box.top < outer.top - 0.5 || box.bottom > outer.bottom + 0.5 ||
    box.left < outer.left - 0.5 || box.right > outer.right + 0.5;
  const clippedBy = [];
  for (let a = el.parentElement; a; a = a.parentElement) {
    const style = getComputedStyle(a);
    if (style.overflowX !== "visible" || style.overflowY !== "visible") {
      if (outside(a.getBoundingClientRect())) clippedBy.push(a.className || a.tagName);
    }
  }
  const viewport = { top: 0, left: 0, bottom: innerHeight, right: innerWidth };
  return { width: box.width, height: box.height, inViewport: !outside(viewport), clippedBy,
           fontSize: parseFloat(getComputedStyle(el).fontSize) };
}"""


def drawn_whole(page: Page, selector: str, last_word: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = page.locator(selector).evaluate(
        f"(el) => ({CLIPPING})([el, {str(last_word).lower()}])"
    )
    assert found["width"] > 0, (selector, found)
    assert found["height"] > 0, (selector, found)
    assert found["inViewport"], (selector, found)
    assert found["clippedBy"] == [], (selector, found)
    return found


def no_axe_violations(page: Page, name: str) -> None:
    assert axe_violations(page) == [], name


@pytest.fixture(scope="module")
def hall_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("hall") / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def session(hall_server: LiveServer) -> dict[str, Any]:
    """A session whose code has a 0 or a 1, so a look-alike letter can be typed for it."""
    while True:
        created = hall_server.create_session(
            title="IGF main session",
            propositions=[LONG, SHORT],
            settings={"intent_seconds": {"point_of_order": 60}},
        )
        if {"0", "1"} & set(created["join_code"]):
            return created


@pytest.fixture
def device(browser: Browser) -> Iterator[Any]:
    opened: list[BrowserContext] = []

    def make(width: int, height: int, locale: str = "en-US") -> BrowserContext:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


def test_the_front_page_takes_a_code_as_typed(
    hall_server: LiveServer, session: dict[str, Any], device: Any
) -> None:
    page = open_view(device(**PHONE), hall_server.url + "/")
    field = page.get_by_label("Session code")
    field.fill("ZZZZ-ZZZZ")
    page.get_by_role("button", name="Continue").click()
    error = page.locator(".field-error")
    expect(error).to_have_text("No session has this code. Check it on the screen and try again.")
    expect(field).to_have_attribute("aria-invalid", "true")
    screenshot(page, "code-page-wrong-en")
    code = session["join_code"]
    typed = code.lower().replace("0", "o").replace("1", "l")
    field.fill(typed)
    expect(error).to_be_hidden()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{hall_server.url}/join/{code}")
    expect(page.get_by_label("Stakeholder group")).to_be_visible()
    arabic = open_view(device(**PHONE, locale="ar-EG"), hall_server.url + "/")
    expect(arabic.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(arabic, "code-page-ar")
    no_axe_violations(arabic, "code page (ar)")
    no_axe_violations(page, "join form after the code")


def test_the_hall(hall_server: LiveServer, session: dict[str, Any], device: Any) -> None:
    long_id, short_id = (p["id"] for p in session["propositions"])
    urls = session["urls"]
    console = open_view(device(1440, 1000), urls["console"])
    display = open_view(device(**FULL_HD), urls["display"])
    # No proposition is open: the projector shows the agenda, not "no proposition yet".
    expect(display.locator(".agenda .agenda-item")).to_have_count(2)
    expect(display.locator(".empty")).to_have_count(0)
    expect(display.locator("#ui-language")).to_be_hidden()  # no language menu on the projector

    console_click(console, long_id, "Open")
    focus = display.locator(".focus")
    expect(focus).to_have_attribute("data-proposition", long_id)
    expect(focus.locator(".prop-text")).to_have_text(LONG)
    shown = drawn_whole(display, ".focus .prop-text", last_word=True)
    assert shown["fontSize"] >= 32, shown

    phone = join_phone(device(**PHONE), urls["join"], "Amina")
    hub = invite_hub(console, device)
    phone.get_by_label("Point of order").check()
    phone.get_by_role("button", name="Raise hand").click()
    expect(phone.locator(".position")).to_have_text("You are number 1 in the queue")
    add_hub_speakers(hub)
    expect(display.locator(".next-list li")).to_have_count(4)

    # The chair gives the floor: a point of order gets its own, shorter, time.
    hint = console.locator(".next-time")
    expect(hint).to_have_text(
        "Amina gets 1:00, the time for “Point of order”. Type seconds to give another time."
    )
    console.get_by_role("button", name="Next speaker").click()
    expect(display.locator(".speaker-big")).to_have_text("Amina")
    expect(display.locator(".next-list li")).to_have_count(4)
    for i in range(4):
        drawn_whole(display, f".next-list li >> nth={i}")
    drawn_whole(display, ".speaker-big")
    expect(phone.locator(".floor .floor-text")).to_have_text("You have the floor")
    expect(phone.locator(".floor .clock")).to_have_text(re.compile(r"^(1:00|0:5\d)$"))
    expect(phone.locator(".floor")).to_be_in_viewport()
    # A point of order is heard once: the next hand is to speak.
    expect(phone.get_by_label("Speak", exact=True)).to_be_checked()
    console.locator(".timer").get_by_role("button", name="Pause", exact=True).click()
    expect(display.locator(".countdown .paused")).to_have_text("Paused")
    expect(phone.locator(".floor .paused")).to_have_text("Paused")
    screenshot(display, "hall-display-speaker-paused-en")
    screenshot(phone, "hall-phone-floor-en")
    phone.get_by_role("button", name="I'm done").click()
    expect(display.locator(".speaker-big")).to_have_text("Nobody has the floor.")
    expect(phone.locator(".floor")).to_be_hidden()

    # The next speaker, a hub's, gets the time typed in the console.
    console.get_by_label("Time for the next speaker (seconds)").fill("75")
    expect(hint).to_have_text(f"{SPEAKERS[0]} gets 1:15, as set here.")
    console.get_by_role("button", name="Next speaker").click()
    expect(hub.locator(".hub-floor .floor-text")).to_have_text(
        f"{SPEAKERS[0]} (your hub) has the floor"
    )
    expect(hub.locator(".hub-floor .clock")).to_have_text(re.compile(r"^1:(15|1\d|0\d)$"))
    expect(hub.locator(".own-speakers li").first).to_have_text(
        f"{SPEAKERS[1]}: number 1 in the queue"
    )

    count_by_group(hub, console, long_id)
    # Outside the console figures move in steps of several raters, and at closing.
    console_click(console, long_id, "Close")
    console_click(console, long_id, "Reveal results")
    # None is open now: the projector would show the agenda; the chair keeps this one.
    console.get_by_label("The projector shows").select_option(f"p:{long_id}")
    expect(focus.locator('[data-figure="n"] .figure')).to_have_text("9")
    expect(focus.locator('[data-figure="agree"] .figure')).to_have_text("67%")
    mark(console, long_id)
    expect(focus.locator('.badge[data-mark="rough_consensus"]')).to_have_text("Rough consensus")
    expect(focus.locator(".mark-note")).to_have_text(NOTE)
    expect(card(phone, long_id).locator(".outcome")).to_contain_text(NOTE)
    phone.locator(".outcomes summary").click()
    expect(phone.locator(".outcome-list li")).to_contain_text(["Rough consensus"])
    expect(hub.locator(f'.result[data-proposition="{long_id}"] .outcome')).to_contain_text(NOTE)
    drawn_whole(display, ".focus .prop-text", last_word=True)
    screenshot(display, "hall-display-focus-en")
    screenshot(hub, "hall-hub-en", full_page=True)
    screenshot(phone, "hall-phone-outcome-en", full_page=True)
    no_axe_violations(display, "display (one proposition)")
    no_axe_violations(hub, "hub (by group)")
    no_axe_violations(phone, "phone (outcomes)")

    switch_projector(console, display, long_id, short_id)
    screenshot(console, "hall-console-en", full_page=True)
    no_axe_violations(console, "console")
    arabic_views(urls, hub.url, phone, device)


def join_phone(context: BrowserContext, url: str, name: str) -> Page:
    page = open_view(context, url)
    page.get_by_label("Stakeholder group").select_option("government")
    page.get_by_label("In the room").check()
    page.get_by_label(re.compile("^Name")).fill(name)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator(".whoami")).not_to_be_empty()
    return page


def invite_hub(console: Page, device: Any) -> Page:
    invite = console.locator(".invite-form")
    invite.get_by_label("Hub name").fill("Nairobi hub")
    invite.get_by_label("Attendance").fill("12")
    invite.get_by_role("button", name="Invite hub").click()
    url = console.locator("input.hub-url")
    expect(url).to_have_value(re.compile("/hub#token="))
    hub = open_view(device(1280, 900), url.input_value())
    expect(hub.locator(".attendance")).to_have_text("Attendance: 12")
    return hub


def add_hub_speakers(hub: Page) -> None:
    form = hub.locator("form.speaker-form")
    for i, name in enumerate(SPEAKERS, start=2):
        form.get_by_label("Speaker's name").fill(name)
        form.get_by_label("Stakeholder group").select_option("technical_community")
        form.get_by_role("button", name="Add to queue").click()
        expect(form.get_by_role("status")).to_have_text(f"Added at position {i}")


def count_by_group(hub: Page, console: Page, pid: str) -> None:
    """Counts per group, checked against the attendance, land under their groups."""
    form = hub.locator(f'form[data-proposition="{pid}"]')
    form.get_by_label("Government: Agree", exact=True).fill("4")
    form.get_by_label("Academia: Strongly agree").fill("2")
    form.get_by_label("Academia: Disagree", exact=True).fill("7")
    expect(form.locator(".over")).to_have_text("The total is above the attendance (12).")
    expect(form.get_by_role("button", name="Send counts")).to_be_disabled()
    form.get_by_label("Academia: Disagree", exact=True).fill("3")
    expect(form.locator(".sum")).to_have_text("Total 9 of 12 attending")
    form.get_by_role("button", name="Send counts").click()
    expect(form.locator(".sent")).to_have_text("Counts by group sent for round 1")
    table = card(console, pid).locator("table", has_text="By stakeholder group")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tr", has_text="Government")).to_contain_text("4")
    expect(table.locator("tr", has_text="Academia")).to_contain_text("3")
    expect(table.locator("tr", has_text="Other")).to_have_count(0)
    # A hub that knows only totals has a quick mode.
    form.get_by_label("Totals only").check()
    expect(form.get_by_label("Strongly agree", exact=True)).to_be_visible()


def mark(console: Page, pid: str) -> None:
    form = card(console, pid).locator(".mark-form")
    # Nothing is pre-chosen: the chair decides.
    expect(form.get_by_label("Mark")).to_have_value("")
    form.get_by_label("Mark").select_option("rough_consensus")
    form.get_by_label("Note").fill(NOTE)
    assert form.get_by_label("Note").get_attribute("maxlength") == "2000"
    form.get_by_role("button", name="Save mark").click()


def switch_projector(console: Page, display: Page, long_id: str, short_id: str) -> None:
    choice = console.get_by_label("The projector shows")
    choice.select_option(label="The agenda")
    expect(display.locator(".agenda .agenda-item")).to_have_count(2)
    expect(display.locator(".agenda .mark-note:visible")).to_have_text([NOTE])
    screenshot(display, "hall-display-agenda-en")
    no_axe_violations(display, "display (agenda)")
    choice.select_option(f"p:{short_id}")
    expect(display.locator(".focus")).to_have_attribute("data-proposition", short_id)
    expect(display.locator(".focus .prop-text")).to_have_text(SHORT)
    # Back to following the chair: none is open, so the one opened last.
    choice.select_option("auto")
    expect(display.locator(".focus")).to_have_attribute("data-proposition", long_id)
    expect(console.locator(".projector [role=status]")).to_have_text(f"Showing: {LONG[:60]}…")
    # Closed, the card folds to its text and mark; the chair can unfold it.
    closed = card(console, long_id)
    expect(closed.locator(".metrics")).to_be_hidden()
    closed.get_by_role("button", name="Show details").click()
    expect(closed.locator(".metrics")).to_be_visible()


def arabic_views(urls: dict[str, str], hub_url: str, phone: Page, device: Any) -> None:
    """Every view in Arabic, right to left, screenshotted and checked."""
    storage = phone.evaluate("() => Object.entries(localStorage)")
    phone_context = device(**PHONE, locale="ar-EG")
    phone_context.add_init_script(
        "".join(
            f"localStorage.setItem({k!r}, {v!r});"
            for k, v in storage
            if k.startswith("plenary:participant:")
        )
    )
    views = {
        "phone": open_view(phone_context, urls["join"]),
        "console": open_view(device(1440, 1000, locale="ar-EG"), urls["console"]),
        "display": open_view(device(**FULL_HD, locale="ar-EG"), urls["display"]),
        "hub": open_view(device(1280, 900, locale="ar-EG"), hub_url),
    }
    for name, page in views.items():
        expect(page.locator("header .title")).to_contain_text("IGF main session")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        screenshot(page, f"hall-{name}-ar", full_page=name != "display")
    expect(views["display"].locator(".focus .mark-note")).to_have_text(NOTE)
    no_axe_violations(views["display"], "display (ar)")
    no_axe_violations(views["hub"], "hub (ar)")

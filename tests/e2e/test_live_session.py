"""A live plenary in a real browser against the real server: the chair opens
a proposition, phones rate, the projector follows, a hub relays its room,
the chair marks rough consensus, a raised hand gets the floor."""

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, expect

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
)
from tests.live import LiveServer

pytestmark = pytest.mark.browser

LOG_HEAD = re.compile(r"^Log head [0-9a-f]{12}$")
CLOCK = re.compile(r"^\d+:\d\d$")
TEXTS = [
    "Main sessions should end with propositions that every participant can rate.",
    "Remote hubs should have the same place in the speaker queue as the room.",
]


def start(live_server: LiveServer, new_context: NewContext) -> tuple[dict[str, Any], Page, Page]:
    created = live_server.create_session(title="IGF main session", propositions=TEXTS)
    console = open_view(new_context(1440, 1000), created["urls"]["console"])
    display = open_view(new_context(**FULL_HD), created["urls"]["display"])
    expect(console.locator(".prop-list article")).to_have_count(2)
    return created, console, display


def test_ratings_reach_the_projector_then_the_reveal(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created, console, display = start(live_server, new_context)
    first = created["propositions"][0]["id"]
    console_click(console, first, "Open")
    expect(card(console, first).locator(".badge.status-open")).to_be_visible()

    phones = [
        join_phone(new_context(**PHONE), created["urls"]["join"], group)
        for group in ("government", "civil_society", "technical_community")
    ]
    for phone in phones:
        expect(card(phone, first)).to_contain_text(TEXTS[0])
    rate(phones[0], first, "agree")
    rate(phones[1], first, "strongly_agree")
    rate(phones[2], first, "disagree", why="Hubs were not asked.")

    # The join QR code is drawn (a broken image has no natural width).
    qr = display.locator('img[src$="/qr.svg"]')
    expect(qr).to_be_visible()
    display.wait_for_function(
        "() => { const i = document.querySelector('img[src$=\"/qr.svg\"]');"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )

    # Before the reveal the room sees only how many have rated.
    shown = card(display, first)
    expect(shown.locator(".waiting")).to_have_text("Ratings so far: 3", timeout=1_000)
    expect(shown.locator(".rated")).to_be_hidden()
    expect(shown.locator(".dbar")).to_be_hidden()
    # The chair sees the distribution at once, and the objection with its group.
    expect(card(console, first).locator(".total")).to_have_text("Ratings: 3")
    expect(card(console, first).locator(".objection-list")).to_contain_text("Hubs were not asked.")
    expect(card(console, first).locator(".objection-list")).to_contain_text("Technical community")
    screenshot(display, "display-1920x1080-before-reveal")

    # A changed rating replaces the earlier one.
    rate(phones[0], first, "strongly_agree")
    expect(phones[0].locator(".mine")).to_have_text("Your rating: Strongly agree")

    # Closing publishes the final figures (outside the console they move in
    # steps of three raters, and the change above began a new step).
    console_click(console, first, "Close")
    console_click(console, first, "Reveal results")
    expect(shown.locator(".rated")).to_have_text("3 rated")
    expect(shown.locator(".waiting")).to_be_hidden()
    for key, count in {
        "strongly_agree": "2",
        "agree": "0",
        "disagree": "1",
        "neutral": "0",
    }.items():
        expect(shown.locator(f'[data-count="{key}"]')).to_have_text(count, timeout=1_000)
    expect(shown.locator(".seg.v-strongly_agree")).not_to_have_attribute("style", "width: 0.00%;")
    # Phones see results only now.
    expect(card(phones[1], first).locator(".results")).to_be_visible()
    expect(card(phones[1], first).locator('[data-count="strongly_agree"]')).to_have_text("2")
    # Screen readers hear it: the phone's polite live region says so.
    expect(phones[1].locator('[aria-live="polite"]')).to_have_text(f"Results revealed: {TEXTS[0]}")
    screenshot(display, "display-1920x1080-revealed")
    screenshot(phones[2], "phone-360x740-revealed")
    screenshot(console, "console-1440x1000", full_page=True)
    screenshot(phones[2], "phone-360-full", full_page=True)


def test_hub_relays_counts_and_chair_marks_rough_consensus(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created, console, display = start(live_server, new_context)
    first = created["propositions"][0]["id"]
    invite = console.locator(".invite-form")
    invite.get_by_label("Hub name").fill("Nairobi hub")
    invite.get_by_label("Attendance").fill("12")
    invite.get_by_role("button", name="Invite hub").click()
    hub_url = console.locator(".invited input.hub-url")
    expect(hub_url).to_have_value(
        re.compile("^" + re.escape(live_server.url + "/hub#token=") + ".+")
    )
    hub = open_view(new_context(1280, 900), hub_url.input_value())
    expect(hub.locator(".attendance")).to_have_text("Attendance: 12")

    console_click(console, first, "Open")
    console_click(console, first, "Reveal results")
    phone = join_phone(new_context(**PHONE), created["urls"]["join"], "academia", "Remote")
    rate(phone, first, "agree")

    form = hub.locator(f'form[data-proposition="{first}"]')
    form.get_by_label("Totals only").check()  # this hub knows only its room's totals
    form.get_by_label("Strongly agree", exact=True).fill("9")
    form.get_by_label("Disagree", exact=True).fill("5")
    # 14 is more than the 12 attending: the hub cannot send it.
    expect(form.locator(".over")).to_be_visible()
    expect(form.get_by_role("button", name="Send counts")).to_be_disabled()
    form.get_by_label("Disagree", exact=True).fill("1")
    form.get_by_label("Agree", exact=True).fill("1")
    expect(form.locator(".sum")).to_have_text("Total 11 of 12 attending")
    form.get_by_role("button", name="Send counts").click()
    expect(form.locator(".sent")).to_have_text("Counts sent for round 1")
    # Two raters (the phone, the hub) are below a published step of three; closing
    # publishes them.
    console_click(console, first, "Close")

    shown = card(display, first)
    expect(shown.locator(".rated")).to_have_text("12 rated", timeout=1_000)
    expect(shown.locator('[data-count="strongly_agree"]')).to_have_text("9")
    expect(shown.locator('[data-count="agree"]')).to_have_text("2")
    expect(shown.locator('[data-count="disagree"]')).to_have_text("1")
    channel_table = card(console, first).locator("table", has_text="By channel")
    expect(channel_table.locator("tr", has_text="Hub")).to_contain_text("11")
    expect(hub.locator(".results")).to_contain_text("Ratings: 12")
    # Twelve ratings, 11 in favour, none strongly against: the suggestion shows.
    suggestion = card(console, first).locator(".suggestion")
    expect(suggestion).to_have_text("Suggests rough consensus")
    expect(suggestion).to_have_attribute("data-suggests", "true")

    mark = card(console, first).locator(".mark-form")
    mark.get_by_label("Mark").select_option("rough_consensus")
    mark.get_by_label("Note").fill("Hubs to be consulted on wording.")
    mark.get_by_role("button", name="Save mark").click()
    expect(shown.locator('.badge[data-mark="rough_consensus"]')).to_have_text("Rough consensus")
    expect(display.locator(".foot .head")).to_have_text(LOG_HEAD)
    # The outcome record, fetched with the facilitator token and saved as a file.
    for fmt in ("MD", "JSON"):
        with console.expect_download() as download:
            console.get_by_role("button", name=f"Download {fmt}").click()
        assert download.value.suggested_filename.endswith("." + fmt.lower())
        saved = Path(download.value.path()).read_text(encoding="utf-8")
        assert TEXTS[0] in saved
        assert "rough_consensus" in saved or "Rough consensus" in saved

    speaker = hub.locator("form.speaker-form")
    speaker.get_by_label("Speaker's name").fill("Wanjiru")
    speaker.get_by_label("Stakeholder group").select_option("civil_society")
    speaker.get_by_label("Why do you want to speak?").select_option("clarify")
    speaker.get_by_role("button", name="Add to queue").click()
    expect(speaker.get_by_role("status")).to_have_text("Added at position 1")
    expect(console.locator(".queue-list li").first).to_contain_text("Wanjiru")
    expect(console.locator(".queue-list li").first).to_contain_text("Civil society · Hub · Clarify")
    expect(display.locator(".next-list")).to_contain_text("Wanjiru")
    screenshot(hub, "hub-1280x900")

    # A leaked hub link is replaced: the old console is shut out.
    old_url = hub_url.input_value()
    asked: list[str] = []  # the console asks first, naming the hub

    def confirm(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    console.once("dialog", confirm)
    console.get_by_role("button", name="New link: Nairobi hub").click()
    expect(hub_url).not_to_have_value(old_url)
    expect(hub.locator(".fatal")).to_contain_text("This link is no longer valid")
    assert asked == [
        "Make a new link for the hub “Nairobi hub”? Its current link stops working at once."
    ]
    fresh = open_view(new_context(1280, 900), hub_url.input_value())
    expect(fresh.locator(".attendance")).to_have_text("Attendance: 12")
    screenshot(display, "display-1920x1080-marked")


def test_a_raised_hand_reaches_the_console_and_the_projector(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created, console, display = start(live_server, new_context)
    phone = join_phone(new_context(**PHONE), created["urls"]["join"], "government", name="Amina")
    phone.get_by_label("Reply").check()
    phone.get_by_role("button", name="Raise hand").click()
    expect(phone.locator(".position")).to_have_text("You are number 1 in the queue")
    queue = console.locator(".queue-list")
    expect(queue).to_contain_text("Amina")
    expect(queue).to_contain_text("Reply")
    expect(display.locator(".next-list")).to_contain_text("Amina")
    # Another reason keeps the place in the queue; lowering the hand leaves it.
    other = join_phone(new_context(**PHONE), created["urls"]["join"], "academia", name="Bo")
    other.get_by_role("button", name="Raise hand").click()
    expect(other.locator(".position")).to_have_text("You are number 2 in the queue")
    # The chair moves Bo ahead; Bo's phone follows.
    queue.get_by_role("button", name="Move up: Bo").click()
    expect(other.locator(".position")).to_have_text("You are number 1 in the queue")
    expect(phone.locator(".position")).to_have_text("You are number 2 in the queue")
    other.get_by_label("Clarify").check()
    expect(queue.locator("li").first).to_contain_text("Clarify")
    other.get_by_role("button", name="Lower hand").click()
    expect(queue.locator("li")).to_have_count(1)
    expect(other.get_by_role("button", name="Raise hand")).to_be_visible()
    # The chair can take an entry out of the queue.
    other.get_by_role("button", name="Raise hand").click()
    expect(queue.locator("li")).to_have_count(2)
    queue.get_by_role("button", name="Remove: Bo").click()
    expect(other.get_by_role("button", name="Raise hand")).to_be_visible()
    expect(queue.locator("li")).to_have_count(1)

    console.get_by_role("button", name="Next speaker").click()
    expect(console.locator(".current-speaker")).to_contain_text("Amina")
    log = console.locator(".speaker-log-panel")
    log.locator("summary").click()
    expect(log.locator("summary")).to_have_text("Speakers so far (1)")
    expect(log.locator("li")).to_contain_text("Amina")
    expect(display.locator(".speaker-big")).to_have_text("Amina")
    expect(display.locator(".countdown .clock")).to_have_text(CLOCK)
    expect(phone.locator(".floor .floor-text")).to_have_text("You have the floor")
    expect(phone.locator('[aria-live="assertive"]')).to_have_text("You have the floor.")
    expect(display.locator('[aria-live="polite"]')).to_have_text("Now speaking: Amina")
    expect(queue.locator("li")).to_have_count(0)
    screenshot(phone, "phone-360x740-floor")
    phone.reload()
    expect(phone.locator(".floor .floor-text")).to_have_text("You have the floor")
    screenshot(display, "display-1920x1080-speaker")


# A participants' flush far longer than the steps below take, so that a raise and
# its removal surely fall between two of the phones' updates.
SLOW_PHONE_FLUSH_MS = 4_000


def test_a_hand_removed_before_the_phones_next_update_is_not_left_waiting(
    server_factory: type[LiveServer], tmp_path: Path, new_context: NewContext
) -> None:
    server = server_factory(
        tmp_path / "data", participant_flush_ms=str(SLOW_PHONE_FLUSH_MS)
    ).start()
    created, console, _ = start(server, new_context)
    join = created["urls"]["join"]
    first = join_phone(new_context(**PHONE), join, "government", name="Amina")
    phone = join_phone(new_context(**PHONE), join, "academia", name="Bo")
    queue = console.locator(".queue-list")
    # Amina's hand is the first change after a quiet spell: the phones hear of it
    # at once, and the next update to them waits a whole participants' flush.
    first.get_by_role("button", name="Raise hand").click()
    expect(first.locator(".position")).to_have_text("You are number 1 in the queue")
    flushed = time.monotonic()
    # Within that flush, Bo raises a hand and the chair takes it out of the queue.
    phone.get_by_role("button", name="Raise hand").click()
    expect(queue.locator("li")).to_have_count(2)
    queue.get_by_role("button", name="Remove: Bo").click()
    expect(queue.locator("li")).to_have_count(1)
    # The chair opens a proposition: the phones see it with their next update.
    proposition = created["propositions"][0]["id"]
    console_click(console, proposition, "Open")
    expect(card(console, proposition).locator(".badge.status-open")).to_be_visible()
    assert time.monotonic() - flushed < SLOW_PHONE_FLUSH_MS / 1000, "not within one flush"
    after_the_flush = SLOW_PHONE_FLUSH_MS + 5_000
    expect(card(phone, proposition)).to_contain_text(TEXTS[0], timeout=after_the_flush)
    # Bo's phone must not stay "number 2" with "Lower hand": Bo no longer waits.
    expect(phone.get_by_role("button", name="Raise hand")).to_be_visible()
    expect(phone.locator(".position")).to_be_hidden()
    expect(phone.get_by_role("button", name="Lower hand")).to_be_hidden()
    expect(first.locator(".position")).to_have_text("You are number 1 in the queue")
    screenshot(phone, "phone-360x740-hand-removed", full_page=True)
    # Raised again, Bo is told the place the queue really gives.
    phone.get_by_role("button", name="Raise hand").click()
    expect(phone.locator(".position")).to_have_text(
        "You are number 2 in the queue", timeout=after_the_flush
    )


def test_reloading_the_projector_keeps_everything(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created, console, _ = start(live_server, new_context)
    first, second = (p["id"] for p in created["propositions"])
    display = open_view(new_context(**HD), created["urls"]["display"])
    console_click(console, first, "Open")
    phone = join_phone(new_context(**PHONE), created["urls"]["join"], name="Li Wei")
    rate(phone, first, "agree")
    console_click(console, first, "Reveal results")
    console_click(console, first, "Close")
    mark = card(console, first).locator(".mark-form")
    mark.get_by_label("Mark").select_option("needs_revision")
    mark.get_by_role("button", name="Save mark").click()
    console_click(console, second, "Open")
    phone.get_by_role("button", name="Raise hand").click()
    expect(console.locator(".queue-list")).to_contain_text("Li Wei")
    console.get_by_role("button", name="Next speaker").click()
    # The open proposition is on screen; the chair keeps the closed one there instead.
    expect(card(display, second).locator(".waiting")).to_have_text("Ratings so far: 0")
    console.get_by_label("The projector shows").select_option(f"p:{first}")

    def check() -> None:
        expect(card(display, first).locator('[data-count="agree"]')).to_have_text("1")
        expect(card(display, first).locator('.badge[data-mark="needs_revision"]')).to_be_visible()
        expect(display.locator(".speaker-big")).to_have_text("Li Wei")
        expect(display.locator(".code")).to_have_text(created["join_code"])

    check()
    display.reload()
    with_one_second = 1_000
    expect(card(display, first).locator('[data-count="agree"]')).to_have_text(
        "1", timeout=with_one_second
    )
    check()
    screenshot(display, "display-1280x720")


def test_the_chair_pastes_an_agenda_orders_it_and_runs_a_second_round(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created, console, display = start(live_server, new_context)
    first = created["propositions"][0]["id"]
    console.get_by_label("Add propositions (one per line)").fill("Third.\n\n  Fourth.  \nFifth.")
    console.get_by_role("button", name="Add", exact=True).click()
    texts = console.locator(".prop-list .prop-text")
    expect(texts).to_have_text([TEXTS[0], TEXTS[1], "Third.", "Fourth.", "Fifth."])
    console.get_by_role("button", name="Move up: Fifth.").click()
    expect(texts).to_have_text([TEXTS[0], TEXTS[1], "Third.", "Fifth.", "Fourth."])

    phone = join_phone(new_context(**PHONE), created["urls"]["join"])
    console_click(console, first, "Open")
    expect(phone.locator('[aria-live="polite"]')).to_have_text(f"Open for rating: {TEXTS[0]}")
    rate(phone, first, "confused")
    rate(phone, first, "agree")
    # Withdrawing takes the rating out of the tally.
    card(phone, first).get_by_role("button", name="Withdraw my rating").click()
    expect(card(phone, first).locator(".mine")).to_have_text("Not rated yet")
    expect(card(console, first).locator(".total")).to_have_text("Ratings: 0")
    rate(phone, first, "agree", why="First thought")
    expect(card(console, first).locator(".total")).to_have_text("Ratings: 1")
    # A comment typed but not yet sent survives updates from the chair.
    why = card(phone, first).get_by_label("Why? (optional)")
    why.fill("Draft thought")
    phone.locator(".whoami").click()
    console_click(console, first, "Reveal results")
    expect(card(phone, first).locator(".results")).to_be_visible()
    expect(why).to_have_value("Draft thought")
    console_click(console, first, "Hide results")
    expect(card(phone, first).locator(".results")).to_be_hidden()

    console_click(console, first, "Close")
    expect(card(phone, first)).to_have_count(0)  # closed and not revealed: gone from the phone
    console_click(console, first, "Open next round")
    expect(card(console, first).locator(".badges")).to_contain_text("Round 2")
    expect(card(phone, first).locator(".mine")).to_have_text("Not rated yet")
    expect(card(display, first).locator(".status")).to_have_text("Open · Round 2")
    rate(phone, first, "strongly_agree")
    expect(card(console, first).locator(".total")).to_have_text("Ratings: 1")
    expect(card(console, first).locator(".earlier summary")).to_have_text("Earlier rounds")

    console.get_by_label("Seconds", exact=True).fill("90")
    console.get_by_role("button", name="Start", exact=True).click()
    expect(display.locator(".countdown .clock")).to_have_text(re.compile(r"^1:(2\d|30)$"))
    console.get_by_role("button", name="Pause", exact=True).click()
    expect(console.get_by_role("button", name="Resume")).to_be_visible()
    expect(display.locator(".countdown")).to_have_class(re.compile("is-paused"))
    # Past zero the projector counts overtime, in the room's sight.
    console.get_by_label("Seconds", exact=True).fill("1")
    console.get_by_role("button", name="Start", exact=True).click()
    expect(display.locator(".countdown .overtime")).to_have_text("Overtime")
    expect(display.locator(".countdown .clock")).to_have_text(re.compile(r"^\+0:0\d$"))


LONG = [
    "Main sessions should end with a short list of propositions that every participant, "
    "in the room, remote or in a hub, can rate before the chair's summary is written.",
    "Rough consensus should be judged across stakeholder groups, not by counting heads, "
    "and the objections weighed should be listed in the session's outcome record.",
    "Remote hubs should have the same place in the speaker queue as the room.",
]


@pytest.mark.parametrize("size", [FULL_HD, HD], ids=["1920x1080", "1280x720"])
def test_the_projector_fits_three_live_propositions(
    live_server: LiveServer, new_context: NewContext, size: dict[str, int]
) -> None:
    # Two raters: published in steps of two (by default, three), so the figures show.
    created = live_server.create_session(
        title="Outcomes of the IGF main session",
        propositions=LONG,
        settings={"min_group_size": 2},
    )
    ids = [p["id"] for p in created["propositions"]]
    console = open_view(new_context(1440, 1000), created["urls"]["console"])
    display = open_view(new_context(**size), created["urls"]["display"])
    for pid in ids:
        console_click(console, pid, "Open")
    for group, values in (
        ("government", ("agree", "disagree", "confused")),
        ("civil_society", ("strongly_agree", "neutral", "strongly_disagree")),
    ):
        phone = join_phone(
            new_context(**PHONE),
            created["urls"]["join"],
            group,
            name="Dr. Maria-José Fernández de la Cruz",
        )
        for pid, value in zip(ids, values, strict=True):
            rate(phone, pid, value)
        phone.get_by_role("button", name="Raise hand").click()
    console.get_by_role("button", name="Next speaker").click()
    # Three open at once: the projector shows them on the agenda, whole.
    expect(display.locator(".agenda .rated")).to_have_text(["2 rated"] * 3)

    screenshot(display, f"display-{size['width']}x{size['height']}-three")
    footer_top = display.locator(".foot").bounding_box()
    assert footer_top is not None
    for box in [
        display.locator(sel).bounding_box()
        for sel in (".agenda-item >> nth=2", ".foot .join", ".side .now")
    ]:
        assert box is not None
        assert box["y"] + box["height"] <= size["height"], (box, size)
        assert box["x"] + box["width"] <= size["width"]
    for sel in (".agenda-item >> nth=2", ".side .now", ".side .next"):
        box = display.locator(sel).bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= footer_top["y"], (sel, box, footer_top)

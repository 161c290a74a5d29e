"""The operator's page and the chair's set-up in a real Chromium: sign in, create a
session with its own groups and two languages, open its console and projector from
the list; the console's session facts; a draft brought in through the preview."""

import re
from pathlib import Path

import docx
import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewContext
from tests.live import ADMIN, LiveServer


def signed_in(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/admin")
    page.get_by_label("Admin token").fill(ADMIN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sessions")).to_be_visible()


def test_a_wrong_admin_token_is_refused(live_server: LiveServer, new_context: NewContext) -> None:
    page = new_context().new_page()
    page.goto(live_server.url + "/admin")
    page.get_by_label("Admin token").fill("not-the-token-of-this-server")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("not the admin token"))
    expect(page.get_by_role("heading", name="Sessions")).to_have_count(0)
    assert page.evaluate("sessionStorage.length") == 0


def test_the_operator_creates_a_session_and_opens_its_console_and_projector(
    live_server: LiveServer, new_context: NewContext
) -> None:
    context = new_context(1440, 1000)
    page = context.new_page()
    signed_in(page, live_server)
    page.get_by_label("Title", exact=True).fill("Main session on access")
    for language in ("العربية", "中文", "Русский", "Español"):
        page.get_by_label(language, exact=True).uncheck()
    page.get_by_label("The session's own groups", exact=True).check()
    page.get_by_label(re.compile("one per line")).fill("Youth\nParliamentarians\n")
    page.locator("summary", has_text="Session settings").click()
    seconds = page.locator('[data-setting="speaking_seconds"]')
    seconds.fill("0")
    seconds.dispatch_event("change")
    # The server's own rule, shown at the field it names.
    expect(seconds).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text(re.compile("speaking_seconds must be"))).to_be_visible()
    seconds.fill("90")
    seconds.dispatch_event("change")
    expect(seconds).to_have_attribute("aria-invalid", "false")
    page.get_by_role("button", name="Create the session").click()
    row = page.locator("tr", has_text="Main session on access")
    expect(row).to_be_visible()
    expect(row.locator("td").nth(1)).to_have_text("0")  # joined
    expect(row).to_contain_text("Open")

    # The token was kept for this tab only: a reload stays signed in.
    assert page.evaluate("sessionStorage.getItem('plenary:admin-token')") == ADMIN
    listed = httpx.get(
        live_server.url + "/api/sessions", headers={"Authorization": f"Bearer {ADMIN}"}
    ).json()["sessions"][0]
    assert listed["title"] == "Main session on access"
    assert listed["languages"] == ["en", "fr"]
    assert listed["stakeholder_groups"] == ["Youth", "Parliamentarians"]

    with context.expect_page() as opened:
        row.get_by_role("link", name=re.compile("^Console")).click()
    console = opened.value
    expect(console.locator(".session-id")).to_have_text(listed["session_id"])
    expect(console.locator("header .title")).to_contain_text("Main session on access")
    with context.expect_page() as opened:
        row.get_by_role("link", name=re.compile("^Projector")).click()
    display = opened.value
    expect(display.locator("header .title")).to_have_text("Main session on access")
    expect(display.locator(".code")).to_have_text(listed["join_code"])

    # Closing from the list: the console says so, and phones can no longer join.
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("^Close")).click()
    expect(row).to_contain_text("Closed")
    expect(console.locator(".session-status")).to_contain_text("closed this session")
    refused = live_server.post_join(listed["join_code"], "Youth")
    assert refused.json()["error"]["code"] == "closed"


MARKDOWN = """# Draft on meaningful access

## Access

1. Everyone should have meaningful access, including
   people in rural areas.
2. Prices should fall below 2% of monthly income.
3. A stray fragment to drop.

## Governance

- Hubs are included on equal terms.
"""


def test_the_console_shows_its_links_and_brings_in_a_draft(
    live_server: LiveServer, new_context: NewContext, tmp_path: Path
) -> None:
    created = live_server.create_session("Draft day")
    page = new_context(1440, 1000).new_page()
    page.goto(created["urls"]["console"])
    expect(page.locator(".session-id")).to_have_text(created["session_id"])
    display_url = page.locator("input.display-url")
    expect(display_url).to_have_value(re.compile(r"/display#token="))
    expect(page.locator("img.display-qr")).to_have_attribute("src", re.compile("^data:image/svg"))
    expect(page.locator("input.verify-command")).to_have_value(
        re.compile(f"plenary verify --data .* {created['session_id']} --head [0-9a-f]{{64}}")
    )
    # The projector link shown opens the projector, rotating nothing.
    projector = new_context().new_page()
    projector.goto(display_url.input_value())
    expect(projector.locator("header .title")).to_have_text("Draft day")

    page.locator("summary", has_text="Bring in a draft").click()
    page.get_by_label("Draft text").fill(MARKDOWN)
    page.get_by_role("button", name="Preview").click()
    items = page.locator(".draft-item")
    expect(items).to_have_count(4)
    expect(items.nth(0).locator("textarea")).to_have_value(
        "Everyone should have meaningful access, including people in rural areas."
    )
    expect(items.nth(0).locator(".draft-item-source")).to_have_value(
        "Draft on meaningful access, ¶ 1"
    )
    items.nth(2).get_by_role("button", name="Drop").click()
    expect(items).to_have_count(3)
    page.get_by_role("button", name="Add 3 propositions").click()
    cards = page.locator(".prop-list article, .prop-list .prop")
    expect(page.locator(".prop-list .section-title")).to_have_text(["Access", "Governance"])
    expect(cards).to_have_count(3)
    results = live_server.results(created["session_id"], created["tokens"]["facilitator"])
    assert [(p["text"], p["section"], p["source"]) for p in results["propositions"]] == [
        (
            "Everyone should have meaningful access, including people in rural areas.",
            "Access",
            "Draft on meaningful access, ¶ 1",
        ),
        (
            "Prices should fall below 2% of monthly income.",
            "Access",
            "Draft on meaningful access, ¶ 2",
        ),
        ("Hubs are included on equal terms.", "Governance", "Draft on meaningful access, ¶ 4"),
    ]

    # A Word file chosen in the browser goes through the same preview.
    word = tmp_path / "outcome.docx"
    document = docx.Document()
    document.add_heading("Principles", level=1)
    document.add_paragraph("Data should flow with trust.", style="List Number")
    document.add_paragraph("Privacy is protected.", style="List Number")
    document.save(str(word))
    page.get_by_label("Draft text").fill("")
    page.get_by_label("Draft file (.docx, .md, .txt)").set_input_files(str(word))
    page.get_by_label("Title of the draft (source of each proposition)").fill("Outcome")
    page.get_by_role("button", name="Preview").click()
    expect(items).to_have_count(2)
    for i, (text, source) in enumerate(
        [
            ("Data should flow with trust.", "Outcome, ¶ 1"),
            ("Privacy is protected.", "Outcome, ¶ 2"),
        ]
    ):
        expect(items.nth(i).locator("textarea")).to_have_value(text)
        expect(items.nth(i).locator(".draft-item-source")).to_have_value(source)
    expect(page.locator(".draft-item .section-title")).to_have_text(["Principles"])

    # A new projector link is asked for first; the old projector is then refused.
    old_link = display_url.input_value()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="New projector link").click()
    expect(projector.get_by_text(re.compile("no longer valid"))).to_be_visible()
    expect(page.locator("input.display-url")).not_to_have_value(old_link)

"""Registered participants in a real browser: the chair imports a list in the
console (bad rows shown, nothing imported), imports the corrected one and
sends the invitations to a real SMTP server; the link taken from a received
letter opens on a phone with the group bound, and on a second browser it
continues the same person; removal revokes the link on the phone."""

from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.e2e.conftest import NewContext
from tests.e2e.views import (
    PHONE,
    card,
    console_click,
    open_view,
    rate,
    screenshot,
    serious_violations,
)
from tests.live import LiveServer
from tests.mail import SmtpServer, invitation_link
from tests.registrants import csv_text, registrant_rows

pytestmark = [
    pytest.mark.browser,
    # The test SMTP server takes a login over plain text on loopback (tests/mail.py).
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),  # aiosmtpd's own
]


def upload(console: Page, text: str) -> None:
    panel = console.locator("section.registrants")
    payload: FilePayload = {
        "name": "registrants.csv",
        "mimeType": "text/csv",
        "buffer": text.encode(),
    }
    panel.get_by_label("Registrant list").set_input_files(files=[payload])
    panel.get_by_role("button", name="Import", exact=True).click()


def test_invitation_from_the_console_to_two_devices_and_revoked(
    server_factory: type[LiveServer],
    tmp_path: Path,
    smtp_server: SmtpServer,
    new_context: NewContext,
) -> None:
    server = server_factory(tmp_path / "data", **smtp_server.settings())
    server.env = smtp_server.env()
    server.start()
    created = server.create_session(
        "Registered plenary",
        ["Invitations reach every stakeholder group."],
        settings={"admission": "both", "suggestion_follows": "registered"},
    )
    proposition_id = created["propositions"][0]["id"]
    console = open_view(new_context(1440, 1000), created["urls"]["console"])
    panel = console.locator("section.registrants")
    expect(panel.get_by_label("Admission")).to_have_value("both")
    expect(panel.get_by_label("follows the registered raters")).to_be_checked()

    # A list with three bad rows: each shown with its row, nothing imported.
    rows = registrant_rows(20)
    rows[3] = "Registrant 3,person3.example.org,academia,online,en"
    rows[8] = "Registrant 8,person8@example.org,martians,online,en"
    rows[15] = "Registrant 15,person1@example.org,academia,online,en"
    upload(console, csv_text(rows))
    problems = panel.locator(".row-problems li")
    expect(problems).to_have_count(3)
    expect(problems.nth(0)).to_have_text("Row 5: bad email 'person3.example.org'")
    expect(problems.nth(1)).to_have_text("Row 10: unknown group 'martians'")
    expect(problems.nth(2)).to_have_text("Row 17: duplicate email (also on row 3)")
    expect(panel.locator(".registrant-table tbody tr")).to_have_count(0)
    assert serious_violations(console) == []

    upload(console, csv_text(registrant_rows(3)))
    expect(panel.locator(".registrant-table tbody tr")).to_have_count(3)
    expect(panel.locator(".row-problems li")).to_have_count(0)
    expect(panel.get_by_role("status")).to_have_text("3 registrants imported.")
    panel.get_by_role("button", name="Send invitations").click()
    expect(panel.locator('tr[data-delivery="sent"]')).to_have_count(3)
    assert serious_violations(console) == []
    panel.scroll_into_view_if_needed()
    screenshot(console, "console-registrants")

    # The link as the letter carries it, on a phone: the group is bound, no form.
    smtp_server.inbox.wait_for(3)
    link = invitation_link(smtp_server.inbox.to("person0@example.org"))
    console_click(console, proposition_id, "Open")
    phone = open_view(new_context(**PHONE), link)
    expect(phone.locator(".whoami")).to_contain_text("Government")
    expect(phone.locator(".whoami")).to_contain_text("In the room")
    expect(phone.locator("form.join")).to_have_count(0)
    rate(phone, proposition_id, "disagree")
    assert serious_violations(phone) == []
    screenshot(phone, "phone-invitation")

    # The same link in a second browser continues the same person: one rating.
    laptop = open_view(new_context(**PHONE), link)
    expect(card(laptop, proposition_id)).to_be_visible()
    rate(laptop, proposition_id, "agree")
    found = panel.locator(".registrant-table tbody tr").filter(has_text="person0@example.org")
    expect(found).to_contain_text("joined")
    # Once removed, the address is forgotten: the row is found by its id.
    row = panel.locator(f'tr[data-registrant="{found.get_attribute("data-registrant")}"]')
    split = card(console, proposition_id).locator(".admission-split")
    expect(split).to_have_attribute("data-registered", "1")
    expect(card(console, proposition_id).locator(".total")).to_have_text("Ratings: 1")
    counted = server.results(created["session_id"], created["tokens"]["facilitator"])
    assert counted["propositions"][0]["rounds"][-1]["counts"]["agree"] == 1

    # Removal: the phone's connection is closed and its link says so.
    console.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Remove").click()
    expect(row).to_contain_text("removed")
    expect(phone.get_by_text("no longer valid")).to_be_visible()
    again = open_view(new_context(**PHONE), link)
    expect(again.get_by_text("no longer valid")).to_be_visible()

    # The chair closes the door to walk-ins, on the record.
    assert server.post_join(created["join_code"]).status_code == 201
    panel.get_by_label("Admission").select_option("registered")
    expect(panel.get_by_label("follows the registered raters")).to_be_hidden()
    refused = server.post_join(created["join_code"])
    assert refused.status_code == 403, refused.text


def test_the_join_code_of_an_invitation_only_session_shows_no_form(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created = live_server.create_session("Invited only", settings={"admission": "registered"})
    phone = open_view(new_context(**PHONE), created["urls"]["join"])
    expect(phone.get_by_text("admits invited participants only")).to_be_visible()
    expect(phone.locator("form.join")).to_have_count(0)

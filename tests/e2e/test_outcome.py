"""The published outcome, read by an anonymous browser: every figure on the
page equals the report's, small groups show no distribution of their own,
`plenary verify --head` with the page's head passes, and once the chair takes
it down the page is gone."""

import asyncio
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewContext
from tests.e2e.views import ROOT, serious_violations
from tests.live import LiveServer, Peer

pytestmark = pytest.mark.browser

PEOPLE = (  # (group, channel, value, comment) of each rater
    ("civil_society", "in_room", "agree", None),
    ("civil_society", "in_room", "strongly_agree", None),
    ("civil_society", "in_room", "agree", None),
    ("technical_community", "remote", "agree", None),
    ("technical_community", "remote", "neutral", None),
    ("technical_community", "remote", "disagree", "Say who pays for it."),
    ("government", "remote", "strongly_agree", None),  # alone in its group
)


def in_thread(work: Any) -> Any:
    """Run a coroutine to the end outside the thread Playwright's loop holds."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


async def play(server: LiveServer, created: dict[str, Any]) -> int:
    """Three propositions rated and marked, then the outcome published; its version."""
    first, second, third = (p["id"] for p in created["propositions"])
    chair = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    phones = [
        await Peer(server.url, server.join(created["join_code"], group, channel)["token"]).connect()
        for group, channel, _, _ in PEOPLE
    ]
    for pid in (first, second):
        await chair.call("proposition:open", {"proposition_id": pid})
        for phone, (_, _, value, why) in zip(phones, PEOPLE, strict=True):
            ack = await phone.call(
                "rating:submit", {"proposition_id": pid, "value": value, "comment": why}
            )
            assert ack["ok"], ack
        await chair.call("proposition:close", {"proposition_id": pid})
    marks = (
        (first, "rough_consensus", "Objection on cost noted."),
        (second, "needs_revision", None),
    )
    for pid, status, note in (*marks, (third, "no_consensus", None)):
        await chair.call("consensus:mark", {"proposition_id": pid, "status": status, "note": note})
    published = await chair.call("outcome:publish", {"note": "Thanks to every hub."})
    assert published["ok"], published
    for peer in (chair, *phones):
        await peer.close()
    version: int = published["version"]
    return version


async def chair_says(server: LiveServer, token: str, name: str) -> dict[str, Any]:
    chair = await Peer(server.url, token).connect()
    ack = await chair.call(name)
    await chair.close()
    return ack


PLENARY_VERIFY = (sys.executable, "-m", "server", "verify", "--data")


def verify(server: LiveServer, session_id: str, head: str) -> str:
    """`plenary verify --head` as a reader runs it; its output, after checking it passed."""
    done = subprocess.run(
        [*PLENARY_VERIFY, str(server.data), session_id, "--head", head],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def at(report: Any, path: str) -> Any:
    for part in path.split("/"):
        report = report[int(part)] if isinstance(report, list) else report[part]
    return report


def as_attribute(value: Any) -> str:
    """A figure as the page's `data-value` holds it."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def test_the_published_outcome_equals_the_report_and_goes_away(
    live_server: LiveServer, new_context: NewContext
) -> None:
    created = live_server.create_session(
        "Main session outcome", ["Fund the hubs.", "Publish the summaries.", "Meet twice a year."]
    )
    session_id = created["session_id"]
    version = in_thread(play(live_server, created))
    report = httpx.get(
        f"{live_server.url}/api/sessions/{session_id}/report.json",
        headers={"Authorization": f"Bearer {created['tokens']['facilitator']}"},
    ).json()
    outcome = httpx.get(f"{live_server.url}/outcome/{session_id}.json").json()  # no token
    assert outcome["version"] == version
    assert [p["text"] for p in outcome["recognised"]] == ["Fund the hubs."]
    assert [p["status"] for p in outcome["needs_revision"] + outcome["no_consensus"]] == [
        "needs_revision",
        "no_consensus",
    ]
    assert outcome["recognised"][0]["chair_note"] == "Objection on cost noted."
    assert outcome["recognised"][0]["objections"] == [
        {"round": 1, "value": "disagree", "comment": "Say who pays for it."}
    ]

    page = new_context().new_page()  # anonymous: no token anywhere
    answer = page.goto(f"{live_server.url}/outcome/{session_id}")
    assert answer is not None
    assert answer.status == 200
    figures = page.eval_on_selector_all(
        "[data-figure]", "cells => cells.map(c => [c.dataset.figure, c.dataset.value])"
    )
    checked = 0
    for path, value in figures:
        if path == "merged" or path.startswith("merged/"):
            continue
        expected = at(report, path)
        assert value == as_attribute(expected), path
        checked += 1
    assert checked >= 60  # two rated propositions' rows and the participation table
    # The government's lone rater shows no distribution of their own.
    assert not any("/by_group/government" in path for path, _ in figures)
    merged = [int(v) for p, v in figures if p == "merged/total"]
    assert merged  # the government with civil society, the smallest shown group
    assert all(total >= 3 for total in merged)
    fund = outcome["recognised"][0]["figures"]
    shown = sum(part["total"] for part in fund["by_group"].values())
    assert (
        fund["by_group_merged"]["total"]
        == at(report, outcome["recognised"][0]["source"])["total"] - shown
    )
    head = page.locator("#head").inner_text()
    assert head == outcome["head"]
    assert serious_violations(page) == []

    assert f"PASS  head {head} is on the chain at seq {version}" in verify(
        live_server, session_id, head
    )

    # In Arabic, right to left, still axe-clean.
    page.goto(f"{live_server.url}/outcome/{session_id}?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="اعتُرف به توافقًا عامًا")).to_be_visible()
    assert serious_violations(page) == []

    # Publishing again pins a newer head, which verify finds too.
    again = in_thread(chair_says(live_server, created["tokens"]["facilitator"], "outcome:publish"))
    assert again["version"] == version + 1
    newer = httpx.get(f"{live_server.url}/outcome/{session_id}.json").json()
    assert (newer["version"], newer["head"] != head) == (version + 1, True)
    assert f"on the chain at seq {version + 1}" in verify(live_server, session_id, newer["head"])

    gone = in_thread(chair_says(live_server, created["tokens"]["facilitator"], "outcome:unpublish"))
    assert gone == {"ok": True}
    answer = page.goto(f"{live_server.url}/outcome/{session_id}")
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("heading", name="Outcome not published")).to_be_visible()
    assert "Fund the hubs." not in page.content()
    refused = httpx.get(f"{live_server.url}/outcome/{session_id}.json")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"

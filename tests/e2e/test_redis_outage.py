"""A phone on a worker whose Redis is killed: the rating tapped meanwhile waits calmly,
is sent again with its request_id until the server answers, and is recorded once;
the same when the phone's socket itself is down."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NewContext
from tests.e2e.views import (
    PHONE,
    card,
    console_click,
    join_phone,
    open_view,
    screenshot,
    serious_violations,
)
from tests.live import LiveServer
from tests.redis_live import RedisServer

pytestmark = pytest.mark.browser

WAITING_EN = (
    "The server is busy for a moment. What you sent is kept and goes through as soon as it answers."
)
WAITING_AR = "الخادم مشغول للحظات. ما أرسلته محفوظ وسيصل فور أن يستجيب."


@pytest.fixture
def worker(tmp_path: Path, redis_server: RedisServer) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "worker", redis=redis_server.url).start()
    yield server
    server.stop()


def test_a_rating_tapped_while_the_server_cannot_record_waits_then_is_recorded_once(
    worker: LiveServer, redis_server: RedisServer, new_context: NewContext
) -> None:
    created = worker.create_session(title="Outage", propositions=["One."])
    pid = created["propositions"][0]["id"]
    console = open_view(new_context(), created["urls"]["console"])
    console_click(console, pid, "Open")
    phone = join_phone(new_context(**PHONE), created["urls"]["join"])
    prop = card(phone, pid)
    expect(prop.locator("button[data-value='agree']")).to_be_enabled()
    banner = phone.locator(".banner")

    redis_server.kill()
    prop.locator("button[data-value='agree']").click()
    expect(banner).to_have_text(WAITING_EN, timeout=8_000)
    expect(banner).to_have_attribute("role", "status")
    expect(phone.locator(".notice")).to_be_hidden()  # no raw error for `unavailable`
    expect(prop.locator(".mine")).to_have_text("Not rated yet")
    assert serious_violations(phone) == []
    screenshot(phone, "phone-waiting-en")
    phone.get_by_label("Language").select_option("ar")
    expect(banner).to_have_text(WAITING_AR)
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(phone, "phone-waiting-ar")
    phone.get_by_label("اللغة").select_option("en")

    redis_server.start()  # same port, same AOF
    expect(banner).to_be_hidden(timeout=15_000)
    expect(prop.locator("button[data-value='agree']")).to_have_attribute("aria-pressed", "true")
    expect(prop.locator(".mine")).to_have_text("Your rating: Agree")
    expect(phone.locator(".notice")).to_be_hidden()

    ratings = logged_ratings(redis_server, created["session_id"])
    assert ratings == [(pid, "agree")]  # sent at least twice (the first refused), recorded once

    # The socket itself down (the worker stopped): a tap waits the same way, and is
    # sent once the phone is connected again.
    worker.stop()
    expect(banner).to_have_text("Reconnecting…")
    prop.locator("button[data-value='disagree']").click()
    expect(banner).to_have_text(WAITING_EN)
    worker.start()  # same port; it loads the session from Redis
    expect(banner).to_be_hidden(timeout=15_000)  # socket.io waits up to 5 s between tries
    expect(prop.locator(".mine")).to_have_text("Your rating: Disagree")
    assert logged_ratings(redis_server, created["session_id"]) == [
        (pid, "agree"),
        (pid, "disagree"),
    ]


def logged_ratings(redis_server: RedisServer, session_id: str) -> list[tuple[str, str]]:
    """(proposition, value) of every rating in the session's log, each with the
    request_id its sends carried; the seqs must be contiguous."""
    entries = redis_server.client().xrange(f"plenary:log:{session_id}")
    assert [int(i.split("-")[0]) for i, _ in entries] == list(range(1, len(entries) + 1))
    found = []
    for _, fields in entries:
        body = json.loads(fields["b"])
        if body["type"] == "rating_submitted":
            assert fields.get("r"), body  # recorded with its request_id
            found.append((body["proposition_id"], body["value"]))
    return found

"""Registered participants through the real server: a list imported whole or
not at all, invitations mailed to a real SMTP server (aiosmtpd), a link that
continues one person on every device, removal that revokes it, admission."""

import asyncio
import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from tests.live import LiveServer, Peer, latest_round
from tests.mail import SmtpServer, invitation_link
from tests.registrants import Registrants, csv_text, registrant_rows

# The test SMTP server takes a login over plain text on loopback (tests/mail.py).
pytestmark = [
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),  # aiosmtpd's own
]


def log_and_meta(data: Path) -> tuple[str, dict[str, str]]:
    """Every stored event body, joined, and the meta table: read from the SQLite file."""
    with sqlite3.connect(data / "plenary.sqlite3") as db:
        bodies = "\n".join(row[0] for row in db.execute("SELECT body FROM events"))
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    return bodies, meta


async def test_import_mail_open_twice_and_remove(
    server_factory: type[LiveServer], tmp_path: Path, smtp_server: SmtpServer
) -> None:
    server = server_factory(tmp_path / "data", **smtp_server.settings())
    assert smtp_server.login is not None
    password = smtp_server.login[1]
    server.env = smtp_server.env()
    server.start()
    created = server.create_session(
        "Registered plenary", ["Keep the forum open"], settings={"admission": "registered"}
    )
    registrants = Registrants(server, created)

    # 200 rows, three of them bad: all three reported, nothing imported.
    rows = registrant_rows(200)
    rows[49] = "Registrant 49,person49-at-example.org,academia,online,en"
    rows[100] = "Registrant 100,person100@example.org,martians,online,en"
    rows[180] = "Registrant 180,PERSON7@example.org,academia,online,en"
    refused = registrants.upload(csv_text(rows))
    assert refused.status_code == 400
    assert refused.json()["error"]["rows"] == [
        {"row": 51, "reason": "bad email 'person49-at-example.org'"},
        {"row": 102, "reason": "unknown group 'martians'"},
        {"row": 182, "reason": "duplicate email (also on row 9)"},
    ]
    assert registrants.listed() == []
    bodies, meta = log_and_meta(server.data)
    assert "registrants_imported" not in bodies
    assert "person0@" not in json.dumps(meta)

    # The corrected file, with one address the mail server will refuse.
    good = [*registrant_rows(199), "Refused Person,refused@example.org,academia,online,en"]
    answer = registrants.upload(csv_text(good))
    assert answer.status_code == 201, answer.text
    assert answer.json()["imported"] == 200
    listed = registrants.listed()
    assert len(listed) == 200
    assert all(r["link"] and r["delivery"] is None for r in listed)
    bodies, meta = log_and_meta(server.data)
    assert "Registrant 5" in bodies
    assert "@example.org" not in bodies
    assert "person5@example.org" in meta[f"contacts:{created['session_id']}"]

    # The mail-merge export: facilitator only, one row per registrant.
    display = created["tokens"]["display"]
    assert registrants.get("/registrants.csv", display).status_code == 403
    exported = registrants.get("/registrants.csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(table) == 200
    assert table[0]["email"] == "person0@example.org"
    assert "/invite#" in table[0]["link"]

    # Sending: every letter reaches the real SMTP server, but the refused one.
    assert registrants.send().json() == {"queued": 200}
    listed = registrants.until_delivered(200)
    smtp_server.inbox.wait_for(199)
    statuses = {r["email"]: r["delivery"] for r in listed}
    assert sum(s["status"] == "sent" for s in statuses.values()) == 199
    assert statuses["refused@example.org"]["status"] == "failed"
    assert "550" in statuses["refused@example.org"]["reason"]
    letter = smtp_server.inbox.to("person3@example.org")
    assert letter["Subject"] == "Your invitation: Registered plenary"
    assert "Registrant 3" in letter.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # The mail server wanted the login given in the environment; it is stored nowhere.
    stored = b"".join(path.read_bytes() for path in server.data.iterdir() if path.is_file())
    assert password.encode() not in stored
    assert password not in server.log.read_text()
    french = smtp_server.inbox.to("person4@example.org")
    assert french["Subject"] == "Votre invitation : Registered plenary"
    assert registrants.send().json() == {"queued": 1}  # only the one not sent yet

    # The join code is refused; the link from the letter works, on two devices.
    refused_join = server.post_join(created["join_code"])
    assert refused_join.status_code == 403
    assert "invited participants only" in refused_join.json()["error"]["message"]
    link = invitation_link(letter)
    first, second = registrants.open(link), registrants.open(link)
    assert first.status_code == second.status_code == 201
    assert first.json()["participant_id"] == second.json()["participant_id"]
    assert (first.json()["stakeholder_group"], first.json()["channel"]) == ("academia", "remote")
    facilitator = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    proposition_id = created["propositions"][0]["id"]
    await facilitator.call("proposition:open", {"proposition_id": proposition_id})
    phone = await Peer(server.url, first.json()["token"]).connect()
    laptop = await Peer(server.url, second.json()["token"]).connect()
    rate = {"proposition_id": proposition_id}
    assert (await phone.call("rating:submit", {**rate, "value": "disagree"}))["ok"]
    assert (await laptop.call("rating:submit", {**rate, "value": "agree"}))["ok"]
    # Both acks are in: the second device's rating replaced the first one's.
    counted = await facilitator.until(
        lambda v: latest_round(v, proposition_id).get("counts", {}).get("agree") == 1
    )
    assert latest_round(counted, proposition_id)["total"] == 1
    assert latest_round(counted, proposition_id)["counts"]["disagree"] == 0

    # Removal revokes the link and closes the person's connections.
    registrant_id = first.json()["participant_id"]
    assert await facilitator.call("registrant:remove", {"registrant_id": registrant_id}) == {
        "ok": True
    }
    await phone.disconnected.wait()
    await laptop.disconnected.wait()
    gone = registrants.open(link)
    assert gone.status_code == 401
    assert "no longer valid" in gone.json()["error"]["message"]
    removed = next(r for r in registrants.listed() if r["registrant_id"] == registrant_id)
    assert (removed["removed"], removed["email"], removed["link"]) == (True, None, None)
    _, meta = log_and_meta(server.data)
    assert "person3@example.org" not in meta[f"contacts:{created['session_id']}"]
    forged = registrants.open(link[:-4] + "abcd")
    assert forged.status_code == 401
    await facilitator.close()


async def test_a_slow_mail_server_never_holds_up_the_session(
    server_factory: type[LiveServer], tmp_path: Path, smtp_server: SmtpServer
) -> None:
    server = server_factory(tmp_path / "data", **smtp_server.settings())
    server.env = smtp_server.env()
    server.start()
    created = server.create_session("Slow mail", ["Rate me while letters go out"])
    registrants = Registrants(server, created)
    assert registrants.upload(csv_text(registrant_rows(40))).status_code == 201
    smtp_server.inbox.delay = 0.1  # 40 letters: at least four seconds of sending
    facilitator = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    proposition_id = created["propositions"][0]["id"]
    phone = await Peer(server.url, server.join(created["join_code"])["token"]).connect()
    assert registrants.send().json() == {"queued": 40}
    loop = asyncio.get_running_loop()
    began = loop.time()
    assert (await facilitator.call("proposition:open", {"proposition_id": proposition_id}))["ok"]
    rating = {"proposition_id": proposition_id, "value": "agree"}
    assert (await phone.call("rating:submit", rating))["ok"]
    answered = loop.time() - began
    pending = [r for r in registrants.listed() if r["delivery"]["status"] == "queued"]
    assert answered < 1.0, answered
    assert pending, "the letters were all sent before the rating: the test proves nothing"
    assert len(registrants.until_delivered(40)) == 40
    await phone.close()
    await facilitator.close()


def test_a_refused_login_fails_every_letter_with_the_reason(
    server_factory: type[LiveServer], tmp_path: Path, smtp_server: SmtpServer
) -> None:
    server = server_factory(tmp_path / "data", **smtp_server.settings())
    server.env = {"PLENARY_SMTP_USER": "plenary-mailer", "PLENARY_SMTP_PASSWORD": "wrong"}
    server.start()
    registrants = Registrants(server, server.create_session("Login refused"))
    assert registrants.upload(csv_text(registrant_rows(30))).status_code == 201
    assert registrants.send().json() == {"queued": 30}
    listed = registrants.until_delivered(30, timeout=15)
    reasons = {r["delivery"]["status"] + ": " + r["delivery"]["reason"] for r in listed}
    assert len(reasons) == 1  # one refused login, the same reason for all 30
    (reason,) = reasons
    assert reason.startswith("failed: the mail server could not be reached or refused the login")
    assert "535" in reason  # the server's own answer: authentication failed
    assert smtp_server.inbox.messages == []


async def test_both_admission_splits_registered_and_self_declared_raters(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session(
        "Both",
        ["Publish the messages"],
        settings={
            "admission": "both",
            "suggestion_follows": "registered",
            "consensus": {"min_ratings": 3},
        },
    )
    registrants = Registrants(live_server, created)
    assert registrants.upload(csv_text(registrant_rows(3))).status_code == 201
    assert registrants.send().status_code == 503  # no mail server set: export instead
    links = [r["link"] for r in registrants.listed()]
    invited = [registrants.open(link).json()["token"] for link in links]
    walk_ins = [live_server.join(created["join_code"])["token"] for _ in range(4)]
    facilitator = await Peer(live_server.url, created["tokens"]["facilitator"]).connect()
    proposition_id = created["propositions"][0]["id"]
    await facilitator.call("proposition:open", {"proposition_id": proposition_id})
    for token, value in [(t, "agree") for t in invited] + [
        (t, "strongly_disagree") for t in walk_ins
    ]:
        phone = await Peer(live_server.url, token).connect()
        assert (
            await phone.call("rating:submit", {"proposition_id": proposition_id, "value": value})
        )["ok"]
        await phone.close()
    view = await facilitator.until(lambda v: latest_round(v, proposition_id).get("total") == 7)
    round_ = latest_round(view, proposition_id)
    assert round_["by_admission"]["registered"]["agree"] == 3
    assert round_["by_admission"]["self_declared"]["strongly_disagree"] == 4
    assert round_["metrics"]["agree_share"] == 3 / 7
    # Everyone's figures would not suggest rough consensus; the registered raters' do.
    assert round_["metrics_registered"]["suggests_rough_consensus"] is True
    assert round_["metrics"]["suggests_rough_consensus"] is True
    assert view["participation"]["registered"] == 3

    results = live_server.results(created["session_id"], created["tokens"]["facilitator"])
    assert results["propositions"][0]["rounds"][-1]["by_admission"] == round_["by_admission"]
    report = registrants.get("/report.json").json()
    reported = report["propositions"][0]["rounds"][-1]
    assert reported["by_admission"]["registered"]["total"] == 3
    assert reported["by_admission"]["self_declared"]["total"] == 4
    assert reported["metrics"]["suggests_rough_consensus"] is True
    assert reported["suggestion_follows"] == "registered"
    markdown = registrants.get("/report.md").text
    assert "Registered raters" in markdown
    assert "Self-declared raters" in markdown
    await facilitator.close()

"""The pure report data and its renderers, on a small session built by the core itself."""

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

import pytest

from facilitation import Actor, SessionState, apply, decide, replay
from facilitation import commands as c
from facilitation.events import Event
from facilitation.report import build
from server.reports import FORMATS, render
from server.reports.as_csv import COLUMNS
from server.reports.as_markdown import md

NOW: Final = 1_700_000_000.0
HEAD: Final = "ab" * 32
FACILITATOR: Final = Actor("facilitator")
HUB: Final = Actor("hub", "h1")
# Text a reader's tools must show, never run: HTML, Markdown, a spreadsheet formula.
HOSTILE: Final = '<script>alert("x")</script> [link](http://evil) | =SUM(A1)'


def person(pid: str) -> Actor:
    return Actor("participant", pid)


class Session:
    """Commands through `decide` and `apply`, keeping the log for a replay."""

    def __init__(self) -> None:
        self.state = SessionState()
        self.log: list[Event] = []

    def do(self, command: c.Command, actor: Actor, at: float) -> None:
        for event in decide(self.state, command, actor, at):
            apply(self.state, event)
            self.log.append(event)


@pytest.fixture
def session() -> Session:
    s = Session()
    s.do(
        c.CreateSession("s1", "Main <session>", "JKMNPQRS", propositions=(("pa", HOSTILE, "WG"),)),
        Actor("operator"),
        NOW,
    )
    s.do(c.Join("id-ana-91f3", "government", "in_room", "Ana"), Actor("guest"), NOW + 1)
    s.do(c.Join("id-ben-27c0", "civil_society", "remote", "Ben"), Actor("guest"), NOW + 2)
    s.do(c.Join("id-anon-5d2e", "civil_society", "in_room", None), Actor("guest"), NOW + 3)
    s.do(c.Join("id-quinn-b8a4", "academia", "remote", "Quiet Quinn"), Actor("guest"), NOW + 4)
    s.do(c.InviteHub("h1", "Nairobi hub", 30), FACILITATOR, NOW + 5)
    s.do(c.OpenProposition("pa"), FACILITATOR, NOW + 10)
    s.do(c.SubmitRating("pa", "agree", "Quinn agrees"), person("id-quinn-b8a4"), NOW + 11)
    s.do(c.SubmitRating("pa", "agree"), person("id-ana-91f3"), NOW + 12)
    s.do(c.SubmitRating("pa", "disagree", "Too vague"), person("id-ben-27c0"), NOW + 13)
    s.do(c.SubmitRating("pa", "confused", HOSTILE), person("id-anon-5d2e"), NOW + 14)
    s.do(c.HubTally("pa", {"agree": 5, "disagree": 1}), HUB, NOW + 15)
    s.do(c.CloseProposition("pa"), FACILITATOR, NOW + 20)
    s.do(c.OpenProposition("pa"), FACILITATOR, NOW + 30)
    s.do(c.SubmitRating("pa", "agree"), person("id-ana-91f3"), NOW + 31)
    s.do(c.SubmitRating("pa", "agree"), person("id-ben-27c0"), NOW + 32)
    s.do(c.SubmitRating("pa", "neutral"), person("id-anon-5d2e"), NOW + 33)
    s.do(c.CloseProposition("pa"), FACILITATOR, NOW + 40)
    s.do(c.MarkConsensus("pa", "rough_consensus", "Objections weighed"), FACILITATOR, NOW + 41)
    s.do(c.RaiseHand("e2", "speak"), person("id-ben-27c0"), NOW + 50)
    s.do(c.RaiseHand("e1", "reply"), person("id-ana-91f3"), NOW + 51)
    s.do(c.HubSpeaker("eh", "Amina", "academia", "speak"), HUB, NOW + 52)
    s.do(c.RaiseHand("e4", "speak"), person("id-quinn-b8a4"), NOW + 53)
    s.do(c.QueueNext(), FACILITATOR, NOW + 60)
    s.do(c.QueueNext(), FACILITATOR, NOW + 120)
    s.do(c.QueueNext(), FACILITATOR, NOW + 150)
    return s


def test_rounds_breakdowns_and_shift(session: Session) -> None:
    report = build(session.state, HEAD)
    assert report["head"] == HEAD
    assert report["version"] == len(session.log)
    [p] = report["propositions"]
    assert (p["text"], p["source"], p["status"]) == (HOSTILE, "WG", "closed")
    assert p["mark"] == {"status": "rough_consensus", "note": "Objections weighed", "at": NOW + 41}
    one, two = p["rounds"]
    assert one["counts"] == {
        "strongly_agree": 0,
        "agree": 7,
        "neutral": 0,
        "disagree": 2,
        "strongly_disagree": 0,
        "confused": 1,
    }
    assert {g: s["total"] for g, s in one["by_group"].items()} == {
        "government": 1,
        "civil_society": 2,
        "academia": 1,
        "other": 6,  # the hub's counts, given without a split by group
    }
    assert {ch: s["total"] for ch, s in one["by_channel"].items()} == {
        "in_room": 2,
        "remote": 2,
        "hub": 6,
    }
    assert [(h["name"], h["total"], h["agree_share"]) for h in one["by_hub"]] == [
        ("Nairobi hub", 6, 5 / 6)
    ]
    assert one["metrics"]["agree_share"] == 0.7
    assert two["by_hub"] == []
    assert p["objections"] == [
        {
            "round": 1,
            "value": "disagree",
            "comment": "Too vague",
            "stakeholder_group": "civil_society",
            "channel": "remote",
        },
        {
            "round": 1,
            "value": "confused",
            "comment": HOSTILE,
            "stakeholder_group": "civil_society",
            "channel": "in_room",
        },
    ]
    shift = {s["group"]: (s["before_agree_share"], s["after_agree_share"]) for s in p["shift"]}
    assert shift == {
        None: (0.7, 2 / 3),
        "government": (1.0, 1.0),
        "civil_society": (0.0, 0.5),
        "academia": (1.0, None),  # Quinn rated only before deliberation
        "other": (5 / 6, None),
    }


def test_speakers_and_participation(session: Session) -> None:
    report = build(session.state, HEAD)
    assert report["speakers"]["turns"] == [
        {
            "order": 1,
            "name": "Ana",
            "stakeholder_group": "government",
            "channel": "in_room",
            "hub_id": None,
            "hub": None,
            "intent": "reply",
            "started_at": NOW + 60,
            "duration": 60.0,
        },
        {
            "order": 2,
            "name": "Ben",
            "stakeholder_group": "civil_society",
            "channel": "remote",
            "hub_id": None,
            "hub": None,
            "intent": "speak",
            "started_at": NOW + 120,
            "duration": 30.0,
        },
        {
            "order": 3,
            "name": "Amina",
            "stakeholder_group": "academia",
            "channel": "hub",
            "hub_id": "h1",
            "hub": "Nairobi hub",
            "intent": "speak",
            "started_at": NOW + 150,
            "duration": None,  # still speaking
        },
    ]
    speakers = report["speakers"]
    assert speakers["by_channel"] == {
        "in_room": {"turns": 1, "seconds": 60.0, "speaking": 0},
        "remote": {"turns": 1, "seconds": 30.0, "speaking": 0},
        "hub": {"turns": 1, "seconds": 0.0, "speaking": 1},
    }
    assert speakers["by_group"] == {
        "government": {"turns": 1, "seconds": 60.0, "speaking": 0},
        "civil_society": {"turns": 1, "seconds": 30.0, "speaking": 0},
        "academia": {"turns": 1, "seconds": 0.0, "speaking": 1},
    }
    assert speakers["by_hub"] == [
        {"hub_id": "h1", "name": "Nairobi hub", "turns": 1, "seconds": 0.0, "speaking": 1}
    ]
    part = report["participation"]
    assert (part["joined"], part["removed"], part["rated"], part["spoke"]) == (4, 0, 4, 2)
    assert part["by_group"] == {
        "government": {"joined": 1, "rated": 1, "spoke": 1},
        "civil_society": {"joined": 2, "rated": 2, "spoke": 1},
        "academia": {"joined": 1, "rated": 1, "spoke": 0},
    }
    assert part["by_channel"] == {
        "in_room": {"joined": 2, "rated": 2, "spoke": 1},
        "remote": {"joined": 2, "rated": 2, "spoke": 1},
    }
    assert part["hubs"] == [
        {
            "hub_id": "h1",
            "name": "Nairobi hub",
            "attendance": 30,
            "rounds_reported": 1,
            "speakers": 1,
            "turns": 1,
        }
    ]


def test_replayed_log_gives_the_same_report(session: Session) -> None:
    assert build(replay(session.log), HEAD) == build(session.state, HEAD)
    assert json.loads(render(build(session.state, HEAD), "json")) == build(session.state, HEAD)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_identity_in_any_format(session: Session, fmt: str) -> None:
    """Ids never; names only of those who had the floor; an agreeing comment is no objection."""
    text = render(build(session.state, HEAD), fmt)
    for absent in (
        "id-ana-91f3",
        "id-ben-27c0",
        "id-anon-5d2e",
        "id-quinn-b8a4",
        "Quiet Quinn",
        "Quinn agrees",
        "JKMNPQRS",
    ):
        assert absent not in text, absent
    assert HEAD in text
    if fmt != "csv":  # the CSV table holds ratings only, no speaker log
        assert all(name in text for name in ("Ana", "Ben", "Amina"))


def test_html_escapes_and_has_no_script(session: Session) -> None:
    page = render(build(session.state, HEAD), "html")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "Main &lt;session&gt;" in page
    assert page.count("<svg") >= 3

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)
            assert not any(name.startswith("on") for name, _ in attrs), (tag, attrs)

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    parsed = Text()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert HOSTILE in "".join(parsed.text)  # shown as written, as text


def test_markdown_escapes_user_text() -> None:
    assert md("a|b") == "a\\|b"
    assert md("<img src=x>") == "\\<img src=x\\>"
    assert md("[x](y)") == "\\[x\\](y)"
    assert md("line\nbreak") == "line break"
    assert md("- item") == "\\- item"
    assert md("1. first") == "1\\. first"
    assert md("# title") == "\\# title"


def test_csv_is_one_table_with_inert_cells(session: Session) -> None:
    rows = list(csv.DictReader(io.StringIO(render(build(session.state, HEAD), "csv"))))
    assert list(rows[0]) == list(COLUMNS)
    assert {r["head"] for r in rows} == {HEAD}
    # 2 rounds x (everyone + groups + 3 channels + hubs): round 1 has 4 groups and 1 hub.
    assert [(r["round"], r["breakdown"], r["key"]) for r in rows if r["round"] == "1"] == [
        ("1", "all", ""),
        ("1", "group", "government"),
        ("1", "group", "civil_society"),
        ("1", "group", "academia"),
        ("1", "group", "other"),
        ("1", "channel", "in_room"),
        ("1", "channel", "remote"),
        ("1", "channel", "hub"),
        ("1", "hub", "h1"),
    ]
    assert all(r["text"] == HOSTILE for r in rows)  # starts with "<": left as is
    formula = build(session.state, HEAD)
    formula["propositions"][0]["text"] = "=1+1"
    assert next(csv.DictReader(io.StringIO(render(formula, "csv"))))["text"] == "'=1+1"


def test_every_csv_column_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "reports.md").read_text()
    missing = [column for column in COLUMNS if f"| `{column}` |" not in docs]
    assert missing == []


def test_csv_states_the_head_before_anything_was_rated() -> None:
    s = Session()
    s.do(c.CreateSession("s1", "Empty", "JKMNPQRS"), Actor("operator"), NOW)
    [_, row] = list(csv.reader(io.StringIO(render(build(s.state, HEAD), "csv"))))
    assert row == ["s1", HEAD, "1"]
    s.do(c.AddProposition("pa", "Not opened"), FACILITATOR, NOW)
    [_, row] = list(csv.reader(io.StringIO(render(build(s.state, HEAD), "csv"))))
    assert row == ["s1", HEAD, "2", "1", "pa", "Not opened", "", "", "draft", "", ""]
    for fmt in ("md", "html", "json"):
        assert HEAD in render(build(s.state, HEAD), fmt)

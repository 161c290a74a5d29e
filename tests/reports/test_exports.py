"""Every format, over HTTP and offline, against an independent recount of the log."""

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.reports.conftest import AGREEING_COMMENT, FORMATS, OBJECTION, Played, plenary
from tests.reports.recount import SCALE, Recount, agree_share, stored, vector

CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes |= {name for name, _ in attrs}


def recount_of(played: Played) -> tuple[Recount, list[tuple[int, dict[str, Any], str]]]:
    log = stored(played.database, played.session_id)
    return Recount.of([body for _, body, _ in log]), log


@pytest.mark.parametrize("fmt", FORMATS)
def test_http_and_offline_exports_are_the_same_document(played: Played, fmt: str) -> None:
    answer = played.http[fmt]
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == CONTENT_TYPES[fmt]
    assert answer.headers["cache-control"] == "no-store"
    # The same log gives the same report, byte for byte, live or offline.
    assert answer.text == played.offline[fmt]


def test_json_figures_match_the_recount(played: Played) -> None:
    recount, log = recount_of(played)
    report = json.loads(played.offline["json"])
    assert report["head"] == log[-1][2]
    assert report["version"] == len(log) == log[-1][0]
    assert [p["id"] for p in report["propositions"]] == recount.order
    for p in report["propositions"]:
        pid = p["id"]
        assert p["text"] == recount.texts[pid]
        assert len(p["rounds"]) == recount.rounds[pid]
        mark = recount.marks.get(pid)
        assert (p["mark"] and (p["mark"]["status"], p["mark"]["note"])) == mark
        for r in p["rounds"]:
            number = r["round"]
            counts = recount.counts(pid, number)
            assert r["counts"] == vector(counts)
            assert r["total"] == sum(counts.values())
            assert r["metrics"]["agree_share"] == pytest.approx(agree_share(counts))
            assert {g: s["counts"] for g, s in r["by_group"].items()} == {
                g: vector(c) for g, c in recount.by_group(pid, number).items()
            }
            assert {c: s["counts"] for c, s in r["by_channel"].items()} == {
                c: vector(n) for c, n in recount.by_channel(pid, number).items()
            }
            assert {h["hub_id"]: h["counts"] for h in r["by_hub"]} == {
                h: vector(c) for h, c in recount.by_hub(pid, number).items()
            }
            assert {h["name"] for h in r["by_hub"]} == {
                recount.hubs[h]["name"] for h in recount.by_hub(pid, number)
            }
            for g, s in r["by_group"].items():
                assert s["agree_share"] == pytest.approx(
                    agree_share(recount.by_group(pid, number)[g])
                )
        objections = {
            (o["round"], o["value"], o["comment"], o["stakeholder_group"], o["channel"])
            for o in p["objections"]
        }
        assert objections == recount.objections(pid)
        assert objections  # the scenario made some


def test_shift_between_rounds_matches_the_recount(played: Played) -> None:
    recount, _ = recount_of(played)
    first = json.loads(played.offline["json"])["propositions"][0]
    pid = first["id"]
    shift = {s["group"]: s for s in first["shift"]}
    groups = set(recount.by_group(pid, 1)) | set(recount.by_group(pid, 2))
    assert set(shift) == {None, *groups}
    for group, s in shift.items():
        before = recount.counts(pid, 1) if group is None else recount.by_group(pid, 1).get(group)
        after = recount.counts(pid, 2) if group is None else recount.by_group(pid, 2).get(group)
        assert s["before_agree_share"] == (before and pytest.approx(agree_share(before)))
        assert s["after_agree_share"] == (after and pytest.approx(agree_share(after)))


def test_speakers_and_participation_match_the_recount(played: Played) -> None:
    recount, _ = recount_of(played)
    report = json.loads(played.offline["json"])
    turns = recount.all_turns()
    assert [
        (t["name"], t["stakeholder_group"], t["channel"], t["hub_id"], t["intent"], t["started_at"])
        for t in report["speakers"]["turns"]
    ] == [(t.name, t.group, t.channel, t.hub_id, t.intent, t.started_at) for t in turns]
    assert [t["duration"] for t in report["speakers"]["turns"]] == [
        None if t.ended_at is None else pytest.approx(t.ended_at - t.started_at) for t in turns
    ]
    assert report["speakers"]["turns"][-1]["duration"] is None  # the last one still speaks
    for channel, balance in report["speakers"]["by_channel"].items():
        chosen = [t for t in turns if t.channel == channel]
        assert balance["turns"] == len(chosen)
        assert balance["seconds"] == pytest.approx(
            sum(t.ended_at - t.started_at for t in chosen if t.ended_at is not None)
        )
    part = report["participation"]
    everyone = recount.participants
    assert (part["joined"], part["removed"]) == (len(everyone), len(recount.removed))
    assert (part["rated"], part["spoke"]) == (len(recount.rated()), len(recount.spoke()))
    for group, row in part["by_group"].items():
        ids = {pid for pid, p in everyone.items() if p["stakeholder_group"] == group}
        assert row == {
            "joined": len(ids),
            "rated": len(ids & recount.rated()),
            "spoke": len(ids & recount.spoke()),
        }
    for channel, row in part["by_channel"].items():
        ids = {pid for pid, p in everyone.items() if p["channel"] == channel}
        assert (row["joined"], row["rated"]) == (len(ids), len(ids & recount.rated()))
    assert {h["hub_id"]: h["attendance"] for h in part["hubs"]} == {
        h: v["attendance"] for h, v in recount.hubs.items()
    }


def test_csv_rows_match_the_recount(played: Played) -> None:
    recount, log = recount_of(played)
    rows = list(csv.DictReader(io.StringIO(played.offline["csv"])))
    assert {r["head"] for r in rows} == {log[-1][2]}
    expected = []
    for pid in recount.order:
        for number in range(1, recount.rounds[pid] + 1):
            expected.append((pid, number, "all", "", vector(recount.counts(pid, number))))
            expected += [
                (pid, number, "group", g, vector(c))
                for g, c in recount.by_group(pid, number).items()
            ]
            expected += [
                (pid, number, "channel", ch, vector(c))
                for ch, c in recount.by_channel(pid, number).items()
            ]
            expected += [
                (pid, number, "hub", h, vector(c)) for h, c in recount.by_hub(pid, number).items()
            ]
    found = [
        (
            r["proposition_id"],
            int(r["round"]),
            r["breakdown"],
            r["key"],
            {v: int(r[v]) for v in SCALE},
        )
        for r in rows
    ]
    assert sorted(found, key=repr) == sorted(expected, key=repr)


def test_markdown_and_html_state_head_version_and_figures(played: Played) -> None:
    recount, log = recount_of(played)
    head, version = log[-1][2], len(log)
    pid = recount.order[0]
    for fmt in ("md", "html"):
        text = played.offline[fmt]
        assert head in text
        assert f"{version} events" in text
    assert f"Ratings {sum(recount.counts(pid, 1).values())} ·" in played.offline["md"]
    assert f"Round 2 · {sum(recount.counts(pid, 2).values())} ratings" in played.offline["html"]


def test_html_is_printable_static_and_escaped(played: Played) -> None:
    page = played.offline["html"]
    assert page.startswith("<!doctype html>")
    assert "<script" not in page.lower()
    assert "javascript:" not in page.lower()
    tags = Tags()
    tags.feed(page)
    assert "script" not in tags.names
    assert not [a for a in tags.attributes if a.startswith("on")]  # no event handlers
    assert "<svg" in page
    assert "@page" in page
    assert "Zoë &lt;b&gt;Speaker&lt;/b&gt; &amp; Co" in page
    assert "<b>Speaker" not in page
    assert "Dhaka &lt;hub&gt;" in page
    assert "Too vague for &lt;i&gt;us&lt;/i&gt;" in page


def test_no_identity_leaks_from_any_export(played: Played) -> None:
    """No participant id, no join name of anyone who never had the floor, in any format."""
    assert played.participant_ids
    assert played.silent_names
    verify = plenary("verify", "--data", str(played.data), played.session_id)
    documents = {
        **{f"http {fmt}": played.http[fmt].text for fmt in FORMATS},
        **{f"offline {fmt}": played.offline[fmt] for fmt in FORMATS},
        "verify": verify.stdout + verify.stderr,
    }
    for where, text in documents.items():
        for participant_id in played.participant_ids:
            assert participant_id not in text, (where, participant_id)
        for name in played.silent_names:
            assert name not in text, (where, name)
        assert AGREEING_COMMENT not in text, where
        assert played.tokens["join_code"] not in text, where
    # Those who had the floor are there, by the name they gave the queue.
    assert "Remote Rui Q7" in played.offline["md"]
    assert "Amina" in played.offline["json"]
    assert (
        OBJECTION
        in json.loads(played.offline["json"])["propositions"][0]["objections"][0]["comment"]
    )


def test_export_writes_a_file(played: Played, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = plenary(
        "export",
        "--data",
        str(played.data),
        played.session_id,
        "--format",
        "html",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == played.offline["html"]
    assert str(out) in done.stdout

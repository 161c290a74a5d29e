"""The report's opinion section, and `plenary verify --report` recomputing it from the log."""

import json
from pathlib import Path

import pytest

from tests.live import LiveServer
from tests.opinion_play import (
    OPINION_CONSENSUS_P1,
    STAKEHOLDER_CONSENSUS_P1,
    Played,
    grouped,
    play,
    value,
)
from tests.reports.conftest import get_report, plenary


async def test_report_carries_opinion_groups_and_verify_recomputes_them(
    live_server: LiveServer, tmp_path: Path
) -> None:
    played = await play(live_server, consensus={"min_opinion_consensus": 0.4})
    await played.facilitator.until(grouped, timeout=15)
    await second_round_of_the_first(played)
    await played.close()
    token = played.created["tokens"]["facilitator"]
    answer = get_report(live_server, played.session_id, "json", token)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    section = report["opinions"]
    assert section["placed"] == 15
    assert section["hidden"] == 0
    assert [g["size"] for g in section["groups"]] == [5, 5, 5]
    assert all(g["representative"] for g in section["groups"])
    first = section["propositions"][0]
    assert first["position"] == 1
    assert first["opinion_consensus"] == pytest.approx(OPINION_CONSENSUS_P1)  # the live map's
    # Round 1 keeps its figure after round 2 replaced it on the live map.
    assert first["rounds"][0]["opinion_consensus"] == pytest.approx(OPINION_CONSENSUS_P1)
    assert first["rounds"][0]["stakeholder_consensus"] == pytest.approx(STAKEHOLDER_CONSENSUS_P1)
    # Round 2 rated proposition 1 alone: A and B agree (10), C is neutral (5).
    assert [r["round"] for r in section["rounds"]] == [1, 2]
    assert [g["size"] for g in section["rounds"][0]["groups"]] == [5, 5, 5]
    assert [g["size"] for g in section["rounds"][1]["groups"]] == [10, 5]
    assert first["rounds"][1]["opinion_consensus"] == pytest.approx((11 / 12 / 7) ** 0.5)
    assert first["suggests_rough_consensus"] is True  # 0.47 >= 0.4
    assert not json.dumps(section).count(played.participant_ids[0])
    for fmt, heading in (("md", "## Opinion groups"), ("html", "<h2>Opinion groups</h2>")):
        text = get_report(live_server, played.session_id, fmt, token).text
        assert heading in text
        assert f"{OPINION_CONSENSUS_P1:.3f}" in text
        assert f"{STAKEHOLDER_CONSENSUS_P1:.3f}" in text

    saved = tmp_path / "report.json"
    saved.write_text(json.dumps(report), encoding="utf-8")
    args = ("verify", "--data", str(live_server.data), played.session_id, "--report", str(saved))
    done = plenary(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "its opinion figures match the recomputation" in done.stdout
    assert "opinions recomputed: 15 placed, 3 group(s)" in done.stdout
    assert "round 2: 15 placed, 2 group(s) (1: 10, 2: 5)" in done.stdout

    # A figure changed by one point is a mismatch, named by its place in the report.
    first["rounds"][0]["opinion_consensus"] += 0.01
    section["groups"][0]["size"] = 6
    section["rounds"][1]["propositions"] = 8
    saved.write_text(json.dumps(report), encoding="utf-8")
    done = plenary(*args)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("FAIL  report")
    assert "3 opinion figure(s) differ" in done.stdout
    assert "opinions.rounds[1].propositions: the report says 8, the log gives 1" in done.stdout
    assert "opinions.propositions[0].rounds[0].opinion_consensus" in done.stdout
    assert "opinions.groups[0].size: the report says 6, the log gives 5" in done.stdout

    saved.write_text("not json", encoding="utf-8")
    done = plenary(*args)
    assert done.returncode == 2
    assert "is not a JSON report" in done.stderr


async def second_round_of_the_first(played: Played) -> None:
    """Proposition 1 closed and opened again; everyone rates it as in round 1."""
    pid = played.proposition_ids[0]
    for name in ("proposition:close", "proposition:open"):
        assert (await played.facilitator.call(name, {"proposition_id": pid}))["ok"]
    for i, phone in enumerate(played.phones):
        ack = await phone.call("rating:submit", {"proposition_id": pid, "value": value(i, 0)})
        assert ack["ok"], ack

"""The report's opinion section, and `plenary verify --report` recomputing it from the log."""

import json
from pathlib import Path

import pytest

from tests.live import LiveServer
from tests.opinion_play import OPINION_CONSENSUS_P1, STAKEHOLDER_CONSENSUS_P1, grouped, play
from tests.reports.conftest import get_report, plenary


async def test_report_carries_opinion_groups_and_verify_recomputes_them(
    live_server: LiveServer, tmp_path: Path
) -> None:
    played = await play(live_server, consensus={"min_opinion_consensus": 0.4})
    await played.facilitator.until(grouped, timeout=15)
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
    assert first["rounds"][0]["opinion_consensus"] == pytest.approx(OPINION_CONSENSUS_P1)
    assert first["rounds"][0]["stakeholder_consensus"] == pytest.approx(STAKEHOLDER_CONSENSUS_P1)
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

    # A figure changed by one point is a mismatch, named by its place in the report.
    first["rounds"][0]["opinion_consensus"] += 0.01
    section["groups"][0]["size"] = 6
    saved.write_text(json.dumps(report), encoding="utf-8")
    done = plenary(*args)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("FAIL  report")
    assert "2 opinion figure(s) differ" in done.stdout
    assert "opinions.propositions[0].rounds[0].opinion_consensus" in done.stdout
    assert "opinions.groups[0].size: the report says 6, the log gives 5" in done.stdout

    saved.write_text("not json", encoding="utf-8")
    done = plenary(*args)
    assert done.returncode == 2
    assert "is not a JSON report" in done.stderr

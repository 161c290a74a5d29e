"""`bench run --redis --workers 3` end to end at a tiny size, with a real redis-server.

Benchmarks are not tests: no timing is checked against a limit. This checks
that one invocation runs the burst on the single process and on three Redis
workers (phones on all three, the display on a worker that does not own the
session), kills the owner in the takeover, finds every acked command in the
log, and reports the issue's figures.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.cli import main
from bench.report import render

REPO = Path(__file__).resolve().parents[2]
N = 30


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench-redis")
    command = [sys.executable, "-m", "bench", "run", "--redis", "--workers", "3", "--n", str(N)]
    command += ["--repeat", "1", "--scenarios", "burst,takeover", "--timeout", "20"]
    command += ["--out", str(out)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    parsed: dict[str, Any] = json.loads((out / "report.json").read_text())
    return parsed


def owner_url(run: dict[str, Any]) -> str:
    """The worker the display is not on, nor the console: placement puts both after the owner."""
    placement = run["placement"]
    (owner,) = set(placement["phones"]) - {placement["display"], placement["facilitator"]}
    return str(owner)


@pytest.mark.slow
def test_the_burst_runs_on_three_workers_beside_the_single_process(
    report: dict[str, Any],
) -> None:
    burst = report["burst"]["by_n"][str(N)]
    (single,) = burst["runs"]["plenary"]
    (spread,) = burst["runs"]["redis"]
    for run in (single, spread):
        assert run["acks"]["ok"] == N
        assert run["display"]["final_total"] == N
        assert run["display"]["final_tally_after_last_ack_ms"] is not None
        # The opening and every rating, each found once in the log by its request_id.
        assert run["log"]["acked"] == N + 1
        assert (run["log"]["missing"], run["log"]["applied_twice"]) == (0, 0)
        assert run["log"]["verify"] == "PASS"
    assert len(set(single["placement"]["phones"])) == 1
    assert single["server"]["processes"] == 1
    assert len(set(spread["placement"]["phones"])) == 3
    assert spread["server"]["processes"] == 3
    assert spread["placement"]["display"] != owner_url(spread)
    assert spread["redis"]["rss_after_kb"] > 0
    ratios = burst["ratios"]["redis/plenary"]
    assert ratios["ack_p99_ms"] > 0
    assert ratios["memory_per_connection_kb"] is not None


@pytest.mark.slow
def test_the_takeover_kills_the_owner_and_loses_no_acked_command(
    report: dict[str, Any],
) -> None:
    takeover = report["takeover"]
    with pytest.raises(ProcessLookupError):
        os.kill(takeover["killed_pid"], 0)  # SIGKILLed, and reaped by the harness
    assert takeover["takeover_ms"] > 0
    assert len(takeover["probes"]) == 2  # one on each surviving worker
    assert all(p["acked_after_kill_ms"] is not None for p in takeover["probes"])
    assert owner_url(takeover) not in {p["url"] for p in takeover["probes"]}
    assert takeover["acks"]["ok"] == takeover["acks"]["sent"] == N
    assert takeover["display"]["final_total"] == N + 2
    log = takeover["log"]
    assert log["acked"] == N + 3  # the opening, the phones and the two probes
    assert (log["missing"], log["applied_twice"], log["verify"]) == (0, 0, "PASS")


@pytest.mark.slow
def test_the_report_checks_the_issues_targets(report: dict[str, Any]) -> None:
    goals = {goal["target"]: goal for goal in report["targets"]}
    lost = goals["acked commands missing from the log, every run on Redis"]
    assert (lost["measured"], lost["met"]) == (0, True)
    takeover = goals["takeover: owner SIGKILL to the first acked command on the new owner (s)"]
    assert takeover["measured"] == report["takeover"]["takeover_ms"] / 1000
    ratio = goals[f"burst ack p99 at n={N}, Redis workers / single process (SQLite)"]
    assert ratio["measured"] > 0
    markdown = render(report)
    assert "## Takeover: the owner SIGKILLed mid-burst" in markdown
    assert "| ack latency p99 (ms) |" in markdown


@pytest.mark.parametrize(
    "arguments",
    [["--workers", "3"], ["--targets", "redis"], ["--redis", "--scenarios", "takeover"]],
)
def test_what_cannot_run_is_refused_before_anything_starts(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["run", *arguments])
    assert refused.value.code == 2
    assert "redis" in capsys.readouterr().err

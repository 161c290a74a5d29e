"""The benchmark harness, end to end at a tiny size, so it cannot rot.

Benchmarks are not tests: nothing here checks a timing against a limit. It
checks that one invocation measures every target and reports sane figures.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import profiling
from bench.loadgen import LoadSettings, setup_bound_ms
from bench.report import render

REPO = Path(__file__).resolve().parents[2]
N = 20
SIZES = (10, N)
TARGETS = ("plenary", "bare", "node")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    command = [sys.executable, "-m", "bench", "run", "--n", ",".join(map(str, SIZES))]
    command += ["--repeat", "1", "--memory-bursts", "3", "--memory-pause", "0"]
    command += ["--scenarios", "burst,session", "--session-seconds", "3"]
    command += ["--targets", ",".join(TARGETS), "--out", str(out)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "report.md").read_text().startswith("# Plenary benchmark")
    parsed: dict[str, Any] = json.loads((out / "report.json").read_text())
    return parsed


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_every_target_acks_every_rating_and_shows_the_final_tally(
    report: dict[str, Any], target: str
) -> None:
    for n in SIZES:
        (run,) = report["burst"]["by_n"][str(n)]["runs"][target]
        assert run["setup"]["connected"] == n
        assert run["acks"]["sent"] == n
        assert run["acks"]["ok"] == n
        assert run["display"]["final_total"] == n
        assert run["display"]["final_tally_after_last_ack_ms"] is not None


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_every_target_has_positive_latencies_cpu_and_memory(
    report: dict[str, Any], target: str
) -> None:
    for n in SIZES:
        figures = report["burst"]["by_n"][str(n)]["median"][target]
        assert 0 < figures["ack_p50_ms"] <= figures["ack_p95_ms"] <= figures["ack_p99_ms"]
        assert figures["burst_ms"] > 0
        assert figures["server_cpu_s"] >= 0
        assert figures["cpu_per_rating_ms"] == figures["server_cpu_s"] * 1000 / n
        assert figures["peak_memory_per_connection_kb"] >= 0
        assert figures["memory_per_connection_kb"] is not None


@pytest.mark.slow
def test_plenary_is_reported_as_ratios_to_both_baselines(report: dict[str, Any]) -> None:
    for n in SIZES:
        ratios = report["burst"]["by_n"][str(n)]["ratios"]
        assert set(ratios) == {"plenary/bare", "plenary/node"}
        for against in ratios.values():
            assert against["ack_p99_ms"] > 0
    goals = {goal["target"]: goal for goal in report["targets"]}
    assert goals["burst ack p99, Plenary / bare python-socketio"]["measured"] > 0
    assert goals[f"burst ack p99 at n={N}, Plenary / bare python-socketio"]["measured"] > 0
    to_node = goals[f"burst ack p99 at n={N}, Plenary / Node socket.io"]
    assert to_node["measured"] == ratios["plenary/node"]["ack_p99_ms"]
    assert to_node["limit"] == "reported"
    assert to_node["met"] is None
    assert "| reported | (no limit) |" in render(report)
    # At 10 and 20 phones the server's CPU can round to 0 ticks, so only its presence is checked.
    assert "Plenary CPU per rating, largest n / smallest n" in goals


@pytest.mark.slow
def test_three_bursts_in_a_row_are_all_acked_and_reported(report: dict[str, Any]) -> None:
    memory = report["burst"]["memory_bursts"]
    assert memory["n"] == N
    assert memory["acked"] == [N, N, N]
    assert len(memory["rss_after_kb"]) == 3
    assert min(memory["rss_after_kb"]) > 0
    assert memory["last_over_first"] == memory["rss_after_kb"][-1] / memory["rss_after_kb"][0]
    assert [setup["connected"] for setup in memory["setup"]] == [N, N, N]
    assert all(setup["join_ms"] > 0 for setup in memory["setup"])
    markdown = render(report)
    assert "## Scale curve" in markdown
    assert "## Memory after bursts in a row" in markdown


@pytest.mark.slow
def test_the_session_shows_every_command_on_the_display(report: dict[str, Any]) -> None:
    assert set(report["session"]["by_target"]) == {"plenary"}  # the baselines have no session
    session = report["session"]["by_target"]["plenary"]
    kinds = set(session["display_latency_ms"])
    expected = {"proposition:open", "proposition:close", "rating:submit", "hub:tally"}
    expected |= {"timer:set", "queue:next", "hand:raise", "results:reveal", "consensus:mark"}
    assert expected <= kinds
    assert session["commands_failed"] == 0, session["refusals"]
    assert not any(session["not_shown"].values()), session["not_shown"]
    assert session["display_latency_all_ms"]["count"] > 0
    assert session["display_latency_all_ms"]["p99"] >= 0
    # The phones' `state` messages during the waves, and how many were their own `place`.
    states = session["participants_state_messages_during_waves"]
    assert states > 0
    assert 0 <= session["participants_place_messages_during_waves"] <= states
    # Every acked command is in the SQLite log once, found by its request_id.
    log = session["log"]
    assert log["acked"] == session["commands_ok"] > 0
    assert (log["missing"], log["applied_twice"], log["verify"]) == (0, 0, "PASS")


def test_the_bound_on_joining_and_connecting_grows_with_the_hall() -> None:
    small = LoadSettings(1_000, 2, 1, 60_000, Path("."))
    large = LoadSettings(10_000, 2, 1, 60_000, Path("."))
    assert setup_bound_ms(small) >= 2 * 60_000
    assert setup_bound_ms(large) > setup_bound_ms(small) + 9_000 * 10


def test_each_worker_is_profiled_apart_and_together(tmp_path: Path) -> None:
    """`--profile` on the redis target: one file a worker, summed, and each worker's
    own share, the session's owner marked (bench/profiling.py)."""
    files = profiling.files_for(tmp_path / "redis-burst.txt", (11, 12, 13))
    assert [f.name for f in files] == [f"redis-burst-worker{k}.txt" for k in (1, 2, 3)]
    assert profiling.files_for(tmp_path / "plenary.txt", (11,)) == [tmp_path / "plenary.txt"]
    for number, path in enumerate(files):
        path.write_text(f"main (a.py:1);run (server/runner.py:9) {number + 1}\n")
    found = profiling.summarize_workers(files, owner=1)
    assert found["samples"] == 6
    assert found["ours"] == [["run (server/runner.py:9)", 1.0]]
    assert [(w["worker"], w["owner"], w["samples"]) for w in found["workers"]] == [
        (1, False, 1),
        (2, True, 2),
        (3, False, 3),
    ]

"""The joins benchmark, end to end at a tiny size, so it cannot rot.

It checks that one invocation reports sane figures, and the one shape that
matters: phones are sent the head of the queue, not the whole of it.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_joins_benchmark_reports_bytes_to_the_console_and_a_phone(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench", "joins", "--n", "60", "--hands", "40"]
    command += ["--timeout", "60", "--out", str(tmp_path)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads((tmp_path / "joins.json").read_text())
    assert (tmp_path / "joins.md").read_text().startswith("# Joins benchmark: 60 joins")
    assert figures["n"] == 60
    assert figures["hands"] == 40
    for phase in ("joins", "hands_raised"):
        assert figures[phase]["seconds"] > 0
        console = figures[phase]["console"]
        assert 0 < console["largest_frame"] <= console["bytes"]
    # A phone that did not raise its hand is sent the head of the queue: five
    # entries (about 1.3 KB), where the whole queue of 40 would be about 8 KB.
    phone = figures["hands_raised"]["phone"]
    assert 0 < phone["largest_frame"] < 3_000, phone
    # Sixty rows of about 150 bytes: each reached the console about once.
    assert figures["joins"]["console"]["bytes"] < 60 * 400, figures["joins"]["console"]

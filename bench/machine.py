"""What the figures were measured on: every report says when and where."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from bench.paths import REPO_DIR

Json = dict[str, Any]


def describe_machine() -> Json:
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gib": round(memory_kb() / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": command_output(["node", "--version"]),
        "commit": commit(),
        "load_average_at_start": load_average(),
    }


def commit() -> str:
    """HEAD, marked when the measured code (core, server, harness) differs from it."""
    head = command_output(["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"])
    dirty = ["git", "-C", str(REPO_DIR), "status", "--porcelain", "facilitation", "server", "bench"]
    changed = command_output(dirty) != "unknown"
    return f"{head} with uncommitted changes" if changed else head


def load_average() -> float:
    """The 1-minute load average: how busy this shared machine was (2 cores: 2.0 is full)."""
    lines = read_lines(Path("/proc/loadavg"))
    return float(lines[0].split()[0]) if lines else -1.0


def cpu_model() -> str:
    for line in read_lines(Path("/proc/cpuinfo")):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_kb() -> int:
    for line in read_lines(Path("/proc/meminfo")):
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return 0


def read_lines(path: Path) -> list[str]:
    try:
        return path.read_text().splitlines()
    except OSError:
        return []


def command_output(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"

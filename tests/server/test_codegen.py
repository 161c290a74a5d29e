"""Generated vocabularies are fresh, and a change made in Python alone is caught."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server import codegen

ROOT = Path(__file__).resolve().parents[2]


def test_the_generated_files_are_fresh() -> None:
    assert codegen.stale() == [], "run scripts/generate"


def test_payload_types_follow_the_models() -> None:
    module = codegen.client_module()
    assert '"queue:move": { entry_id: string; position: number };' in module
    assert (
        '"timer:set": { action: "start" | "pause" | "reset"; seconds?: number | null };' in module
    )
    assert "export const SCALE = [" in module


def scratch_copy(tmp_path: Path) -> Path:
    """The sources the generator reads and the files it writes, in a scratch tree."""
    copy = tmp_path / "copy"
    for folder in ("facilitation", "server"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for path in (codegen.CLIENT, codegen.LOADGEN, codegen.PROTOCOL):
        target = copy / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return copy


def check(copy: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.codegen", "--check"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("file", "old", "new", "stale"),
    [
        (
            "facilitation/vocabulary.py",
            '    "strongly_agree",\n    "agree",',
            '    "strongly_agree",\n    "mostly_agree",',
            ["client/src/generated/vocabulary.ts", "bench/load/vocabulary.generated.mjs"],
        ),
        (
            "server/registry.py",
            '    entry("queue:yield", w.Empty, c.YieldFloor, lambda p: c.YieldFloor()),',
            '    entry("queue:yield", w.Empty, c.YieldFloor, lambda p: c.YieldFloor()),\n'
            '    entry("queue:skip", w.Empty, c.QueueNext, lambda p: c.QueueNext()),',
            [
                "client/src/generated/vocabulary.ts",
                "bench/load/vocabulary.generated.mjs",
                "docs/protocol.md",
            ],
        ),
    ],
    ids=["scale value renamed", "command added"],
)
def test_a_change_in_python_alone_fails_the_check(
    tmp_path: Path, file: str, old: str, new: str, stale: list[str]
) -> None:
    copy = scratch_copy(tmp_path)
    assert check(copy).returncode == 0
    edit(copy / file, old, new)
    result = check(copy)
    assert result.returncode == 1
    for name in stale:
        assert f"{name} is stale: run scripts/generate" in result.stderr

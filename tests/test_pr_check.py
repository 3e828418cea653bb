"""The pull-request check that the public CI runs: .ci/pr-check BASE NEW."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from faults import append_row, set_cell

from jsp_data.build import build

ROOT = Path(__file__).resolve().parents[1]


def _tree(dest: Path) -> Path:
    dest.mkdir()
    for rel in ("datapackage.json", "pyproject.toml", "CHANGELOG.md", "README.md", "CITATION.cff", ".zenodo.json"):
        shutil.copy(ROOT / rel, dest / rel)
    for rel in ("schemas", "data", "docs"):
        shutil.copytree(ROOT / rel, dest / rel)
    return dest


def _run(base: Path, new: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    summary = tmp_path / "summary.md"
    env = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary), PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    return subprocess.run(
        ["bash", str(ROOT / ".ci" / "pr-check"), str(base), str(new)], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture()
def trees(tmp_path: Path) -> tuple[Path, Path]:
    return _tree(tmp_path / "base"), _tree(tmp_path / "new")


def _changelog(new: Path, line: str) -> None:
    path = new / "CHANGELOG.md"
    path.write_text(path.read_text("utf-8").replace("## [Unreleased]", f"## [Unreleased]\n\n- {line}", 1), "utf-8")


def test_good_correction_passes_and_posts_the_diff(trees, tmp_path):
    base, new = trees
    set_cell(new, "agreements", "agr-2010-aus-acsa", "notes", "Signed in Tokyo by the foreign ministers.")
    _changelog(new, "Corrected the notes of agr-2010-aus-acsa.")
    assert build(new, log=lambda m: None) == []
    out = _run(base, new, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "changed `agr-2010-aus-acsa` **notes**" in out.stdout
    assert "## Data changes" in (tmp_path / "summary.md").read_text("utf-8")


def test_data_change_without_changelog_fails(trees, tmp_path):
    base, new = trees
    set_cell(new, "agreements", "agr-2010-aus-acsa", "notes", "Signed in Tokyo by the foreign ministers.")
    assert build(new, log=lambda m: None) == []
    out = _run(base, new, tmp_path)
    assert out.returncode == 1
    assert "::error file=CHANGELOG.md" in out.stdout


def test_invalid_row_and_stale_build_are_annotated(trees, tmp_path):
    base, new = trees
    line = append_row(
        new,
        "meetings",
        {
            "id": "mtg-2014-aus-test",
            "title": "Test",
            "kind": "summit",
            "parties": "AUS;JPN",
            "parties_complete": "true",
            "start_date": "2014-02-30",
            "start_precision": "day",
            "status": "held",
            "objectives_basis": "coder",
            "confidence": "high",
        },
    )
    _changelog(new, "Added a meeting.")
    out = _run(base, new, tmp_path)
    assert out.returncode == 1
    assert f"::error file=data/csv/meetings.csv,line={line}" in out.stdout
    assert "start_date" in out.stdout

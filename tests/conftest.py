"""Shared fixtures: the checkout, and a scratch copy of it for tests that break the data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT.parent / "shared" / "sources" / "sahashi-2013-security-partnerships.md"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture()
def scratch(tmp_path: Path) -> Path:
    """A copy of the repository's data package (descriptor, schemas, CSVs) to break."""
    dest = tmp_path / "repo"
    dest.mkdir()
    for rel in ("datapackage.json", "pyproject.toml"):
        shutil.copy(ROOT / rel, dest / rel)
    shutil.copytree(ROOT / "schemas", dest / "schemas")
    shutil.copytree(ROOT / "data", dest / "data")
    return dest


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the jsp-data command in a subprocess, as a user would."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run(
        [sys.executable, "-m", "jsp_data.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def paper_path() -> Path:
    """The founding paper; under .ci/run (JSP_REQUIRE_PAPER=1) its absence is a failure, elsewhere a skip."""
    if not PAPER.is_file():
        if os.environ.get("JSP_REQUIRE_PAPER"):
            pytest.fail(f"the founding paper is missing at {PAPER}: CI needs ../shared beside the checkout")
        pytest.skip("the founding paper at ../shared is not available")
    return PAPER

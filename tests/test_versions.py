"""Releases: version equality, the registry against git history, the release command's refusals."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from faults import append_row, set_cell

import jsp_data
from jsp_data import releases as releases_module
from jsp_data.citation_files import changelog_releases
from jsp_data.release import ReleaseError, release, release_commit
from jsp_data.releases import file_entries, registry

GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def test_package_descriptor_changelog_and_citation_versions_are_equal(root):
    version = jsp_data.__version__
    assert jsp_data.metadata()["version"] == version
    newest = changelog_releases((root / "CHANGELOG.md").read_text("utf-8"))
    assert newest and newest[0][0] == version
    assert f'version: "{version}"' in (root / "CITATION.cff").read_text("utf-8")
    assert json.loads((root / ".zenodo.json").read_text("utf-8"))["version"] == version
    assert jsp_data.versions()[0] == version


def test_versions_newest_first():
    versions = jsp_data.versions()
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))), reverse=True)


def _git_available(root: Path) -> bool:
    return shutil.which("git") is not None and (root / ".git").exists()


def test_registry_matches_files_in_git_history(root):
    """Every released file's size and sha256 equal the file in the commit that released it."""
    if not _git_available(root):
        pytest.skip("not a git checkout")
    for entry in registry()["versions"]:
        commit = release_commit(root, entry["version"])
        assert commit, f"no commit wrote version {entry['version']} into _version.py"
        for path, meta in entry["files"].items():
            data = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=root, capture_output=True, check=True).stdout
            assert len(data) == meta["size"], path
            import hashlib

            assert hashlib.sha256(data).hexdigest() == meta["sha256"], f"{entry['version']}: {path} differs from git"


def test_data_version_says_when_data_differs(scratch):
    assert jsp_data.data_version(scratch) == jsp_data.data_version()
    set_cell(scratch, "agreements", "agr-2010-aus-acsa", "notes", "Signed in Tokyo.")
    assert jsp_data.data_version(scratch) is None


@pytest.fixture()
def clone(tmp_path: Path, root: Path) -> Path:
    """A git clone of this checkout with its working changes committed, to release from."""
    if not _git_available(root):
        pytest.skip("not a git checkout")
    dest = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(dest)], check=True)
    for rel in subprocess.run(
        ["git", "ls-files", "-m", "-o", "--exclude-standard"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / rel, dest / rel)
    env = dict(os.environ, **GIT_ENV)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "working tree"], cwd=dest, check=True, env=env)
    os.environ.update(GIT_ENV)
    return dest


@pytest.fixture()
def released(clone: Path, monkeypatch) -> Path:
    """The clone just after a release: unreleased changes (if any) released by the rules first."""
    from jsp_data.release import next_version, required_level

    monkeypatch.setattr(
        releases_module, "_registry", lambda: json.loads((clone / "src/jsp_data/registry.json").read_text("utf-8"))
    )
    if jsp_data.data_version(clone) is None:
        previous = jsp_data.versions()[0]
        level, _ = required_level(clone, previous)
        release(clone, next_version(previous, level), log=lambda m: None)
    return clone


def _commit(repo: Path, message: str) -> None:
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True)


def _add_unreleased_line(repo: Path, line: str) -> None:
    path = repo / "CHANGELOG.md"
    path.write_text(path.read_text("utf-8").replace("## [Unreleased]", f"## [Unreleased]\n\n- {line}", 1), "utf-8")


def test_release_refuses_dirty_tree_and_bad_versions(clone):
    current = jsp_data.versions()[0]
    (clone / "data/csv/agreements.csv").write_text((clone / "data/csv/agreements.csv").read_text("utf-8") + "\n", "utf-8")
    with pytest.raises(ReleaseError, match="uncommitted"):
        release(clone, "9.0.0", log=lambda m: None)
    subprocess.run(["git", "checkout", "--", "."], cwd=clone, check=True)
    with pytest.raises(ReleaseError, match="not a version"):
        release(clone, "1.0", log=lambda m: None)
    with pytest.raises(ReleaseError, match="already released"):
        release(clone, current, log=lambda m: None)


def test_release_demands_the_right_step_then_records_everything(released):
    clone = released
    previous = jsp_data.versions()[0]
    major, minor, patch = map(int, previous.split("."))
    # a correction only: PATCH
    set_cell(clone, "agreements", "agr-2010-aus-acsa", "notes", "Signed in Tokyo; in force on the exchange of notes.")
    _add_unreleased_line(clone, "Corrected a note.")
    from jsp_data.build import build

    assert build(clone, log=lambda m: None) == []
    _commit(clone, "correct a note")
    with pytest.raises(ReleaseError, match=f"need a patch release, {major}.{minor}.{patch + 1}"):
        release(clone, f"{major}.{minor + 1}.0", log=lambda m: None)
    # a new row as well: MINOR
    append_row(clone, "withdrawals", {"table": "meetings", "id": "mtg-2099-test", "version": "0.0.1", "reason": "test"})
    assert build(clone, log=lambda m: None) == []
    _commit(clone, "withdraw")
    with pytest.raises(ReleaseError, match="need a minor release"):
        release(clone, f"{major}.{minor}.{patch + 1}", log=lambda m: None)
    new = f"{major}.{minor + 1}.0"
    tag = release(clone, new, log=lambda m: None)
    assert tag == f"v{new}"
    assert subprocess.run(["git", "tag", "--list", tag], cwd=clone, capture_output=True, text=True).stdout.strip() == tag
    assert subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True).stdout == ""
    changelog = (clone / "CHANGELOG.md").read_text("utf-8")
    assert changelog_releases(changelog)[0][0] == new
    assert "## [Unreleased]\n\n## [" in changelog
    assert f'__version__ = "{new}"' in (clone / "src/jsp_data/_version.py").read_text("utf-8")
    assert json.loads((clone / "datapackage.json").read_text("utf-8"))["version"] == new
    assert f'version: "{new}"' in (clone / "CITATION.cff").read_text("utf-8")
    reg = json.loads((clone / "src/jsp_data/registry.json").read_text("utf-8"))
    assert reg["versions"][0]["version"] == new
    assert reg["versions"][0]["files"] == file_entries(clone)


def test_release_refuses_empty_changelog(released):
    clone = released
    set_cell(clone, "agreements", "agr-2010-aus-acsa", "notes", "Signed in Tokyo.")
    from jsp_data.build import build

    assert build(clone, log=lambda m: None) == []
    text = (clone / "CHANGELOG.md").read_text("utf-8")
    head, rest = text.split("## [Unreleased]", 1)
    nxt = rest.find("\n## [")
    (clone / "CHANGELOG.md").write_text(head + "## [Unreleased]\n" + (rest[nxt:] if nxt >= 0 else ""), "utf-8")
    _commit(clone, "edit")
    previous = jsp_data.versions()[0]
    major, minor, patch = map(int, previous.split("."))
    with pytest.raises(ReleaseError, match="Unreleased section is empty"):
        release(clone, f"{major}.{minor}.{patch + 1}", log=lambda m: None)

"""``jsp-data release X.Y.Z`` (maintainers): cut a data release from a clean, valid, built checkout.

A release is exactly the committed tree at its tag. This module refuses a dirty tree, invalid
data, a stale build and a version that breaks the data versioning rules (CONTRIBUTING.md); then it
moves ``## [Unreleased]`` to the version, writes the version in ``_version.py``, rebuilds the
generated files (descriptor, CITATION.cff, .zenodo.json), records the release in the registry,
commits and tags ``vX.Y.Z``. The maintainer pushes the tag.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from .citation_files import changelog_releases
from .releases import VERSION_PATTERN, file_entries, parse_version, versions

UNRELEASED = "## [Unreleased]"
LEVELS = ("patch", "minor", "major")


class ReleaseError(Exception):
    """The release was refused; the message says why and what to do."""


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def release_commit(root: Path, version: str) -> str | None:
    """The commit that released ``version``: the oldest that wrote it into _version.py."""
    try:
        out = git(root, "log", "--format=%H", "-S", f'__version__ = "{version}"', "--", "src/jsp_data/_version.py")
    except (ReleaseError, OSError):
        return None
    commits = out.split()
    return commits[-1] if commits else None


def _schema_columns(text: str) -> dict[str, str]:
    return {f["name"]: f["type"] for f in json.loads(text)["fields"]}


def _ids(text: str) -> set[str]:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    return {r[0] for r in rows[1:] if r} if rows else set()


def required_level(root: Path, previous: str) -> tuple[str, list[str]]:
    """The smallest version step the changes since ``previous`` need, with the reasons."""
    commit = release_commit(root, previous)
    if commit is None:
        raise ReleaseError(f"cannot find the commit of release {previous} in git history (a shallow clone?)")
    reasons: dict[str, list[str]] = {level: [] for level in LEVELS}
    old_files = set(git(root, "ls-tree", "-r", "--name-only", commit).split())
    for path in sorted(root.glob("schemas/*.json")):
        rel = path.relative_to(root).as_posix()
        new_cols = _schema_columns(path.read_text("utf-8"))
        if rel not in old_files:
            reasons["minor"].append(f"table {path.stem} added")
            continue
        old_cols = _schema_columns(git(root, "show", f"{commit}:{rel}"))
        for name, typ in old_cols.items():
            if name not in new_cols:
                reasons["major"].append(f"{path.stem}.{name} removed or renamed")
            elif new_cols[name] != typ:
                reasons["major"].append(f"{path.stem}.{name} retyped {typ} -> {new_cols[name]}")
        reasons["minor"] += [f"{path.stem}.{n} added" for n in new_cols if n not in old_cols]
    for rel in old_files:
        if rel.startswith("schemas/") and not (root / rel).is_file():
            reasons["major"].append(f"table {Path(rel).stem} removed")
    for path in sorted(root.glob("data/csv/*.csv")):
        rel = path.relative_to(root).as_posix()
        new_text = path.read_text("utf-8")
        old_text = git(root, "show", f"{commit}:{rel}") if rel in old_files else ""
        if new_text == old_text:
            continue
        added = _ids(new_text) - _ids(old_text)
        if path.stem == "withdrawals" and added:
            reasons["minor"].append(f"{len(added)} withdrawal(s)")
        elif added:
            reasons["minor"].append(f"{len(added)} row(s) added to {path.stem}")
        else:
            reasons["patch"].append(f"{path.stem} corrected")
    for level in reversed(LEVELS):
        if reasons[level]:
            return level, reasons[level]
    return "none", []


def next_version(previous: str, level: str) -> str:
    major, minor, patch = parse_version(previous)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def move_unreleased(changelog: str, version: str, date: str) -> str:
    """Rename the Unreleased section to the release and open a new, empty Unreleased above it."""
    if UNRELEASED not in changelog:
        raise ReleaseError("CHANGELOG.md has no '## [Unreleased]' section")
    body = changelog.split(UNRELEASED, 1)[1]
    following = re.search(r"^## \[", body, re.M)
    if not body[: following.start() if following else len(body)].strip():
        raise ReleaseError("CHANGELOG.md's Unreleased section is empty: say what changed before releasing")
    return changelog.replace(UNRELEASED, f"{UNRELEASED}\n\n## [{version}] - {date}", 1)


def check_ready(root: Path, version: str) -> str | None:
    """Refuse what may not be released; return the previous release (None for the first)."""
    if not re.match(VERSION_PATTERN, version):
        raise ReleaseError(f"'{version}' is not a version X.Y.Z")
    if git(root, "status", "--porcelain"):
        raise ReleaseError("the working tree has uncommitted changes: commit or stash them first")
    known = versions()
    if version in known:
        raise ReleaseError(f"{version} is already released")
    previous = known[0] if known else None
    if previous is not None:
        level, reasons = required_level(root, previous)
        if level == "none":
            raise ReleaseError(f"nothing in the data or schemas changed since {previous}")
        wanted = next_version(previous, level)
        if version != wanted:
            raise ReleaseError(
                f"the changes since {previous} need a {level} release, {wanted} ({'; '.join(reasons[:5])}); got {version}"
            )
    from .build import build

    problems = build(root, check=True, log=lambda _m: None)
    if problems:
        first = problems[0]
        raise ReleaseError(
            f"the data is invalid or the build is stale ({first.file}: {first.message}); "
            "run jsp-data validate and jsp-data build, commit, then release"
        )
    return previous


def release(root: Path, version: str, today: dt.date | None = None, log: Callable[[str], None] = print) -> str:
    """Cut release ``version`` in the checkout at ``root``; returns the tag to push."""
    from .build import build

    check_ready(root, version)
    date = (today or dt.date.today()).isoformat()
    changelog = root / "CHANGELOG.md"
    changelog.write_text(move_unreleased(changelog.read_text("utf-8"), version, date), "utf-8")
    version_file = root / "src/jsp_data/_version.py"
    text = version_file.read_text("utf-8")
    version_file.write_text(re.sub(r'__version__ = "[^"]*"', f'__version__ = "{version}"', text), "utf-8")
    problems = build(root, log=log)
    if problems:
        raise ReleaseError(f"the build failed: {problems[0].message}")
    registry_path = root / "src/jsp_data/registry.json"
    registry = json.loads(registry_path.read_text("utf-8"))
    registry["versions"].insert(0, {"version": version, "date": date, "files": file_entries(root)})
    registry_path.write_text(json.dumps(registry, indent=1, sort_keys=False) + "\n", "utf-8")
    if changelog_releases(changelog.read_text("utf-8"))[0][0] != version:
        raise ReleaseError("CHANGELOG.md's newest release is not the new version")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"Release {version}")
    git(root, "tag", "-a", f"v{version}", "-m", f"jsp-data {version}")
    return f"v{version}"

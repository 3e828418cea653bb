"""Released data versions: the shipped registry, and which release the installed data is.

The registry (``registry.json`` beside this file) lists every release with each published file's
repository path, size and sha256. ``jsp-data release`` appends to it; nothing else writes it.
"""

from __future__ import annotations

from functools import cache

from .paths import data_root

TYPE_CHECKING = False  # typing and pathlib cost milliseconds at import: annotations only
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

VERSION_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$"
# Parquet is generated and its bytes depend on the pyarrow version: a release is identified by the
# canonical files (CSVs, schemas, descriptor), which do not.
CANONICAL_PREFIXES = ("datapackage.json", "schemas/", "data/csv/")


class UnknownVersionError(ValueError):
    """Raised for a version that is not in the registry; the message lists the known ones."""


def parse_version(text: str) -> tuple[int, int, int]:
    """Split ``X.Y.Z`` into three integers; raise ValueError for anything else."""
    import re

    match = re.match(VERSION_PATTERN, text)
    if not match:
        raise ValueError(f"'{text}' is not a version of the form X.Y.Z (for example 0.2.0)")
    return int(match[1]), int(match[2]), int(match[3])


def registry_path() -> Path:
    """The registry shipped beside this module."""
    from pathlib import Path

    return Path(__file__).resolve().parent / "registry.json"


@cache
def _registry() -> dict[str, Any]:
    import json

    with open(registry_path(), encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def registry() -> dict[str, Any]:
    """The registry as a dict ``{"versions": [{"version", "date", "files": {path: {size, sha256}}}]}``."""
    import json

    return json.loads(json.dumps(_registry()))


def versions() -> list[str]:
    """Return the released data versions, newest first.

    Examples
    --------
    >>> import jsp_data
    >>> "0.1.0" in jsp_data.versions()
    True
    """
    return sorted((v["version"] for v in _registry()["versions"]), key=parse_version, reverse=True)


def release_entry(version: str) -> dict[str, Any]:
    """The registry entry of one release; UnknownVersionError lists the known versions."""
    for entry in _registry()["versions"]:
        if entry["version"] == version:
            return dict(entry)
    known = ", ".join(versions()) or "none yet"
    raise UnknownVersionError(f"no released version '{version}'; released versions: {known}")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def published_files(root: Path) -> list[str]:
    """Repository paths of the files a release publishes, relative to ``root``, sorted."""
    from pathlib import Path  # noqa: F401

    paths = ["datapackage.json"]
    for pattern in ("schemas/*.json", "data/csv/*.csv", "data/parquet/*.parquet"):
        paths += [p.relative_to(root).as_posix() for p in root.glob(pattern)]
    return sorted(paths)


def file_entries(root: Path) -> dict[str, dict[str, Any]]:
    """Size and sha256 of each published file under ``root``."""
    return {rel: {"size": (root / rel).stat().st_size, "sha256": sha256_file(root / rel)} for rel in published_files(root)}


def _canonical(files: dict[str, Any]) -> dict[str, str]:
    return {p: e["sha256"] for p, e in files.items() if p.startswith(CANONICAL_PREFIXES)}


def data_version(root: Path | None = None) -> str | None:
    """Return the release that the installed data is, or None when it differs from every release.

    The CSVs, schemas and descriptor are compared by sha256 with each release in the registry.
    None means modified or unreleased data (for example a checkout with changes under
    ``## [Unreleased]``): cite it as such, never under a release number.

    Examples
    --------
    >>> import jsp_data
    >>> jsp_data.data_version() in (None, *jsp_data.versions())
    True
    """
    root = data_root() if root is None else root
    have = {rel: sha256_file(root / rel) for rel in published_files(root) if rel.startswith(CANONICAL_PREFIXES)}
    for version in versions():
        if _canonical(release_entry(version)["files"]) == have:
            return version
    return None

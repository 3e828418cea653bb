"""Get any released version's files, verified against the registry's sha256.

The installed version comes from the package with no network. Another version is fetched from
``{base}/v{version}/{path}`` (``path`` is the file's repository path), where ``base`` is the
repository's raw files (see ``_version.REPOSITORY_URL``) or ``JSP_DATA_BASE_URL``. Files are cached
per version under the user cache folder, or ``JSP_DATA_CACHE``.
"""

from __future__ import annotations

import os
import sys

from ._version import REPOSITORY_URL
from .paths import data_root
from .releases import data_version, release_entry, sha256_file

TYPE_CHECKING = False  # typing and pathlib cost milliseconds at import: annotations only
if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("csv", "parquet")


class DownloadError(RuntimeError):
    """A release file could not be fetched, or arrived with the wrong hash."""


def base_url() -> str:
    """Where release trees are fetched from: ``JSP_DATA_BASE_URL`` or the repository's raw files."""
    default = REPOSITORY_URL.replace("https://github.com/", "https://raw.githubusercontent.com/")
    return os.environ.get("JSP_DATA_BASE_URL", default).rstrip("/")


def cache_dir() -> Path:
    """The cache folder: ``JSP_DATA_CACHE``, or the user cache folder of jsp-data."""
    from pathlib import Path

    env = os.environ.get("JSP_DATA_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("jsp-data", appauthor=False))


def release_files(version: str, format: str = "csv") -> dict[str, str]:
    """The repository paths and sha256 of a release's files in one format (with descriptor and schemas)."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got '{format}'")
    wanted = ("datapackage.json", "schemas/", f"data/{format}/")
    return {p: e["sha256"] for p, e in release_entry(version)["files"].items() if p.startswith(wanted)}


def _fetch(url: str, sha256: str, folder: Path, name: str) -> None:
    import pooch
    import requests

    progress = sys.stderr.isatty()
    try:
        import tqdm  # noqa: F401  (pooch's progress bar needs it)
    except ImportError:
        progress = False
    try:
        pooch.retrieve(url, known_hash=f"sha256:{sha256}", fname=name, path=folder, progressbar=progress)
    except ValueError as exc:  # pooch deletes a file whose hash does not match
        raise DownloadError(
            f"{url}: the file's sha256 does not match the registry, so it was refused and "
            f"nothing was kept (expected {sha256}). The server or a proxy altered it; "
            "try again later or another JSP_DATA_BASE_URL."
        ) from exc
    except requests.exceptions.HTTPError as exc:
        raise DownloadError(
            f"{url}: the server answered {exc.response.status_code if exc.response is not None else '?'}; check JSP_DATA_BASE_URL"
        ) from exc
    except requests.exceptions.RequestException as exc:
        raise DownloadError(
            f"{url}: cannot reach the server ({type(exc).__name__}). Connect to the network, "
            "or point JSP_DATA_CACHE to a folder that already holds this version"
        ) from exc


def fetch_version(version: str, format: str = "csv") -> Path:
    """Return a local folder laid out like the repository holding ``version``'s files.

    The installed data is used when it is that release; otherwise the files come from the cache,
    or are downloaded and verified. A failed or tampered download leaves nothing in the cache.
    """
    import shutil
    import tempfile
    from pathlib import Path

    files = release_files(version, format)  # raises UnknownVersionError first
    if data_version() == version:
        return data_root()
    folder = cache_dir() / f"v{version}"
    missing = {p: h for p, h in files.items() if not ((folder / p).is_file() and sha256_file(folder / p) == h)}
    if not missing:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=folder))
    try:
        from_git = _from_git_history(version, missing, staging)
        for rel, digest in missing.items():
            if rel not in from_git:
                _fetch(f"{base_url()}/v{version}/{rel}", digest, staging / Path(rel).parent, Path(rel).name)
        for rel in missing:  # every file verified: now move them in
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, folder / rel)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _from_git_history(version: str, files: dict[str, str], staging: Path) -> set[str]:
    """In a source checkout, take release files from the commit that released them (no network).

    Only files whose bytes match the registry's sha256 are taken; the rest are downloaded.
    """
    import hashlib
    import subprocess

    from .paths import checkout_root
    from .release import release_commit

    root = checkout_root()
    commit = release_commit(root, version) if root is not None else None
    if commit is None:
        return set()
    taken = set()
    for rel, digest in files.items():
        result = subprocess.run(["git", "show", f"{commit}:{rel}"], cwd=root, capture_output=True)
        if result.returncode == 0 and hashlib.sha256(result.stdout).hexdigest() == digest:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_bytes(result.stdout)
            taken.add(rel)
    return taken


def copy_tree_atomic(source: Path, paths: list[str], dest: Path) -> list[Path]:
    """Copy ``paths`` (relative to ``source``) into ``dest``; each file appears whole or not at all."""
    import shutil
    import tempfile
    from pathlib import Path

    if dest.exists() and not dest.is_dir():
        raise NotADirectoryError(f"{dest} exists and is not a folder")
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    with tempfile.TemporaryDirectory(prefix=".jsp-data-", dir=dest) as tmp:
        for rel in paths:
            (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, Path(tmp) / rel)
        for rel in paths:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(Path(tmp) / rel, dest / rel)
            out.append(dest / rel)
    return out


def download(dest: str | Path, version: str | None = None, format: str = "csv") -> list[Path]:
    """Write a data version's tables, schemas and descriptor to ``dest``, verified.

    Parameters
    ----------
    dest : str or Path
        Destination folder; files land under it with their repository paths
        (``datapackage.json``, ``schemas/``, ``data/csv/`` or ``data/parquet/``).
    version : str, optional
        A released version (``jsp_data.versions()``); default: the installed data, no network.
    format : {"csv", "parquet"}
        Table file format.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import jsp_data, tempfile
    >>> files = jsp_data.download(tempfile.mkdtemp())  # the installed data: no network
    >>> any(p.name == "agreements.csv" for p in files)
    True
    """
    from pathlib import Path

    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got '{format}'")
    if version is None:
        root = data_root()
        from .releases import published_files

        paths = [p for p in published_files(root) if p.startswith(("datapackage.json", "schemas/", f"data/{format}/"))]
    else:
        paths = sorted(release_files(version, format))
        root = fetch_version(version, format)
    return copy_tree_atomic(root, paths, Path(dest))

"""Where the descriptor, schemas and data files live, for a wheel and for a checkout alike."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # pathlib costs milliseconds at import: build paths when asked
if TYPE_CHECKING:
    from pathlib import Path


def _package_dir() -> Path:
    from pathlib import Path

    return Path(os.path.dirname(os.path.abspath(__file__)))


def data_root() -> Path:
    """Return the folder holding datapackage.json, schemas/ and data/.

    An installed wheel carries them in ``jsp_data/_data``; a source checkout (or an editable
    install) has them at the repository root, two levels above this file.
    """
    package = _package_dir()
    for candidate in (package / "_data", package.parents[1]):
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise FileNotFoundError(
        "jsp_data cannot find datapackage.json: expected it in "
        f"{package / '_data'} (installed wheel) or {package.parents[1]} (checkout). "
        "Reinstall the package with `pip install jsp-data`."
    )


def checkout_root() -> Path | None:
    """Return the repository root when running from a source checkout, else None."""
    root = _package_dir().parents[1]
    if (root / "pyproject.toml").is_file() and (root / "datapackage.json").is_file():
        return root
    return None

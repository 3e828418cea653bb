"""Where the descriptor, schemas and data files live, for a wheel and for a checkout alike."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_root() -> Path:
    """Return the folder holding datapackage.json, schemas/ and data/.

    An installed wheel carries them in ``jsp_data/_data``; a source checkout (or an editable
    install) has them at the repository root, two levels above this file.
    """
    for candidate in (_PACKAGE_DIR / "_data", _PACKAGE_DIR.parents[1]):
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise FileNotFoundError(
        "jsp_data cannot find datapackage.json: expected it in "
        f"{_PACKAGE_DIR / '_data'} (installed wheel) or {_PACKAGE_DIR.parents[1]} (checkout). "
        "Reinstall the package with `pip install jsp-data`."
    )


def checkout_root() -> Path | None:
    """Return the repository root when running from a source checkout, else None."""
    root = _PACKAGE_DIR.parents[1]
    if (root / "pyproject.toml").is_file() and (root / "datapackage.json").is_file():
        return root
    return None

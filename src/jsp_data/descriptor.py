"""Read the Frictionless descriptor and Table Schemas (JSON only: no pandas here)."""

from __future__ import annotations

from functools import cache

from .paths import data_root

TYPE_CHECKING = False  # typing and pathlib cost milliseconds at import: annotations only
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

EVENT_TABLES = ("agreements", "aid_transfers", "exercises", "meetings")
# The date that places an event row in time, per event table (scope, duplicates, coverage, figure).
EVENT_DATE = {
    "agreements": "signed_date",
    "aid_transfers": "commitment_date",
    "exercises": "start_date",
    "meetings": "start_date",
}


class UnknownTableError(KeyError):
    """Raised for a table name the data package does not have."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0])


@cache
def _read_json(path: Path) -> dict[str, Any]:
    import json

    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def descriptor_at(root: Path) -> dict[str, Any]:
    """The descriptor stored in ``root/datapackage.json`` (cached, do not modify)."""
    return _read_json(root / "datapackage.json")


def metadata() -> dict[str, Any]:
    """Return the Frictionless data package descriptor as a dict.

    Returns
    -------
    dict
        A copy of ``datapackage.json``: name, version, licenses and one resource per table.

    Examples
    --------
    >>> import jsp_data
    >>> jsp_data.metadata()["name"]
    'jsp-data'
    """
    import copy

    return copy.deepcopy(descriptor_at(data_root()))


def list_tables() -> list[str]:
    """Return the names of the tables in the data package, sorted.

    Examples
    --------
    >>> import jsp_data
    >>> "agreements" in jsp_data.list_tables()
    True
    """
    return sorted(r["name"] for r in descriptor_at(data_root())["resources"])


def check_table(name: str, known: list[str] | None = None) -> None:
    """Raise UnknownTableError naming the closest table when ``name`` is not a table."""
    known = list_tables() if known is None else known
    if name in known:
        return
    import difflib

    close = difflib.get_close_matches(str(name), known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise UnknownTableError(f"no table named '{name}'.{hint} Use jsp_data.list_tables() to see what exists: " + ", ".join(known))


def resource(name: str, root: Path | None = None) -> dict[str, Any]:
    """The descriptor's resource entry for table ``name``."""
    root = data_root() if root is None else root
    resources = {r["name"]: r for r in descriptor_at(root)["resources"]}
    check_table(name, sorted(resources))
    return resources[name]


def table_schema(name: str, root: Path | None = None) -> dict[str, Any]:
    """The Table Schema (schemas/<name>.json) of table ``name`` (cached, do not modify)."""
    root = data_root() if root is None else root
    return _read_json(root / resource(name, root)["schema"])


def fields(name: str, root: Path | None = None) -> list[dict[str, Any]]:
    """The field descriptors of table ``name``, in column order."""
    fields_: list[dict[str, Any]] = table_schema(name, root)["fields"]
    return fields_

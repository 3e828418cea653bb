"""Load tables as typed pandas DataFrames, and describe their columns."""

from __future__ import annotations

from .descriptor import check_table, fields, table_schema
from .paths import data_root

TYPE_CHECKING = False  # typing and pathlib cost milliseconds at import: annotations only
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    import pandas as pd
    import pandera.pandas as pa


def load(name: str, columns: list[str] | None = None, validate: bool = False, version: str | None = None) -> pd.DataFrame:
    """Load a table of the installed data as a typed pandas DataFrame.

    Dates are ``datetime64[ms]``, enumerated columns categoricals with every allowed value as a
    category, integers ``Int64``, booleans ``boolean``, and list columns (``parties``,
    ``objectives``, ...) Arrow list columns whose cells are Python lists.

    Parameters
    ----------
    name : str
        Table name; ``list_tables()`` shows what exists.
    columns : list of str, optional
        Load only these columns, in this order.
    validate : bool, default False
        Check the table against its pandera schema (the shipped data was validated at build).
    version : str, optional
        A released data version (``jsp_data.versions()``), read with that version's own schemas.
        Default: the installed data. Another version is downloaded once, verified and cached
        (see ``jsp_data.download``).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    UnknownTableError
        For a name that is not a table; the message names the closest table.

    Examples
    --------
    >>> import jsp_data
    >>> df = jsp_data.load("agreements")
    >>> str(df["signed_date"].dtype)
    'datetime64[ms]'
    """
    import pyarrow.parquet as pq

    from .build import parquet_path
    from .convert import arrow_to_frame, pandera_schema, to_storage

    if version is not None:
        from .download import fetch_version

        root = fetch_version(version, "csv")
        if root != data_root():
            return _load_release_csv(root, name, columns)
    check_table(name)
    table_fields = fields(name)
    if columns is not None:
        known = [f["name"] for f in table_fields]
        unknown = [c for c in columns if c not in known]
        if unknown:
            raise KeyError(f"table {name} has no column(s) {', '.join(unknown)}; its columns: {', '.join(known)}")
        table_fields = [next(f for f in table_fields if f["name"] == c) for c in columns]
    arrow = pq.read_table(parquet_path(data_root(), name), columns=columns)
    frame = arrow_to_frame(arrow, table_fields)
    if validate:
        pandera_schema(name, table_fields).validate(to_storage(frame, table_fields), lazy=True)
    return frame


def _load_release_csv(root: Path, name: str, columns: list[str] | None) -> pd.DataFrame:
    """Read one table of a release folder from its CSV, typed by that release's own schema."""
    from .convert import arrow_to_frame, to_arrow
    from .csvfile import read_csv
    from .descriptor import resource
    from .validate import check_cells

    res = resource(name, root)
    schema_ = table_schema(name, root)
    csv = read_csv(root / res["path"], res["path"])
    frame, _, problems = check_cells(name, csv, schema_)
    errors = [p for p in csv.problems + problems if p.severity == "error"]
    if errors:
        raise ValueError(f"{res['path']} of this release does not parse: {errors[0].message} (line {errors[0].line})")
    typed = arrow_to_frame(to_arrow(frame, schema_["fields"]), schema_["fields"])
    if columns is not None:
        unknown = [c for c in columns if c not in typed.columns]
        if unknown:
            raise KeyError(f"table {name} has no column(s) {', '.join(unknown)}; its columns: {', '.join(typed.columns)}")
        typed = typed[columns]
    return typed


def schema(name: str) -> pa.DataFrameSchema:
    """The pandera schema of a table, built from its Table Schema (schemas/<name>.json).

    It checks the storage form: enumerated columns as strings, before the categorical cast.

    Examples
    --------
    >>> import jsp_data
    >>> "parties" in jsp_data.schema("meetings").columns
    True
    """
    from .convert import pandera_schema

    check_table(name)
    return pandera_schema(name, fields(name))


def _allowed(field: dict[str, Any]) -> str:
    from .convert import enum_values

    values = enum_values(field)
    if values:
        return ", ".join(values)
    ref = field.get("x-itemReference")
    if ref:
        return f"codes in {ref['resource']}.{ref['field']}"
    return ""


def describe_rows(name: str) -> list[dict[str, Any]]:
    """One dict per column of a table: name, type, required, allowed values, description."""
    check_table(name)
    return [
        {
            "name": f["name"],
            "type": f["type"],
            "required": bool(f.get("constraints", {}).get("required")),
            "allowed": _allowed(f),
            "description": f["description"],
        }
        for f in fields(name)
    ]


def describe(name: str) -> pd.DataFrame:
    """Describe a table's columns: one row per column.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``type``, ``required``, ``allowed``, ``description``.

    Examples
    --------
    >>> import jsp_data
    >>> jsp_data.describe("agreements").loc[0, "name"]
    'id'
    """
    import pandas as pd

    return pd.DataFrame(describe_rows(name))


def table_description(name: str) -> str:
    """The table's one-paragraph description from its schema."""
    check_table(name)
    return str(table_schema(name)["description"])

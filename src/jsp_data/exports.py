"""Exports for Stata, Excel and JSON, with labels from the schemas. Every table is written, the
link tables (citations, discrepancies) included, so the sources travel with the rows.

- Stata (``.dta``, format 118): one file per table; variable labels are the fields' titles,
  value labels the enumerated values (categoricals); list columns are joined with ';'; dates are
  Stata dates (%td); booleans 1/0; missing values are Stata missing ('.' or '').
- Excel (``jsp-data.xlsx``): one sheet per table, plus a ``codebook`` sheet (table, variable,
  label, type, description).
- JSON: ``<table>.json``, a list of records; dates as YYYY-MM-DD, lists as arrays, missing as null.
"""

from __future__ import annotations

from .descriptor import fields, list_tables

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

FORMATS = ("stata", "xlsx", "json")


def _flat(name: str) -> Any:
    """A table with list columns joined by ';' and enumerated columns kept as categoricals."""
    import pandas as pd

    from .load import load

    frame = load(name)
    for f in fields(name):
        col = frame[f["name"]]
        if f["type"] == "list":
            frame[f["name"]] = pd.Series(
                [";".join(v) if isinstance(v, list) else None for v in col], index=frame.index, dtype="str"
            )
    return frame


def _stata(name: str, path: Path) -> None:
    import pandas as pd

    frame = _flat(name)
    labels = {}
    for f in fields(name):
        col = frame[f["name"]]
        labels[f["name"]] = (f.get("title") or f["name"])[:80]
        if f["type"] == "boolean" or f["type"] in ("integer", "number"):
            frame[f["name"]] = col.astype("Float64").astype("float64")
        elif f["type"] in ("string", "list") and (not isinstance(col.dtype, pd.CategoricalDtype) or frame.empty):
            # (an empty categorical trips pandas' Stata writer: an empty table keeps plain strings)
            frame[f["name"]] = col.astype("object").where(col.notna(), "")
    dates = {f["name"]: "td" for f in fields(name) if f["type"] == "date"}
    frame.to_stata(
        path, write_index=False, version=118, variable_labels=labels, convert_dates=dates, data_label=f"jsp-data {name}"[:80]
    )


def _json(name: str, path: Path) -> None:
    from .load import load

    frame = load(name)
    for f in fields(name):
        if f["type"] == "date":  # the CSV's YYYY-MM-DD, not a timestamp
            frame[f["name"]] = frame[f["name"]].dt.strftime("%Y-%m-%d")
    frame.to_json(path, orient="records", force_ascii=False, indent=1)


def _xlsx(path: Path) -> None:
    import pandas as pd

    from .descriptor import table_schema

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        rows = []
        for name in list_tables():
            frame = _flat(name)
            for f in fields(name):
                if f["type"] == "date":
                    frame[f["name"]] = frame[f["name"]].dt.strftime("%Y-%m-%d")
                rows.append(
                    {
                        "table": name,
                        "variable": f["name"],
                        "label": f.get("title", ""),
                        "type": f["type"],
                        "description": f["description"],
                    }
                )
            frame.to_excel(writer, sheet_name=name[:31], index=False)
        codebook = pd.DataFrame(rows)
        tables = pd.DataFrame(
            [
                {"table": n, "variable": "", "label": "", "type": "table", "description": table_schema(n)["description"]}
                for n in list_tables()
            ]
        )
        pd.concat([tables, codebook]).to_excel(writer, sheet_name="codebook", index=False)


def export(dest: str | Path, format: str) -> list[Path]:
    """Write every table of the installed data to ``dest`` in ``format`` (stata, xlsx or json).

    Files are written to a temporary folder first and moved into place, so a failure leaves no
    partial export.

    Examples
    --------
    >>> import jsp_data, tempfile
    >>> files = jsp_data.export(tempfile.mkdtemp(), "json")
    >>> sorted(p.name for p in files)[0]
    'agreements.json'
    """
    import os
    import tempfile
    from pathlib import Path

    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got '{format}'")
    if format == "xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError as exc:
            raise ImportError("the Excel export needs openpyxl: pip install 'jsp-data[exports]'") from exc
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest, prefix=".jsp-data-") as tmp:
        written = []
        if format == "xlsx":
            _xlsx(Path(tmp) / "jsp-data.xlsx")
            written.append("jsp-data.xlsx")
        else:
            for name in list_tables():
                file = f"{name}.dta" if format == "stata" else f"{name}.json"
                (_stata if format == "stata" else _json)(name, Path(tmp) / file)
                written.append(file)
        out = []
        for file in written:
            os.replace(Path(tmp) / file, dest / file)
            out.append(dest / file)
    return out

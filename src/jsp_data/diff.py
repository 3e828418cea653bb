"""``jsp-data diff OLD NEW``: rows added, removed and changed per table, field by field.

OLD and NEW are data folders (a repository root, a datapackage.json's folder, or a folder of
``<table>.csv`` files) or released versions (``0.1.0``). Rows are matched by each table's primary
key. An event id present in OLD and absent from NEW without a withdrawals row in NEW is an error:
ids are never deleted, only withdrawn.
"""

from __future__ import annotations

from .descriptor import EVENT_TABLES
from .problems import Problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def _csv_folder(spec: str) -> Path:
    """The folder holding the table CSVs that ``spec`` (a path or a version) names."""
    from pathlib import Path

    from .releases import VERSION_PATTERN
    from .validate import UsageError

    path = Path(spec)
    if not path.exists():
        import re

        if re.match(VERSION_PATTERN, spec):
            from .download import fetch_version

            return fetch_version(spec, "csv") / "data" / "csv"
        raise UsageError(f"{spec}: no such folder, and not a version X.Y.Z")
    if path.is_file():
        path = path.parent
    for candidate in (path / "data" / "csv", path):
        if any(candidate.glob("*.csv")):
            return candidate
    raise UsageError(f"{spec}: holds no table CSVs (expected data/csv/<table>.csv or <table>.csv)")


def _read(folder: Path, table: str) -> tuple[list[str], dict[tuple[str, ...], tuple[int, dict[str, str]]]]:
    import csv
    import io

    from .descriptor import table_schema

    path = folder / f"{table}.csv"
    if not path.is_file():
        return [], {}
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    key = table_schema(table).get("primaryKey") or [header[0]]
    rows: dict[tuple[str, ...], tuple[int, dict[str, str]]] = {}
    for record in reader:
        if not any(record):
            continue
        row = dict(zip(header, record, strict=False))
        rows[tuple(row.get(k, "") for k in key)] = (reader.line_num, row)
    return header, rows


def diff(old: str, new: str) -> tuple[dict[str, Any], list[Problem]]:
    """Compare two data folders or versions.

    Returns
    -------
    (report, problems)
        ``report[table]`` has ``added`` and ``removed`` (lists of keys) and ``changed`` (a list of
        ``{"key", "fields": {field: [old, new]}}``); ``problems`` lists ids removed without a
        withdrawals row (errors).
    """
    from .descriptor import list_tables

    old_dir, new_dir = _csv_folder(old), _csv_folder(new)
    report: dict[str, Any] = {}
    problems: list[Problem] = []
    _, withdrawals = _read(new_dir, "withdrawals")
    withdrawn = {row["id"] for _, row in withdrawals.values()}
    for table in list_tables():
        old_header, old_rows = _read(old_dir, table)
        new_header, new_rows = _read(new_dir, table)
        added = sorted(k for k in new_rows if k not in old_rows)
        removed = sorted(k for k in old_rows if k not in new_rows)
        changed = []
        for k in sorted(set(old_rows) & set(new_rows)):
            a, b = old_rows[k][1], new_rows[k][1]
            fields = {
                f: [a.get(f, ""), b.get(f, "")] for f in dict.fromkeys([*old_header, *new_header]) if a.get(f, "") != b.get(f, "")
            }
            if fields:
                changed.append({"key": list(k), "line": new_rows[k][0], "fields": fields})
        if added or removed or changed:
            report[table] = {"added": [list(k) for k in added], "removed": [list(k) for k in removed], "changed": changed}
        if table in EVENT_TABLES:
            for k in removed:
                if k[0] not in withdrawn:
                    problems.append(
                        Problem(
                            f"{table}.csv",
                            None,
                            "id",
                            k[0],
                            "removed-id",
                            "error",
                            f"id {k[0]} was removed without a withdrawals row: ids are withdrawn, never deleted",
                        )
                    )
    return report, problems


def format_diff(report: dict[str, Any], fmt: str = "text") -> str:
    """The report as text, markdown or JSON."""
    if fmt == "json":
        import json

        return json.dumps(report, indent=1, ensure_ascii=False)
    if not report:
        return "no differences"
    out = []
    for table, r in report.items():
        counts = f"{len(r['added'])} added, {len(r['removed'])} removed, {len(r['changed'])} changed"
        out.append(f"### `{table}`: {counts}" if fmt == "markdown" else f"{table}: {counts}")
        for k in r["added"]:
            out.append(f"- added `{'/'.join(k)}`" if fmt == "markdown" else f"  + {'/'.join(k)}")
        for k in r["removed"]:
            out.append(f"- removed `{'/'.join(k)}`" if fmt == "markdown" else f"  - {'/'.join(k)}")
        for c in r["changed"]:
            key = "/".join(c["key"])
            for field, (a, b) in c["fields"].items():
                if fmt == "markdown":
                    out.append(f"- changed `{key}` **{field}**: `{a}` → `{b}`")
                else:
                    out.append(f"  ~ {key} {field}: '{a}' -> '{b}'")
        out.append("")
    return "\n".join(out).rstrip()

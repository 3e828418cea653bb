"""Validate a data package (shipped data, a checkout, or a folder of table CSVs).

Collects every problem in one run; never raises for bad input and never writes.
"""

from __future__ import annotations

from .paths import data_root
from .problems import Problem

TYPE_CHECKING = False  # typing and pathlib cost milliseconds at import: annotations only
if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

    from .csvfile import CsvTable


class UsageError(Exception):
    """A path or argument that cannot be validated at all (exit code 2)."""


class Layout:
    """Where the descriptor, schemas and each table's CSV are for one validation run."""

    def __init__(self, descriptor_root: Path, csv_paths: dict[str, Path], display_root: Path) -> None:
        self.descriptor_root = descriptor_root  # folder of datapackage.json (schemas resolve against it)
        self.csv_paths = csv_paths
        self.display_root = display_root


def resolve(path: str | Path | None) -> Layout:
    """Work out what PATH means: a repository root, a datapackage.json, or a folder of CSVs."""
    from pathlib import Path

    if path is None:
        root = data_root()
        return Layout(root, _csv_paths(root), root)
    p = Path(path)
    if not p.exists():
        raise UsageError(f"{p}: no such file or folder")
    if p.is_file():
        if p.name != "datapackage.json":
            raise UsageError(f"{p}: give a folder of <table>.csv files, a datapackage.json or a repository root")
        return Layout(p.parent, _csv_paths(p.parent), p.parent)
    if (p / "datapackage.json").is_file():
        return Layout(p, _csv_paths(p), p)
    if not any(p.glob("*.csv")):
        raise UsageError(f"{p}: the folder holds no datapackage.json and no .csv files")
    root = data_root()  # a folder of CSVs is checked against the installed schemas
    return Layout(root, {name: p / f"{name}.csv" for name in _resource_names(root)}, p)


def _resource_names(root: Path) -> list[str]:
    import json

    try:
        return [r["name"] for r in json.loads((root / "datapackage.json").read_text("utf-8"))["resources"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _csv_paths(root: Path) -> dict[str, Path]:
    import json

    try:
        resources = json.loads((root / "datapackage.json").read_text("utf-8"))["resources"]
        return {r["name"]: root / r["path"] for r in resources if "name" in r and "path" in r}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _display(path: Path, layout: Layout) -> str:
    for base in (layout.display_root, layout.descriptor_root):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)


# --------------------------------------------------------------------------- descriptor


def _load_json(path: Path, shown: str, problems: list[Problem]) -> Any:
    import json

    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        problems.append(Problem(shown, None, None, None, "missing-file", "error", "the file does not exist"))
    except UnicodeDecodeError:
        problems.append(Problem(shown, None, None, None, "encoding", "error", "the file is not UTF-8"))
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(shown, exc.lineno, None, None, "json", "error", f"invalid JSON: {exc.msg} (character {exc.colno})")
        )
    return None


KNOWN_TYPES = {"string", "integer", "number", "boolean", "date", "list"}


def check_descriptor(layout: Layout, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    """Structural checks of datapackage.json and its schemas; returns the usable schemas by table."""
    desc = _load_json(layout.descriptor_root / "datapackage.json", "datapackage.json", problems)
    if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
        if desc is not None:
            problems.append(
                Problem("datapackage.json", None, None, None, "descriptor", "error", "the descriptor needs a list of resources")
            )
        return {}
    schemas: dict[str, dict[str, Any]] = {}
    for res in desc["resources"]:
        name, schema_path = res.get("name"), res.get("schema")
        if not isinstance(name, str) or not isinstance(schema_path, str):
            problems.append(
                Problem(
                    "datapackage.json", None, None, None, "descriptor", "error", "each resource needs a name and a schema path"
                )
            )
            continue
        schema = _load_json(layout.descriptor_root / schema_path, schema_path, problems)
        if not isinstance(schema, dict):
            continue
        bad = [
            f.get("name", "?") for f in schema.get("fields", []) if f.get("type") not in KNOWN_TYPES or not f.get("description")
        ]
        if not schema.get("fields") or bad:
            problems.append(
                Problem(
                    schema_path,
                    None,
                    None,
                    ", ".join(bad) or None,
                    "descriptor",
                    "error",
                    "every field needs a name, a known type and a description",
                )
            )
            continue
        schemas[name] = schema
    return schemas


def check_header(csv: CsvTable, fields: list[dict[str, Any]]) -> tuple[bool, list[Problem]]:
    """Compare a header with the schema's columns; returns (usable, problems)."""
    expected = [f["name"] for f in fields]
    header = [h.strip() for h in csv.header]
    out: list[Problem] = []
    for name in sorted({h for h in header if header.count(h) > 1}):
        out.append(
            Problem(csv.file, 1, name, name, "duplicate-column", "error", f"column {name} appears more than once in the header")
        )
    missing = [n for n in expected if n not in header]
    extra = [h for h in header if h not in expected]
    for name in extra:
        import difflib

        close = difflib.get_close_matches(name, missing, n=1)
        hint = f" (misnamed? the schema has '{close[0]}')" if close else ""
        out.append(Problem(csv.file, 1, name, name, "extra-column", "error", f"column {name} is not in the schema{hint}"))
    for name in missing:
        out.append(Problem(csv.file, 1, name, None, "missing-column", "error", f"the header lacks column {name}"))
    if any(h != raw for h, raw in zip(header, csv.header, strict=True)):
        out.append(Problem(csv.file, 1, None, None, "whitespace", "error", "a header name has spaces around it"))
    if not out and header != expected:
        out.append(
            Problem(
                csv.file, 1, None, None, "column-order", "error", "columns must be in the schema's order: " + ",".join(expected)
            )
        )
    return not out, out


# --------------------------------------------------------------------------- cells


def check_cells(name: str, csv: CsvTable, schema: dict[str, Any]) -> tuple[Any, Any, list[Problem]]:
    """Parse and check every cell; returns the typed frame, the text frame and the problems."""
    from .parse import forget_coded_lists

    frame, text, problems, bad_cells = parse_cells(csv, schema)
    problems += schema_problems(name, csv, schema, frame, text, bad_cells)
    forget_coded_lists()
    return frame, text, problems


def parse_cells(csv: CsvTable, schema: dict[str, Any]) -> tuple[Any, Any, list[Problem], set[tuple[int, str]]]:
    """Parse every cell: the typed frame, the text frame, the type problems and their cells."""
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd

    from .parse import parse_column

    fields = schema["fields"]
    if csv.arrow is not None:  # the fast reader's columns, zero-copy
        text = pd.DataFrame({f["name"]: pd.Series(csv.arrow.column(i), dtype="str") for i, f in enumerate(fields)})
    else:
        columns = list(zip(*csv.rows, strict=True)) if csv.rows else [()] * len(fields)
        text = pd.DataFrame({f["name"]: pd.Series(col, dtype="str") for f, col in zip(fields, columns, strict=True)})
    typed = {}
    problems: list[Problem] = []
    bad_cells: set[tuple[int, str]] = set()
    # Columns parse independently and mostly inside pyarrow and numpy, which release the GIL:
    # two threads keep both cores busy on a large table.
    with ThreadPoolExecutor(max_workers=2 if len(text) > 100_000 else 1) as pool:
        parsed = list(pool.map(lambda f: parse_column(text[f["name"]], f), fields))
    for f, (values, failed, expected) in zip(fields, parsed, strict=True):
        typed[f["name"]] = values
        rows = failed.to_numpy().nonzero()[0].tolist()
        # the failing cells in one take: a lookup per cell in an Arrow-backed column is slow
        for i, raw in zip(rows, text[f["name"]].iloc[rows].tolist() if rows else [], strict=True):
            bad_cells.add((i, f["name"]))
            problems.append(Problem(csv.file, csv.lines[i], f["name"], raw, "type", "error", f"expected {expected}, got '{raw}'"))
    return pd.DataFrame(typed), text, problems, bad_cells


def schema_problems(
    name: str,
    csv: CsvTable,
    schema: dict[str, Any],
    frame: Any,
    text: Any,
    bad_cells: set[tuple[int, str]],
    ids_elsewhere: bool = False,
) -> list[Problem]:
    """The pandera schema's verdict on the typed frame, as problems (cells that did not parse are
    reported once, as type problems, by parse_cells). With ``ids_elsewhere`` the id column's
    uniqueness is left to the cross-table rules, which judge it on the shared id codes
    (links.unique_event_ids); every primary key of several columns is checked there too."""
    import pandas as pd
    import pandera.pandas as pa

    from .convert import pandera_schema

    problems: list[Problem] = []
    pschema = pandera_schema(name, schema["fields"], id_unique=not ids_elsewhere)
    # pandera reports a named check by its error text when one is set: map it back to the name.
    check_names = {c.error: c.name for col in pschema.columns.values() for c in col.checks if c.error}
    try:
        # inplace: the schema neither coerces nor adds columns, so pandera's copy of the frame
        # would only cost memory (the rules read the same frame meanwhile; nothing writes to it)
        pschema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        cases = [
            (case.column, str(case.check), int(case.index))
            for case in exc.failure_cases.itertuples(index=False)
            if case.index is not None and not pd.isna(case.index) and case.column in frame
        ]
        raw_cells = _cells_of(text, cases)
        for column, check, row in cases:
            if (row, column) in bad_cells:
                continue
            raw = raw_cells[row, column]
            if check == "not_nullable":
                problems.append(Problem(csv.file, csv.lines[row], column, None, "required", "error", f"{column} is required"))
            elif check == "field_uniqueness":
                problems.append(
                    Problem(
                        csv.file,
                        csv.lines[row],
                        column,
                        raw,
                        "unique",
                        "error",
                        f"'{raw}' appears more than once; {column} must be unique",
                    )
                )
            else:
                label = check_names.get(check, check)
                problems.append(
                    Problem(csv.file, csv.lines[row], column, raw, label, "error", f"'{raw}' is not allowed: {check}")
                )
    return problems


def _cells_of(text: Any, cases: list[tuple[str, str, int]]) -> dict[tuple[int, str], Any]:
    """The text of each (column, _, row) cell of ``cases`` by (row, column), read with one take
    per column: a lookup per cell in an Arrow-backed column is slow."""
    rows: dict[str, list[int]] = {}
    for column, _, row in cases:
        rows.setdefault(column, []).append(row)
    return {
        (row, column): raw for column, at in rows.items() for row, raw in zip(at, text[column].iloc[at].tolist(), strict=True)
    }


def validate(path: str | Path | None = None, today: dt.date | None = None) -> list[Problem]:
    """Validate a data package and return every problem found.

    Parameters
    ----------
    path : str or Path, optional
        A repository root, a ``datapackage.json``, or a folder of ``<table>.csv`` files laid out
        like ``data/csv/``. Default: the data shipped with the package.
    today : date, optional
        The date that "today" means for date checks (default: today).

    Returns
    -------
    list of Problem
        Empty when the data is valid. Warnings do not make data invalid.

    Raises
    ------
    UsageError
        When ``path`` cannot be validated at all (it does not exist, or holds no tables).

    Examples
    --------
    >>> import jsp_data
    >>> [p for p in jsp_data.validate() if p.severity == "error"]
    []
    """
    tables, problems = read_tables(resolve(path), today)
    return problems


def _import_in_background() -> None:
    """Import pandas, pandera and the checks in a thread while the CSVs are read.

    Importing them takes most of a second of Python work; reading a large CSV is mostly pyarrow
    work that releases the GIL, so on two cores the two overlap. pyarrow is imported here first,
    so the reader and the thread never wait on each other's import locks.
    """
    import importlib
    import threading

    import pyarrow.compute
    import pyarrow.csv  # noqa: F401

    def work() -> None:
        from . import checks, convert  # noqa: F401

        # pandera imports its pandas backend (and hypothesis) on the first validate call, in a
        # worker: import it here while the CSVs are read, only after pandera itself (its package
        # imports are circular: two threads importing it from both ends deadlock)
        for backend in ("builtin_checks", "builtin_hypotheses"):
            importlib.import_module(f"pandera.backends.pandas.{backend}")

    threading.Thread(target=work, name="jsp-data-imports", daemon=True).start()


def read_tables(layout: Layout, today: dt.date | None = None) -> tuple[dict[str, Any], list[Problem]]:
    """Read, parse and check every table of ``layout``; returns the parsed tables and all problems."""
    from concurrent.futures import Future, ThreadPoolExecutor

    problems: list[Problem] = []
    schemas = check_descriptor(layout, problems)
    _import_in_background()
    # Tables are independent until the cross-table rules: two are read and parsed at a time. Each
    # parsed table queues its checks (the schema's, its key, its own rules) as separate tasks
    # behind the tables still to read, and the cross-table rules are queued once every table is
    # parsed. The checks only read the tables, so the two workers take whichever task is next
    # and neither core waits on one long check (much of the work is in pyarrow and numpy,
    # which release the GIL).
    with ThreadPoolExecutor(max_workers=2) as pool:
        checks: list[Future[list[Problem]]] = []

        def parse(item: tuple[str, dict[str, Any]]) -> tuple[Any, list[Problem]]:
            table, found, parts = _read_table(layout, item[0], item[1], today)
            checks.extend(pool.submit(part) for part in parts)
            return table, found

        results = list(pool.map(parse, schemas.items()))
        from .links import cross_table_rule_parts

        tables = {name: table for (name, _), (table, _) in zip(schemas.items(), results, strict=True) if table is not None}
        checks.extend(pool.submit(part) for part in cross_table_rule_parts(tables))
        for _, found in results:
            problems.extend(found)
        for check in checks:
            problems.extend(check.result())
    from .parse import forget_coded_lists

    forget_coded_lists()
    ordered = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.column or "", p.check, p.message))
    return tables, ordered


def _read_table(
    layout: Layout, name: str, schema: dict[str, Any], today: dt.date | None
) -> tuple[Any, list[Problem], list[Callable[[], list[Problem]]]]:
    """Read and parse one table and check its file and header: (the parsed table, or None when
    it cannot be checked further; problems; the checks still to run on it, each a part that
    returns its problems: the schema's cell checks, the primary key and the table's own rules)."""
    from .csvfile import read_csv

    csv_path = layout.csv_paths.get(name)
    if csv_path is None or not csv_path.is_file():
        shown = _display(csv_path, layout) if csv_path else f"{name}.csv"
        return None, [Problem(shown, None, None, None, "missing-file", "error", f"the file of table {name} does not exist")], []
    csv = read_csv(csv_path, _display(csv_path, layout))
    problems = list(csv.problems)
    if not csv.readable:
        return None, problems, []
    usable, header_problems = check_header(csv, schema["fields"])
    problems.extend(header_problems)
    if not usable:
        return None, problems, []
    from .checks import TableData, table_rule_parts
    from .descriptor import EVENT_TABLES

    frame, text, type_problems, bad_cells = parse_cells(csv, schema)
    table = TableData(
        name, csv.file, frame, text, csv.lines, schema["fields"], schema.get("foreignKeys", []), schema.get("primaryKey") or []
    )
    parts: list[Callable[[], list[Problem]]] = [
        lambda: schema_problems(name, csv, schema, frame, text, bad_cells, ids_elsewhere=name in EVENT_TABLES),
        *table_rule_parts(table, today),
    ]
    return table, problems + type_problems, parts

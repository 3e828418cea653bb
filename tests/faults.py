"""Helpers that break one thing in a scratch copy of the data, and say where the fault is."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def csv_path(repo: Path, table: str) -> Path:
    return repo / "data" / "csv" / f"{table}.csv"


def read(repo: Path, table: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(csv_path(repo, table).read_text("utf-8"), newline="")))
    return rows[0], rows[1:]


def write(repo: Path, table: str, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    csv_path(repo, table).write_text(out.getvalue(), "utf-8")


def set_cell(repo: Path, table: str, row_id: str, column: str, value: str, key: str = "id") -> int:
    """Set one cell of the row whose ``key`` is ``row_id``; returns that record's line number."""
    header, rows = read(repo, table)
    index = next(i for i, r in enumerate(rows) if r[header.index(key)] == row_id)
    rows[index][header.index(column)] = value
    write(repo, table, header, rows)
    return index + 2  # header is line 1; the shipped CSVs hold no multi-line cells


def line_of(repo: Path, table: str, row_id: str, key: str = "id") -> int:
    header, rows = read(repo, table)
    return next(i for i, r in enumerate(rows) if r[header.index(key)] == row_id) + 2


def append_row(repo: Path, table: str, values: dict[str, str]) -> int:
    header, rows = read(repo, table)
    rows.append([values.get(h, "") for h in header])
    write(repo, table, header, rows)
    return len(rows) + 1

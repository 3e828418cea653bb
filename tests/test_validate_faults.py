"""A corpus of broken contributions: each names the exact file, line and column, and exits 1.

Each case breaks one thing in a scratch copy of the shipped data and asserts the exit code and
where the validator reports the fault.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from faults import append_row, csv_path, line_of, read, set_cell, write

from jsp_data.cli import main

AGR = "data/csv/agreements.csv"
MTG = "data/csv/meetings.csv"
EXE = "data/csv/exercises.csv"
AID = "data/csv/aid_transfers.csv"
CIT = "data/csv/citations.csv"
ACSA = "agr-2010-aus-acsa"
SUMMIT = "mtg-2007-aus-abe-howard-summit"


def validate_json(repo: Path, capsys) -> tuple[int, dict]:
    code = main(["validate", str(repo), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return code, report


def raw_edit(table: str, old: bytes, new: bytes, count: int = 1) -> Callable[[Path], None]:
    def edit(repo: Path) -> None:
        path = csv_path(repo, table)
        data = path.read_bytes()
        assert old in data
        path.write_bytes(data.replace(old, new, count))

    return edit


def cell(table: str, row_id: str, column: str, value: str, key: str = "id"):
    return lambda repo: set_cell(repo, table, row_id, column, value, key)


def _header(table: str, change: Callable[[list[str], list[list[str]]], None]):
    def edit(repo: Path) -> None:
        header, rows = read(repo, table)
        change(header, rows)
        write(repo, table, header, rows)

    return edit


def _drop_citations(row_id: str):
    def edit(repo: Path) -> None:
        header, rows = read(repo, "citations")
        write(repo, "citations", header, [r for r in rows if r[1] != row_id])

    return edit


def _withdraw_then_reuse(repo: Path) -> None:
    append_row(repo, "withdrawals", {"table": "agreements", "id": ACSA, "version": "0.1.0", "reason": "test"})


def _swap_columns(header, rows):
    header[1], header[2] = header[2], header[1]
    for r in rows:
        r[1], r[2] = r[2], r[1]


def _append_after(table: str, row_id: str, change: dict[str, str]):
    def edit(repo: Path) -> None:
        header, rows = read(repo, table)
        base = next(r for r in rows if r[0] == row_id)
        new = list(base)
        for k, v in change.items():
            new[header.index(k)] = v
        rows.append(new)
        write(repo, table, header, rows)

    return edit


L = "line-of"  # placeholder: the line of the row named in the case
# (name, edit, file, line (int, or (table,id) to look up), column, check)
CASES = [
    (
        "latin-1 byte",
        raw_edit("agreements", b"Japan-Australia Acquisition", "Japan-Australia Acquisition \xe9".encode("latin-1")),
        AGR,
        ("agreements", ACSA),
        None,
        "encoding",
    ),
    (
        "NUL byte",
        raw_edit("agreements", b"Japan-Australia Acquisition", b"Japan-Australia\x00 Acquisition"),
        AGR,
        ("agreements", ACSA),
        None,
        "binary",
    ),
    ("empty file", lambda r: csv_path(r, "meetings").write_text(""), MTG, 1, None, "empty-file"),
    (
        "unterminated quote",
        raw_edit("agreements", b"\nagr-2010-aus-acsa,", b'\nagr-2010-aus-acsa,"'),
        AGR,
        ("agreements", ACSA),
        None,
        "unterminated-quote",
    ),
    (
        "ragged row",
        raw_edit("agreements", b"\nagr-2010-aus-acsa,", b"\nagr-2010-aus-acsa,extra,"),
        AGR,
        ("agreements", ACSA),
        None,
        "ragged-row",
    ),
    (
        "line break in cell",
        cell("agreements", ACSA, "notes", "first line\nsecond line"),
        AGR,
        ("agreements", ACSA),
        "notes",
        "line-break-in-cell",
    ),
    (
        "missing column",
        _header("agreements", lambda h, rows: [h.pop(), [r.pop() for r in rows]]),
        AGR,
        1,
        "notes",
        "missing-column",
    ),
    (
        "extra column",
        _header("agreements", lambda h, rows: [h.append("comment"), [r.append("") for r in rows]]),
        AGR,
        1,
        "comment",
        "extra-column",
    ),
    (
        "duplicated column",
        _header("agreements", lambda h, rows: [h.append("notes"), [r.append("") for r in rows]]),
        AGR,
        1,
        "notes",
        "duplicate-column",
    ),
    ("misnamed column", _header("agreements", lambda h, rows: h.__setitem__(1, "titel")), AGR, 1, "titel", "extra-column"),
    ("columns out of order", _header("agreements", _swap_columns), AGR, 1, None, "column-order"),
    (
        "date that does not exist",
        cell("agreements", ACSA, "signed_date", "2013-02-29"),
        AGR,
        ("agreements", ACSA),
        "signed_date",
        "type",
    ),
    ("date not ISO", cell("agreements", ACSA, "signed_date", "19/05/2010"), AGR, ("agreements", ACSA), "signed_date", "type"),
    ("unknown enum value", cell("agreements", ACSA, "status", "valid"), AGR, ("agreements", ACSA), "status", "enum"),
    ("required cell empty", cell("agreements", ACSA, "title", ""), AGR, ("agreements", ACSA), "title", "required"),
    ("id breaks the pattern", cell("agreements", ACSA, "id", "AGR-2010-AUS-ACSA"), AGR, ("agreements", ACSA), "id", "pattern"),
    (
        "integer not a number",
        cell("aid_transfers", "aid-2006-idn-police-patrol-vessels", "quantity", "three"),
        AID,
        ("aid_transfers", "aid-2006-idn-police-patrol-vessels"),
        "quantity",
        "type",
    ),
    (
        "integer below minimum",
        cell("aid_transfers", "aid-2006-idn-police-patrol-vessels", "quantity", "0"),
        AID,
        ("aid_transfers", "aid-2006-idn-police-patrol-vessels"),
        "quantity",
        "minimum",
    ),
    (
        "boolean spelled yes",
        cell("agreements", ACSA, "legally_binding", "yes"),
        AGR,
        ("agreements", ACSA),
        "legally_binding",
        "type",
    ),
    (
        "list with comma delimiter",
        cell("agreements", ACSA, "parties", "AUS,JPN"),
        AGR,
        ("agreements", ACSA),
        "parties",
        "list-delimiter",
    ),
    (
        "list with empty item",
        cell("agreements", ACSA, "parties", "AUS;;JPN"),
        AGR,
        ("agreements", ACSA),
        "parties",
        "list-empty-item",
    ),
    (
        "list with repeated item",
        cell("agreements", ACSA, "parties", "AUS;JPN;JPN"),
        AGR,
        ("agreements", ACSA),
        "parties",
        "list-duplicate-item",
    ),
    (
        "list item not allowed",
        cell("agreements", ACSA, "objectives", "burden_sharing;peace"),
        AGR,
        ("agreements", ACSA),
        "objectives",
        "list-item",
    ),
    (
        "lowercase country code",
        cell("agreements", ACSA, "parties", "JPN;aus"),
        AGR,
        ("agreements", ACSA),
        "parties",
        "foreign-key",
    ),
    ("padded code", cell("meetings", SUMMIT, "host", " JPN"), MTG, ("meetings", SUMMIT), "host", "whitespace"),
    ("end before start", cell("meetings", SUMMIT, "end_date", "2007-03-01"), MTG, ("meetings", SUMMIT), "end_date", "date-order"),
    (
        "in force before signed",
        cell("agreements", ACSA, "in_force_date", "2009-01-31"),
        AGR,
        ("agreements", ACSA),
        "in_force_date",
        "date-order",
    ),
    (
        "month precision not first day",
        cell("agreements", ACSA, "signed_precision", "month"),
        AGR,
        ("agreements", ACSA),
        "signed_date",
        "date-precision",
    ),
    (
        "date without precision",
        cell("agreements", ACSA, "signed_precision", ""),
        AGR,
        ("agreements", ACSA),
        "signed_precision",
        "date-precision",
    ),
    (
        "date before 1945",
        cell("meetings", SUMMIT, "start_date", "1907-03-13"),
        MTG,
        ("meetings", SUMMIT),
        "start_date",
        "date-range",
    ),
    (
        "date in the future",
        cell("meetings", SUMMIT, "start_date", "2999-03-13"),
        MTG,
        ("meetings", SUMMIT),
        "start_date",
        "date-range",
    ),
    ("duplicate id", _append_after("agreements", ACSA, {}), AGR, ("agreements", ACSA), "id", "unique"),
    ("withdrawn id reused", _withdraw_then_reuse, AGR, ("agreements", ACSA), "id", "withdrawn-id"),
    ("unknown host code", cell("meetings", SUMMIT, "host", "XYZ"), MTG, ("meetings", SUMMIT), "host", "foreign-key"),
    (
        "unknown source id",
        cell("citations", ACSA, "source_id", "src-nowhere", key="id"),
        CIT,
        ("citations", ACSA),
        "source_id",
        "foreign-key",
    ),
    (
        "citation of a missing row",
        cell("citations", ACSA, "id", "agr-2010-aus-acsb", key="id"),
        CIT,
        ("citations", ACSA),
        "id",
        "foreign-key",
    ),
    ("uncited row", _drop_citations(ACSA), AGR, ("agreements", ACSA), "id", "uncited-row"),
    (
        "citation supports a column its table lacks",
        cell("citations", ACSA, "supports", "signed_date;colour", key="id"),
        CIT,
        ("citations", ACSA),
        "supports",
        "foreign-key",
    ),
    (
        "footnote outside its section",
        cell("citations", "exe-2012-aus-unmiss-juba", "locator", "sec=australia;fn=19", key="id"),
        CIT,
        ("citations", "exe-2012-aus-unmiss-juba"),
        "locator",
        "locator-form",
    ),
    (
        "page locator not of the documented form",
        cell("citations", SUMMIT, "locator", "paragraph 3", key="id"),
        CIT,
        ("citations", SUMMIT),
        "locator",
        "pattern",
    ),
    (
        "formula in a text cell",
        cell("agreements", ACSA, "notes", '=HYPERLINK("http://x")'),
        AGR,
        ("agreements", ACSA),
        "notes",
        "formula-injection",
    ),
    (
        "control character",
        cell("agreements", ACSA, "notes", "bell\x07here"),
        AGR,
        ("agreements", ACSA),
        "notes",
        "control-character",
    ),
    ("oversized cell", cell("agreements", ACSA, "notes", "x" * 5000), AGR, ("agreements", ACSA), "notes", "cell-too-long"),
    (
        "Japan missing from parties",
        cell("agreements", ACSA, "parties", "AUS;USA"),
        AGR,
        ("agreements", ACSA),
        "parties",
        "parties-japan",
    ),
    (
        "ended without a reason",
        cell("agreements", ACSA, "end_reason", ""),
        AGR,
        ("agreements", ACSA),
        "end_reason",
        "conditional-required",
    ),
    (
        "pre-2000 event the paper does not name",
        cell("meetings", "mtg-2014-aus-2plus2-5", "start_date", "1998-06-11"),
        MTG,
        ("meetings", "mtg-2014-aus-2plus2-5"),
        "start_date",
        "scope-year",
    ),
    ("host not among parties", cell("meetings", SUMMIT, "host", "USA"), MTG, ("meetings", SUMMIT), "host", "role-in-parties"),
]


@pytest.mark.parametrize(("name", "edit", "file", "line", "column", "check"), CASES, ids=[c[0] for c in CASES])
def test_fault_is_located(scratch, capsys, name, edit, file, line, column, check):
    if isinstance(line, tuple):
        table, row_id = line
        key_line = (
            line_of(scratch, table, row_id) if check not in ("encoding", "binary", "unterminated-quote", "ragged-row") else None
        )
        edit(scratch)
        expected_line = key_line if key_line is not None else None
    else:
        edit(scratch)
        expected_line = line
    if expected_line is None:  # the fault makes the file unreadable as CSV: find the line from the text
        table, row_id = line
        text = csv_path(scratch, table).read_bytes()
        expected_line = text[: text.index(row_id.encode())].count(b"\n") + 1
    code, report = validate_json(scratch, capsys)
    assert code == 1, name
    assert report["valid"] is False
    hits = [e for e in report["errors"] if e["check"] == check and e["file"] == file]
    assert hits, f"{name}: no {check} error in {file}; got {[(e['file'], e['line'], e['check']) for e in report['errors']][:8]}"
    assert any(e["line"] == expected_line and e["column"] == column for e in hits), (
        f"{name}: expected line {expected_line} column {column}; got {[(e['line'], e['column']) for e in hits]}"
    )
    for e in report["errors"]:
        assert set(e) == {"file", "line", "column", "value", "message", "check", "severity"}


def test_crlf_and_bom_are_accepted(scratch, capsys):
    for table in ("agreements", "meetings"):
        path = csv_path(scratch, table)
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    code, report = validate_json(scratch, capsys)
    assert code == 0, report["errors"][:3]
    assert report["valid"] is True


def test_near_duplicate_event_is_a_warning(scratch, capsys):
    _append_after(
        "meetings",
        SUMMIT,
        {"id": "mtg-2007-aus-abe-howard-summit-2", "title": "Japan-Australia summit, Prime Ministers Abe and Howard in Tokyo"},
    )(scratch)
    append_row(
        scratch,
        "citations",
        {
            "table": "meetings",
            "id": "mtg-2007-aus-abe-howard-summit-2",
            "source_id": "src-xinhua-2007-aus-jdsc",
            "locator": "para=1",
            "supports": "all",
        },
    )
    code, report = validate_json(scratch, capsys)
    assert code == 0
    warnings = [e for e in report["errors"] if e["check"] == "possible-duplicate-event"]
    assert warnings and warnings[0]["severity"] == "warning"


def test_all_faults_reported_in_one_run(scratch, capsys):
    set_cell(scratch, "agreements", ACSA, "status", "valid")
    set_cell(scratch, "meetings", SUMMIT, "host", "XYZ")
    code, report = validate_json(scratch, capsys)
    checks = {(e["file"], e["check"]) for e in report["errors"]}
    assert {(AGR, "enum"), (MTG, "foreign-key")} <= checks


def test_ids_repeated_within_and_across_tables(scratch, capsys):
    """The id rules read one shared encoding of the event and citation ids: each fault is still
    reported on its own line, every copy of a repeated id, the later table's row for an id
    that another table has, and the later of two identical citations rows."""
    exercise = read(scratch, "exercises")[1][0][0]
    exercise_line = line_of(scratch, "exercises", exercise)
    _append_after("exercises", exercise, {})(scratch)
    exercise_copy = len(read(scratch, "exercises")[1]) + 1
    _append_after("meetings", SUMMIT, {"id": ACSA})(scratch)
    meeting_line = len(read(scratch, "meetings")[1]) + 1
    header, rows = read(scratch, "citations")
    rows.append(list(next(r for r in rows if r[1] == ACSA)))
    write(scratch, "citations", header, rows)
    citation_line = len(rows) + 1
    code, report = validate_json(scratch, capsys)
    assert code == 1
    found = {(e["file"], e["line"], e["column"], e["check"]) for e in report["errors"]}
    assert (EXE, exercise_line, "id", "unique") in found
    assert (EXE, exercise_copy, "id", "unique") in found
    assert (MTG, meeting_line, "id", "duplicate-id") in found
    assert (CIT, citation_line, None, "duplicate-key") in found
    assert not [e for e in report["errors"] if e["check"] == "duplicate-key" and e["line"] != citation_line]
    moved = next(e for e in report["errors"] if e["file"] == MTG and e["check"] == "duplicate-id")
    assert moved["message"] == f"id {ACSA} is already used in agreements"


def test_repeated_discrepancy_is_a_duplicate_key(scratch, capsys):
    """Every primary key of several columns is checked in one rule, not only the citations'."""
    header, rows = read(scratch, "discrepancies")
    rows.append(list(rows[0]))
    write(scratch, "discrepancies", header, rows)
    code, report = validate_json(scratch, capsys)
    assert code == 1
    keys = [(e["file"], e["line"]) for e in report["errors"] if e["check"] == "duplicate-key"]
    assert keys == [("data/csv/discrepancies.csv", len(rows) + 1)]

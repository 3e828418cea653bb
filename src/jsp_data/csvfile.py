"""Read a table CSV as strings, with the physical line of every record and every file-level fault.

Only the standard library is used here, so file faults are found before any heavy import.
"""

from __future__ import annotations

import contextlib
import csv
import io

from .problems import Problem

TYPE_CHECKING = False  # typing and pathlib cost milliseconds at import: annotations only
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

csv.field_size_limit(10_000_000)


class CsvTable:
    """A CSV file read as text: header, records (lists of str) and their physical line numbers."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.lines: list[int] = []
        self.problems: list[Problem] = []
        self.readable = True
        self.arrow: Any = None  # a pyarrow.Table of strings when the fast reader took the file


def _error(file: str, line: int | None, check: str, message: str, value: str | None = None, column: str | None = None) -> Problem:
    return Problem(file, line, column, value, check, "error", message)


def _decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    if not data.strip():
        return None, _error(file, 1, "empty-file", "the file is empty: it needs at least a header line")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return None, _error(file, line, "binary", "the file holds binary data (a NUL byte), not CSV text")
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark is harmless
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        guess = "UTF-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "Latin-1 or Windows-1252"
        bad = data[exc.start : exc.start + 1].hex().upper()
        return None, _error(
            file,
            line,
            "encoding",
            f"the file is not UTF-8: byte 0x{bad} at character {col} of this line (it looks like {guess}); save it as UTF-8",
        )


def read_csv(path: Path, file: str | None = None) -> CsvTable:
    """Read ``path`` into a CsvTable; faults are collected in ``.problems``, never raised.

    Records with the wrong number of cells are reported and left out of ``.rows``.
    """
    name = file or str(path)
    table = CsvTable(name)
    mapped = _read_mapped(path, table)
    if mapped:
        return table
    try:
        data = path.read_bytes()
    except OSError as exc:
        table.problems.append(_error(name, None, "io", f"cannot read the file: {exc.strerror}"))
        table.readable = False
        return table
    if mapped is None and _read_fast(data, table):
        return table
    text, problem = _decode(data, name)
    if text is None:
        assert problem is not None
        table.problems.append(problem)
        table.readable = False
        return table
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    try:
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not table.header and not table.lines:
                table.header = record
                table.lines.append(start)  # header line, dropped below
                continue
            if not record:
                table.problems.append(_error(name, start, "blank-row", "blank line inside the table"))
                continue
            if len(record) != len(table.header):
                table.problems.append(
                    _error(name, start, "ragged-row", f"expected {len(table.header)} cells (one per column), got {len(record)}")
                )
                continue
            table.rows.append(record)
            table.lines.append(start)
    except csv.Error as exc:
        start = previous_end + 1
        message = str(exc).lower()
        if "eof" in message or "end of data" in message or "expected after" in message:
            check = "unterminated-quote"
            message = (
                "a quoted cell opened on this line is not closed properly: a quote must end its cell, "
                "and a quote inside a cell is written twice"
            )
        else:
            check = "malformed-csv"
            message = f"malformed CSV: {exc}"
        table.problems.append(_error(name, start, check, message))
        table.readable = False  # the rest of the file cannot be trusted: do not check it further
    table.lines = table.lines[1:]
    if not table.header:
        table.problems.append(_error(name, 1, "empty-file", "the file has no header line"))
        table.readable = False
    return table


def _read_mapped(path: Path, table: CsvTable) -> bool | None:
    """The fast reader on the file's pages, memory-mapped: a large file is neither copied into a
    bytes object nor counted line by line. Only a file without a carriage return is taken (then
    every record ends at a line feed, so record i is on line i + 2 without counting).

    True: the file is read. False: the fast reader refused it. None: not tried (a carriage
    return, or a file that cannot be mapped): read_csv reads it whole, as before."""
    import mmap

    try:
        with path.open("rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # an empty file cannot be mapped
        return None
    try:
        if mapped.find(b"\r") >= 0:
            return None
        return _read_fast(mapped, table, lines_counted=False)
    finally:
        with contextlib.suppress(BufferError):  # pyarrow still holds a view: it goes with its last user
            mapped.close()


def _read_fast(data: Any, table: CsvTable, lines_counted: bool = True) -> bool:
    """Read a well-formed file with pyarrow's multi-threaded reader; False sends it to the slow path.

    The fast path is taken only when every physical line is one record (no blank lines, no line
    breaks inside cells, no ragged rows, valid UTF-8, no NUL byte): then record i is on line i + 2.
    Anything else is read by the csv module, which locates each fault on its line.
    """
    start = 3 if data[:3] == b"\xef\xbb\xbf" else 0  # a UTF-8 byte-order mark is harmless
    end = data.find(b"\n", start)
    if end < 0 or data.find(b"\x00") >= 0 or b'"' in data[start:end]:
        return False
    try:
        header = data[start:end].decode("utf-8").rstrip("\r").split(",")
    except UnicodeDecodeError:
        return False
    if len(set(header)) != len(header) or any(h != h.strip() or not h for h in header):
        return False
    import pyarrow as pa
    import pyarrow.csv as pacsv

    body = pa.py_buffer(memoryview(data)[start:] if start else data)  # a view: no copy
    if not _is_utf8(body):
        return False
    try:
        arrow = pacsv.read_csv(
            body,
            # large blocks: fewer chunks per column, so fewer kernel calls in every later check
            read_options=pacsv.ReadOptions(block_size=16 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                # large_string is what pandas' "str" dtype holds: the text frame wraps it, zero-copy
                column_types=dict.fromkeys(header, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                # checked above, in one pass over the whole file: the reader's own check runs cell
                # by cell and costs more than the parsing (cells split at ASCII bytes, so every
                # cell of a UTF-8 file is UTF-8)
                check_utf8=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return False
    if lines_counted:  # without a carriage return in the file, each line feed ends one record
        physical = data.count(b"\n", start) + (0 if data[-1:] == b"\n" else 1)
        if arrow.num_rows + 1 != physical:
            return False
    if arrow.column_names != header:
        return False
    table.header = header
    table.arrow = arrow
    table.lines = list(range(2, arrow.num_rows + 2))
    return True


def _is_utf8(buffer: Any) -> bool:
    """True when the bytes of ``buffer`` (a pyarrow Buffer) are valid UTF-8: one Arrow value spans
    them all and its cast to a string type validates it in one pass, without a copy."""
    import pyarrow as pa

    offsets = pa.array([0, buffer.size], pa.int64()).buffers()[1]
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, buffer])
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def write_csv_text(header: list[str], rows: list[list[str]]) -> str:
    """CSV text in the project's canonical form: LF line ends, minimal quoting."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()

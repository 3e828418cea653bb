"""The one record type for every problem a command reports, and its output formats."""

from __future__ import annotations

from itertools import groupby

# A short hint per check, shown in text output.
HINTS = {
    "encoding": "Save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8').",
    "binary": "This is not a text CSV; restore the file from git and edit it as text.",
    "empty-file": "A table file keeps at least its header line.",
    "unterminated-quote": "Close the quoted cell with a '\"'; a '\"' inside a cell is written '\"\"'.",
    "ragged-row": "Each record needs exactly one cell per column; quote cells that contain commas.",
    "line-break-in-cell": "Cells hold one line: replace the line break with a space.",
    "missing-column": "The header must list exactly the schema's columns (jsp-data describe TABLE).",
    "extra-column": "The header must list exactly the schema's columns (jsp-data describe TABLE).",
    "duplicate-column": "Each column appears once in the header.",
    "column-order": "Keep the schema's column order so diffs stay readable.",
    "type": "See the column's type with jsp-data describe TABLE.",
    "required": "This column may not be empty.",
    "enum": "Use one of the allowed values (jsp-data describe TABLE).",
    "pattern": "See the expected form in docs/coding-rules.md.",
    "whitespace": "Remove spaces at the start or end of the cell.",
    "list-item": "Use allowed items separated by ';' with no spaces.",
    "foreign-key": "Add the referenced row first, or fix the code.",
    "uncited-row": "Add a citations row naming a source you read and where in it.",
    "duplicate-id": "Ids are unique across all tables; pick a new one.",
    "withdrawn-id": "A withdrawn id stays reserved forever; pick a new one.",
    "removed-id": "A row is never deleted: withdraw it with a withdrawals row.",
    "formula-injection": "Cells may not start with =, +, -, @ (spreadsheets run them); rephrase.",
}


class Problem(tuple):  # a plain tuple subclass: typing.NamedTuple would slow `import jsp_data`
    """One problem found in a file: where, what value, which check, how bad, and why.

    Fields: ``file``, ``line`` (physical line, header = 1; None for the whole file), ``column``,
    ``value``, ``check``, ``severity`` ("error" or "warning") and ``message``. Problems compare,
    sort and hash as tuples of these fields.
    """

    __slots__ = ()
    FIELDS = ("file", "line", "column", "value", "check", "severity", "message")

    def __new__(
        cls, file: str, line: int | None, column: str | None, value: str | None, check: str, severity: str, message: str
    ) -> Problem:
        return tuple.__new__(cls, (file, line, column, value, check, severity, message))

    file = property(lambda self: self[0], doc="the file, as given or relative to the data root")
    line = property(lambda self: self[1], doc="physical line number (header = 1), or None")
    column = property(lambda self: self[2], doc="column name, or None")
    value = property(lambda self: self[3], doc="the offending cell text, or None")
    check = property(lambda self: self[4], doc="short name of the check that failed")
    severity = property(lambda self: self[5], doc="'error' or 'warning'")
    message = property(lambda self: self[6], doc="what is wrong, in words")

    def __repr__(self) -> str:
        return "Problem(" + ", ".join(f"{k}={v!r}" for k, v in zip(self.FIELDS, self, strict=True)) + ")"

    def to_dict(self) -> dict[str, object]:
        """The problem as a JSON-ready dict."""
        return dict(zip(self.FIELDS, self, strict=True))


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem is an error (warnings alone pass)."""
    return any(p.severity == "error" for p in problems)


def _sort_key(p: Problem) -> tuple[str, int, str, str]:
    return (p.file, p.line or 0, p.column or "", p.check)


def format_json(problems: list[Problem]) -> str:
    """One JSON object: {"valid": bool, "errors": [problem, ...]}.

    The text is exactly ``json.dumps(..., ensure_ascii=False, indent=1)`` of that object, written
    out here: with an indent, json uses its pure-Python encoder, a tenth of a second for ten
    thousand problems. Strings go through json's own (C) string encoder.
    """
    import json
    from json.encoder import encode_basestring

    def value(v: object) -> str:
        if v is None:
            return "null"
        if isinstance(v, str):
            return str(encode_basestring(v))
        if type(v) is int:
            return int.__repr__(v)
        return json.dumps(v, ensure_ascii=False)

    keys = [f"   {encode_basestring(k)}: " for k in Problem.FIELDS]
    items = [
        "  {\n" + ",\n".join(key + value(v) for key, v in zip(keys, p, strict=True)) + "\n  }"
        for p in sorted(problems, key=_sort_key)
    ]
    errors = "[\n" + ",\n".join(items) + "\n ]" if items else "[]"
    return '{\n "valid": ' + ("false" if has_errors(problems) else "true") + ',\n "errors": ' + errors + "\n}"


def format_github(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands, one per problem, for pull-request annotations."""

    def esc(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    out = []
    for p in sorted(problems, key=_sort_key):
        where = f"file={esc(p.file)}" + (f",line={p.line}" if p.line else "")
        title = p.check + (f" in {p.column}" if p.column else "")
        out.append(f"::{p.severity} {where},title={esc(title)}::{esc(p.message)}")
    return "\n".join(out)


def format_text(problems: list[Problem]) -> str:
    """Human-readable report grouped by file, sorted by line, with a hint per check."""
    if not problems:
        return "valid: no problems found"
    lines: list[str] = []
    for file, group in groupby(sorted(problems, key=_sort_key), key=lambda p: p.file):
        lines.append(file)
        for p in group:
            where = f"line {p.line}" if p.line else "file"
            if p.column:
                where += f", column {p.column}"
            lines.append(f"  {where}: {p.severity}: {p.message} [{p.check}]")
            if p.check in HINTS:
                lines.append(f"    hint: {HINTS[p.check]}")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)

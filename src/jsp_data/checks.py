"""Row and single-table rules, and the helpers every rule reports with.

Each rule takes the parsed tables (storage-form frames with the physical line of each row) and
returns Problems. Cell-level rules (types, enums, patterns) come from the schemas via convert.py;
rules that relate tables are in links.py.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .descriptor import EVENT_DATE, EVENT_TABLES
from .problems import Problem

EARLIEST = pd.Timestamp("1945-01-01")
MAX_CELL = 4000
PAPER_SOURCE = "src-sahashi-2013"
SCOPE_START = pd.Timestamp("2000-01-01")
# Sections of the founding paper (slug -> footnote numbers that stand in it). A test reads the
# paper at ../shared and checks this map against it.
PAPER_SECTIONS: dict[str, range] = {
    "summary": range(0),
    "introduction": range(1, 7),
    "new-context": range(7, 9),
    "order-creation": range(8, 9),
    "capacity-building": range(0),
    "burden-sharing": range(0),
    "security-thinking": range(9, 14),
    "australia": range(14, 18),
    "india": range(18, 21),
    "south-korea": range(21, 25),
    "southeast-asia": range(25, 28),
    "limitations": range(28, 32),
    "conclusion": range(32, 33),
}
# (earlier, later) date columns that must be in order when both are set.
DATE_ORDER = [
    ("start_date", "end_date"),
    ("signed_date", "in_force_date"),
    ("in_force_date", "ended_date"),
    ("signed_date", "ended_date"),
    ("requested_date", "commitment_date"),
    ("commitment_date", "delivery_first_date"),
    ("delivery_first_date", "delivery_last_date"),
]
ROLE_COLUMNS = ("host", "donor", "recipient")
_FORMULA = re.compile(r"^[\t\r]*[=+\-@]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SUSPECT = re.compile(r"^[\t\r]*[=+\-@]|[\x00-\x08\x0a-\x1f\x7f]")  # any of the three above, or a line break


@dataclass
class TableData:
    """One table as parsed: typed frame (storage form), raw text frame and physical lines."""

    name: str
    file: str
    frame: pd.DataFrame
    text: pd.DataFrame
    lines: list[int]
    fields: list[dict[str, Any]]
    foreign_keys: list[dict[str, Any]]
    primary_key: list[str] = field(default_factory=list)
    known: dict[str, Any] = field(default_factory=dict)  # distinct values by column, see distinct_in


def problem_at(
    t: TableData, row: int | None, column: str | None, value: Any, check: str, message: str, severity: str = "error"
) -> Problem:
    line = t.lines[row] if row is not None else None
    shown = None if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)) else str(value)
    return Problem(t.file, line, column, shown, check, severity, message)


def rows_where(mask: pd.Series) -> Iterator[int]:
    for i in mask[mask.fillna(False).astype(bool)].index:
        yield int(i)


def as_arrow(values: Any) -> Any:
    """A string column (pandas Series, Arrow array, or iterable) as an Arrow string array, zero-copy
    where pandas already holds Arrow data."""
    import pyarrow as pa

    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    if isinstance(values, pd.Series):
        held = getattr(values.array, "_pa_array", None)
        if held is not None and (pa.types.is_string(held.type) or pa.types.is_large_string(held.type)):
            return held
        return pa.array(values.astype("str"), type=pa.string(), from_pandas=True)
    return pa.array([v for v in values if isinstance(v, str)], type=pa.string())


def distinct_in(t: TableData, column: str) -> Any:
    """The distinct values of a table's column, computed once per run (a million ids are
    hashed once however many rules look them up)."""
    if column not in t.known:
        t.known[column] = distinct_values(t.frame[column])
    return t.known[column]


def distinct_values(values: Any) -> Any:
    """The distinct non-missing values of a column, as an Arrow array (a set that stays in Arrow)."""
    import pyarrow.compute as pc

    arr = as_arrow(values)
    return pc.unique(pc.drop_null(arr))


def member(values: Any, known: Any) -> pd.Series:
    """Membership test in Arrow: pandas' ``isin`` on string columns builds one scalar per known value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    index = values.index if isinstance(values, pd.Series) else None
    if isinstance(known, pa.ChunkedArray):  # a raw column: membership needs no distinct values
        known = pc.drop_null(known)
    elif not isinstance(known, pa.Array):
        known = pa.array(distinct_values(known))
    arr = as_arrow(values)
    if len(known) > 10_000:
        # A few distinct values (a million cells naming four rows, say) against a million known
        # ones: hashing the known set would dominate, so keep only the known values that occur
        # among the values (same membership, less work), before the known set is copied below.
        distinct = pc.cast(distinct_values(arr), known.type)
        if len(known) > 4 * len(distinct) + 10_000:
            known = pc.filter(known, pc.is_in(known, value_set=distinct))
    if isinstance(known, pa.ChunkedArray):
        known = known.combine_chunks() if known.num_chunks != 1 else known.chunk(0)
    from .arrowtext import to_numpy_bool

    return pd.Series(to_numpy_bool(pc.is_in(arr, value_set=pc.cast(known, arr.type))), index=index, dtype=bool)


def pa_strings(values: Iterable[str]) -> Any:
    """A list of Python strings as an Arrow string array (a value set for membership tests)."""
    import pyarrow as pa

    return pa.array(list(values), type=pa.string())


def cells_at(mask: pd.Series, *columns: pd.Series) -> Iterator[tuple[Any, ...]]:
    """(row, value of each column at that row) for the rows of ``mask``, each column read with
    one take rather than one lookup per row."""
    rows = list(rows_where(mask))
    yield from zip(rows, *(col.iloc[rows].tolist() if rows else [] for col in columns), strict=True)


def iso_date(value: Any) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


# --------------------------------------------------------------------------- safety (raw text)


def safety(t: TableData) -> Iterator[Problem]:
    """Formula-like cells, control characters and oversized cells."""
    for f in t.fields:
        name = f["name"]
        col = t.text[name]
        for i, cell in _suspect_rows(col):
            if f["type"] in ("string", "list") and _FORMULA.search(cell):
                message = "the cell starts with =, +, -, @ (or a tab before one): a spreadsheet would run it as a formula"
                yield problem_at(t, i, name, cell, "formula-injection", message)
            if _CONTROL.search(cell):
                escaped = cell.encode("unicode_escape").decode()
                yield problem_at(t, i, name, escaped, "control-character", "the cell holds a control character")
            if "\n" in cell or "\r" in cell:
                escaped = cell.encode("unicode_escape").decode()
                yield problem_at(t, i, name, escaped, "line-break-in-cell", "the cell holds a line break")
            if len(cell) > MAX_CELL:
                yield problem_at(t, i, name, cell[:40] + "...", "cell-too-long", f"the cell is longer than {MAX_CELL} characters")


def _suspect_rows(col: pd.Series) -> Iterator[tuple[int, str]]:
    """(row, cell) of the rows whose cell matches _SUSPECT or is longer than MAX_CELL, in order.

    Vectorised passes over the column's bytes find a superset (a control or line-break byte
    anywhere, a first byte that can start a formula, more than MAX_CELL bytes); each candidate
    is then tested exactly, so a million clean cells cost no regex call.
    """
    import numpy as np
    import pyarrow.compute as pc

    from .arrowtext import arrow_of, first_bytes, rows_with_bytes, to_numpy_bool

    arr = arrow_of(col)
    control = rows_with_bytes(arr, lambda b: (b < 0x20) | (b == 0x7F))  # a tab too: tested exactly below
    first = first_bytes(arr)
    formula = np.flatnonzero(
        (first == ord("=")) | (first == ord("+")) | (first == ord("-")) | (first == ord("@")) | (first == 9) | (first == 13)
    )
    long = np.flatnonzero(to_numpy_bool(pc.greater(pc.binary_length(arr), MAX_CELL)))
    rows = np.unique(np.concatenate([control, formula, long])).tolist()
    for i, cell in zip(rows, col.iloc[rows].tolist() if rows else [], strict=True):
        if isinstance(cell, str) and (_SUSPECT.search(cell) or len(cell) > MAX_CELL):
            yield i, cell


# --------------------------------------------------------------------------- row rules


def dates(t: TableData, today: pd.Timestamp) -> Iterator[Problem]:
    """Precision consistent with the date, dates between 1945 and today, pairs in order."""
    frame = t.frame
    for f in t.fields:
        if f["type"] != "date":
            continue
        name = f["name"]
        col = frame[name]
        for i, value in cells_at((col < EARLIEST) | (col > today), col):
            yield problem_at(
                t, i, name, iso_date(value), "date-range", f"the date must lie between 1945-01-01 and today ({today:%Y-%m-%d})"
            )
        prec_name = name[: -len("_date")] + "_precision"
        if prec_name not in frame:
            continue
        prec = frame[prec_name]
        for i in rows_where(col.notna() & prec.isna()):
            yield problem_at(
                t, i, prec_name, None, "date-precision", f"{name} is set, so {prec_name} is required (day, month or year)"
            )
        written = t.text[name].ne("")  # a date that failed to parse is reported once, as a type error
        for i, value in cells_at(~written & prec.notna(), prec):
            yield problem_at(t, i, prec_name, value, "date-precision", f"{name} is empty, so {prec_name} must be empty too")
        not_first_day = col.dt.day != 1
        for i, value in cells_at(prec.eq("month") & not_first_day, col):
            yield problem_at(
                t, i, name, iso_date(value), "date-precision", "a month-precision date is stored as the month's first day"
            )
        for i, value in cells_at(prec.eq("year") & (not_first_day | (col.dt.month != 1)), col):
            yield problem_at(t, i, name, iso_date(value), "date-precision", "a year-precision date is stored as 1 January")
    for early, late in DATE_ORDER:
        if early in frame and late in frame:
            for i, late_value, early_value in cells_at(frame[late] < frame[early], frame[late], frame[early]):
                yield problem_at(
                    t,
                    i,
                    late,
                    iso_date(late_value),
                    "date-order",
                    f"{late} ({iso_date(late_value)}) is before {early} ({iso_date(early_value)})",
                )


def event_rules(t: TableData, today: pd.Timestamp) -> Iterator[Problem]:
    """Rules of event rows: JPN and role holders among parties, status consistent with dates."""
    import numpy as np
    import pyarrow.compute as pc

    from .arrowtext import to_numpy_bool
    from .convert import list_items
    from .parse import lists_by_code

    frame = t.frame
    # JPN among the parties: judged once per distinct party list, each row takes its list's verdict
    codes, lists = lists_by_code(frame["parties"])
    list_of_item, items_of_lists = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False), pc.list_flatten(lists)
    has_items, has_japan = np.zeros(len(lists) + 1, bool), np.zeros(len(lists) + 1, bool)  # slot -1: no list
    has_items[list_of_item] = True
    has_japan[list_of_item[to_numpy_bool(pc.equal(items_of_lists, "JPN"))]] = True
    listed_rows = has_items[codes]
    for i in np.flatnonzero(listed_rows & ~has_japan[codes]).tolist():
        parties = lists[int(codes[i])].as_py()
        yield problem_at(t, i, "parties", ";".join(sorted(parties)), "parties-japan", "parties must include JPN")
    if not any(role in frame for role in (*ROLE_COLUMNS, "observers")):
        yield from _event_table_rules(t, today)
        return
    parents, flat = list_items(frame["parties"])
    items = flat.to_numpy(zero_copy_only=False)
    # (row, party) pairs as "row|CODE" strings, so role checks are one membership test each
    pairs = pd.Series(parents.astype(str)).str.cat(pd.Series(items, dtype="str"), sep="|")
    listed = set(np.flatnonzero(listed_rows).tolist())
    for role in ROLE_COLUMNS:
        if role in frame:
            values = frame[role]
            keys = pd.Series(frame.index.astype(str), index=frame.index).str.cat(values.astype("str"), sep="|")
            for i in rows_where(values.notna() & ~member(keys, pairs)):
                if i in listed:
                    yield problem_at(
                        t, i, role, values[i], "role-in-parties", f"{role} {values[i]} must also be listed in parties"
                    )
    if "observers" in frame:
        obs_parents, obs_flat = list_items(frame["observers"])
        obs_keys = pd.Series(obs_parents.astype(str)).str.cat(
            pd.Series(obs_flat.to_numpy(zero_copy_only=False), dtype="str"), sep="|"
        )
        missing = ~member(obs_keys, pairs).to_numpy()
        bad: dict[int, list[str]] = {}
        for i, code in zip(obs_parents[missing].tolist(), obs_flat.to_numpy(zero_copy_only=False)[missing].tolist(), strict=True):
            if i in listed:
                bad.setdefault(i, []).append(code)
        for i, codes in sorted(bad.items()):
            yield problem_at(
                t, i, "observers", ";".join(sorted(codes)), "role-in-parties", "observers must also be listed in parties"
            )
    yield from _event_table_rules(t, today)


def _event_table_rules(t: TableData, today: pd.Timestamp) -> Iterator[Problem]:
    """The rules of one event table beyond its parties: agreement, aid and status rules."""
    frame = t.frame
    if t.name == "agreements":
        yield from _agreement_rules(t)
    if t.name == "aid_transfers":
        for i in rows_where(frame["value"].notna() & frame["currency"].isna()):
            yield problem_at(t, i, "currency", None, "conditional-required", "value is set, so currency (ISO 4217) is required")
    if "start_date" in frame:
        for i in rows_where(frame["status"].eq("held") & (frame["start_date"] > today)):
            yield problem_at(t, i, "status", "held", "status-date", "status is held but start_date is in the future")


def _agreement_rules(t: TableData) -> Iterator[Problem]:
    frame = t.frame
    ended = frame["ended_date"].notna()
    for i in rows_where(ended & frame["end_reason"].isna()):
        yield problem_at(t, i, "end_reason", None, "conditional-required", "ended_date is set, so end_reason is required")
    for i, value in cells_at(~ended & frame["end_reason"].notna(), frame["end_reason"]):
        yield problem_at(t, i, "end_reason", value, "conditional-required", "end_reason needs an ended_date")
    for i in rows_where(frame["end_reason"].eq("superseded") & frame["superseded_by"].isna()):
        yield problem_at(
            t, i, "superseded_by", None, "conditional-required", "end_reason is superseded, so superseded_by is required"
        )
    status = frame["status"]
    for i, value in cells_at(status.eq("ended") != ended, status):
        yield problem_at(t, i, "status", value, "status-date", "status is ended exactly when ended_date is set")
    for i, value in cells_at(status.isin(["signed", "in_force", "ended"]) & frame["signed_date"].isna(), status):
        yield problem_at(t, i, "signed_date", None, "status-date", f"status {value} needs signed_date")
    for i, value in cells_at(status.isin(["sought", "stalled", "planned", "lapsed"]) & frame["signed_date"].notna(), status):
        yield problem_at(
            t,
            i,
            "status",
            value,
            "status-date",
            "an agreement with a signed_date cannot be unsigned (sought, stalled, planned, lapsed)",
        )
    political = frame["legally_binding"].eq(False)
    in_force = frame["in_force_date"]
    for i, value in cells_at(political & in_force.notna() & (in_force != frame["signed_date"]), in_force):
        yield problem_at(
            t,
            i,
            "in_force_date",
            iso_date(value),
            "political-in-force",
            "a political document (legally_binding false) takes effect when adopted: in_force_date equals signed_date",
        )


# --------------------------------------------------------------------------- possible duplicate events


NEIGHBOURS = 3
_COUNT_CELLS = 1 << 20  # cells of one character-count matrix in _close_pairs


def _near_duplicates(t: TableData) -> Iterator[Problem]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from .idcodes import shared_keys
    from .parse import coded_lists

    date_col = EVENT_DATE[t.name]
    frame = t.frame
    # Only rows that share a date and a party list can be duplicates: find those first, as
    # integer codes (date code * number of party lists + party-list code) counted with numpy.
    coded = coded_lists(frame["parties"])
    if coded is not None:  # the parsed cells' codes: one code per distinct party list
        codes, words = coded
        party_codes = codes.astype(np.int64)
        joined = pc.binary_join(words, ";")  # each distinct list written out once
    else:
        parties = pa.chunked_array(frame["parties"].array._pa_array)  # type: ignore[attr-defined]
        joined = pc.binary_join(parties, ";")
        party_codes = pc.fill_null(pc.dictionary_encode(joined).combine_chunks().indices, -1).to_numpy().astype(np.int64)
    dates = frame[date_col].to_numpy()
    dated = ~np.isnat(dates)
    stamps = dates[dated].astype("datetime64[ms]").view(np.int64)
    whole_days = bool((stamps % 86_400_000 == 0).all())  # then a date's day number is its code
    date_codes = stamps // 86_400_000 if whole_days else pd.factorize(dates[dated])[0].astype(np.int64)
    keys = date_codes * (int(party_codes.max(initial=0)) + 2) + party_codes[dated] + 1
    shared = np.flatnonzero(dated)[shared_keys(keys)]
    if not len(shared):
        return
    if coded is not None:
        at = party_codes[shared]
        party_text = pc.take(joined, pa.array(at, mask=at < 0))
    else:
        party_text = pc.take(joined, pa.array(shared))
    party_keys = pd.Series(party_text, index=shared, dtype="str")
    keys_frame = pd.DataFrame({"date": frame[date_col].iloc[shared], "parties": party_keys})
    keys_frame["title"] = frame["title"].iloc[shared].astype("str").str.lower()
    # Near-identical titles sort next to each other: within a (date, parties) group each title is
    # compared with its next NEIGHBOURS in sorted order, so a large group costs linear time.
    ordered = keys_frame.sort_values(["date", "parties", "title"])
    rows, titles = ordered.index.to_numpy(), ordered["title"].tolist()
    same = (ordered["date"].eq(ordered["date"].shift(-1)) & ordered["parties"].eq(ordered["parties"].shift(-1))).to_numpy()
    for pos, step in _close_pairs(titles, same):
        a, b = titles[pos], titles[pos + step]
        if difflib.SequenceMatcher(None, a, b).ratio() >= 0.85:
            first, second = sorted((int(rows[pos]), int(rows[pos + step])))
            yield problem_at(
                t,
                second,
                "id",
                frame["id"][second],
                "possible-duplicate-event",
                f"same date, parties and nearly the same title as {frame['id'][first]} (line {t.lines[first]}): the same event entered twice?",
                severity="warning",
            )


def _close_pairs(titles: list[str], same: Any) -> Iterator[tuple[int, int]]:
    """(position, step) of each pair of sorted titles within NEIGHBOURS of each other in one group
    that passes difflib's two cheap upper bounds (real_quick_ratio and quick_ratio >= 0.85).

    Both bounds are computed for all pairs at once, exactly as difflib computes them: from the
    lengths, and from the characters the two titles share (a count per distinct character).
    """
    import numpy as np

    lengths = np.array([len(title) for title in titles], dtype=np.int64)
    ends = np.concatenate([[0], np.cumsum(lengths)])
    points = np.frombuffer("".join(titles).encode("utf-32-le"), dtype=np.uint32)
    seen = np.zeros(int(points.max(initial=0)) + 1, bool)  # number the distinct characters by a table
    seen[points] = True
    alphabet = np.flatnonzero(seen)
    # 32-bit codes and count matrices of ~1M cells: every temporary below is a few megabytes
    # (fresh memory costs page faults, and this rule ran beside the largest tables)
    chars = (np.cumsum(seen) - 1).astype(np.int32)[points]
    owner = np.repeat(np.arange(len(titles), dtype=np.int32), lengths)
    block = max(64, _COUNT_CELLS // max(len(alphabet), 1))  # titles per count matrix
    for start in range(0, len(titles), block):
        stop = min(start + block + NEIGHBOURS, len(titles))
        lo, hi = ends[start], ends[stop]
        cells = (owner[lo:hi] - start).astype(np.int64) * len(alphabet) + chars[lo:hi]
        counts = (
            np.bincount(cells, minlength=(stop - start) * len(alphabet)).astype(np.int32).reshape(stop - start, len(alphabet))
        )
        together = np.ones(stop - start, bool)  # the pair (p, p + step) lies in one group
        for step in range(1, NEIGHBOURS + 1):
            together = together[:-1] & same[start + step - 1 : stop - 1]
            first, second = lengths[start : stop - step], lengths[start + step : stop]
            total = first + second
            shared = np.minimum(counts[:-step], counts[step:]).sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):  # difflib's ratio of two empty strings is 1
                real_quick = np.where(total > 0, 2.0 * np.minimum(first, second) / total, 1.0)
                quick = np.where(total > 0, 2.0 * shared / total, 1.0)
            mine = np.arange(len(together)) < block  # the next block starts with its own pairs
            for pos in np.flatnonzero(together & mine & (real_quick >= 0.85) & (quick >= 0.85)).tolist():
                yield start + pos, step


def table_rule_parts(t: TableData, today: dt.date | None = None) -> list[Callable[[], list[Problem]]]:
    """The rules of one table as independent parts, each returning its problems: they only read
    the table, so a validator may run them side by side, in any order."""
    now = pd.Timestamp(today or dt.date.today())
    parts: list[Callable[[], list[Problem]]] = [lambda: list(safety(t)), lambda: list(dates(t, now))]
    if t.name in EVENT_TABLES:
        parts.append(lambda: list(event_rules(t, now)))
        parts.append(lambda: list(_near_duplicates(t)))  # possible duplicate events (warning)
    return parts

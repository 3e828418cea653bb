"""Parsing text cells into the typed columns that the schemas' field types name.

Empty cells become missing values; a cell that does not parse is reported by the caller with
its line and column (validate.parse_cells).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pyarrow
import pyarrow.compute as pc

from .arrowtext import arrow_of, null_where_empty, offsets_and_data, rows_with_bytes, split_cells, to_numpy_bool
from .convert import Field, delimiter

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$").pattern
_INTEGER = r"^-?\d+$"
_NUMBER = r"^-?\d+(\.\d+)?$"


def parse_column(text: pd.Series, field: Field) -> tuple[pd.Series, pd.Series, str]:
    """Parse a column of text cells into the field's storage dtype.

    Returns the typed column, a boolean mask of cells that do not parse, and what was expected.
    Empty cells become missing values and never count as parse failures.
    """

    kind = field["type"]
    arr = arrow_of(text)
    empty = to_numpy_bool(pc.equal(arr, ""))
    nothing_failed = pd.Series(np.zeros(len(text), bool), index=text.index)
    if kind == "string":
        return pd.Series(null_where_empty(arr), index=text.index, dtype="str"), nothing_failed, ""
    if kind == "date":
        parsed = _parse_dates(text, arr)
        return parsed, pd.Series(~empty & parsed.isna().to_numpy(), index=text.index), "a date that exists, written YYYY-MM-DD"
    if kind == "integer":
        ok = text.str.fullmatch(_INTEGER)
        ints = pd.to_numeric(text.where(ok), errors="coerce").astype("Int64")
        return ints, ~empty & ~ok, "a whole number"
    if kind == "number":
        ok = text.str.fullmatch(_NUMBER)
        numbers = pd.to_numeric(text.where(ok), errors="coerce").astype("Float64")
        return numbers, ~empty & ~ok, "a number written with digits and an optional '.'"
    if kind == "boolean":
        true, false = to_numpy_bool(pc.equal(arr, "true")), to_numpy_bool(pc.equal(arr, "false"))
        flags = pd.Series(pd.arrays.BooleanArray(true, ~(true | false)), index=text.index)
        return flags, pd.Series(~empty & ~(true | false), index=text.index), "'true' or 'false'"
    if kind == "list":
        return pd.Series(pd.arrays.ArrowExtensionArray(_parse_lists(arr, field)), index=text.index), nothing_failed, ""
    raise ValueError(f"field '{field['name']}' has type '{kind}', which jsp_data does not handle")


# The distinct cells of each parsed list column, by the identity of its Arrow data: a list
# column repeats few distinct cells (party lists, domains), so the list checks judge each
# distinct cell once and give every row the verdict of its cell.
_CODED_LISTS: dict[int, tuple[pyarrow.ChunkedArray, Any, pyarrow.ListArray]] = {}  # id -> (column, codes, words)
_CODED_KEEP = 32  # columns remembered (a data package has a dozen list columns)


def _parse_lists(arr: pyarrow.ChunkedArray, field: Field) -> pyarrow.ChunkedArray:
    """A text column split into lists: the distinct cells are split, and each row takes the
    lists of its cell (so the same text always gives the same list, as splitting each cell)."""
    encoded = pc.dictionary_encode(null_where_empty(arr)).combine_chunks()
    split = split_cells(pyarrow.chunked_array([encoded.dictionary]), delimiter(field))
    words = split.chunk(0) if split.num_chunks == 1 else split.combine_chunks()
    lists = pyarrow.chunked_array([words.take(encoded.indices)], type=words.type)
    for key in list(_CODED_LISTS)[: -_CODED_KEEP + 1]:
        _CODED_LISTS.pop(key, None)
    _CODED_LISTS[id(lists)] = (lists, pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False), words)
    return lists


def forget_coded_lists() -> None:
    """Drop the remembered list columns (a validation run calls this when its checks are done,
    so no large column outlives its tables here; a column not remembered is checked item by item)."""
    _CODED_LISTS.clear()


def lists_by_code(series: pd.Series) -> tuple[Any, pyarrow.ListArray]:
    """A list column as (the code of each row's list, -1 for a missing one; the lists the codes
    number): parse_column's distinct lists when it made the column, else each row its own list
    (then two rows with the same list have different codes). A rule that judges the lists once
    and gives each row the verdict of its code reads any list column the same way."""
    coded = coded_lists(series)
    if coded is not None:
        return coded
    held = arrow_of(series)
    lists = held.chunk(0) if held.num_chunks == 1 else held.combine_chunks()
    return np.arange(len(lists)), lists


def coded_lists(series: pd.Series) -> tuple[Any, pyarrow.ListArray] | None:
    """(the code of each row's cell, -1 for a missing one; the distinct lists) of a list column
    parsed by parse_column, or None for any other column."""
    held = getattr(series.array, "_pa_array", None)
    entry = _CODED_LISTS.get(id(held))
    if entry is None or entry[0] is not held:
        return None
    return entry[1], entry[2]


def _parse_dates(text: pd.Series, arr: pyarrow.ChunkedArray) -> pd.Series:
    """YYYY-MM-DD cells as datetime64[ms]; a cell that is not a date that exists becomes NaT.

    A date column repeats its values (a million rows hold some tens of thousands of dates):
    each distinct cell is parsed once and every row takes the date of its cell.
    """
    if len(arr) < 4096:
        return _parse_each_date(text, arr)
    encoded = pc.dictionary_encode(arr).combine_chunks()
    if len(encoded.dictionary) > len(arr) // 4 or encoded.indices.null_count:  # mostly distinct cells
        return _parse_each_date(text, arr)
    words = encoded.dictionary
    distinct = _parse_each_date(pd.Series(words, dtype="str"), pyarrow.chunked_array([words]))
    stamps = distinct.to_numpy().view(np.int64).take(encoded.indices.to_numpy(zero_copy_only=False))
    return pd.Series(stamps.view("datetime64[ms]"), index=text.index)


def _parse_each_date(text: pd.Series, arr: pyarrow.ChunkedArray) -> pd.Series:
    """_parse_dates cell by cell: plain ASCII cells are checked in Arrow and numpy (form by
    regex, then month and day ranges with leap years, as pandas' ISO parser does); any other
    cell goes through pandas as before."""

    form, year, month, day = _date_numbers(arr)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month = np.clip(month, 0, 13)
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0])[month] + (leap & (month == 2))
    valid = (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    # days since 1970-01-01 by the proleptic Gregorian calendar (numpy's own conversion is slower)
    before = np.array([0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 0])[month] + (leap & (month > 2))
    past = year.astype(np.int64) - 1
    leap_days = past // 4 - past // 100 + past // 400 - (1969 // 4 - 1969 // 100 + 1969 // 400)
    days = 365 * (year.astype(np.int64) - 1970) + leap_days + before + day - 1
    stamps = np.full(len(text), np.iinfo(np.int64).min, np.int64)  # NaT
    stamps[np.flatnonzero(form)[valid]] = days[valid] * 86_400_000
    parsed = pd.Series(stamps.view("datetime64[ms]"), index=text.index)
    other = np.zeros(len(text), bool)
    other[rows_with_bytes(arr, lambda b: b >= 0x80)] = True
    if other.any():  # non-ASCII digits and the like: exactly what pandas makes of them
        rest = text[other]
        old = pd.to_datetime(rest.where(rest.str.fullmatch(_DATE)), format="%Y-%m-%d", errors="coerce")
        parsed[other] = old.astype("datetime64[ms]")
    return parsed


def _date_numbers(arr: pyarrow.ChunkedArray) -> tuple[Any, Any, Any, Any]:
    """Which cells have the form YYYY-MM-DD (ten ASCII bytes: digits, '-' at 4 and 7, as the
    regex ^\\d{4}-\\d{2}-\\d{2}$ matches ASCII text), and the year, month and day of those cells,
    read straight from the column's bytes."""

    forms: list[Any] = []
    parts: list[list[Any]] = [[], [], []]
    for chunk in arr.chunks:
        offsets, values = offsets_and_data(chunk)
        lengths = offsets[1:] - offsets[:-1]
        ten = lengths == 10
        if (ten | (lengths == 0)).all():  # ten-byte cells and empty ones: the bytes are a matrix
            block = values[offsets[0] : offsets[-1]].reshape(-1, 10)
        else:
            block = values[offsets[:-1][ten][:, None] + np.arange(10)]
        at = [block[:, k] for k in range(10)]
        ok = (at[4] == ord("-")) & (at[7] == ord("-"))
        for k in (0, 1, 2, 3, 5, 6, 8, 9):
            ok &= (at[k] >= ord("0")) & (at[k] <= ord("9"))
        form = np.zeros(len(chunk), bool)
        form[np.flatnonzero(ten)[ok]] = True
        forms.append(form)
        for part, positions in zip(parts, ((0, 1, 2, 3), (5, 6), (8, 9)), strict=True):
            number = np.zeros(int(ok.sum()), np.int32)
            for k in positions:
                number = number * 10 + at[k][ok] - ord("0")
            part.append(number)
    if not forms:
        return np.zeros(0, bool), np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int32)
    year, month, day = (np.concatenate(part) for part in parts)
    return np.concatenate(forms), year, month, day

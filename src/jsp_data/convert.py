"""Table Schema -> typed pandas columns, pandera schema and Arrow schema.

``schemas/*.json`` is the one source: every dtype, check and label used by ``load``, ``validate``
and ``build`` is derived here from a field descriptor. Allowed items of a list field are read
from the field's ``x-itemEnum`` property (frictionless rejects ``enum`` on lists); list items
that must resolve to another table are named by ``x-itemReference`` and checked in checks.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pyarrow as pyarrow
import pyarrow.compute as pc

Field = dict[str, Any]

LIST_TYPE = pd.ArrowDtype(pyarrow.list_(pyarrow.string()))
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$").pattern
_INTEGER = r"^-?\d+$"
_NUMBER = r"^-?\d+(\.\d+)?$"

STORAGE_DTYPES = {
    "string": "str",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "datetime64[ms]",
    "list": LIST_TYPE,
}
ARROW_TYPES = {
    "string": pyarrow.string(),
    "integer": pyarrow.int64(),
    "number": pyarrow.float64(),
    "boolean": pyarrow.bool_(),
    "date": pyarrow.date32(),
    "list": pyarrow.list_(pyarrow.string()),
}


def enum_values(field: Field) -> list[str] | None:
    """Allowed values of a field (``constraints.enum``) or of a list field's items (``x-itemEnum``)."""
    values = field.get("constraints", {}).get("enum") or field.get("x-itemEnum")
    return list(values) if values else None


def is_required(field: Field) -> bool:
    return bool(field.get("constraints", {}).get("required", False))


def delimiter(field: Field) -> str:
    return str(field.get("delimiter", ","))


# ---------------------------------------------------------------------------------------------
# Arrow helpers: a million-row column is checked with pyarrow.compute kernels, not element-wise.


def arrow_of(series: pd.Series) -> pyarrow.ChunkedArray:
    """The Arrow data of a column, zero-copy when pandas already holds it as Arrow."""
    held = getattr(series.array, "_pa_array", None)
    if held is not None:
        return pyarrow.chunked_array(held) if isinstance(held, pyarrow.Array) else held
    return pyarrow.chunked_array([pyarrow.array(series, from_pandas=True)])


def to_numpy_bool(mask: pyarrow.ChunkedArray | pyarrow.Array, null: bool = False) -> Any:
    """A boolean Arrow result as a numpy bool array, nulls as ``null``."""
    return pc.fill_null(mask, null).to_numpy(zero_copy_only=False)


def _offsets_and_data(chunk: pyarrow.Array) -> tuple[Any, Any]:
    """A string chunk's value offsets and value bytes as numpy arrays (no copy)."""
    import numpy as np

    offset_type = np.int64 if pyarrow.types.is_large_string(chunk.type) else np.int32
    _, offsets, data = chunk.buffers()
    offsets = np.frombuffer(offsets, offset_type, count=len(chunk) + 1, offset=chunk.offset * offset_type().itemsize)
    values = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    return offsets, values


def rows_with_bytes(arr: pyarrow.ChunkedArray, test: Callable[[Any], Any]) -> Any:
    """Positions of the rows whose text holds a byte for which ``test`` (vectorised) is true.

    Scans each chunk's value buffer in one numpy pass instead of matching a regex per cell.
    """
    import numpy as np

    out, base = [], 0
    for chunk in arr.chunks:
        offsets, values = _offsets_and_data(chunk)
        hits = np.flatnonzero(test(values[offsets[0] : offsets[-1]])) + offsets[0]
        if len(hits):
            out.append(np.unique(np.searchsorted(offsets, hits, side="right") - 1) + base)
        base += len(chunk)
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def edge_bytes(arr: pyarrow.ChunkedArray, last: bool = True) -> tuple[Any, Any]:
    """The first and last byte of each cell (-1 for an empty cell), as numpy int arrays; with
    ``last=False`` only the first bytes (the second array is empty)."""
    import numpy as np

    firsts, lasts = [], []
    none = np.int16(-1)
    for chunk in arr.chunks:
        offsets, values = _offsets_and_data(chunk)
        starts, ends = offsets[:-1], offsets[1:]
        if not len(values):
            firsts.append(np.full(len(chunk), none))
            lasts.append(np.full(len(chunk) if last else 0, none))
            continue
        filled = ends > starts
        # one gather per cell edge (an empty cell reads a neighbour's byte, then -1 replaces it)
        firsts.append(np.where(filled, values.take(starts, mode="clip"), none))
        lasts.append(np.where(filled, values.take(ends - 1, mode="clip"), none) if last else np.zeros(0, np.int16))
    if not firsts:
        return np.zeros(0, np.int16), np.zeros(0, np.int16)
    return np.concatenate(firsts), np.concatenate(lasts)


def first_bytes(arr: pyarrow.ChunkedArray) -> Any:
    """The first byte of each cell (-1 for an empty cell), as a numpy int array."""
    return edge_bytes(arr, last=False)[0]


def outer_space(arr: pyarrow.ChunkedArray | pyarrow.Array) -> Any:
    """True for each cell that starts or ends with whitespace, as ``str.strip`` on pandas' Arrow
    strings sees it (pyarrow's utf8_trim_whitespace).

    Only cells whose first or last byte could begin or end a whitespace character (an ASCII
    control or space byte, or any non-ASCII byte) are trimmed; the rest cannot change.
    """
    import numpy as np

    arr = pyarrow.chunked_array([arr]) if isinstance(arr, pyarrow.Array) else arr
    first, last = edge_bytes(arr)
    maybe = np.flatnonzero((first <= 0x20) & (first >= 0) | (first >= 0x7F) | (last <= 0x20) & (last >= 0) | (last >= 0x7F))
    if len(maybe) > len(arr) // 8:  # mostly non-ASCII text (a Japanese title): trim it all
        return ~to_numpy_bool(pc.equal(pc.utf8_trim_whitespace(arr), arr), null=True)
    out = np.zeros(len(arr), bool)
    if len(maybe):
        cells = arr.take(pyarrow.array(maybe))
        out[maybe] = ~to_numpy_bool(pc.equal(pc.utf8_trim_whitespace(cells), cells), null=True)
    return out


def is_plain_ascii(arr: pyarrow.ChunkedArray) -> bool:
    """True when no cell holds a non-ASCII character or a line break: then RE2 (pyarrow) and
    Python's re agree on \\d and $, so pandas would not fall back to Python's re either."""
    return len(rows_with_bytes(arr, lambda b: (b >= 0x80) | (b == 0x0A))) == 0


def regex_mask(series: pd.Series, pattern: str, full: bool) -> Any:
    """``series.str.match`` / ``.str.fullmatch`` (nulls False) as numpy, with pyarrow's RE2 when
    it agrees with Python's re (plain ASCII text, no \\s), else through pandas itself."""
    import numpy as np

    arr = arrow_of(series)
    if "\\s" in pattern.lower() or not is_plain_ascii(arr):
        result = series.str.fullmatch(pattern) if full else series.str.match(pattern, na=False)
        return np.asarray(result.fillna(False), dtype=bool)
    body = pattern[1:] if pattern.startswith("^") else pattern
    if full and body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    anchored = f"^({body})$" if full else f"^({body})"
    return to_numpy_bool(pc.match_substring_regex(arr, anchored))


def null_where_empty(arr: pyarrow.ChunkedArray) -> pyarrow.ChunkedArray:
    """The column with empty cells as nulls.

    A chunk without nulls gets the bitmap of ``cell != ""`` as its validity buffer, so the text
    is not copied (``if_else`` would copy every byte of a million cells).
    """
    chunks = []
    for chunk in arr.chunks:
        filled = pc.not_equal(chunk, "")
        if chunk.null_count or chunk.offset or filled.offset:
            chunks.append(pc.if_else(filled, chunk, pyarrow.scalar(None, chunk.type)))
        else:
            validity = filled.buffers()[1]
            chunks.append(pyarrow.Array.from_buffers(chunk.type, len(chunk), [validity, *chunk.buffers()[1:]]))
    return pyarrow.chunked_array(chunks, type=arr.type)


def split_cells(arr: pyarrow.ChunkedArray, sep: str) -> pyarrow.ChunkedArray:
    """``pc.split_pattern(arr, sep)`` as list<string>, each chunk built from its bytes with numpy.

    pyarrow's kernel splits cell by cell; here the separators are found in one pass over the
    chunk's bytes and the list and item offsets computed from their positions.
    """
    if len(sep.encode()) != 1:  # a multi-byte separator
        return pc.split_pattern(pc.cast(arr, pyarrow.string()), sep)
    chunks = [_split_chunk(chunk, ord(sep)) for chunk in arr.chunks]
    return pyarrow.chunked_array(chunks, type=pyarrow.list_(pyarrow.string()))


def _split_chunk(chunk: pyarrow.Array, sep: int) -> pyarrow.Array:
    import numpy as np

    offsets, values = _offsets_and_data(chunk)
    valid = to_numpy_bool(chunk.is_valid())
    lengths = offsets[1:] - offsets[:-1]
    if (lengths[~valid] != 0).any() or offsets[-1] - offsets[0] >= 2**31:  # unusual layouts: pyarrow's way
        return pc.split_pattern(pc.cast(chunk, pyarrow.string()), chr(sep))
    base = int(offsets[0])
    text = values[base : offsets[-1]]
    cuts = np.flatnonzero(text == sep)  # separator positions, relative to base
    row_of_cut = np.searchsorted(offsets, cuts + base, side="right") - 1
    cuts_per_row = np.bincount(row_of_cut, minlength=len(chunk))
    items_per_row = np.where(valid, cuts_per_row + 1, 0)
    list_offsets = np.concatenate([[0], np.cumsum(items_per_row)]).astype(np.int32)
    # each item starts at its cell's start or just after a separator; positions in the text
    # with the separators removed shift left by the number of separators before them
    starts = np.empty(int(list_offsets[-1]), np.int64)
    starts[list_offsets[:-1][valid]] = offsets[:-1][valid] - base
    first_cut_of_row = np.concatenate([[0], np.cumsum(cuts_per_row)])[:-1]
    rank = np.arange(len(cuts)) - first_cut_of_row[row_of_cut]
    starts[list_offsets[row_of_cut] + 1 + rank] = cuts + 1
    starts -= np.searchsorted(cuts, starts, side="left")
    kept = np.ones(len(text), bool)
    kept[cuts] = False
    data = text[kept]
    item_offsets = np.concatenate([starts, [len(data)]]).astype(np.int32)
    items = pyarrow.Array.from_buffers(
        pyarrow.string(), len(starts), [None, pyarrow.py_buffer(item_offsets), pyarrow.py_buffer(data)]
    )
    return pyarrow.ListArray.from_arrays(pyarrow.array(list_offsets), items, mask=pyarrow.array(~valid))


# ---------------------------------------------------------------------------------------------
# Parsing text cells into typed columns.


def parse_column(text: pd.Series, field: Field) -> tuple[pd.Series, pd.Series, str]:
    """Parse a column of text cells into the field's storage dtype.

    Returns the typed column, a boolean mask of cells that do not parse, and what was expected.
    Empty cells become missing values and never count as parse failures.
    """
    import numpy as np

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

    Plain ASCII cells are checked in Arrow and numpy (form by regex, then month and day ranges
    with leap years, as pandas' ISO parser does); any other cell goes through pandas as before.
    """
    import numpy as np

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
    import numpy as np

    forms: list[Any] = []
    parts: list[list[Any]] = [[], [], []]
    for chunk in arr.chunks:
        offsets, values = _offsets_and_data(chunk)
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


# ---------------------------------------------------------------------------------------------
# pandera schema.

# The list checks of one column all need its items: keep the last column's, keyed by identity.
_LAST_ITEMS: list[tuple[Any, Any]] = [(None, None)]  # one (column, items) pair, swapped whole


def list_items(series: pd.Series) -> tuple[Any, pyarrow.Array]:
    """A list column's items, flat: (row position of each item as a numpy array, the items)."""
    held = arrow_of(series)
    last_held, last_items = _LAST_ITEMS[0]  # one read: another thread may swap the pair
    if last_held is held:
        return last_items  # type: ignore[no-any-return]
    arr = held.chunk(0) if held.num_chunks == 1 else held.combine_chunks()
    result = pc.list_parent_indices(arr).to_numpy(zero_copy_only=False), pc.list_flatten(arr)
    _LAST_ITEMS[0] = (held, result)
    return result


def _by_row(series: pd.Series, judge: Callable[[Any, pyarrow.Array, int], Any]) -> pd.Series:
    """A list check's verdict per row: ``judge(parents, items, rows)`` gives one for each of
    ``rows`` lists. A column parse_column made is judged on its distinct lists (a missing row
    passes); any other through its own items."""
    import numpy as np

    coded = coded_lists(series)
    if coded is None:
        parents, flat = list_items(series)
        return pd.Series(judge(parents, flat, len(series)), index=series.index)
    codes, words = coded
    parents = pc.list_parent_indices(words).to_numpy(zero_copy_only=False)
    verdicts = np.append(judge(parents, pc.list_flatten(words), len(words)), True)  # code -1: missing
    return pd.Series(verdicts[codes], index=series.index)


def _list_rows(series: pd.Series, per_item: Callable[[pyarrow.Array], Any]) -> Any:
    """True for each row none of whose items fails ``per_item`` (a vectorised item test)."""
    import numpy as np

    def judge(parents: Any, flat: pyarrow.Array, rows: int) -> Any:
        verdict = per_item(flat)
        bad = ~(verdict if isinstance(verdict, np.ndarray) else to_numpy_bool(verdict))  # null counts as failing
        ok = np.ones(rows, bool)
        ok[parents[bad]] = False
        return ok

    return _by_row(series, judge)


def _no_duplicates(series: pd.Series) -> Any:
    """False for each row that lists an item twice."""
    return _by_row(series, _rows_without_twins)


def _rows_without_twins(parents: Any, flat: pyarrow.Array, rows: int) -> Any:
    """Items become integer codes and a row's items are contiguous: with short lists, comparing
    each item with the next few is cheapest; otherwise sorting (row, code) pairs puts a
    repeated item next to its twin.
    """
    import numpy as np

    codes = pc.dictionary_encode(flat).indices.to_numpy(zero_copy_only=False)
    longest = int(np.bincount(parents).max()) if len(parents) else 0
    ok = np.ones(rows, bool)
    if longest <= 16:
        for gap in range(1, longest):
            twin = (parents[gap:] == parents[:-gap]) & (codes[gap:] == codes[:-gap])
            ok[parents[gap:][twin]] = False
    else:
        width = int(codes.max()) + 2
        keys = np.sort(parents.astype(np.int64) * width + codes)
        ok[keys[1:][keys[1:] == keys[:-1]] // width] = False
    return ok


def _not_empty(items: pyarrow.Array) -> Any:
    """False for each empty item, from the item offsets (no string comparison)."""
    import numpy as np

    offsets, _ = _offsets_and_data(items)
    return np.diff(offsets) != 0


def _without_comma(items: pyarrow.Array) -> pyarrow.Array:
    """False for each item holding a ',' (found by one scan of the items' bytes)."""
    import numpy as np

    ok = np.ones(len(items), bool)
    ok[rows_with_bytes(pyarrow.chunked_array([items]), lambda b: b == ord(","))] = False
    return ok


def _no_outer_space(series: pd.Series) -> Any:
    """``series.str.strip() == series`` in Arrow (the same Unicode whitespace as pandas uses)."""
    return _passes(series, ~outer_space(arrow_of(series)))


def _passes(series: pd.Series, mask: Any) -> pd.Series:
    """A vectorised check's verdict (numpy or Arrow booleans) as the Series pandera expects;
    a missing cell passes (pandera leaves nulls to the nullable check)."""
    if isinstance(mask, (pyarrow.Array, pyarrow.ChunkedArray)):
        mask = to_numpy_bool(mask, null=True)
    return pd.Series(mask, index=series.index, dtype=bool)


def field_checks(field: Field) -> list[pa.Check]:
    """pandera checks for one field, named after the constraint they enforce."""
    cons = field.get("constraints", {})
    checks: list[pa.Check] = []
    kind = field["type"]
    if kind == "list":
        # the list checks see missing rows too (they pass), so a column arrives as parsed and is
        # judged on its distinct lists (see _by_row)
        checks.append(
            pa.Check(
                lambda s: _list_rows(s, _not_empty),
                name="list-empty-item",
                error="an item is empty (a doubled or trailing ';')",
                ignore_na=False,
            )
        )
        checks.append(
            pa.Check(
                lambda s: _list_rows(s, lambda x: ~outer_space(x)),
                name="whitespace",
                error="an item has spaces around it",
                ignore_na=False,
            )
        )
        checks.append(pa.Check(_no_duplicates, name="list-duplicate-item", error="an item is repeated", ignore_na=False))
        if delimiter(field) != ",":
            checks.append(
                pa.Check(
                    lambda s: _list_rows(s, _without_comma),
                    name="list-delimiter",
                    error=f"items are separated by '{delimiter(field)}', not ','",
                    ignore_na=False,
                )
            )
        items = field.get("x-itemEnum")
        if items:
            allowed = pyarrow.array(items, type=pyarrow.string())
            checks.append(
                pa.Check(
                    lambda s, a=allowed: _list_rows(s, lambda x: pc.is_in(x, value_set=a)),
                    name="list-item",
                    error="allowed items: " + ", ".join(items),
                    ignore_na=False,
                )
            )
        if "minLength" in cons:
            n = cons["minLength"]
            checks.append(
                pa.Check(
                    lambda s, n=n: _passes(s, pc.greater_equal(pc.list_value_length(arrow_of(s)), n)),
                    name="min-items",
                    error=f"needs at least {n} items",
                    ignore_na=False,
                )
            )
        return checks
    if "enum" in cons and kind == "string":
        allowed = pyarrow.array(cons["enum"], type=pyarrow.large_string())
        checks.append(
            pa.Check(
                lambda s, a=allowed: _passes(s, pc.is_in(pc.cast(arrow_of(s), pyarrow.large_string()), value_set=a)),
                name="enum",
                error="allowed: " + ", ".join(cons["enum"]),
            )
        )
    elif "enum" in cons:
        checks.append(pa.Check.isin(cons["enum"], name="enum", error="allowed: " + ", ".join(cons["enum"])))
    if "pattern" in cons and kind == "string":
        pattern = cons["pattern"]
        checks.append(
            pa.Check(lambda s, p=pattern: _passes(s, regex_mask(s, p, full=False)), name="pattern", error=f"must match {pattern}")
        )
    elif "pattern" in cons:
        checks.append(pa.Check.str_matches(cons["pattern"], name="pattern", error=f"must match {cons['pattern']}"))
    if "minimum" in cons:
        checks.append(pa.Check.ge(cons["minimum"], name="minimum", error=f"must be at least {cons['minimum']}"))
    if "maximum" in cons:
        checks.append(pa.Check.le(cons["maximum"], name="maximum", error=f"must be at most {cons['maximum']}"))
    if kind == "string":
        checks.append(pa.Check(_no_outer_space, name="whitespace", error="the cell starts or ends with a space"))
    return checks


def pandera_schema(table: str, fields: list[Field]) -> pa.DataFrameSchema:
    """The pandera schema of a table in storage form (enums as str, before categorical cast)."""
    columns = {
        f["name"]: pa.Column(
            STORAGE_DTYPES[f["type"]],
            checks=field_checks(f),
            nullable=not is_required(f),
            unique=bool(f.get("constraints", {}).get("unique", False)),
            required=True,
            description=f.get("description"),
            title=f.get("title"),
        )
        for f in fields
    }
    return pa.DataFrameSchema(columns, name=table, strict=True, ordered=True)


# ---------------------------------------------------------------------------------------------
# Arrow and pandas types of the shipped Parquet.


def arrow_schema(fields: list[Field]) -> pyarrow.Schema:
    """Arrow schema of a table's Parquet: enums dictionary-encoded so they load as categoricals."""
    out = []
    for f in fields:
        typ = ARROW_TYPES[f["type"]]
        if f["type"] == "string" and enum_values(f):
            typ = pyarrow.dictionary(pyarrow.int32(), pyarrow.string())
        out.append(pyarrow.field(f["name"], typ, nullable=True))
    return pyarrow.schema(out)


def to_arrow(frame: pd.DataFrame, fields: list[Field]) -> pyarrow.Table:
    """A storage-form frame as an Arrow table with the schema's types (no pandas metadata)."""
    schema = arrow_schema(fields)
    arrays = []
    for f, target in zip(fields, schema, strict=True):
        col = frame[f["name"]]
        if f["type"] == "list":
            arr = pyarrow.chunked_array(col.array._pa_array).combine_chunks()  # type: ignore[attr-defined]
        elif f["type"] == "date":
            arr = pyarrow.array(col.dt.date.where(col.notna(), None), type=pyarrow.date32(), from_pandas=True)
        else:
            arr = pyarrow.array(col, type=ARROW_TYPES[f["type"]], from_pandas=True)
        if pyarrow.types.is_dictionary(target.type):
            arr = pc.dictionary_encode(arr)
        arrays.append(arr)
    return pyarrow.Table.from_arrays(arrays, schema=schema)


def _types_mapper(typ: pyarrow.DataType) -> Any:
    if pyarrow.types.is_list(typ):
        return LIST_TYPE
    return {pyarrow.int64(): pd.Int64Dtype(), pyarrow.bool_(): pd.BooleanDtype(), pyarrow.float64(): pd.Float64Dtype()}.get(typ)


def _with_fixed_categories(column: pyarrow.ChunkedArray, values: list[str]) -> pyarrow.ChunkedArray:
    """Re-encode a string column against the schema's allowed values, so pandas gets a categorical
    with every allowed value as a category, in schema order, without a set_categories pass."""
    if pyarrow.types.is_dictionary(column.type):
        column = column.cast(pyarrow.string())
    dictionary = pyarrow.array(values, type=pyarrow.string())
    indices = pc.index_in(column, value_set=dictionary).cast(pyarrow.int32())
    chunks = [pyarrow.DictionaryArray.from_arrays(chunk, dictionary) for chunk in indices.chunks]
    return pyarrow.chunked_array(chunks, type=pyarrow.dictionary(pyarrow.int32(), pyarrow.string()))


def arrow_to_frame(table: pyarrow.Table, fields: list[Field]) -> pd.DataFrame:
    """An Arrow table of the shipped Parquet as a typed frame: enums become categoricals."""
    by_name = {f["name"]: f for f in fields}
    for i, name in enumerate(table.column_names):
        f = by_name[name]
        values = enum_values(f)
        if values and f["type"] == "string":
            table = table.set_column(i, name, _with_fixed_categories(table.column(i), values))
    frame = table.to_pandas(types_mapper=_types_mapper, date_as_object=False, coerce_temporal_nanoseconds=False)
    for name in frame.columns:
        if by_name[name]["type"] == "date" and frame[name].dtype != "datetime64[ms]":
            frame[name] = frame[name].astype("datetime64[ms]")
    return frame


def to_storage(frame: pd.DataFrame, fields: list[Field]) -> pd.DataFrame:
    """Undo the categorical cast of ``arrow_to_frame`` so the pandera schema applies."""
    out = frame.copy()
    for f in fields:
        if f["name"] in out and isinstance(out[f["name"]].dtype, pd.CategoricalDtype):
            out[f["name"]] = out[f["name"]].astype("str").where(out[f["name"]].notna())
    return out

"""Text columns as Arrow data: byte scans, edges, splitting and masks over a million cells.

Every helper works on whole columns with pyarrow.compute kernels or numpy views of the Arrow
buffers, never cell by cell: the validator's speed rests on them (benchmarks/run.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pyarrow
import pyarrow.compute as pc


def arrow_of(series: pd.Series) -> pyarrow.ChunkedArray:
    """The Arrow data of a column, zero-copy when pandas already holds it as Arrow."""
    held = getattr(series.array, "_pa_array", None)
    if held is not None:
        return pyarrow.chunked_array(held) if isinstance(held, pyarrow.Array) else held
    return pyarrow.chunked_array([pyarrow.array(series, from_pandas=True)])


def to_numpy_bool(mask: pyarrow.ChunkedArray | pyarrow.Array, null: bool = False) -> Any:
    """A boolean Arrow result as a numpy bool array, nulls as ``null``.

    The bits are unpacked by numpy from each chunk's buffer: pyarrow's own conversion goes
    value by value, and the validator converts a few hundred million-row masks."""
    if not pyarrow.types.is_boolean(mask.type):
        return pc.fill_null(mask, null).to_numpy(zero_copy_only=False)
    chunks = mask.chunks if isinstance(mask, pyarrow.ChunkedArray) else [mask]
    out = np.empty(len(mask), bool)
    at = 0
    for chunk in chunks:
        if chunk.null_count:
            chunk = pc.fill_null(chunk, null)
        size = len(chunk)
        if size:
            bits = np.frombuffer(chunk.buffers()[1], np.uint8)
            out[at : at + size] = np.unpackbits(bits, count=chunk.offset + size, bitorder="little")[chunk.offset :]
        at += size
    return out


def offsets_and_data(chunk: pyarrow.Array) -> tuple[Any, Any]:
    """A string chunk's value offsets and value bytes as numpy arrays (no copy)."""

    offset_type = np.int64 if pyarrow.types.is_large_string(chunk.type) else np.int32
    _, offsets, data = chunk.buffers()
    offsets = np.frombuffer(offsets, offset_type, count=len(chunk) + 1, offset=chunk.offset * offset_type().itemsize)
    values = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    return offsets, values


_BLOCK = 1 << 20  # bytes tested at a time by rows_with_bytes


def rows_with_bytes(arr: pyarrow.ChunkedArray, test: Callable[[Any], Any]) -> Any:
    """Positions of the rows whose text holds a byte for which ``test`` (vectorised) is true.

    Scans each chunk's value buffer in one numpy pass instead of matching a regex per cell.
    """

    out, base = [], 0
    for chunk in arr.chunks:
        offsets, values = offsets_and_data(chunk)
        # the bytes in blocks: the test's temporaries stay small (a column of notes holds a
        # hundred megabytes, and fresh memory for each temporary costs page faults)
        starts = range(int(offsets[0]), int(offsets[-1]), _BLOCK)
        found = [np.flatnonzero(test(values[at : min(at + _BLOCK, offsets[-1])])) + at for at in starts]
        hits = np.concatenate(found) if found else np.zeros(0, np.int64)
        if len(hits):
            out.append(np.unique(np.searchsorted(offsets, hits, side="right") - 1) + base)
        base += len(chunk)
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def edge_bytes(arr: pyarrow.ChunkedArray, last: bool = True) -> tuple[Any, Any]:
    """The first and last byte of each cell (-1 for an empty cell), as numpy int arrays; with
    ``last=False`` only the first bytes (the second array is empty)."""

    firsts, lasts = [], []
    none = np.int16(-1)
    for chunk in arr.chunks:
        offsets, values = offsets_and_data(chunk)
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

    offsets, values = offsets_and_data(chunk)
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

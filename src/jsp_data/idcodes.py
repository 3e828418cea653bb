"""The ids of the event tables and of the citations, hashed once per validation run.

Whether an id repeats in its table, is used by another event table, is cited, or whether two
citations rows are the same: on a million agreements cited a million times these are all
questions about the same strings. They are dictionary-encoded together once, and each rule that
asks reads integer codes instead of hashing the strings again (links.cross_table_rule_parts).
"""

from __future__ import annotations

import threading
from typing import Any

from .descriptor import EVENT_TABLES

# The tables whose id columns are encoded together: the event tables and the citations of them.
SHARED_ID_TABLES = (*EVENT_TABLES, "citations")


class SharedIds:
    """The id columns of SHARED_ID_TABLES as codes into one dictionary, built on first use.

    Rules running side by side may ask at once: the first builds the codes, the others wait.
    """

    def __init__(self, tables: dict[str, Any]) -> None:
        self._tables = tables
        self._lock = threading.Lock()
        self._built: tuple[dict[str, Any], int] | None = None

    def codes(self) -> tuple[dict[str, Any], int]:
        """(the code of each row's id by table, -1 for a missing id; the number of distinct ids).
        Two rows have the same code exactly when they have the same id."""
        with self._lock:
            if self._built is None:
                self._built = _encode({name: self._tables[name] for name in SHARED_ID_TABLES if name in self._tables})
            return self._built


def _encode(tables: dict[str, Any]) -> tuple[dict[str, Any], int]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from .arrowtext import arrow_of

    columns = {name: pc.cast(arrow_of(t.frame["id"]), pa.large_string()) for name, t in tables.items()}
    if not columns:
        return {}, 0
    together = pa.chunked_array([chunk for column in columns.values() for chunk in column.chunks], type=pa.large_string())
    encoded = pc.dictionary_encode(together).combine_chunks()
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    out, start = {}, 0
    for name, column in columns.items():
        out[name] = codes[start : start + len(column)]
        start += len(column)
    return out, len(encoded.dictionary)


def repeated(codes: Any) -> Any:
    """True for each row whose code (not -1) another row also has: every copy, as pandas'
    ``duplicated(keep=False)`` on the ids, missing ids left out. The codes are dense (below the
    number of distinct ids), so counting them is enough; shared_keys sorts arbitrary keys."""
    import numpy as np

    valid = codes >= 0
    counts = np.bincount(codes[valid], minlength=int(codes.max(initial=-1)) + 1)
    out = np.zeros(len(codes), bool)
    out[valid] = counts[codes[valid]] > 1
    return out


def duplicated_rows(frame: Any, key: list[str], known: dict[str, tuple[Any, int]] | None = None) -> Any:
    """``frame.duplicated(subset=key, keep="first")`` as a numpy mask, from integer codes.

    Each column is dictionary-encoded in Arrow (hashing its values once; missing values share
    code 0, equal as in pandas), or its codes taken from ``known`` (column -> (codes with -1 for
    missing, number of codes)), and the codes combined into one int64 per row, mixed radix,
    re-numbered only when the product of the column sizes would overflow. A row repeats an
    earlier one when its combined code does (repeats_earlier).
    """
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    from .arrowtext import arrow_of

    combined, width = np.zeros(len(frame), np.int64), 1
    for name in key:
        if known and name in known:
            given, size = known[name]
            codes, size = given.astype(np.int64) + 1, size + 1
        else:
            encoded = pc.dictionary_encode(arrow_of(frame[name])).combine_chunks()
            codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64) + 1
            size = len(encoded.dictionary) + 1
        if width * size >= 1 << 62:
            combined = pd.factorize(combined)[0].astype(np.int64)
            width = int(combined.max(initial=0)) + 1
        combined, width = combined * size + codes, width * size
    return repeats_earlier(combined)


def repeats_earlier(keys: Any) -> Any:
    """True for each position whose key (an int64 array) an earlier position has.

    A stable sort puts equal keys next to each other in their original order, so each but the
    first of a run repeats an earlier one. (Sorting needs an index the size of the keys;
    pandas' factorize would build a hash table several times that, all of it fresh memory.)
    """
    import numpy as np

    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    out = np.zeros(len(keys), bool)
    out[order[1:][ordered[1:] == ordered[:-1]]] = True
    return out


def shared_keys(keys: Any) -> Any:
    """True for each position whose key (an int64 array) another position also has."""
    import numpy as np

    order = np.argsort(keys)
    ordered = keys[order]
    same = ordered[1:] == ordered[:-1]
    repeated = np.zeros(len(keys), bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    out = np.empty(len(keys), bool)
    out[order] = repeated
    return out

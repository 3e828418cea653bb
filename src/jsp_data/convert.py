"""Table Schema -> typed pandas columns, pandera schema and Arrow schema.

``schemas/*.json`` is the one source: every dtype, check and label used by ``load``, ``validate``
and ``build`` is derived here from a field descriptor. Allowed items of a list field are read
from the field's ``x-itemEnum`` property (frictionless rejects ``enum`` on lists); list items
that must resolve to another table are named by ``x-itemReference`` and checked in checks.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pyarrow as pyarrow
import pyarrow.compute as pc

from .arrowtext import arrow_of, offsets_and_data, outer_space, regex_mask, rows_with_bytes, to_numpy_bool

Field = dict[str, Any]

LIST_TYPE = pd.ArrowDtype(pyarrow.list_(pyarrow.string()))

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
# pandera schema.


def list_items(series: pd.Series) -> tuple[Any, pyarrow.Array]:
    """A list column's items, flat: (row position of each item as a numpy array, the items)."""
    held = arrow_of(series)
    arr = held.chunk(0) if held.num_chunks == 1 else held.combine_chunks()
    return pc.list_parent_indices(arr).to_numpy(zero_copy_only=False), pc.list_flatten(arr)


def _by_row(series: pd.Series, judge: Callable[[Any, pyarrow.Array, int], Any]) -> pd.Series:
    """A list check's verdict per row: ``judge(parents, items, rows)`` gives one for each of
    ``rows`` lists. A column parse_column made is judged on its distinct lists (a missing row
    passes); any other on each row's list (parse.lists_by_code)."""
    import numpy as np

    from .parse import lists_by_code  # parse imports this module's field helpers

    codes, words = lists_by_code(series)
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

    offsets, _ = offsets_and_data(items)
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
    a missing cell passes (the nullable check reports it). The string checks judge the whole
    column so (ignore_na=False): pandera would otherwise copy it without its missing cells
    for every check."""
    if isinstance(mask, (pyarrow.Array, pyarrow.ChunkedArray)):
        mask = to_numpy_bool(mask, null=True)
    held = arrow_of(series)
    if held.null_count:
        mask = mask | to_numpy_bool(held.is_null())
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
                ignore_na=False,
            )
        )
    elif "enum" in cons:
        checks.append(pa.Check.isin(cons["enum"], name="enum", error="allowed: " + ", ".join(cons["enum"])))
    if "pattern" in cons and kind == "string":
        pattern = cons["pattern"]
        checks.append(
            pa.Check(
                lambda s, p=pattern: _passes(s, regex_mask(s, p, full=False)),
                name="pattern",
                error=f"must match {pattern}",
                ignore_na=False,
            )
        )
    elif "pattern" in cons:
        checks.append(pa.Check.str_matches(cons["pattern"], name="pattern", error=f"must match {cons['pattern']}"))
    if "minimum" in cons:
        checks.append(pa.Check.ge(cons["minimum"], name="minimum", error=f"must be at least {cons['minimum']}"))
    if "maximum" in cons:
        checks.append(pa.Check.le(cons["maximum"], name="maximum", error=f"must be at most {cons['maximum']}"))
    if kind == "string":
        checks.append(pa.Check(_no_outer_space, name="whitespace", error="the cell starts or ends with a space", ignore_na=False))
    return checks


def pandera_schema(table: str, fields: list[Field], id_unique: bool = True) -> pa.DataFrameSchema:
    """The pandera schema of a table in storage form (enums as str, before categorical cast).

    ``id_unique=False`` leaves out the id column's uniqueness, for a validator that judges it
    with the other tables' ids (idcodes.py)."""
    columns = {
        f["name"]: pa.Column(
            STORAGE_DTYPES[f["type"]],
            checks=field_checks(f),
            nullable=not is_required(f),
            unique=bool(f.get("constraints", {}).get("unique", False)) and (id_unique or f["name"] != "id"),
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

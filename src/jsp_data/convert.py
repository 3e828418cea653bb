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
# Parsing text cells into typed columns.


def parse_column(text: pd.Series, field: Field) -> tuple[pd.Series, pd.Series, str]:
    """Parse a column of text cells into the field's storage dtype.

    Returns the typed column, a boolean mask of cells that do not parse, and what was expected.
    Empty cells become missing values and never count as parse failures.
    """
    kind = field["type"]
    empty = text == ""
    if kind == "string":
        return text.where(~empty), empty & False, ""
    if kind == "date":
        form = text.str.fullmatch(_DATE)
        parsed = pd.to_datetime(text.where(form), format="%Y-%m-%d", errors="coerce")
        parsed = parsed.astype("datetime64[ms]")
        return parsed, ~empty & parsed.isna(), "a date that exists, written YYYY-MM-DD"
    if kind == "integer":
        ok = text.str.fullmatch(_INTEGER)
        ints = pd.to_numeric(text.where(ok), errors="coerce").astype("Int64")
        return ints, ~empty & ~ok, "a whole number"
    if kind == "number":
        ok = text.str.fullmatch(_NUMBER)
        numbers = pd.to_numeric(text.where(ok), errors="coerce").astype("Float64")
        return numbers, ~empty & ~ok, "a number written with digits and an optional '.'"
    if kind == "boolean":
        flags = text.map({"true": True, "false": False}).astype("boolean")
        return flags, ~empty & flags.isna(), "'true' or 'false'"
    if kind == "list":
        arrow = pyarrow.array(text.where(~empty), type=pyarrow.string(), from_pandas=True)
        split = pc.split_pattern(arrow, delimiter(field))
        return pd.Series(pd.arrays.ArrowExtensionArray(split), index=text.index), empty & False, ""
    raise ValueError(f"field '{field['name']}' has type '{kind}', which jsp_data does not handle")


# ---------------------------------------------------------------------------------------------
# pandera schema.


def list_items(series: pd.Series) -> tuple[Any, pyarrow.Array]:
    """A list column's items, flat: (row position of each item as a numpy array, the items)."""
    arr = pyarrow.chunked_array(series.array._pa_array).combine_chunks()  # type: ignore[attr-defined]
    return pc.list_parent_indices(arr).to_numpy(zero_copy_only=False), pc.list_flatten(arr)


def _list_rows(series: pd.Series, per_item: Callable[[pyarrow.Array], pyarrow.Array]) -> pd.Series:
    """True for each row none of whose items fails ``per_item`` (a vectorised item test)."""
    parents, flat = list_items(series)
    bad = per_item(flat).to_numpy(zero_copy_only=False) == False  # noqa: E712  (null counts as failing)
    bad_rows = parents[bad]
    ok = pd.Series(True, index=series.index)
    ok.iloc[bad_rows] = False
    return ok


def _no_duplicates(series: pd.Series) -> pd.Series:
    parents, flat = list_items(series)
    pairs = pd.DataFrame({"row": parents, "item": flat.to_numpy(zero_copy_only=False)})
    ok = pd.Series(True, index=series.index)
    ok.iloc[pairs.loc[pairs.duplicated(), "row"].unique()] = False
    return ok


def field_checks(field: Field) -> list[pa.Check]:
    """pandera checks for one field, named after the constraint they enforce."""
    cons = field.get("constraints", {})
    checks: list[pa.Check] = []
    kind = field["type"]
    if kind == "list":
        checks.append(
            pa.Check(
                lambda s: _list_rows(s, lambda x: pc.not_equal(x, "")),
                name="list-empty-item",
                error="an item is empty (a doubled or trailing ';')",
            )
        )
        checks.append(
            pa.Check(
                lambda s: _list_rows(s, lambda x: pc.equal(x, pc.utf8_trim_whitespace(x))),
                name="whitespace",
                error="an item has spaces around it",
            )
        )
        checks.append(pa.Check(_no_duplicates, name="list-duplicate-item", error="an item is repeated"))
        if delimiter(field) != ",":
            checks.append(
                pa.Check(
                    lambda s: _list_rows(s, lambda x: pc.invert(pc.match_substring(x, ","))),
                    name="list-delimiter",
                    error=f"items are separated by '{delimiter(field)}', not ','",
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
                )
            )
        if "minLength" in cons:
            n = cons["minLength"]
            checks.append(
                pa.Check(
                    lambda s, n=n: (s.list.len() >= n).fillna(True).astype(bool),
                    name="min-items",
                    error=f"needs at least {n} items",
                )
            )
        return checks
    if "enum" in cons:
        checks.append(pa.Check.isin(cons["enum"], name="enum", error="allowed: " + ", ".join(cons["enum"])))
    if "pattern" in cons:
        checks.append(pa.Check.str_matches(cons["pattern"], name="pattern", error=f"must match {cons['pattern']}"))
    if "minimum" in cons:
        checks.append(pa.Check.ge(cons["minimum"], name="minimum", error=f"must be at least {cons['minimum']}"))
    if "maximum" in cons:
        checks.append(pa.Check.le(cons["maximum"], name="maximum", error=f"must be at most {cons['maximum']}"))
    if kind == "string":
        checks.append(pa.Check(lambda s: s.str.strip() == s, name="whitespace", error="the cell starts or ends with a space"))
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

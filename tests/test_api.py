"""The public Python API on the shipped data."""

from __future__ import annotations

import json

import pandas as pd
import pandera.pandas as pa
import pytest

import jsp_data
from jsp_data.descriptor import EVENT_TABLES


def test_list_tables_matches_descriptor(root):
    names = [r["name"] for r in json.loads((root / "datapackage.json").read_text())["resources"]]
    assert jsp_data.list_tables() == sorted(names)
    assert {
        "agreements",
        "exercises",
        "meetings",
        "aid_transfers",
        "countries",
        "sources",
        "citations",
        "discrepancies",
        "withdrawals",
    } <= set(jsp_data.list_tables())


def test_load_applies_schema_dtypes():
    df = jsp_data.load("agreements")
    assert str(df["signed_date"].dtype) == "datetime64[ms]"
    assert isinstance(df["status"].dtype, pd.CategoricalDtype)
    # every allowed value is a category, even those no row uses yet
    assert set(df["status"].cat.categories) == {"sought", "stalled", "planned", "signed", "in_force", "ended", "lapsed"}
    assert str(df["legally_binding"].dtype) == "boolean"
    assert isinstance(df["parties"].iloc[0], list) and "JPN" in df["parties"].iloc[0]
    countries = jsp_data.load("countries")
    assert str(countries["cown"].dtype) == "Int64"
    assert countries.set_index("code").loc["AUS", "cown"] == 900


def test_load_real_values():
    df = jsp_data.load("agreements").set_index("id")
    acsa = df.loc["agr-2010-aus-acsa"]
    assert acsa["signed_date"] == pd.Timestamp("2010-05-19")
    assert acsa["in_force_date"] == pd.Timestamp("2013-01-31")
    assert acsa["status"] == "ended" and acsa["end_reason"] == "superseded"
    assert acsa["ended_date"] == pd.Timestamp("2017-09-06") and acsa["superseded_by"] == "agr-2017-aus-acsa"
    assert df.loc["agr-2011-kor-acsa", "status"] == "stalled"


def test_load_columns_and_validate():
    df = jsp_data.load("meetings", columns=["id", "start_date"], validate=True)
    assert list(df.columns) == ["id", "start_date"]
    with pytest.raises(KeyError, match="no column"):
        jsp_data.load("meetings", columns=["nope"])


@pytest.mark.parametrize("name", ["agrements", "Meetings", "exercise"])
def test_unknown_table_names_closest(name):
    with pytest.raises(jsp_data.UnknownTableError) as info:
        jsp_data.load(name)
    message = str(info.value)
    assert "list_tables()" in message
    assert "Did you mean" in message


def test_describe_one_row_per_column(root):
    schema = json.loads((root / "schemas" / "exercises.json").read_text())
    desc = jsp_data.describe("exercises")
    assert list(desc["name"]) == [f["name"] for f in schema["fields"]]
    kind = desc.set_index("name").loc["kind"]
    assert kind["allowed"] == "exercise, operation" and bool(kind["required"])
    assert desc["description"].str.len().min() > 10


def test_metadata_and_version_are_one_value():
    meta = jsp_data.metadata()
    assert meta["name"] == "jsp-data"
    assert meta["version"] == jsp_data.__version__
    meta["name"] = "changed"  # a copy: changing it does not change the package
    assert jsp_data.metadata()["name"] == "jsp-data"


def test_schema_is_pandera_and_catches_bad_rows():
    schema = jsp_data.schema("meetings")
    assert isinstance(schema, pa.DataFrameSchema)
    from jsp_data.convert import to_storage
    from jsp_data.descriptor import fields

    frame = to_storage(jsp_data.load("meetings"), fields("meetings"))
    schema.validate(frame)
    frame.loc[0, "kind"] = "picnic"
    with pytest.raises(pa.errors.SchemaError):
        schema.validate(frame)


def test_every_event_row_is_cited():
    cited = jsp_data.load("citations")
    for table in EVENT_TABLES:
        ids = set(jsp_data.load(table)["id"])
        assert ids <= set(cited.loc[cited["table"] == table, "id"]), table

"""Research outputs: Stata, Excel and JSON exports, participation, the dyad-year panel, the figure, R."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import jsp_data
from jsp_data.descriptor import fields

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("exports")
    for fmt in ("stata", "xlsx", "json"):
        jsp_data.export(dest, fmt)
    return dest


def test_stata_export_reads_back_with_labels(exported):
    for name in jsp_data.list_tables():
        path = exported / f"{name}.dta"
        frame = pd.read_stata(path)
        assert len(frame) == len(jsp_data.load(name)), name
        reader = pd.io.stata.StataReader(path)
        labels = reader.variable_labels()
        for f in fields(name):
            assert labels[f["name"]] == f.get("title", f["name"])[:80]
    agreements = pd.read_stata(exported / "agreements.dta")
    acsa = agreements.set_index("id").loc["agr-2010-aus-acsa"]
    assert acsa["status"] == "ended" and acsa["parties"] == "AUS;JPN"
    assert acsa["signed_date"] == pd.Timestamp("2010-05-19")
    value_labels = pd.io.stata.StataReader(exported / "agreements.dta").value_labels()
    assert set(value_labels["status"].values()) == set(
        next(f for f in fields("agreements") if f["name"] == "status")["constraints"]["enum"]
    )


def test_excel_export_has_every_table_and_a_codebook(exported):
    import openpyxl

    book = openpyxl.load_workbook(exported / "jsp-data.xlsx", read_only=True)
    assert book.sheetnames == [*jsp_data.list_tables(), "codebook"]
    for name in jsp_data.list_tables():
        assert book[name].max_row - 1 == len(jsp_data.load(name)), name
    codebook = pd.read_excel(exported / "jsp-data.xlsx", sheet_name="codebook")
    assert {"citations", "discrepancies"} <= set(codebook["table"])
    assert len(codebook[codebook["type"] != "table"]) == sum(len(fields(n)) for n in jsp_data.list_tables())


def test_json_export_records(exported):
    records = json.loads((exported / "meetings.json").read_text("utf-8"))
    assert len(records) == len(jsp_data.load("meetings"))
    first = next(r for r in records if r["id"] == "mtg-2007-aus-abe-howard-summit")
    assert first["start_date"] == "2007-03-13" and first["parties"] == ["AUS", "JPN"]


def test_participation_rows_and_roles():
    p = jsp_data.participation()
    meetings = jsp_data.load("meetings")
    assert len(p[p["table"] == "meetings"]) == sum(len(v) for v in meetings["parties"])
    hosted = p[(p["id"] == "mtg-2012-aus-2plus2-4")].set_index("country")["role"]
    assert hosted["AUS"] == "host" and hosted["JPN"] == "party"
    aid = p[p["id"] == "aid-2012-phl-coast-guard-patrol-vessels"].set_index("country")["role"]
    assert aid["JPN"] == "donor" and aid["PHL"] == "recipient"


def _fixture_tables() -> dict[str, pd.DataFrame]:
    """A hand-made dataset whose panel was counted by hand (see the expectations below)."""
    d = pd.Timestamp
    countries = pd.DataFrame(
        {
            "code": ["JPN", "AUS", "IND", "ASEAN"],
            "kind": ["state", "state", "state", "organisation"],
            "iso3": ["JPN", "AUS", "IND", None],
            "cown": [740, 900, 750, None],
            "gwn": [740, 900, 750, None],
        }
    )
    agreements = pd.DataFrame(
        {
            "id": ["a1", "a2"],
            "parties": [["AUS", "JPN"], ["IND", "JPN"]],
            "signed_date": [d("2007-03-13"), d("2008-10-22")],
            "in_force_date": [d("2007-03-13"), d("2008-10-22")],
            "ended_date": [pd.NaT, d("2009-06-01")],
        }
    )
    exercises = pd.DataFrame(
        {
            "id": ["e1", "e2"],
            "parties": [["AUS", "IND", "JPN", "USA"], ["AUS", "JPN"]],
            "start_date": [d("2007-09-04"), d("2008-01-01")],
            "status": ["held", "cancelled"],
        }
    )
    meetings = pd.DataFrame(
        {
            "id": ["m1", "m2"],
            "parties": [["ASEAN", "JPN"], ["AUS", "JPN"]],
            "start_date": [d("2008-05-01"), d("2008-06-01")],
            "status": ["held", "held"],
        }
    )
    aid = pd.DataFrame(
        {"id": ["t1"], "parties": [["IND", "JPN"]], "commitment_date": [pd.NaT], "requested_date": [d("2009-02-01")]}
    )
    return {"countries": countries, "agreements": agreements, "exercises": exercises, "meetings": meetings, "aid_transfers": aid}


def test_dyad_year_on_a_hand_counted_fixture():
    panel = jsp_data.dyad_year(2007, 2009, tables=_fixture_tables()).set_index(["state_b", "year"])
    expected = {  # (partner, year): signed, in force, exercises, meetings, transfers
        ("AUS", 2007): (1, 1, 1, 0, 0),
        ("AUS", 2008): (0, 1, 0, 1, 0),
        ("AUS", 2009): (0, 1, 0, 0, 0),
        ("IND", 2007): (0, 0, 1, 0, 0),
        ("IND", 2008): (1, 1, 0, 0, 0),
        ("IND", 2009): (0, 1, 0, 0, 1),
    }
    assert sorted(panel.index) == sorted(expected)  # ASEAN is no partner; USA is not in countries here
    for key, counts in expected.items():
        row = panel.loc[key]
        assert (
            tuple(
                int(row[c]) for c in ("agreements_signed", "agreements_in_force", "exercises_held", "meetings_held", "transfers")
            )
            == counts
        ), key
    assert panel.loc[("AUS", 2007), "cown_b"] == 900


def test_dyad_year_missing_outside_coverage_and_directed():
    panel = jsp_data.dyad_year(1998, 2001, tables=_fixture_tables())
    assert panel.loc[panel["year"] < 2000, "agreements_signed"].isna().all()
    assert (panel.loc[panel["year"] >= 2000, "agreements_signed"] == 0).all()
    directed = jsp_data.dyad_year(2007, 2009, directed=True, tables=_fixture_tables())
    assert len(directed) == 12 and set(directed["state_a"]) == {"JPN", "AUS", "IND"}


def test_dyad_year_agrees_with_the_event_rows():
    panel = jsp_data.dyad_year(2000, 2025)
    agreements = jsp_data.load("agreements")
    for partner in ("AUS", "IND", "PHL"):
        signed = agreements[
            agreements["parties"].map(lambda v, p=partner: p in v) & agreements["signed_date"].dt.year.between(2000, 2025)
        ]
        assert panel.loc[panel["state_b"] == partner, "agreements_signed"].sum() == len(signed), partner
    meetings = jsp_data.load("meetings")
    held = meetings[
        (meetings["status"] == "held")
        & meetings["parties"].map(lambda v: "KOR" in v)
        & meetings["start_date"].dt.year.between(2000, 2025)
    ]
    assert panel.loc[panel["state_b"] == "KOR", "meetings_held"].sum() == len(held)


def test_figure_is_up_to_date():
    sys.path.insert(0, str(ROOT / "docs" / "figures"))
    try:
        from timeline import data_hash
    finally:
        sys.path.pop(0)
    recorded = (ROOT / "docs" / "figures" / "timeline.sha256").read_text("utf-8").strip()
    assert recorded == data_hash(ROOT), (
        "the data changed since docs/figures/timeline.png was drawn: run python docs/figures/timeline.py"
    )


def test_timeline_draws():
    import matplotlib

    matplotlib.use("Agg")
    import jsp_data.plot

    ax = jsp_data.plot.timeline(top=5)
    assert len(ax.get_yticks()) == 5 and ax.get_legend() is not None


def test_r_readr_reads_every_csv():
    if shutil.which("Rscript") is None:
        if os.environ.get("JSP_REQUIRE_R"):
            pytest.fail("Rscript is missing, but .ci/run installed R (JSP_REQUIRE_R=1)")
        pytest.skip("R is not installed (.ci/run installs r-base-core and r-cran-readr)")
    script = (
        "suppressMessages(library(readr)); d <- commandArgs(TRUE)[1]; "
        "for (f in list.files(d, pattern='[.]csv$', full.names=TRUE)) { "
        "x <- read_csv(f, col_types=cols(.default=col_character()), na=character(), progress=FALSE); "
        "p <- problems(x); if (nrow(p) > 0) stop(paste(f, 'has parsing problems')); "
        "cat(basename(f), nrow(x), ncol(x), '\\n') }"
    )
    out = subprocess.run(["Rscript", "-e", script, str(ROOT / "data" / "csv")], capture_output=True, text=True, check=True)
    counts = {line.split()[0]: (int(line.split()[1]), int(line.split()[2])) for line in out.stdout.splitlines() if line.strip()}
    for name in jsp_data.list_tables():
        assert counts[f"{name}.csv"] == (len(jsp_data.load(name)), len(fields(name))), name

"""jsp-data build: deterministic, and --check catches anything stale."""

from __future__ import annotations

import hashlib

from faults import set_cell

from jsp_data.build import build


def _digests(repo):
    return {
        p.relative_to(repo).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(repo.rglob("*")) if p.is_file()
    }


def test_shipped_build_is_up_to_date(root):
    assert build(root, check=True, log=lambda m: None) == []


def test_build_is_deterministic(scratch):
    assert build(scratch, log=lambda m: None) == []
    first = _digests(scratch)
    for p in (scratch / "data" / "parquet").glob("*.parquet"):
        p.unlink()  # force a rewrite from the CSVs
    assert build(scratch, log=lambda m: None) == []
    assert _digests(scratch) == first


def test_check_reports_a_stale_parquet_and_descriptor(scratch):
    set_cell(scratch, "agreements", "agr-2010-aus-acsa", "notes", "Signed in Tokyo.")
    stale = {(p.file, p.check) for p in build(scratch, check=True, log=lambda m: None)}
    assert ("data/parquet/agreements.parquet", "stale-build") in stale
    assert ("datapackage.json", "stale-build") in stale
    assert build(scratch, log=lambda m: None) == []
    assert build(scratch, check=True, log=lambda m: None) == []


def test_build_writes_nothing_when_data_is_invalid(scratch):
    before = _digests(scratch)
    set_cell(scratch, "agreements", "agr-2010-aus-acsa", "status", "done")
    problems = build(scratch, log=lambda m: None)
    assert any(p.check == "enum" and p.line for p in problems)
    after = _digests(scratch)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"data/csv/agreements.csv"}  # only the edit itself


def test_reconciliation_names_only_rows_and_sources_that_exist(root, scratch):
    import json

    spec_path = scratch / "docs" / "reconciliation.json"
    spec_path.parent.mkdir()
    spec = json.loads((root / "docs" / "reconciliation.json").read_text("utf-8"))
    spec["aggregates"][0]["items"][0]["rows"].append("agr-2099-xyz-not-a-row")
    spec_path.write_text(json.dumps(spec), "utf-8")
    problems = build(scratch, log=lambda m: None)
    assert [(p.file, p.column, p.value, p.check) for p in problems] == [
        ("docs/reconciliation.json", "rows", "agr-2099-xyz-not-a-row", "foreign-key")
    ]


def test_reconciliation_page_counts_the_rows_it_names(root):
    import json

    spec = json.loads((root / "docs" / "reconciliation.json").read_text("utf-8"))
    page = (root / "docs" / "reconciliation.md").read_text("utf-8")
    for agg in spec["aggregates"]:
        coded = sum(1 for item in agg["items"] if item["rows"])
        assert f"## {agg['title']}" in page
        assert f"Official items: {len(agg['items'])}; coded: {coded};" in page

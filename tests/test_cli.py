"""The jsp-data command as a user runs it: tables, describe, show, export, versions, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from conftest import run_cli

import jsp_data
from jsp_data.paths import data_root


def test_tables_lists_every_table_with_its_row_count():
    out = run_cli("tables")
    assert out.returncode == 0
    rows = {line.split()[0]: int(line.split()[1]) for line in out.stdout.splitlines()}
    assert rows == {name: len(jsp_data.load(name)) for name in jsp_data.list_tables()}


def test_describe_and_show():
    out = run_cli("describe", "meetings")
    assert (
        out.returncode == 0 and "start_precision (string, required)" in out.stdout and "allowed: day, month, year" in out.stdout
    )
    out = run_cli(
        "show", "agreements", "--where", "parties=AUS", "--columns", "id,signed_date", "--format", "json", "--limit", "500"
    )
    records = json.loads(out.stdout)
    agreements = jsp_data.load("agreements")
    assert len(records) == int(agreements["parties"].map(lambda v: "AUS" in v).sum())
    assert set(records[0]) == {"id", "signed_date"}


def test_export_csv_copies_the_shipped_files(tmp_path: Path):
    out = run_cli("export", "--to", str(tmp_path), "--format", "csv")
    assert out.returncode == 0, out.stderr
    for name in jsp_data.list_tables():
        assert (tmp_path / "data/csv" / f"{name}.csv").read_bytes() == (data_root() / "data/csv" / f"{name}.csv").read_bytes()
    assert json.loads((tmp_path / "datapackage.json").read_text("utf-8"))["version"] == jsp_data.__version__
    out = run_cli("export", "--to", str(tmp_path / "pq"), "--format", "parquet")
    assert len(pd.read_parquet(tmp_path / "pq/data/parquet/meetings.parquet")) == len(jsp_data.load("meetings"))


def test_usage_errors_are_messages_not_tracebacks(tmp_path: Path):
    for args in (
        ["show", "agreement"],
        ["describe", "nosuch"],
        ["validate", str(tmp_path / "missing")],
        ["download", "--to", str(tmp_path), "--version", "9.9.9"],
        ["diff", str(tmp_path), "0.0"],
    ):
        out = run_cli(*args)
        assert out.returncode == 2, args
        assert out.stderr.startswith("jsp-data: error:") and "Traceback" not in out.stderr, args
    out = run_cli("show", "agreement")
    assert "Did you mean 'agreements'?" in out.stderr


def test_versions_and_version_flag():
    out = run_cli("versions")
    assert out.returncode == 0 and jsp_data.versions()[0] in out.stdout
    assert run_cli("--version").stdout.strip() == f"jsp-data {jsp_data.__version__}"


def test_a_reader_that_quits_early_gets_no_error_message():
    # `jsp-data tables | head -1`: the pipe closes before jsp-data has written; it must stop
    # quietly with the shell's SIGPIPE status, not print an error.
    import os
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "jsp_data.cli", "tables"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the interpreter has even started writing
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""


def test_validate_keeps_freed_memory_but_not_over_user_settings(monkeypatch):
    """The validate command's allocator settings fill in what the user left unset and never
    override a value the user gave (see allocators.py)."""
    from jsp_data import allocators

    monkeypatch.delenv("MIMALLOC_PURGE_DELAY", raising=False)
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")  # the user's own: no mallopt
    allocators.keep_freed_memory()
    import os

    assert os.environ["MIMALLOC_PURGE_DELAY"] == "-1"
    assert os.environ["NUMPY_MADVISE_HUGEPAGE"] == "1"

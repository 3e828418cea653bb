"""Fetching a release over HTTP: verified, cached, atomic; tampered, truncated and missing files refused.

Release trees are served from a local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import shutil
import threading
from pathlib import Path

import pytest
from faults import set_cell

import jsp_data
from jsp_data import releases as versions_module
from jsp_data.cli import main
from jsp_data.releases import file_entries

VERSION = "0.0.1"  # a fake release that differs from the installed data


@pytest.fixture()
def served(tmp_path: Path, scratch: Path, monkeypatch):
    """Serve a release tree v0.0.1 (the shipped data with one edited note) on 127.0.0.1."""
    set_cell(scratch, "agreements", "agr-2010-aus-acsa", "notes", "Edited for the download test.")
    from jsp_data.build import build

    assert build(scratch, log=lambda m: None) == []
    files = file_entries(scratch)
    web = tmp_path / "web"
    shutil.copytree(scratch, web / f"v{VERSION}", ignore=shutil.ignore_patterns("pyproject.toml"))
    real = versions_module._registry()
    fake = {"versions": [{"version": VERSION, "date": "2026-01-01", "files": files}, *real["versions"]]}
    monkeypatch.setattr(versions_module, "_registry", lambda: fake)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(web), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("JSP_DATA_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("JSP_DATA_CACHE", str(tmp_path / "cache"))
    yield web / f"v{VERSION}"
    server.shutdown()


def test_load_an_older_release_with_its_own_schema(served):
    df = jsp_data.load("agreements", version=VERSION)
    assert df.loc[df["id"] == "agr-2010-aus-acsa", "notes"].item() == "Edited for the download test."
    assert str(df["signed_date"].dtype) == "datetime64[ms]"
    assert isinstance(df["parties"].iloc[0], list)
    current = jsp_data.load("agreements")
    assert list(df.columns) == list(current.columns) and len(df) == len(current)


def test_download_writes_verified_files_and_caches_them(served, tmp_path):
    files = jsp_data.download(tmp_path / "out", version=VERSION, format="parquet")
    names = {p.relative_to(tmp_path / "out").as_posix() for p in files}
    assert "datapackage.json" in names and "data/parquet/agreements.parquet" in names
    assert not any(n.startswith("data/csv/") for n in names)
    shutil.rmtree(served)  # the server now has nothing: the cache must serve
    again = jsp_data.download(tmp_path / "out2", version=VERSION, format="parquet")
    assert len(again) == len(files)


def test_tampered_file_is_refused_and_leaves_nothing(served, tmp_path, capsys):
    target = served / "data/csv/agreements.csv"
    target.write_text(target.read_text("utf-8").replace("Edited for", "Tampered for"), "utf-8")
    code = main(["download", "--to", str(tmp_path / "out"), "--version", VERSION])
    err = capsys.readouterr().err
    assert code == 2
    assert "sha256 does not match" in err and "agreements.csv" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.csv"))
    cached = list((tmp_path / "cache").rglob("agreements.csv"))
    assert cached == []


def test_truncated_file_is_refused(served, tmp_path):
    target = served / "schemas/agreements.json"
    target.write_bytes(target.read_bytes()[:100])
    with pytest.raises(jsp_data.DownloadError, match="sha256 does not match"):
        jsp_data.download(tmp_path / "out", version=VERSION)
    assert not list((tmp_path / "cache").rglob("agreements.json"))


def test_missing_file_names_the_url(served, tmp_path):
    (served / "data/csv/meetings.csv").unlink()
    with pytest.raises(jsp_data.DownloadError, match="404"):
        jsp_data.download(tmp_path / "out", version=VERSION)


def test_offline_with_nothing_cached_says_what_to_do(served, tmp_path, monkeypatch):
    monkeypatch.setenv("JSP_DATA_BASE_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(jsp_data.DownloadError, match="cannot reach the server.*JSP_DATA_CACHE"):
        jsp_data.download(tmp_path / "out", version=VERSION)


def test_unknown_version_lists_the_known_ones(tmp_path, capsys):
    code = main(["download", "--to", str(tmp_path / "out"), "--version", "99.0.0"])
    err = capsys.readouterr().err
    assert code == 2 and "no released version '99.0.0'" in err and jsp_data.versions()[0] in err


def test_installed_version_needs_no_network(tmp_path, monkeypatch):
    monkeypatch.setenv("JSP_DATA_BASE_URL", "http://127.0.0.1:9")
    files = jsp_data.download(tmp_path / "out")
    assert (tmp_path / "out/data/csv/agreements.csv").read_bytes() == (
        jsp_data.paths.data_root() / "data/csv/agreements.csv"
    ).read_bytes()
    assert len(files) == 1 + 2 * len(jsp_data.list_tables())

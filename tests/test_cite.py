"""Citing the dataset and single rows."""

from __future__ import annotations

import pytest
from conftest import run_cli

import jsp_data


def test_cite_names_the_data_version():
    version = jsp_data.data_version()
    label = version if version else "unreleased"
    for fmt in ("text", "apa", "bibtex"):
        assert label in jsp_data.cite(fmt)
    assert jsp_data.cite("bibtex").startswith("@misc{")


def test_cite_rejects_unknown_format():
    with pytest.raises(ValueError, match="text, bibtex, apa"):
        jsp_data.cite("mla")


def test_sources_for_gives_each_citation_with_its_locator():
    lines = jsp_data.sources_for("agreements", "agr-2010-aus-acsa")
    citations = jsp_data.load("citations")
    expected = citations[(citations["table"] == "agreements") & (citations["id"] == "agr-2010-aus-acsa")]
    assert len(lines) == len(expected)
    assert {line.rsplit("Locator: ", 1)[1].rstrip(".") for line in lines} == set(expected["locator"])
    assert any("mofa.go.jp" in line for line in lines)


def test_sources_for_unknown_row():
    with pytest.raises(KeyError, match="no row"):
        jsp_data.sources_for("agreements", "agr-1900-nowhere")


def test_cite_command():
    out = run_cli("cite", "--row", "agreements:agr-2010-aus-acsa")
    assert out.returncode == 0 and "Locator:" in out.stdout

"""The founding paper's citations: sections and footnotes exist where the locators say."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT, paper_path

from jsp_data import load
from jsp_data.checks import PAPER_SECTIONS, PAPER_SOURCE

pytestmark = pytest.mark.paper

# Each locator section and the heading that opens it in the paper's text; a section runs to the
# next heading. new-context takes in its three sub-headings (the paper's table of contents has
# them under it).
HEADINGS = {
    "summary": "# Summary",
    "introduction": "# Introduction",
    "new-context": "# The New Context for Security Partnerships in Asia",
    "order-creation": "## Order-creation",
    "capacity-building": "### Capacity-building",
    "burden-sharing": "### Burden-Sharing",
    "security-thinking": "## Japanese Security Thinking",
    "australia": "## *Japanese Partnership with Australia*",
    "india": "## ***Japanese Partnership with India***",
    "south-korea": "## ***Japanese Partnership with South Korea***",
    "southeast-asia": "## ***Japanese Partnership with Southeast Asia***",
    "limitations": "## ***Limitation of Partnerships***",
    "conclusion": "## Conclusion: Looking ahead",
}
SUBSECTIONS = {"new-context": ("order-creation", "capacity-building", "burden-sharing")}
MARK = re.compile(r"<sup>(\d+)</sup>")


def footnote_marks() -> dict[str, set[int]]:
    """Footnote numbers marked in each section's body text (footnote texts start a line with the mark)."""
    lines = paper_path().read_text("utf-8").splitlines()
    starts = {}
    for slug, heading in HEADINGS.items():
        found = [i for i, line in enumerate(lines) if line.strip() == heading]
        assert len(found) == 1, f"heading {heading!r} found {len(found)} times in the paper"
        starts[slug] = found[0]
    heading_lines = sorted(i for i, line in enumerate(lines) if line.startswith("#"))
    marks: dict[str, set[int]] = {}
    for slug, start in starts.items():
        end = next((i for i in heading_lines if i > start), len(lines))
        body = [line for line in lines[start:end] if not MARK.match(line.strip())]
        marks[slug] = {int(n) for line in body for n in MARK.findall(line)}
    for parent, children in SUBSECTIONS.items():
        for child in children:
            marks[parent] |= marks[child]
    return marks


def test_section_footnotes_match_the_paper():
    marks = footnote_marks()
    assert set(marks) == set(PAPER_SECTIONS)
    for slug, footnotes in PAPER_SECTIONS.items():
        assert set(footnotes) == marks[slug], f"section {slug}: validator has {set(footnotes)}, paper marks {marks[slug]}"


def test_every_paper_citation_names_a_real_section_and_footnote():
    marks = footnote_marks()
    citations = load("citations")
    paper = citations[citations["source_id"] == PAPER_SOURCE]
    assert len(paper) > 0
    for row in paper.itertuples(index=False):
        parts = dict(part.split("=", 1) for part in str(row.locator).split(";"))
        assert parts["sec"] in marks, f"{row.id}: no section {parts['sec']}"
        if "fn" in parts:
            assert int(parts["fn"]) in marks[parts["sec"]], f"{row.id}: footnote {parts['fn']} is not marked in {parts['sec']}"


def test_rows_coded_on_the_paper_cite_it():
    """objectives_basis = paper means the paper ties the event to an objective: it must be cited."""
    citations = load("citations")
    cited = set(citations.loc[citations["source_id"] == PAPER_SOURCE, "id"])
    for table in ("agreements", "aid_transfers", "exercises", "meetings"):
        frame = load(table, columns=["id", "objectives_basis"])
        on_paper = set(frame.loc[frame["objectives_basis"] == "paper", "id"])
        assert on_paper <= cited, (
            f"{table}: {sorted(on_paper - cited)} say the paper ties them to an objective but do not cite it"
        )


def test_every_source_id_resolves():
    known = set(load("sources")["id"])
    for table, column in (
        ("citations", "source_id"),
        ("discrepancies", "coded_source_id"),
        ("discrepancies", "other_source_id"),
        ("exclusions", "source_id"),
    ):
        assert set(load(table)[column].dropna()) <= known, f"{table}.{column} names unknown sources"


def test_no_cell_copies_the_paper():
    tool = ROOT.parent / "shared" / "tools" / "own-words.py"
    paper_path()
    result = subprocess.run([sys.executable, str(tool), str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout

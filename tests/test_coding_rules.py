"""Rules of docs/coding-rules.md that are mechanical enough to hold for every shipped row."""

from __future__ import annotations

import pytest

import jsp_data


def _objectives(table: str):
    frame = jsp_data.load(table, columns=["id", "parties", "objectives"])
    return [
        (row_id, list(parties), list(objs))
        for row_id, parties, objs in zip(frame["id"], frame["parties"], frame["objectives"], strict=True)
    ]


def test_every_meeting_is_order_creation():
    # Section 10: a summit, 2+2 or other round of a dialogue coordinates positions by its nature.
    missing = [row_id for row_id, _, objs in _objectives("meetings") if "order_creation" not in objs]
    assert missing == []


@pytest.mark.parametrize("table", ["agreements", "meetings", "exercises"])
def test_every_event_with_the_united_states_is_burden_sharing(table):
    # Section 10, question 2: every trilateral with the United States.
    missing = [row_id for row_id, parties, objs in _objectives(table) if "USA" in parties and "burden_sharing" not in objs]
    assert missing == []


def test_every_transfer_is_capacity_building():
    # Section 10, question 1: yes for every aid row.
    missing = [row_id for row_id, _, objs in _objectives("aid_transfers") if "capacity_building" not in objs]
    assert missing == []


def test_series_status_is_never_older_than_its_latest_held_edition():
    # Section 6: a series' status_verified is never older than its latest held edition.
    series = jsp_data.load("series", columns=["id", "status_verified"])
    verified = dict(zip(series["id"], series["status_verified"], strict=True))
    stale = []
    for table in ("meetings", "exercises"):
        rows = jsp_data.load(table, columns=["id", "series", "status", "start_date"])
        held = rows[(rows["status"] == "held") & rows["series"].notna()]
        for series_id, start in held.groupby("series", observed=True)["start_date"].max().items():
            if start > verified[series_id]:
                stale.append((series_id, str(verified[series_id].date()), str(start.date())))
    assert stale == []

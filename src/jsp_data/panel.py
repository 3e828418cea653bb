"""Analysis-ready views: who took part in each event, and the Japan-partner dyad-year panel.

Rules of the panel (also in the docstrings and docs/codebook-panel.md):

- a partner is a state (``countries.kind == "state"``) other than Japan that appears in the
  ``parties`` of some event row; organisations and UN missions are not partners;
- a multilateral event counts once for every Japan-partner dyad in its parties;
- ``agreements_signed``: rows whose ``signed_date`` falls in the year; ``agreements_in_force``:
  rows in force at any time in the year (``in_force_date`` on or before 31 December and
  ``ended_date`` empty or on or after 1 January); ``exercises_held`` and ``meetings_held``: rows
  with ``status`` held whose ``start_date`` falls in the year; ``transfers``: aid rows whose
  ``commitment_date`` (or, without one, ``requested_date``) falls in the year;
- years outside the dataset's systematic coverage (2000-2025: before 2000 only the founding
  paper's events are coded) are missing (<NA>), not zero.
"""

from __future__ import annotations

from .descriptor import EVENT_TABLES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    import pandas as pd

COVERAGE = (2000, 2025)
ROLE_COLUMNS = {"host": "host", "donor": "donor", "recipient": "recipient"}
COUNT_COLUMNS = ("agreements_signed", "agreements_in_force", "exercises_held", "meetings_held", "transfers")


def _tables(tables: dict[str, Any] | None) -> dict[str, Any]:
    from .load import load

    if tables is not None:
        return tables
    return {name: load(name) for name in (*EVENT_TABLES, "countries")}


def participation(tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One row per (table, event id, country) with the country's role.

    Roles: ``host`` (meetings, exercises), ``donor`` and ``recipient`` (aid transfers),
    ``observer`` (exercises), otherwise ``party``.

    Examples
    --------
    >>> import jsp_data
    >>> p = jsp_data.participation()
    >>> sorted(p.columns)
    ['country', 'id', 'role', 'table']
    """
    import pandas as pd

    frames = _tables(tables)
    rows = []
    for table in EVENT_TABLES:
        frame = frames[table]
        roles = [c for c in ROLE_COLUMNS if c in frame]
        observers = "observers" in frame
        for record in frame.to_dict("records"):
            obs = set(record["observers"] or []) if observers and isinstance(record["observers"], list) else set()
            for code in record["parties"] or []:
                role = next((ROLE_COLUMNS[c] for c in roles if record.get(c) == code), None)
                if role is None:
                    role = "observer" if code in obs else "party"
                rows.append({"table": table, "id": record["id"], "country": code, "role": role})
    out = pd.DataFrame(rows, columns=["table", "id", "country", "role"])
    out["role"] = out["role"].astype(pd.CategoricalDtype(["party", "host", "donor", "recipient", "observer"]))
    return out


def _year(series: pd.Series) -> pd.Series:
    return series.dt.year.astype("Int64")


def dyad_year(
    start: int = 2000, end: int = 2025, directed: bool = False, tables: dict[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """The Japan-partner dyad-year panel with event counts and country codes.

    Parameters
    ----------
    start, end : int
        First and last year (inclusive).
    directed : bool, default False
        False: one row per (JPN, partner, year). True: two, (JPN, partner) and (partner, JPN),
        with the same counts.
    tables : dict, optional
        Event tables and countries to use instead of the installed data (for tests).

    Returns
    -------
    pandas.DataFrame
        Columns ``state_a``, ``state_b``, ``year``, ``iso3_a``, ``cown_a``, ``gwn_a``, ``iso3_b``,
        ``cown_b``, ``gwn_b`` and the counts ``agreements_signed``, ``agreements_in_force``,
        ``exercises_held``, ``meetings_held``, ``transfers`` (nullable Int64: <NA> for years
        outside 2000-2025). The rules are in this module's docstring.

    Examples
    --------
    >>> import jsp_data
    >>> panel = jsp_data.dyad_year(2010, 2012)
    >>> panel.loc[(panel.state_b == "AUS") & (panel.year == 2010), "agreements_signed"].item()
    1
    """
    import pandas as pd

    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    frames = _tables(tables)
    countries = frames["countries"].set_index("code")
    states = set(countries.index[countries["kind"].astype("str") == "state"]) - {"JPN"}
    partners = sorted({c for t in EVENT_TABLES for ps in frames[t]["parties"] if isinstance(ps, list) for c in ps} & states)
    years = list(range(start, end + 1))
    counts = {c: {y: dict.fromkeys(COUNT_COLUMNS, 0) for y in years} for c in partners}

    def add(frame: pd.DataFrame, year_of: pd.Series, column: str) -> None:
        for ps, year in zip(frame["parties"], year_of, strict=True):
            if isinstance(ps, list) and "JPN" in ps and not pd.isna(year) and start <= int(year) <= end:
                for c in ps:
                    if c in counts:
                        counts[c][int(year)][column] += 1

    agr, exe, mtg, aid = (frames[t] for t in ("agreements", "exercises", "meetings", "aid_transfers"))
    add(agr, _year(agr["signed_date"]), "agreements_signed")
    add(
        exe[exe["status"].astype("str") == "held"],
        _year(exe[exe["status"].astype("str") == "held"]["start_date"]),
        "exercises_held",
    )
    add(
        mtg[mtg["status"].astype("str") == "held"],
        _year(mtg[mtg["status"].astype("str") == "held"]["start_date"]),
        "meetings_held",
    )
    add(aid, _year(aid["commitment_date"]).fillna(_year(aid["requested_date"])), "transfers")
    for ps, first, ended in zip(agr["parties"], _year(agr["in_force_date"]), _year(agr["ended_date"]), strict=True):
        if not isinstance(ps, list) or "JPN" not in ps or pd.isna(first):
            continue
        for year in years:
            if int(first) <= year and (pd.isna(ended) or int(ended) >= year):
                for c in ps:
                    if c in counts:
                        counts[c][year]["agreements_in_force"] += 1
    rows = []
    for c in partners:
        for y in years:
            rows.append({"state_a": "JPN", "state_b": c, "year": y, **counts[c][y]})
    panel = pd.DataFrame(rows, columns=["state_a", "state_b", "year", *COUNT_COLUMNS])
    for column in COUNT_COLUMNS:
        panel[column] = panel[column].astype("Int64").where((panel["year"] >= COVERAGE[0]) & (panel["year"] <= COVERAGE[1]))
    if directed:
        flipped = panel.rename(columns={"state_a": "state_b", "state_b": "state_a"})
        panel = pd.concat([panel, flipped[panel.columns]], ignore_index=True)
    for side in ("a", "b"):
        codes = panel[f"state_{side}"]
        panel[f"iso3_{side}"] = codes.map(countries["iso3"])
        panel[f"cown_{side}"] = codes.map(countries["cown"]).astype("Int64")
        panel[f"gwn_{side}"] = codes.map(countries["gwn"]).astype("Int64")
    ordered = ["state_a", "state_b", "year", "iso3_a", "cown_a", "gwn_a", "iso3_b", "cown_b", "gwn_b", *COUNT_COLUMNS]
    return panel[ordered].sort_values(["state_a", "state_b", "year"], ignore_index=True)

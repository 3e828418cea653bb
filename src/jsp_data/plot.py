"""A timeline figure of events per partner and year (matplotlib: ``pip install 'jsp-data[plot]'``)."""

from __future__ import annotations

from .descriptor import EVENT_DATE, EVENT_TABLES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

COLOURS = {"agreements": "#1b6ca8", "exercises": "#c0392b", "meetings": "#7f8c8d", "aid_transfers": "#27ae60"}


def events_by_partner_year(top: int = 15) -> Any:
    """Counts of event rows per (partner, year, table) for the ``top`` partners with most events."""
    import pandas as pd

    from .load import load

    countries = load("countries").set_index("code")
    states = set(countries.index[countries["kind"].astype("str") == "state"]) - {"JPN"}
    rows = []
    for table in EVENT_TABLES:
        frame = load(table, columns=["id", "parties", EVENT_DATE[table]])
        for parties, date in zip(frame["parties"], frame[EVENT_DATE[table]], strict=True):
            if pd.isna(date) or not isinstance(parties, list):
                continue
            for code in set(parties) & states:
                rows.append({"partner": code, "year": date.year, "table": table})
    counts = pd.DataFrame(rows).value_counts().rename("events").reset_index()
    leaders = counts.groupby("partner")["events"].sum().nlargest(top).index
    return counts[counts["partner"].isin(leaders)], list(leaders)


def timeline(top: int = 15, ax: Any = None) -> Any:
    """Draw events per partner over time: one row per partner, a dot per table and year sized by
    the number of events. Returns the matplotlib Axes.

    Examples
    --------
    >>> import jsp_data.plot  # doctest: +SKIP
    >>> ax = jsp_data.plot.timeline()  # doctest: +SKIP
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("jsp_data.plot needs matplotlib: pip install 'jsp-data[plot]'") from exc
    counts, partners = events_by_partner_year(top)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.42 * len(partners) + 1.5))
    position = {p: i for i, p in enumerate(reversed(partners))}
    offsets = {t: k * 0.16 - 0.24 for k, t in enumerate(EVENT_TABLES)}
    for table in EVENT_TABLES:
        part = counts[counts["table"] == table]
        ax.scatter(
            part["year"],
            part["partner"].map(position) + offsets[table],
            s=12 * part["events"] ** 1.1,
            color=COLOURS[table],
            alpha=0.8,
            label=table.replace("_", " "),
            linewidths=0,
        )
    ax.set_yticks(range(len(partners)), list(reversed(partners)))
    ax.set_xlabel("year")
    ax.set_title(f"Japan's security partnership events per partner and year (top {len(partners)} partners)")
    ax.grid(axis="x", alpha=0.3)
    legend = ax.legend(loc="upper left", fontsize="small", frameon=False)
    for handle in legend.legend_handles:  # one marker size in the legend, whatever the first dot's
        handle.set_sizes([30])  # type: ignore[union-attr]
    return ax

"""How to cite the dataset (naming its data version) and the sources of a single row."""

from __future__ import annotations

from ._version import REPOSITORY_URL
from .descriptor import EVENT_TABLES, metadata
from .releases import data_version, release_entry, versions

AUTHOR = "jsp-data contributors"
CITE_FORMATS = ("text", "bibtex", "apa")


def _version_and_year() -> tuple[str, str, str]:
    """(version label, year, note) for the installed data."""
    released = data_version()
    if released is not None:
        return released, release_entry(released)["date"][:4], ""
    last = versions()[0] if versions() else None
    label = f"unreleased, modified after {last}" if last else "unreleased"
    return label, "n.d.", " This copy differs from every release: cite a released version for replication."


def cite(format: str = "text") -> str:
    """Return a citation of the dataset naming the installed data version.

    Parameters
    ----------
    format : {"text", "bibtex", "apa"}

    Examples
    --------
    >>> import jsp_data
    >>> "jsp-data" in jsp_data.cite()
    True
    """
    if format not in CITE_FORMATS:
        raise ValueError(f"format must be one of {', '.join(CITE_FORMATS)}, got '{format}'")
    version, year, note = _version_and_year()
    title = metadata()["title"]
    if format == "bibtex":
        key = f"jspdata{year if year != 'n.d.' else ''}_{version.replace('.', '_').replace(' ', '_').replace(',', '')}"
        return (
            f"@misc{{{key},\n  author = {{{{{AUTHOR}}}}},\n  title = {{{title}}},\n  year = {{{year}}},\n"
            f"  version = {{{version}}},\n  howpublished = {{\\url{{{REPOSITORY_URL}}}}},\n  note = {{Data set{'.' + note if note else ''}}}\n}}"
        )
    if format == "apa":
        return f"{AUTHOR}. ({year}). {title} (Version {version}) [Data set]. {REPOSITORY_URL}{note}"
    return f"{AUTHOR} ({year}). {title}. Data version {version}. {REPOSITORY_URL}{note}"


def sources_for(table: str, id: str) -> list[str]:
    """Return the formatted citations of one event row's sources, each with its locator.

    Use them to footnote a single event.

    Parameters
    ----------
    table : str
        An event table: agreements, aid_transfers, exercises or meetings.
    id : str
        The row's id.

    Examples
    --------
    >>> import jsp_data
    >>> any("Locator: sec=australia" in s for s in jsp_data.sources_for("agreements", "agr-2010-aus-acsa"))
    True
    """
    from .load import load

    if table not in EVENT_TABLES:
        raise ValueError(f"table must be one of {', '.join(EVENT_TABLES)}, got '{table}'")
    if id not in set(load(table, columns=["id"])["id"]):
        raise KeyError(f"no row '{id}' in {table}; list ids with jsp_data.load('{table}')['id']")
    citations = load("citations")
    rows = citations[(citations["table"].astype("str") == table) & (citations["id"] == id)]
    sources = load("sources", columns=["id", "citation"])
    formatted = dict(zip(sources["id"], sources["citation"], strict=True))
    out = []
    for row in rows.itertuples(index=False):
        citation = str(formatted[str(row.source_id)]).rstrip(".")
        out.append(f"{citation}. Locator: {row.locator}.")
    return out

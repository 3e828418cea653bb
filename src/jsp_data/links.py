"""Cross-table rules: keys and list items that resolve, ids unique across tables, withdrawn ids,
every event row cited, citation locators in the documented form.

They read the parsed tables of checks.TableData and report with the same helpers as the
single-table rules of checks.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import pandas as pd

from .checks import (
    PAPER_SECTIONS,
    PAPER_SOURCE,
    SCOPE_START,
    TableData,
    as_arrow,
    distinct_in,
    distinct_values,
    iso_date,
    member,
    pa_strings,
    problem_at,
    rows_where,
)
from .descriptor import EVENT_DATE, EVENT_TABLES
from .idcodes import SharedIds
from .problems import Problem

_LOCATOR_KEYS_PAGE = {"para", "item", "heading", "page"}


def foreign_keys(tables: dict[str, TableData]) -> Iterator[Problem]:
    """Scalar foreign keys declared in the schemas and list items with x-itemReference."""
    for t in tables.values():
        schema_fks = [(fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"]) for fk in t.foreign_keys]
        refs = [
            (f["name"], f["x-itemReference"]["resource"], f["x-itemReference"]["field"])
            for f in t.fields
            if "x-itemReference" in f
        ]
        list_columns = {f["name"] for f in t.fields if f["type"] == "list"}
        for column, resource, key in schema_fks + refs:
            if resource not in tables:
                continue
            known = as_arrow(tables[resource].frame[key])
            values = t.frame[column]
            if column in list_columns:
                for i, item in _unknown_items(values, known):
                    yield problem_at(
                        t,
                        int(i),
                        column,
                        item,
                        "foreign-key",
                        f"'{item}' is not a {key} in {resource}" + _closest(item, distinct_in(tables[resource], key)),
                    )
            else:
                for i in rows_where(values.notna() & ~member(values, known)):
                    yield problem_at(
                        t,
                        i,
                        column,
                        values[i],
                        "foreign-key",
                        f"'{values[i]}' is not a {key} in {resource}" + _closest(values[i], distinct_in(tables[resource], key)),
                    )


def _unknown_items(values: pd.Series, known: Any) -> Iterator[tuple[int, str]]:
    """(row, item) of each non-empty item of a list column that is not in ``known``.

    The distinct lists are looked up (a million party lists hold some thousands of distinct
    ones; parse.lists_by_code), and each row takes the unknown items of its list.
    """
    import pyarrow.compute as pc

    from .arrowtext import to_numpy_bool
    from .parse import lists_by_code

    coded = lists_by_code(values)
    flat = pc.list_flatten(coded[1])
    yield from _rows_with_items(coded, ~member(flat, known).to_numpy() & to_numpy_bool(pc.not_equal(flat, "")))


# Suggesting the closest known value costs a string comparison per known value: only for sets a
# person could browse (country codes, sources), never for a million synthetic ids.
MAX_SUGGEST = 5000


def _closest(value: str, known: Any) -> str:
    if len(known) > MAX_SUGGEST:
        return ""
    candidates = tuple(sorted(known.to_pylist() if hasattr(known, "to_pylist") else known))
    return _closest_in(str(value), candidates)


@lru_cache(maxsize=4096)
def _closest_in(value: str, candidates: tuple[str, ...]) -> str:
    """The suggestion for one wrong value: cached, as a million rows may repeat one typo."""
    close = difflib.get_close_matches(value, candidates, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def ids(tables: dict[str, TableData], shared: SharedIds) -> Iterator[Problem]:
    """Ids unique across tables and withdrawn ids not reused."""
    import numpy as np

    codes, size = shared.codes()
    owner = np.full(size, -1, np.int64)  # for each distinct event id, the first event table that has it
    events = [name for name in EVENT_TABLES if name in tables]
    for number, name in enumerate(events):  # an id is reported against the first table that used it
        t, mine = tables[name], codes[name]
        valid = mine >= 0
        owners = np.full(len(mine), -1, np.int64)
        owners[valid] = owner[mine[valid]]
        taken = np.flatnonzero(owners >= 0)
        for i, value, first in zip(taken.tolist(), t.frame["id"].iloc[taken].tolist(), owners[taken].tolist(), strict=True):
            yield problem_at(t, i, "id", value, "duplicate-id", f"id {value} is already used in {events[first]}")
        fresh = mine[valid & (owners < 0)]
        owner[fresh] = number
    earlier: list[tuple[str, Any]] = [(name, as_arrow(tables[name].frame["id"])) for name in events]
    for name in ["series", "exclusions", "gaps"]:
        if name not in tables:
            continue
        t = tables[name]
        unclaimed = pd.Series(True, index=t.frame.index)
        for first_owner, owned in earlier:
            taken_rows = unclaimed & member(t.frame["id"], owned)
            for i in rows_where(taken_rows):
                value = t.frame["id"][i]
                yield problem_at(t, i, "id", value, "duplicate-id", f"id {value} is already used in {first_owner}")
            unclaimed &= ~taken_rows
        earlier.append((name, as_arrow(t.frame["id"])))
    if "withdrawals" in tables:
        withdrawn = distinct_in(tables["withdrawals"], "id")
        for name in EVENT_TABLES:
            if name in tables:
                t = tables[name]
                for i in rows_where(member(t.frame["id"], withdrawn)):
                    yield problem_at(
                        t,
                        i,
                        "id",
                        t.frame["id"][i],
                        "withdrawn-id",
                        "this id was withdrawn (see withdrawals.csv) and stays reserved forever",
                    )


def unique_event_ids(tables: dict[str, TableData], shared: SharedIds) -> Iterator[Problem]:
    """Each event table's ids unique within it (every copy reported, as pandera reports a
    column's unique constraint; validate.schema_problems leaves it to this rule)."""
    from .idcodes import repeated

    codes, _ = shared.codes()
    for name in EVENT_TABLES:
        if name in tables:
            t = tables[name]
            rows = repeated(codes[name]).nonzero()[0].tolist()
            for i, raw in zip(rows, t.text["id"].iloc[rows].tolist() if rows else [], strict=True):
                yield Problem(
                    t.file, t.lines[i], "id", raw, "unique", "error", f"'{raw}' appears more than once; id must be unique"
                )


def primary_keys(tables: dict[str, TableData], shared: SharedIds) -> Iterator[Problem]:
    """Rows whose primary key of several columns repeats an earlier row's (a one-column key is a
    unique column: pandera, or unique_event_ids). A table's id column is read from the shared id
    codes when it has them (the citations: a million ids are not hashed again)."""
    from .idcodes import duplicated_rows

    codes, size = shared.codes()
    for name, t in tables.items():
        key = t.primary_key
        if len(key) < 2:
            continue
        known = {"id": (codes[name], size)} if name in codes and "id" in key else None
        for i in duplicated_rows(t.frame, key, known).nonzero()[0].tolist():
            value = ",".join(str(t.frame[k][i]) for k in key)
            yield Problem(t.file, t.lines[i], None, value, "duplicate-key", "error", f"another row has the same {', '.join(key)}")


def links(tables: dict[str, TableData], shared: SharedIds) -> Iterator[Problem]:
    """Citations, discrepancies, withdrawals and gaps point at real rows; every event row is cited."""
    event_ids = {n: as_arrow(tables[n].frame["id"]) for n in EVENT_TABLES if n in tables}
    fields_of = {n: {f["name"] for f in tables[n].fields} for n in EVENT_TABLES if n in tables}
    sources = tables.get("sources")
    tiers = dict(zip(sources.frame["id"], sources.frame["tier"], strict=True)) if sources else {}
    matched: dict[str, _Matched] = {}  # the citations rows of each event table, matched to its ids
    for link in ("citations", "discrepancies"):
        if link not in tables:
            continue
        t = tables[link]
        link_table = t.frame["table"].astype("str")
        for table, known in event_ids.items():
            mine = link_table.eq(table) & t.frame["id"].notna()
            if link == "citations":
                codes, size = shared.codes()
                matched[table] = _Matched(codes[table], codes["citations"], size, mine)
                unknown = mine & ~matched[table].link_rows_known()
            else:
                unknown = mine & ~member(t.frame["id"], known)
            for i in rows_where(unknown):
                row_id = t.frame["id"][i]
                suggestion = _closest(row_id, distinct_in(tables[table], "id"))
                yield problem_at(t, i, "id", row_id, "foreign-key", f"no row {row_id} in {table}" + suggestion)
        if link == "discrepancies":
            for i, (table, column) in enumerate(zip(t.frame["table"].tolist(), t.frame["field"].tolist(), strict=True)):
                if table in fields_of and isinstance(column, str) and column not in fields_of[table]:
                    yield problem_at(t, i, "field", column, "foreign-key", f"{table} has no column {column}")
    if "citations" in tables:
        t = tables["citations"]
        yield from _citation_rules(t, fields_of, tiers)
        strong_source = _tier_in(t.frame["source_id"], tiers, ("official", "news", "paper")).to_numpy()
        paper_source = t.frame["source_id"].eq(PAPER_SOURCE).to_numpy(dtype=bool, na_value=False)
        for name in EVENT_TABLES:
            if name in tables:
                e = tables[name]
                cited = pd.Series(matched[name].event_rows_cited(), index=e.frame.index)
                strong = pd.Series(matched[name].event_rows_cited(strong_source), index=e.frame.index)
                for i in rows_where(e.frame["id"].notna() & ~(cited & strong)):
                    row_id = e.frame["id"][i]
                    if not cited[i]:
                        yield problem_at(e, i, "id", row_id, "uncited-row", "no citations row supports this row")
                    else:
                        yield problem_at(
                            e,
                            i,
                            "id",
                            row_id,
                            "weak-sources",
                            "only secondary sources support this row: cite an official, news or paper source",
                        )
                # Before 2000, only events the founding paper names are in scope (coding rules, section 3).
                first = e.frame[EVENT_DATE[name]]
                on_paper = pd.Series(matched[name].event_rows_cited(paper_source), index=e.frame.index)
                for i in rows_where((first < SCOPE_START) & ~on_paper):
                    yield problem_at(
                        e,
                        i,
                        EVENT_DATE[name],
                        iso_date(first[i]),
                        "scope-year",
                        "before 2000 only events the founding paper names are in scope: cite the paper (sec=...) or leave the row out",
                    )
    for link, column in (("withdrawals", "replaced_by"), ("gaps", "row_id")):
        if link not in tables:
            continue
        t = tables[link]
        link_table = t.frame["table"].astype("str")
        for table in EVENT_TABLES:
            known = event_ids.get(table, distinct_values([]))
            for i in rows_where(link_table.eq(table) & t.frame[column].notna() & ~member(t.frame[column], known)):
                yield problem_at(t, i, column, t.frame[column][i], "foreign-key", f"no row {t.frame[column][i]} in {table}")


class _Matched:
    """The rows of a link table that name one event table (``mine``), matched to its ids.

    The event ids and the linked ids are codes into one dictionary (idcodes.SharedIds), so every
    question asked below (is a citation's id known; is an event cited at all, by a strong
    source, ...) is answered with integer arrays, without hashing an id again.
    """

    def __init__(self, event_codes: Any, link_codes: Any, words: int, mine: pd.Series) -> None:
        import numpy as np

        self.rows = np.flatnonzero(mine.to_numpy(dtype=bool))
        self.size = len(link_codes)
        self.found, self.codes = event_codes, link_codes[self.rows]
        self.words = words

    def link_rows_known(self) -> pd.Series:
        """For each link row: it is one of ``mine`` and its id is an id of the event table."""
        import numpy as np

        known = np.zeros(self.words + 1, bool)  # the last slot stands for code -1 (no id)
        known[self.found[self.found >= 0]] = True
        out = np.zeros(self.size, bool)
        out[self.rows] = known[self.codes]
        return pd.Series(out)

    def event_rows_cited(self, among: Any = None) -> Any:
        """For each event row: some row of ``mine`` (and of ``among``, a mask of link rows) names it."""
        import numpy as np

        codes = self.codes if among is None else self.codes[np.asarray(among, dtype=bool)[self.rows]]
        named = np.zeros(self.words + 1, bool)
        named[codes] = True
        named[-1] = False  # a missing id names nothing, and an event id not found (-1) reads this slot
        return named[self.found]


def _tier_in(source_ids: pd.Series, tiers: dict[Any, str], wanted: tuple[str, ...]) -> pd.Series:
    """``source_ids.map(tiers).isin(wanted)`` as one Arrow membership test."""
    ids = [k for k, tier in tiers.items() if isinstance(k, str) and tier in wanted]
    out = member(source_ids, distinct_values(ids))
    missing = [tier for k, tier in tiers.items() if not isinstance(k, str)]
    if missing and missing[-1] in wanted:  # pandas maps a missing id to the tier of a source without one
        out |= source_ids.isna().to_numpy()
    return out


def _citation_rules(t: TableData, fields_of: dict[str, set[str]], tiers: dict[str, str]) -> Iterator[Problem]:
    import numpy as np
    import pyarrow.compute as pc

    from .arrowtext import arrow_of, to_numpy_bool
    from .parse import lists_by_code

    frame = t.frame
    # A citations table repeats few distinct locators: judge each distinct (locator, paper) once,
    # as integer codes (locator code * 2 + paper), then pick out the rows of the bad pairs.
    is_paper = _tier_in(frame["source_id"], tiers, ("paper",)).to_numpy()
    encoded = pc.dictionary_encode(arrow_of(frame["locator"])).combine_chunks()
    codes = pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64)
    pairs = np.where(codes >= 0, codes * 2 + is_paper, -1)
    locators = encoded.dictionary.to_pylist()
    verdicts = {int(pair): locator_problem(locators[pair // 2], paper=bool(pair % 2)) for pair in np.unique(pairs[pairs >= 0])}
    bad_pairs = [pair for pair, verdict in verdicts.items() if verdict]
    for i in np.flatnonzero(np.isin(pairs, bad_pairs)).tolist():
        pair = int(pairs[i])
        yield problem_at(t, i, "locator", locators[pair // 2], "locator-form", str(verdicts[pair]))
    # Each supports item names a column of the row's table (or 'all'): one membership test per
    # table, on the distinct lists (a million rows repeat a few hundred).
    coded = lists_by_code(frame["supports"])
    items = pc.list_flatten(coded[1])
    for table, names in fields_of.items():
        rows = to_numpy_bool(pc.equal(arrow_of(frame["table"]), table))
        unknown = ~to_numpy_bool(pc.is_in(items, value_set=pa_strings([*names, "all"])))
        for i, item in _rows_with_items(coded, unknown, rows):
            yield problem_at(t, i, "supports", item, "foreign-key", f"{table} has no column {item}; use field names or 'all'")


def _rows_with_items(coded: tuple[Any, Any], marked: Any, among: Any = None) -> Iterator[tuple[int, str]]:
    """(row, item) for each marked item of each row's list, from a coded list column (the code
    of each row's list, -1 for none; the distinct lists): ``marked`` flags the flat items of the
    distinct lists, and ``among`` (a row mask) limits the rows."""
    import numpy as np
    import pyarrow.compute as pc

    codes, words = coded
    word_of_item = pc.list_parent_indices(words).to_numpy(zero_copy_only=False)
    items_of_word: dict[int, list[str]] = {}
    for word, item in zip(word_of_item[marked].tolist(), pc.list_flatten(words).filter(marked).to_pylist(), strict=True):
        items_of_word.setdefault(word, []).append(item)
    hit = np.isin(codes, list(items_of_word))
    for row in np.flatnonzero(hit if among is None else hit & among).tolist():
        for item in items_of_word[int(codes[row])]:
            yield row, item


def locator_problem(locator: str, paper: bool) -> str | None:
    """Why a locator does not have the documented form, or None when it does."""
    parts = dict(part.split("=", 1) for part in locator.split(";") if "=" in part)
    if paper:
        section = parts.get("sec")
        if section not in PAPER_SECTIONS:
            return "a locator in the founding paper is 'sec=<section>' or 'sec=<section>;fn=<n>', sections: " + ", ".join(
                PAPER_SECTIONS
            )
        extra = set(parts) - {"sec", "fn"}
        if extra:
            return f"a locator in the founding paper takes only sec and fn, not {', '.join(sorted(extra))}"
        if "fn" in parts and (not parts["fn"].isdigit() or int(parts["fn"]) not in PAPER_SECTIONS[section]):
            footnotes = PAPER_SECTIONS[section]
            span = f"{footnotes.start}-{footnotes.stop - 1}" if len(footnotes) else "none"
            return f"footnote {parts['fn']} is not in section {section} (its footnotes: {span})"
        return None
    if not set(parts) <= _LOCATOR_KEYS_PAGE or len(parts) != 1:
        return "a locator in a page is one of para=<n>, item=<n>, heading=<slug> or page=<n>"
    return None


def cross_table_rule_parts(tables: dict[str, TableData]) -> list[Callable[[], list[Problem]]]:
    """The cross-table rules as independent parts, each returning its problems: validate.read_tables
    runs them on its workers once every table is parsed (see checks.table_rule_parts). The parts
    that read ids share one encoding of them; the first to ask builds it."""
    shared = SharedIds(tables)
    return [
        lambda: list(links(tables, shared)),
        lambda: list(foreign_keys(tables)),
        lambda: list(ids(tables, shared)),
        lambda: list(unique_event_ids(tables, shared)),
        lambda: list(primary_keys(tables, shared)),
    ]

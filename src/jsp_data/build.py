"""``jsp-data build``: regenerate Parquet, the descriptor's hashes and the generated docs from the CSVs.

Deterministic: the same CSVs give the same files. ``check=True`` compares instead of writing
(table contents for Parquet, since Parquet footers differ across pyarrow versions).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._version import REPOSITORY_URL
from .problems import Problem
from .validate import Layout, _csv_paths, read_tables

PARQUET_DIR = "data/parquet"
COUNTRY_COLUMNS = ("iso3", "cown", "cowc", "gwn", "region")


def parquet_path(root: Path, table: str) -> Path:
    """Path of a table's generated Parquet file under a data root."""
    return root / PARQUET_DIR / f"{table}.parquet"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def descriptor_text(root: Path) -> str:
    """The descriptor as it should be: version, homepage, each resource's bytes, hash and texts."""
    desc = json.loads((root / "datapackage.json").read_text("utf-8"))
    from .citation_files import checkout_version

    desc["version"] = checkout_version(root)
    desc["homepage"] = REPOSITORY_URL
    for res in desc["resources"]:
        csv = root / res["path"]
        schema = json.loads((root / res["schema"]).read_text("utf-8"))
        res["description"] = schema["description"]
        res["bytes"] = csv.stat().st_size
        res["hash"] = "sha256:" + _sha256(csv)
    return json.dumps(desc, indent=2, ensure_ascii=False) + "\n"


def country_codes(codes: list[str], kinds: list[str]) -> dict[str, dict[str, Any]]:
    """Codes of each state row from the countrycode package (a GPL build-time tool, not shipped)."""
    import countrycode  # maintainer extra: pip install -e '.[maint]'

    states = [c for c, k in zip(codes, kinds, strict=True) if k == "state"]
    out: dict[str, dict[str, Any]] = {c: {} for c in states}
    for column, destination in (
        ("iso3", "iso3c"),
        ("cown", "cown"),
        ("cowc", "cowc"),
        ("gwn", "gwn"),
        ("region", "un.regionsub.name"),
    ):
        values = countrycode.countrycode(states, origin="iso3c", destination=destination)
        for code, value in zip(states, values, strict=True):
            out[code][column] = value
    return out


def country_problems(root: Path, tables: dict[str, Any]) -> list[Problem]:
    """Differences between countries.csv and the codes countrycode gives (empty if not installed)."""
    import pandas as pd

    try:
        t = tables["countries"]
        expected = country_codes(t.frame["code"].tolist(), t.frame["kind"].tolist())
    except ImportError:
        return []
    out = []
    for i, code in enumerate(t.frame["code"]):
        for column, value in expected.get(code, {}).items():
            have = t.frame[column][i]
            have_s = "" if have is None or have is pd.NA or (isinstance(have, float) and have != have) else str(have)
            want = "" if value is None else str(int(value)) if isinstance(value, float) else str(value)
            if have_s != want:
                out.append(
                    Problem(
                        t.file,
                        t.lines[i],
                        column,
                        have_s,
                        "country-code",
                        "error",
                        f"countrycode gives {code} {column} = '{want}'; update countries.csv (jsp-data build rewrites it)",
                    )
                )
    return out


def _same_contents(committed: Any, expected: Any) -> bool:
    """Compare table contents, not bytes: Parquet footers differ across pyarrow versions."""
    try:
        return bool(committed.cast(expected.schema).equals(expected))
    except (ValueError, TypeError, NotImplementedError):
        return False


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def _refresh_countries(root: Path) -> bool:
    """Rewrite the code columns of countries.csv from countrycode; True when it changed."""
    import csv as csvmod
    import io

    path = root / "data/csv/countries.csv"
    rows = list(csvmod.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    header = rows[0]
    try:
        expected = country_codes([r[0] for r in rows[1:]], [r[header.index("kind")] for r in rows[1:]])
    except (ImportError, ValueError, IndexError):
        return False
    for row in rows[1:]:
        for column, value in expected.get(row[0], {}).items():
            row[header.index(column)] = "" if value is None else str(int(value)) if isinstance(value, float) else str(value)
    from .csvfile import write_csv_text

    return _write_if_changed(path, write_csv_text(header, rows[1:]).encode("utf-8"))


def build(root: Path, check: bool = False, log: Callable[[str], None] = print) -> list[Problem]:
    """Regenerate (or, with ``check``, verify) everything derived from the CSVs under ``root``.

    Returns the problems that stop the build: invalid data, or (with ``check``) stale files.
    Nothing is written when the data is invalid.
    """
    import pyarrow.parquet as pq

    from . import reports
    from .convert import to_arrow

    layout = Layout(root, _csv_paths(root), root)
    if not check and _refresh_countries(root):
        log("updated data/csv/countries.csv from countrycode")
    tables, problems = read_tables(layout)
    errors = [p for p in problems if p.severity == "error"]
    if not errors:
        from .reconcile import spec_problems

        errors = spec_problems(root, tables)
    if errors:
        return errors
    stale = country_problems(root, tables) if check else []
    for name, t in sorted(tables.items()):
        arrow = to_arrow(t.frame, t.fields)
        path = parquet_path(root, name)
        if check:
            if not path.is_file() or not _same_contents(pq.read_table(path), arrow):
                stale.append(
                    Problem(
                        f"{PARQUET_DIR}/{name}.parquet",
                        None,
                        None,
                        None,
                        "stale-build",
                        "error",
                        "out of date with its CSV: run jsp-data build",
                    )
                )
            continue
        if path.is_file() and _same_contents(pq.read_table(path), arrow):
            continue  # keep the committed bytes: another pyarrow writes another footer
        import io

        buffer = io.BytesIO()
        pq.write_table(arrow, buffer, compression="zstd", write_statistics=False)
        if _write_if_changed(path, buffer.getvalue()):
            log(f"wrote {PARQUET_DIR}/{name}.parquet")
    from .citation_files import citation_files

    descriptor = descriptor_text(root)
    generated = {
        "datapackage.json": descriptor,
        **citation_files(root, json.loads(descriptor)),
        **reports.generated_files(root, tables),
    }
    for rel, text in generated.items():
        path = root / rel
        if check:
            if not path.is_file() or path.read_text("utf-8") != text:
                stale.append(Problem(rel, None, None, None, "stale-build", "error", "out of date: run jsp-data build"))
        elif _write_if_changed(path, text.encode("utf-8")):
            log(f"wrote {rel}")
    return stale

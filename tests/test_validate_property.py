"""Property tests: mutate valid rows at random; the validator never crashes and always names a line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jsp_data.cli import main

ROOT = Path(__file__).resolve().parents[1]
TABLES = ["agreements", "meetings", "exercises", "aid_transfers", "citations", "sources"]
NASTY = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "=1+1",
            "@SUM(A1)",
            "-",
            "2013-02-29",
            "9999-99-99",
            "JPN;;AUS",
            "true",
            "TRUE",
            '"',
            "a\nb",
            "\x07",
            "x" * 5000,
            "NaN",
            "null",
            "0",
            "-1",
            "1e9",
            "JPN,AUS",
            "ＪＰＮ",
            "\ufeff",
            "day",
            "held",
        ]
    ),
)


def _copy(tmp: Path) -> Path:
    dest = tmp / "csv"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "data" / "csv", dest)
    return dest


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(TABLES), data=st.data(), value=NASTY)
def test_mutated_cell_never_crashes_and_is_located(tmp_path_factory, capsys, table, data, value):
    folder = _copy(tmp_path_factory.mktemp("prop"))
    header, rows = _read(folder, table)
    row = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.integers(0, len(header) - 1))
    original = rows[row][column]
    rows[row][column] = value
    _write(folder, table, header, rows)
    code = main(["validate", str(folder), "--format", "json"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    report = json.loads(out)
    assert report["valid"] == (code == 0)
    for problem in report["errors"]:
        assert problem["file"] and problem["message"] and problem["check"]
        assert isinstance(problem["line"], int) and problem["line"] >= 1, problem  # a cell edit is always located
    if code == 1:
        # the record edited is named, or another table's record that no longer resolves because of it
        lines = {(p["file"], p["line"]) for p in report["errors"] if p["severity"] == "error"}
        assert (f"{table}.csv", row + 2) in lines or any(f != f"{table}.csv" for f, _ in lines), (lines, value, original)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(TABLES), junk=st.binary(min_size=1, max_size=200), where=st.floats(0, 1))
def test_random_bytes_never_crash(tmp_path_factory, capsys, table, junk, where):
    folder = _copy(tmp_path_factory.mktemp("bytes"))
    path = folder / f"{table}.csv"
    data = path.read_bytes()
    cut = int(len(data) * where)
    path.write_bytes(data[:cut] + junk + data[cut:])
    code = main(["validate", str(folder), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert all(p["line"] is None or p["line"] >= 1 for p in report["errors"])


def _read(folder: Path, table: str):
    import csv
    import io

    rows = list(csv.reader(io.StringIO((folder / f"{table}.csv").read_text("utf-8"), newline="")))
    return rows[0], rows[1:]


def _write(folder: Path, table: str, header, rows) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    (folder / f"{table}.csv").write_text(out.getvalue(), "utf-8")


@settings(max_examples=40, deadline=None)
@given(
    words=st.lists(st.sampled_from(["joint", "statement", "defence", "maritime", "é", "安全", "", "x"]), min_size=1, max_size=6),
    count=st.integers(min_value=1, max_value=400),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_close_pairs_match_difflib_bounds(words, count, seed):
    """The vectorised bounds of the near-duplicate rule pick exactly the pairs that difflib's
    own real_quick_ratio and quick_ratio pass, across the blocks of its count matrices (small
    blocks here, so that a few hundred titles span many)."""
    import difflib
    import random

    import numpy as np
    import pytest

    from jsp_data import checks

    rng = random.Random(seed)
    titles = sorted(" ".join(rng.choice(words) for _ in range(rng.randint(0, 5))) for _ in range(count))
    same = np.array([rng.random() < 0.8 for _ in range(count)], bool)  # same[i]: titles i and i + 1 share a group
    expected = set()
    for pos in range(count):
        for step in range(1, checks.NEIGHBOURS + 1):
            if pos + step < count and same[pos : pos + step].all():
                matcher = difflib.SequenceMatcher(None, titles[pos], titles[pos + step])
                if matcher.real_quick_ratio() >= 0.85 and matcher.quick_ratio() >= 0.85:
                    expected.add((pos, step))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks, "_COUNT_CELLS", 64)
        assert set(checks._close_pairs(titles, same)) == expected


@settings(max_examples=60, deadline=None)
@given(keys=st.lists(st.integers(min_value=-3, max_value=6), max_size=60))
def test_repeated_keys_match_pandas(keys):
    """The sort-based key tests of the key and near-duplicate rules agree with pandas'
    duplicated(keep="first") and duplicated(keep=False)."""
    import numpy as np
    import pandas as pd

    from jsp_data.idcodes import repeats_earlier, shared_keys

    values = np.array(keys, dtype=np.int64)
    assert repeats_earlier(values).tolist() == pd.Series(values).duplicated(keep="first").tolist()
    assert shared_keys(values).tolist() == pd.Series(values).duplicated(keep=False).tolist()


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(st.lists(st.one_of(st.booleans(), st.none()), max_size=40), min_size=1, max_size=4),
    start=st.integers(min_value=0, max_value=9),
    null=st.booleans(),
)
def test_bool_masks_convert_as_pyarrow_does(parts, start, null):
    """The validator's bit unpacking gives what pyarrow's own conversion gives, for chunked and
    sliced masks with missing values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from jsp_data.arrowtext import to_numpy_bool

    chunked = pa.chunked_array([pa.array(p, pa.bool_()) for p in parts], pa.bool_())
    for mask in (chunked, chunked.slice(start), chunked.combine_chunks().slice(min(start, len(chunked)))):
        expected = pc.fill_null(mask, null).to_numpy(zero_copy_only=False).tolist()
        assert to_numpy_bool(mask, null).tolist() == expected


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.one_of(st.none(), st.lists(st.sampled_from(["JPN", "AUS", "XXX", "", "usa"]), min_size=1, max_size=4)), max_size=30
    )
)
def test_list_rules_read_parsed_and_plain_columns_alike(rows):
    """The list rules judge a parsed column on its distinct lists and any other list column on
    each row's list (parse.lists_by_code): the two give the same rows and items."""
    import pandas as pd
    import pyarrow as pa

    from jsp_data import convert, links, parse

    field = {"name": "parties", "type": "list", "delimiter": ";"}
    text = pd.Series(["" if r is None else ";".join(r) for r in rows], dtype="str")
    parsed, _, _ = parse.parse_column(text, field)
    plain = pd.Series(pd.arrays.ArrowExtensionArray(parsed.array._pa_array.combine_chunks()))  # same lists, not coded
    assert parse.coded_lists(parsed) is not None and parse.coded_lists(plain) is None
    known = pa.array(["JPN", "AUS"], pa.large_string())
    assert list(links._unknown_items(parsed, known)) == list(links._unknown_items(plain, known))
    assert convert._no_duplicates(parsed).tolist() == convert._no_duplicates(plain).tolist()
    parse.forget_coded_lists()

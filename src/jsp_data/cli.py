"""The ``jsp-data`` command line. Every failure is a message and an exit code, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._version import __version__
from .descriptor import UnknownTableError, list_tables
from .problems import Problem, format_github, format_json, format_text, has_errors
from .release import ReleaseError
from .validate import UsageError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader quit


def _cmd_tables(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from .build import parquet_path
    from .load import table_description
    from .paths import data_root

    rows = []
    for name in list_tables():
        n = pq.ParquetFile(parquet_path(data_root(), name)).metadata.num_rows
        rows.append((name, n, table_description(name).split(". ")[0].rstrip(".") + "."))
    width = max(len(r[0]) for r in rows)
    for name, n, desc in rows:
        print(f"{name:<{width}}  {n:>5}  {desc}")
    return EXIT_OK


def _cmd_describe(args: argparse.Namespace) -> int:
    from .load import describe_rows, table_description

    rows = describe_rows(args.table)
    print(f"{args.table}: {table_description(args.table)}\n")
    for r in rows:
        req = "required" if r["required"] else "optional"
        print(f"{r['name']} ({r['type']}, {req})")
        if r["allowed"]:
            print(f"    allowed: {r['allowed']}")
        print(f"    {r['description']}")
    return EXIT_OK


def _parse_where(items: list[str], columns: list[str]) -> list[tuple[str, str]]:
    out = []
    for item in items:
        if "=" not in item:
            raise UsageError(f"--where takes COLUMN=VALUE, got '{item}'")
        column, value = item.split("=", 1)
        if column not in columns:
            raise UsageError(f"--where: no column '{column}'; columns: {', '.join(columns)}")
        out.append((column, value))
    return out


def _cmd_show(args: argparse.Namespace) -> int:
    import pandas as pd

    from .load import load

    frame = load(args.table)
    for column, value in _parse_where(args.where or [], list(frame.columns)):
        col = frame[column]
        if isinstance(col.dtype, pd.ArrowDtype):  # list column: keep rows whose list holds the value
            mask = col.map(lambda v, value=value: v is not None and value in v, na_action="ignore").fillna(False)
        else:
            mask = col.astype("str").eq(value)
        frame = frame[mask.astype(bool)]
    if args.columns:
        frame = frame[[c.strip() for c in args.columns.split(",")]]
    frame = frame.head(args.limit)
    if args.format == "csv":
        print(frame.to_csv(index=False), end="")
    elif args.format == "json":
        print(frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=1))
    else:
        with pd.option_context("display.max_columns", None, "display.width", 200, "display.max_colwidth", 60):
            print(frame.to_string(index=False))
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    if args.format in ("stata", "xlsx", "json"):
        from .exports import export

        files = export(args.to, args.format)
        print(f"exported {len(list_tables())} tables ({args.format}, {len(files)} file(s)) to {args.to}")
        return EXIT_OK
    from .download import download  # the installed files, with descriptor and schemas: no network

    files = download(args.to, version=None, format=args.format)
    print(
        f"exported {len(list_tables())} tables ({args.format}, {len(files)} files with datapackage.json and schemas) to {args.to}"
    )
    return EXIT_OK


def _print_problems(problems: list[Problem], fmt: str) -> None:
    text = {"json": format_json, "github": format_github, "text": format_text}[fmt](problems)
    if text:
        print(text)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate

    problems = validate(args.path)
    _print_problems(problems, args.format)
    return EXIT_INVALID if has_errors(problems) else EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build
    from .paths import checkout_root

    root = Path(args.root) if args.root else checkout_root()
    if root is None or not (root / "pyproject.toml").is_file():
        raise UsageError("jsp-data build runs in a source checkout (give --root DIR): the installed package is read-only")
    problems = build(root, check=args.check, log=lambda m: print(m, file=sys.stderr))
    _print_problems(problems, args.format)
    if problems:
        return EXIT_INVALID
    print("build is up to date" if args.check else "build done", file=sys.stderr)
    return EXIT_OK


def _cmd_release(args: argparse.Namespace) -> int:
    from .paths import checkout_root
    from .release import release

    root = Path(args.root) if args.root else checkout_root()
    if root is None:
        raise UsageError("jsp-data release runs in a source checkout (give --root DIR)")
    tag = release(root, args.version, log=lambda m: print(m, file=sys.stderr))
    print(f"released {args.version}: committed and tagged {tag}. Publish it with: git push origin main {tag}")
    return EXIT_OK


def _cmd_download(args: argparse.Namespace) -> int:
    from .download import download

    files = download(args.to, version=args.version, format=args.format)
    print(f"wrote {len(files)} files of data version {args.version or 'installed'} ({args.format}) to {args.to}")
    return EXIT_OK


def _cmd_cite(args: argparse.Namespace) -> int:
    from .cite import cite, sources_for

    if args.row:
        table, _, row_id = args.row.partition(":")
        for line in sources_for(table, row_id):
            print(line)
    else:
        print(cite(args.format))
    return EXIT_OK


def _cmd_versions(args: argparse.Namespace) -> int:
    from .releases import data_version, release_entry, versions

    installed = data_version()
    for v in versions():
        print(f"{v}  {release_entry(v)['date']}{'  (installed data)' if v == installed else ''}")
    if installed is None:
        print("the installed data differs from every release (unreleased changes)")
    return EXIT_OK


def _cmd_diff(args: argparse.Namespace) -> int:
    from .diff import diff, format_diff

    report, problems = diff(args.old, args.new)
    print(format_diff(report, args.format))
    if problems:
        print(format_text(problems), file=sys.stderr)
    return EXIT_INVALID if has_errors(problems) else EXIT_OK


def _cmd_audit_sample(args: argparse.Namespace) -> int:
    from .audit import audit_sample, format_sample

    print(format_sample(audit_sample(args.n, args.seed), args.format), end="")
    return EXIT_OK


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jsp-data", description="Japan's security partnerships in the Asia-Pacific: tables, validation, exports."
    )
    parser.add_argument("--version", action="version", version=f"jsp-data {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser(
        "tables", help="list the tables with their row counts", description="List every table: name, rows, what one row is."
    )
    p.set_defaults(func=_cmd_tables)

    p = sub.add_parser(
        "describe",
        help="describe a table's columns",
        description="Show each column of TABLE: type, whether required, allowed values and description.",
    )
    p.add_argument("table", help="table name (see jsp-data tables)")
    p.set_defaults(func=_cmd_describe)

    p = sub.add_parser("show", help="print rows of a table", description="Print rows of TABLE, optionally filtered.")
    p.add_argument("table", help="table name (see jsp-data tables)")
    p.add_argument("--limit", type=int, default=20, help="at most N rows (default 20)")
    p.add_argument(
        "--where",
        action="append",
        metavar="COLUMN=VALUE",
        help="keep rows where COLUMN equals VALUE (for a list column: holds VALUE); repeatable",
    )
    p.add_argument("--columns", help="comma-separated columns to show")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format (default table)")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser(
        "export",
        help="write the installed data to a folder",
        description="Copy the installed tables, datapackage.json and schemas to DIR.",
    )
    p.add_argument("--to", required=True, metavar="DIR", help="destination folder")
    p.add_argument(
        "--format",
        choices=["csv", "parquet", "stata", "xlsx", "json"],
        default="csv",
        help="csv or parquet (the data files, with descriptor and schemas), stata (.dta 118 with labels), xlsx (one workbook with a codebook sheet) or json (default csv)",
    )
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser(
        "validate",
        help="check data against the schemas and rules",
        description="Validate the shipped data, or PATH: a folder of <table>.csv files, a datapackage.json or a repository root. Exit 0 valid, 1 invalid, 2 usage or I/O problem.",
    )
    p.add_argument("path", nargs="?", help="what to validate (default: the shipped data)")
    p.add_argument("--format", choices=["text", "json", "github"], default="text", help="report format (default text)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "build",
        help="(maintainers) regenerate Parquet, hashes and generated docs",
        description="Regenerate data/parquet, datapackage.json hashes and generated docs from the CSVs. --check only reports what is stale.",
    )
    p.add_argument("--check", action="store_true", help="fail if anything committed is stale; write nothing")
    p.add_argument("--root", help="repository root (default: this checkout)")
    p.add_argument("--format", choices=["text", "json", "github"], default="text", help="report format (default text)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "diff",
        help="rows added, removed and changed between two data folders or versions",
        description="Compare OLD and NEW (data folders, repository roots or released versions X.Y.Z): rows added, "
        "removed and changed per table, field by field. Exit 1 when an event id disappears without a withdrawals row.",
    )
    p.add_argument("old", help="folder or version")
    p.add_argument("new", help="folder or version")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text", help="output format (default text)")
    p.set_defaults(func=_cmd_diff)

    p = sub.add_parser(
        "audit-sample",
        help="random event rows with their citations, for a second reviewer",
        description="Print N random event rows (all event tables pooled, reproducible from --seed) with their coded facts, "
        "citations and URLs; --format csv gives a verdict template with one line per fact.",
    )
    p.add_argument("--n", type=int, default=30, help="rows to draw (default 30)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--format", choices=["text", "csv"], default="text", help="output format (default text)")
    p.set_defaults(func=_cmd_audit_sample)

    p = sub.add_parser(
        "versions",
        help="list released data versions",
        description="List released data versions, newest first, and say which one the installed data is.",
    )
    p.set_defaults(func=_cmd_versions)

    p = sub.add_parser(
        "download",
        help="write a released data version to a folder, verified",
        description="Write a data version (default: the installed one, no network) to DIR, each file checked against the registry's sha256. Other versions are fetched from JSP_DATA_BASE_URL (default: the repository's raw files at tag vX.Y.Z) and cached under JSP_DATA_CACHE.",
    )
    p.add_argument("--to", required=True, metavar="DIR", help="destination folder")
    p.add_argument("--version", help="released version X.Y.Z (see jsp-data versions)")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv", help="table format (default csv)")
    p.set_defaults(func=_cmd_download)

    p = sub.add_parser(
        "cite",
        help="how to cite the dataset, or one row's sources",
        description="Print a citation of the dataset naming the installed data version, or with --row TABLE:ID the sources of one event row with their locators.",
    )
    p.add_argument("--format", choices=["text", "bibtex", "apa"], default="text", help="citation style (default text)")
    p.add_argument("--row", metavar="TABLE:ID", help="print the sources of one event row instead")
    p.set_defaults(func=_cmd_cite)

    p = sub.add_parser(
        "release",
        help="(maintainers) cut a data release",
        description="Cut release X.Y.Z from a clean, valid, built checkout: CHANGELOG, version, citation files, registry, commit and tag.",
    )
    p.add_argument("version", metavar="X.Y.Z")
    p.add_argument("--root", help="repository root (default: this checkout)")
    p.set_defaults(func=_cmd_release)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``jsp-data``; returns the exit code."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if argv is None and args.func is _cmd_validate:  # the jsp-data process only, not a caller's Python
        import gc

        from .allocators import keep_freed_memory

        keep_freed_memory()  # before pyarrow and numpy load
        # The process exits when the run is done: the cyclic collector would only walk the objects
        # of pandas, pandera and pyarrow again and again (a few tenths of a CPU-second on a large run).
        gc.disable()
    try:
        code: int = args.func(args)
        if argv is None:  # the jsp-data process, which exits next
            import gc

            # Objects in gc's permanent generation are not traversed again when the interpreter
            # shuts down: after a large validation that traversal alone took a quarter second.
            gc.freeze()
        return code
    except (
        UsageError,
        UnknownTableError,
        KeyError,
        FileNotFoundError,
        ValueError,
        RuntimeError,
        ReleaseError,
        ImportError,
    ) as exc:
        print(f"jsp-data: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader stopped early (``jsp-data tables | head``): nothing is wrong, so say nothing,
        # and point stdout at devnull so the interpreter's final flush does not fail again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        print(f"jsp-data: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for users; say what to report
        print(
            f"jsp-data: internal error ({type(exc).__name__}: {exc}). Please report it with the command you ran.", file=sys.stderr
        )
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

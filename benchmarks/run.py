"""Rerunnable benchmarks; results go to benchmarks/results.json (the README table is built from it).

usage: python benchmarks/run.py [--quick] [--rows N]

- import: `import jsp_data` minus a bare interpreter start, median of 20 runs each (bytecode
  compiled first, as for an installed package);
- load: `jsp_data.load(t)` warm, in process, against `pandas.read_parquet` of the same file,
  median of 20 runs, at the shipped size and at 100,000 synthetic rows;
- validate-shipped: `jsp-data validate` on the shipped data, wall time including interpreter start;
- validate-synthetic: `jsp-data validate` on a synthetic agreements-shaped contribution of N rows
  (default 1,000,000) with 1% known faults, end to end, with peak memory, checking that the
  errors reported are exactly the faults injected; and `frictionless validate` of the same file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _wall(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, env=ENV, capture_output=True)
        out.append(time.perf_counter() - start)
    return out


def bench_import(runs: int = 20) -> dict:
    import compileall

    import jsp_data

    compileall.compile_dir(str(Path(jsp_data.__file__).parent), quiet=1)
    bare = statistics.median(_wall([sys.executable, "-c", "pass"], runs))
    with_pkg = statistics.median(_wall([sys.executable, "-c", "import jsp_data"], runs))
    return {
        "bare_ms": round(bare * 1000, 1),
        "import_ms": round(with_pkg * 1000, 1),
        "added_ms": round((with_pkg - bare) * 1000, 1),
        "goal_added_ms": 20,
        "runs": runs,
    }


def _median_time(fn, runs: int) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _paired_medians(ours, theirs, runs: int) -> tuple[float, float]:
    """Medians of two functions timed alternately, so drift in machine load hits both alike."""
    ours(), theirs()
    a, b = [], []
    for _ in range(runs):
        for fn, acc in ((ours, a), (theirs, b)):
            start = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def bench_load(runs: int = 20, synthetic_rows: int = 100_000) -> dict:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    import jsp_data
    from jsp_data import paths
    from jsp_data.build import parquet_path
    from jsp_data.convert import arrow_to_frame
    from jsp_data.descriptor import fields

    results = {}
    for table in ("agreements", "meetings", "citations"):
        path = parquet_path(paths.data_root(), table)
        ours, base = _paired_medians(lambda t=table: jsp_data.load(t), lambda p=path: pd.read_parquet(p), runs)
        results[f"{table} ({pq.ParquetFile(path).metadata.num_rows} rows)"] = {
            "load_ms": round(ours * 1000, 2),
            "read_parquet_ms": round(base * 1000, 2),
            "ratio": round(ours / base, 2),
        }
    # 100,000 synthetic rows: the shipped meetings repeated, through the same conversion as load()
    shipped = pq.read_table(parquet_path(paths.data_root(), "meetings"))
    big = pa.concat_tables([shipped] * (synthetic_rows // shipped.num_rows + 1)).slice(0, synthetic_rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "meetings.parquet"
        pq.write_table(big, path, compression="zstd")
        table_fields = fields("meetings")
        ours, base = _paired_medians(
            lambda: arrow_to_frame(pq.read_table(path), table_fields), lambda: pd.read_parquet(path), runs
        )
    results[f"meetings x {synthetic_rows} synthetic rows"] = {
        "load_ms": round(ours * 1000, 2),
        "read_parquet_ms": round(base * 1000, 2),
        "ratio": round(ours / base, 2),
    }
    return {"tables": results, "goal_ratio": 1.5, "runs": runs}


def machine_state() -> dict:
    """How fast this machine is right now, for comparing runs made at different times.

    On this VM the host reclaims idle guest memory, so the first touch of memory a process has
    not used before costs far more than the arithmetic done with it, and that cost drifts from
    hour to hour. A large validation touches over a gigabyte, so its wall time drifts with it.
    """
    touch = (
        "import time, numpy as np; t = time.perf_counter(); a = np.ones(1 << 26); "
        "print(time.perf_counter() - t)"  # 512 MB written once, in a fresh process
    )
    loop = "import time; t = time.perf_counter(); sum(range(3 * 10**7)); print(time.perf_counter() - t)"

    def median_of(code: str) -> float:
        runs = [
            float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
            for _ in range(3)
        ]
        return statistics.median(runs)

    return {"fresh_memory_s_per_gb": round(2 * median_of(touch), 2), "python_loop_s": round(median_of(loop), 2)}


def bench_validate_shipped(runs: int = 5) -> dict:
    cmd = [str(Path(sys.executable).parent / "jsp-data"), "validate"]
    times = _wall(cmd, runs)
    return {"wall_s": round(statistics.median(times), 3), "goal_s": 2.0, "runs": runs}


def bench_validate_synthetic(rows: int, runs: int = 5) -> dict:
    tmp = Path(tempfile.mkdtemp())
    try:
        data = tmp / "csv"
        subprocess.run(
            [sys.executable, str(HERE / "synthetic.py"), str(data), "--rows", str(rows)], check=True, env=ENV, capture_output=True
        )
        faults = {(line, column) for line, column, _ in json.loads((data / "faults.json").read_text())}
        (data / "faults.json").unlink()
        # The median of several runs: on this VM one run can take 30% longer than the next (page
        # cache and memory reclaim), and a single number would mostly measure that. The first run
        # is timed apart, not in the median: it also reads the new file from disk and takes
        # memory the VM's host had reclaimed (up to twice the time of the next run).
        walls = []
        for _ in range(runs + 1):
            start = time.perf_counter()
            proc = subprocess.run(
                [str(Path(sys.executable).parent / "jsp-data"), "validate", str(data), "--format", "json"],
                env=ENV,
                capture_output=True,
                text=True,
            )
            walls.append(time.perf_counter() - start)
        cold, walls = walls[0], walls[1:]
        wall = statistics.median(walls)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        report = json.loads(proc.stdout)
        errors = {
            (e["line"], e["column"]) for e in report["errors"] if e["severity"] == "error" and e["file"] == "agreements.csv"
        }
        others = [e for e in report["errors"] if e["severity"] == "error" and e["file"] != "agreements.csv"]
        result = {
            "rows": rows,
            "wall_s": round(wall, 2),
            "rows_per_s": round(rows / wall),
            "runs": runs,
            "wall_s_each": [round(w, 2) for w in walls],
            "first_run_wall_s": round(cold, 2),
            "peak_rss_mb": round(peak_mb),
            "faults_injected": len(faults),
            "errors_reported": len(errors),
            "errors_equal_faults": errors == faults and not others,
            "goal_rows_per_s": 300_000,
        }
        fl = shutil.which("frictionless", path=str(Path(sys.executable).parent))
        if fl:
            # frictionless validates one resource here: foreign keys to other tables are left out of
            # its schema (it cannot resolve them alone), so it does less work than jsp-data validate.
            schema = json.loads((HERE.parent / "schemas" / "agreements.json").read_text("utf-8"))
            schema.pop("foreignKeys", None)
            (tmp / "agreements.schema.json").write_text(json.dumps(schema), "utf-8")
            start = time.perf_counter()
            subprocess.run(
                [fl, "validate", "agreements.csv", "--schema", "../agreements.schema.json", "--trusted"],
                cwd=data,
                env=ENV,
                capture_output=True,
            )
            fwall = time.perf_counter() - start
            result.update(
                {"frictionless_wall_s": round(fwall, 2), "speedup_vs_frictionless": round(fwall / wall, 1), "goal_speedup": 8}
            )
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs and 20,000 synthetic rows (a smoke run)")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--only",
        choices=["import", "load", "validate_shipped", "validate_synthetic"],
        help="rerun one benchmark and update its entry in results.json",
    )
    args = ap.parse_args()
    runs = 5 if args.quick else 20
    rows = 20_000 if args.quick else args.rows
    benches = {
        "import": lambda: bench_import(runs),
        "load": lambda: bench_load(max(runs, 50) if not args.quick else runs),
        "validate_shipped": lambda: bench_validate_shipped(3 if args.quick else 5),
        "validate_synthetic": lambda: bench_validate_synthetic(rows, 1 if args.quick else 5),
    }
    out = HERE / ("results-quick.json" if args.quick else "results.json")
    results = json.loads(out.read_text("utf-8")) if args.only and out.is_file() else {}
    results["machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        **machine_state(),
    }
    results["date"] = time.strftime("%Y-%m-%d")
    for name, bench in benches.items():
        if args.only in (None, name):
            results[name] = bench()
    out.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

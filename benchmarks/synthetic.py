"""A synthetic agreements-shaped contribution with known faults, for the validation benchmark.

usage: python benchmarks/synthetic.py OUT_DIR [--rows N] [--fault-rate 0.01] [--seed S]

Writes OUT_DIR/<table>.csv: the shipped tables, with agreements.csv replaced by N synthetic rows
(every column filled, 2-4 items in list cells) and one citation per row, and OUT_DIR/faults.json
listing each injected fault as [line, column, kind]. Faults are spread over 1% of rows (default)
and several kinds: an impossible date, an unknown status, an unknown country code, an entry into
force before the signature, an id that breaks the pattern, and a cell a spreadsheet would execute.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
from pathlib import Path

import jsp_data
from jsp_data.paths import data_root

# Titles are drawn from these words, so that two rows rarely look like the same event twice
WORDS = [
    "joint",
    "declaration",
    "statement",
    "agreement",
    "memorandum",
    "cooperation",
    "security",
    "defence",
    "maritime",
    "partnership",
    "strategic",
    "action",
    "plan",
    "exchange",
    "logistics",
    "information",
    "protection",
    "transfer",
    "equipment",
    "technology",
    "reciprocal",
    "access",
    "forces",
    "vision",
    "framework",
    "arrangement",
    "dialogue",
    "coast",
    "guard",
    "capacity",
    "building",
    "disaster",
    "relief",
    "peacekeeping",
    "cyber",
    "space",
    "training",
]
FAULTS = ("type", "enum", "foreign-key", "date-order", "pattern", "formula-injection")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--fault-rate", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(data_root() / "data" / "csv", out)

    countries = [c for c in jsp_data.load("countries")["code"] if c != "JPN"]
    meetings = list(jsp_data.load("meetings", columns=["id"])["id"])
    statuses_enum = ["order_creation", "capacity_building", "burden_sharing"]
    domains = [
        "maritime",
        "land",
        "air",
        "hadr",
        "peacekeeping",
        "counter_terrorism",
        "information",
        "logistics",
        "cyber",
        "space",
    ]
    kinds = ["security_declaration", "partnership_statement", "action_plan", "acsa", "information_security", "memorandum"]
    with open(data_root() / "data" / "csv" / "agreements.csv", newline="", encoding="utf-8") as h:
        shipped = list(csv.reader(h))[1:]
    with open(data_root() / "schemas" / "agreements.json", encoding="utf-8") as h:
        header = [f["name"] for f in json.load(h)["fields"]]
    base = dt.date(1946, 1, 1)
    n_faulty = int(args.rows * args.fault_rate)
    faulty = dict(zip(rng.sample(range(args.rows), n_faulty), (FAULTS[i % len(FAULTS)] for i in range(n_faulty)), strict=True))
    faults = []
    with (
        open(out / "agreements.csv", "w", newline="", encoding="utf-8") as fa,
        open(out / "citations.csv", "a", newline="", encoding="utf-8") as fc,
    ):
        wa, wc = csv.writer(fa, lineterminator="\n"), csv.writer(fc, lineterminator="\n")
        wa.writerow(header)
        wa.writerows(shipped)  # the shipped rows stay, so the other tables' links still resolve
        for i in range(args.rows):
            row_id = f"agr-{1946 + i % 80}-syn-{i}"
            signed = base + dt.timedelta(days=rng.randrange(0, 27_000))  # ends stay before today
            binding = rng.random() < 0.5
            in_force = (
                signed + dt.timedelta(days=rng.randrange(0, 400)) if binding else signed
            )  # a political document takes effect when adopted
            ended = in_force + dt.timedelta(days=rng.randrange(1, 900))
            parties = sorted({"JPN", *rng.sample(countries, rng.randint(1, 3))})
            row = {
                "id": row_id,
                "title": " ".join(rng.sample(WORDS, 6)).capitalize(),
                "title_ja": f"合成協定 {i}",
                "kind": rng.choice(kinds),
                "parties": ";".join(parties),
                "legally_binding": "true" if binding else "false",
                "meeting_id": rng.choice(meetings),
                "signed_date": signed.isoformat(),
                "signed_precision": "day",
                "in_force_date": in_force.isoformat(),
                "in_force_precision": "day",
                "ended_date": ended.isoformat(),
                "ended_precision": "day",
                "end_reason": "superseded",
                "superseded_by": "agr-2017-aus-acsa",
                "status": "ended",
                "status_verified": "2026-01-01",
                "objectives": ";".join(rng.sample(statuses_enum, rng.randint(2, 3))),
                "objectives_basis": "coder",
                "domains": ";".join(rng.sample(domains, rng.randint(2, 4))),
                "confidence": rng.choice(["high", "medium", "low"]),
                "notes": f"Synthetic row {i} for the validation benchmark.",
            }
            line = i + 2 + len(shipped)
            kind = faulty.get(i)
            if kind == "type":
                row["signed_date"], row["in_force_date"], row["ended_date"] = "2013-02-29", "2014-01-01", "2015-01-01"
                row["legally_binding"] = "true"
                faults.append([line, "signed_date", kind])
            elif kind == "enum":
                row["status"] = "done"
                faults.append([line, "status", kind])
            elif kind == "foreign-key":
                row["parties"] = "JPN;XXX"
                faults.append([line, "parties", kind])
            elif kind == "date-order":
                row["in_force_date"] = (signed - dt.timedelta(days=30)).isoformat()
                faults.append([line, "in_force_date", kind])
            elif kind == "pattern":
                row["id"] = row_id.upper()
                faults.append([line, "id", kind])
            elif kind == "formula-injection":
                row["notes"] = '=HYPERLINK("http://example.org")'
                faults.append([line, "notes", kind])
            wa.writerow([row[h] for h in header])
            wc.writerow(["agreements", row["id"], "src-sahashi-2013", "sec=australia", "all"])
    (out / "faults.json").write_text(json.dumps(faults), "utf-8")
    print(f"wrote {args.rows} rows with {len(faults)} faults to {out}")


if __name__ == "__main__":
    main()

"""``jsp-data audit-sample``: random event rows with their citations, for a reviewer to check.

The reviewer checks each coded fact on the cited page and records one verdict per fact under
audit/ (id, field, verdict, source_id, note). The sample is reproducible from its seed.
"""

from __future__ import annotations

from .descriptor import EVENT_TABLES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Columns a reviewer checks on the page; ids and coder judgements (objectives, confidence) are left
# out of the verdict template. Notes stay in: they state facts too (the first audit, which left
# them out, could not check them).
SKIP = {"id", "objectives", "objectives_basis", "confidence", "title_ja", "status_verified"}


def audit_sample(n: int = 30, seed: int = 0) -> list[dict[str, Any]]:
    """Draw ``n`` event rows at random (all tables pooled) with their coded facts and citations."""
    import random

    from .load import load

    rows = []
    for table in EVENT_TABLES:
        frame = load(table)
        for record in frame.to_dict("records"):
            rows.append((table, record))
    rng = random.Random(seed)
    picked = rng.sample(rows, min(n, len(rows)))
    citations = load("citations")
    sources = load("sources", columns=["id", "title", "issuer", "url", "tier"]).set_index("id")
    out = []
    for table, record in picked:
        cites = citations[(citations["table"].astype("str") == table) & (citations["id"] == record["id"])]
        facts = {k: v for k, v in record.items() if k not in SKIP and not _empty(v)}
        out.append(
            {
                "table": table,
                "id": record["id"],
                "facts": {k: _show(v) for k, v in facts.items()},
                "citations": [
                    {
                        "source_id": c.source_id,
                        "locator": c.locator,
                        "supports": ";".join(c.supports),
                        "tier": str(sources.loc[c.source_id, "tier"]),
                        "url": sources.loc[c.source_id, "url"] or "",
                        "title": sources.loc[c.source_id, "title"],
                    }
                    for c in cites.itertuples(index=False)
                ],
            }
        )
    return out


def _empty(value: Any) -> bool:
    if isinstance(value, list):
        return not value
    try:
        return bool(value != value) or value is None
    except (TypeError, ValueError):
        return False


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(value)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def format_sample(sample: list[dict[str, Any]], fmt: str = "text") -> str:
    """The sample for reading (text) or as a verdict template (csv: one line per fact)."""
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "field", "value", "verdict", "source_id", "note"])
        for row in sample:
            for field, value in row["facts"].items():
                writer.writerow([row["id"], field, value, "", "", ""])
        return out.getvalue()
    lines = []
    for k, row in enumerate(sample, 1):
        lines.append(f"{k}. {row['table']} {row['id']}")
        for field, value in row["facts"].items():
            lines.append(f"     {field}: {value}")
        for c in row["citations"]:
            lines.append(f"   source {c['source_id']} [{c['tier']}] {c['locator']} supports {c['supports']}")
            lines.append(f"     {c['title']} {c['url']}")
        lines.append("")
    return "\n".join(lines)

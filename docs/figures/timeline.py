"""Draw docs/figures/timeline.png from the shipped data and record the data's hash beside it.

usage: python docs/figures/timeline.py   (needs matplotlib: pip install -e '.[plot]')
tests/test_figure.py fails when the data changed since the figure was drawn: rerun this script.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVENT_CSVS = ("agreements", "aid_transfers", "countries", "exercises", "meetings")


def data_hash(root: Path) -> str:
    """sha256 over the CSVs the figure is drawn from."""
    digest = hashlib.sha256()
    for name in EVENT_CSVS:
        digest.update((root / "data" / "csv" / f"{name}.csv").read_bytes())
    return digest.hexdigest()


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import jsp_data.plot

    ax = jsp_data.plot.timeline()
    ax.figure.tight_layout()
    ax.figure.savefig(HERE / "timeline.png", dpi=110, metadata={"Software": None})
    plt.close(ax.figure)
    (HERE / "timeline.sha256").write_text(data_hash(HERE.parents[1]) + "\n", "utf-8")
    print("wrote docs/figures/timeline.png")


if __name__ == "__main__":
    main()

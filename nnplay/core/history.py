"""Per-epoch metrics of a run, column by column as the network file stores them.

A history is bounded: it holds at most ``MAX_ROWS`` rows. When a row would make it
longer, it is thinned to ``MAX_ROWS // 2`` rows: the first row, the last row, and
between them the rows nearest to evenly spaced epochs. So a run of millions of epochs
keeps its whole course at a coarser grain, and its file stays small. Thinning depends
on the rows alone, so a run resumed from a file thins exactly as one never stopped.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

COLUMNS = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr")
#: rows a history holds before it is thinned to half as many
MAX_ROWS = 100_000


def rows_to_keep(epochs: list, count: int) -> list[int]:
    """Indices of at most ``count`` rows: the first, the last, and those nearest to
    ``count`` evenly spaced epochs between them (evenly spaced rows where the epoch
    column is not a rising sequence of numbers)."""
    n = len(epochs)
    if n <= count:
        return list(range(n))
    try:
        x = np.array(epochs, dtype=np.float64)
    except (TypeError, ValueError):  # None in the column
        x = None
    if x is None or not np.all(np.diff(x) > 0):
        x = np.arange(n, dtype=np.float64)
    targets = np.linspace(x[0], x[-1], count)
    right = np.clip(np.searchsorted(x, targets), 1, n - 1)
    nearest = np.where(targets - x[right - 1] <= x[right] - targets, right - 1, right)
    return sorted(set(nearest.tolist()) | {0, n - 1})


class History:
    """Lists of equal length, one entry per finished epoch (fewer once thinned); None
    where a value does not apply. ``thinnings`` counts how often rows were dropped."""

    max_rows = MAX_ROWS

    def __init__(self, columns: dict[str, list] | None = None):
        self.columns: dict[str, list] = {name: [] for name in COLUMNS}
        self.thinnings = 0
        if columns:
            n = len(columns.get("epoch", []))
            # thinned before the other columns are filled in: a file may hold a long epoch column alone
            keep = rows_to_keep(columns["epoch"], self.max_rows // 2) if n > self.max_rows else range(n)
            for name in COLUMNS:
                values = columns.get(name) or []
                self.columns[name] = [values[i] if i < len(values) else None for i in keep]

    def append(self, **values: Any) -> None:
        for name in COLUMNS:
            value = values.get(name)
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            self.columns[name].append(value)
        if len(self) > self.max_rows:
            self.thin()

    def thin(self) -> None:
        """Keep ``max_rows // 2`` rows (see the module docstring)."""
        keep = rows_to_keep(self.columns["epoch"], self.max_rows // 2)
        self.columns = {name: [values[i] for i in keep] for name, values in self.columns.items()}
        self.thinnings += 1

    def __len__(self) -> int:
        return len(self.columns["epoch"])

    def __getitem__(self, name: str) -> list:
        return self.columns[name]

    def last(self, name: str) -> Any:
        column = self.columns[name]
        return column[-1] if column else None

    def to_dict(self) -> dict[str, list]:
        return {name: list(values) for name, values in self.columns.items()}

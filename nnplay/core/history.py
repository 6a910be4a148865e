"""Per-epoch metrics of a run, column by column as the network file stores them."""

from __future__ import annotations

import math
from typing import Any

COLUMNS = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr")


class History:
    """Lists of equal length, one entry per finished epoch; None where a value does not apply."""

    def __init__(self, columns: dict[str, list] | None = None):
        self.columns: dict[str, list] = {name: [] for name in COLUMNS}
        if columns:
            n = len(columns.get("epoch", []))
            for name in COLUMNS:
                values = list(columns.get(name, [None] * n))
                self.columns[name] = (values + [None] * n)[:n]

    def append(self, **values: Any) -> None:
        for name in COLUMNS:
            value = values.get(name)
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            self.columns[name].append(value)

    def __len__(self) -> int:
        return len(self.columns["epoch"])

    def __getitem__(self, name: str) -> list:
        return self.columns[name]

    def last(self, name: str) -> Any:
        column = self.columns[name]
        return column[-1] if column else None

    def to_dict(self) -> dict[str, list]:
        return {name: list(values) for name, values in self.columns.items()}

"""Per-epoch metrics of a run, column by column as the network file stores them.

Pre-training (``nnplay.core.pretraining``) keeps its own table beside the epochs':
one row per finished pre-training epoch of a layer, under the history's
``pretraining`` key (see docs/file-format.md).
"""

from __future__ import annotations

import math
from typing import Any

COLUMNS = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr")
#: ``layer``: the index in ``layers`` of the layer pre-trained; ``epoch``: 1, 2, … within that
#: layer; the losses: mean reconstruction loss Σ_j (R_j − H_j)² of the clean inputs, evaluation mode
PRETRAINING_COLUMNS = ("layer", "epoch", "train_loss", "val_loss")


def _finite_or_none(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


class History:
    """Lists of equal length, one entry per finished epoch; None where a value does not apply.

    ``pretraining`` is None until pre-training starts, then its own columns
    (``PRETRAINING_COLUMNS``), one entry per finished pre-training epoch."""

    def __init__(self, columns: dict[str, Any] | None = None):
        self.columns: dict[str, list] = {name: [] for name in COLUMNS}
        self.pretraining: dict[str, list] | None = None
        if columns:
            n = len(columns.get("epoch", []))
            for name in COLUMNS:
                values = list(columns.get(name, [None] * n))
                self.columns[name] = (values + [None] * n)[:n]
            table = columns.get("pretraining")
            if table is not None:
                self.pretraining = {name: list(table.get(name, [])) for name in PRETRAINING_COLUMNS}

    def append(self, **values: Any) -> None:
        for name in COLUMNS:
            self.columns[name].append(_finite_or_none(values.get(name)))

    def start_pretraining(self) -> None:
        if self.pretraining is None:
            self.pretraining = {name: [] for name in PRETRAINING_COLUMNS}

    def append_pretraining(self, **values: Any) -> None:
        self.start_pretraining()
        for name in PRETRAINING_COLUMNS:
            self.pretraining[name].append(_finite_or_none(values.get(name)))

    def __len__(self) -> int:
        return len(self.columns["epoch"])

    def __getitem__(self, name: str) -> list:
        return self.columns[name]

    def last(self, name: str) -> Any:
        column = self.columns[name]
        return column[-1] if column else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: list(values) for name, values in self.columns.items()}
        if self.pretraining is not None:
            out["pretraining"] = {name: list(values) for name, values in self.pretraining.items()}
        return out


def final_reconstruction_losses(table: dict[str, list] | None) -> dict[int, dict[str, Any]]:
    """Each pre-trained layer's last row of a history's ``pretraining`` table, by layer index."""
    out: dict[int, dict[str, Any]] = {}
    if not table:
        return out
    for row in zip(*(table.get(name, []) for name in PRETRAINING_COLUMNS)):
        values = dict(zip(PRETRAINING_COLUMNS, row))
        out[values["layer"]] = values
    return out

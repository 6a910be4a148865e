"""Per-epoch metrics of a run, column by column as the network file stores them.

A history is bounded: it holds at most ``MAX_ROWS`` rows. When a row would make it
longer, it is thinned to ``MAX_ROWS // 2`` rows: the first row, the last row, and
between them the rows nearest to evenly spaced epochs. So a run of millions of epochs
keeps its whole course at a coarser grain, and its file stays small. Thinning depends
on the rows alone, so a run resumed from a file thins exactly as one never stopped.

``initial`` holds the same measures for the weights a run started from, before its
first update (epoch 0, after pre-training if there was any), so that the curves start
from the initial loss and a single epoch draws a segment. It is not a row of the
per-epoch columns: those keep one row per finished epoch.

Pre-training (``nnplay.core.pretraining``) keeps its own table beside the epochs':
one row per finished pre-training epoch of a layer, under the history's
``pretraining`` key (see docs/file-format.md), bounded the same way (every layer's
last row kept).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

COLUMNS = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr")
#: ``layer``: the index in ``layers`` of the layer pre-trained; ``epoch``: 1, 2, … within that
#: layer; the losses: mean reconstruction loss Σ_j (R_j − H_j)² of the clean inputs, evaluation mode
PRETRAINING_COLUMNS = ("layer", "epoch", "train_loss", "val_loss")
#: the measures of ``History.initial``: those of a row, at epoch 0
INITIAL_COLUMNS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
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


def pretraining_rows_to_keep(layers: list, count: int) -> list[int]:
    """``rows_to_keep`` for the pre-training table, whose epochs start again with each
    layer: evenly spaced rows, and each layer's last (its final reconstruction loss)."""
    keep = set(rows_to_keep(list(range(len(layers))), count))
    keep |= {i for i in range(len(layers)) if i + 1 == len(layers) or layers[i + 1] != layers[i]}
    return sorted(keep)


def _finite_or_none(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


class History:
    """Lists of equal length, one entry per finished epoch (fewer once thinned); None
    where a value does not apply. ``thinnings`` counts how often rows were dropped.

    ``pretraining`` is None until pre-training starts, then its own columns
    (``PRETRAINING_COLUMNS``), one entry per finished pre-training epoch. ``initial`` is
    None until a run starts from epoch 0, then the measures at epoch 0
    (``INITIAL_COLUMNS``)."""

    max_rows = MAX_ROWS

    def __init__(self, columns: dict[str, Any] | None = None):
        self.columns: dict[str, list] = {name: [] for name in COLUMNS}
        self.pretraining: dict[str, list] | None = None
        self.initial: dict[str, Any] | None = None
        self.thinnings = 0
        if columns:
            if columns.get("initial") is not None:
                self.set_initial(columns["initial"])
            n = len(columns.get("epoch", []))
            # thinned before the other columns are filled in: a file may hold a long epoch column alone
            keep = rows_to_keep(columns["epoch"], self.max_rows // 2) if n > self.max_rows else range(n)
            for name in COLUMNS:
                values = columns.get(name) or []
                self.columns[name] = [values[i] if i < len(values) else None for i in keep]
            table = columns.get("pretraining")
            if table is not None:
                self.pretraining = {name: list(table.get(name, [])) for name in PRETRAINING_COLUMNS}
                if len(self.pretraining["layer"]) > self.max_rows:
                    self.thin_pretraining()

    def set_initial(self, measures: dict[str, Any]) -> None:
        """The measures at epoch 0, before the first update (``INITIAL_COLUMNS``)."""
        self.initial = {name: _finite_or_none(measures.get(name)) for name in INITIAL_COLUMNS}

    def append(self, **values: Any) -> None:
        for name in COLUMNS:
            self.columns[name].append(_finite_or_none(values.get(name)))
        if len(self) > self.max_rows:
            self.thin()

    def thin(self) -> None:
        """Keep ``max_rows // 2`` rows (see the module docstring)."""
        keep = rows_to_keep(self.columns["epoch"], self.max_rows // 2)
        self.columns = {name: [values[i] for i in keep] for name, values in self.columns.items()}
        self.thinnings += 1

    def start_pretraining(self) -> None:
        if self.pretraining is None:
            self.pretraining = {name: [] for name in PRETRAINING_COLUMNS}

    def append_pretraining(self, **values: Any) -> None:
        self.start_pretraining()
        for name in PRETRAINING_COLUMNS:
            self.pretraining[name].append(_finite_or_none(values.get(name)))
        if len(self.pretraining["layer"]) > self.max_rows:
            self.thin_pretraining()

    def thin_pretraining(self) -> None:
        keep = pretraining_rows_to_keep(self.pretraining["layer"], self.max_rows // 2)
        self.pretraining = {name: [values[i] for i in keep] for name, values in self.pretraining.items()}
        self.thinnings += 1

    def __len__(self) -> int:
        return len(self.columns["epoch"])

    def __getitem__(self, name: str) -> list:
        return self.columns[name]

    def last(self, name: str) -> Any:
        column = self.columns[name]
        return column[-1] if column else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: list(values) for name, values in self.columns.items()}
        if self.initial is not None:
            out["initial"] = dict(self.initial)
        if self.pretraining is not None:
            out["pretraining"] = {name: list(values) for name, values in self.pretraining.items()}
        return out


def row_of(columns: dict[str, list], epoch: int) -> dict[str, Any] | None:
    """The row of ``epoch`` in a history's columns, by column name; None if there is
    none (it was never recorded, or thinned away)."""
    epochs = columns.get("epoch") or []
    if epoch not in epochs:
        return None
    index = epochs.index(epoch)
    return {name: values[index] for name, values in columns.items()
            if isinstance(values, list) and index < len(values)}


def weights_row(columns: dict[str, list], restored_epoch: int | None,
                initial: dict[str, Any] | None = None) -> dict[str, Any]:
    """The row that describes the weights: the epoch whose weights early stopping put
    back (the history runs on past it), else the last row, else the ``initial`` measures
    (as a row of epoch 0); empty before any."""
    if restored_epoch is not None:
        row = row_of(columns, restored_epoch)
        if row is not None:
            return row
    last = {name: values[-1] for name, values in columns.items() if isinstance(values, list) and values}
    if not last and initial is not None:
        return {"epoch": 0, **initial}
    return last


def final_reconstruction_losses(table: dict[str, list] | None) -> dict[int, dict[str, Any]]:
    """Each pre-trained layer's last row of a history's ``pretraining`` table, by layer index."""
    out: dict[int, dict[str, Any]] = {}
    if not table:
        return out
    for row in zip(*(table.get(name, []) for name in PRETRAINING_COLUMNS)):
        values = dict(zip(PRETRAINING_COLUMNS, row))
        out[values["layer"]] = values
    return out

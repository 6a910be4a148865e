"""A sweep's results table (SPEC §4): one row per run, ``results.csv``, and which run
is best by the sweep's metric.

Columns: ``run``, one per parameter (its dotted path), ``status``, ``epochs``, the
four metrics, ``seconds``. A run not done yet has an empty status. Metrics are the
last finished epoch's, or the restored epoch's after early stopping; floats are
written with ``repr`` so reading them gives back the same bits; a cell that does
not apply is empty.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

METRIC_COLUMNS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
STATUSES = ("finished", "early_stopped", "diverged", "failed")
#: statuses whose network may be the best one (a diverged or failed run never is)
RANKED = ("finished", "early_stopped")


@dataclass
class ResultRow:
    run: int
    values: dict[str, Any]
    status: str | None = None  #: None until the run is done
    epochs: int | None = None
    metrics: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(METRIC_COLUMNS))
    seconds: float | None = None

    def metric(self, name: str) -> float | None:
        return self.metrics.get(name)


def cell(value: Any) -> str:
    """A parameter value as the table shows it: text as it is, numbers as ``repr``
    (which reads back to the same float), anything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _number(value: float | int | None) -> str:
    return "" if value is None else repr(value)


def header(paths: list[str]) -> list[str]:
    return ["run", *paths, "status", "epochs", *METRIC_COLUMNS, "seconds"]


def row_cells(row: ResultRow, paths: list[str]) -> list[str]:
    return [str(row.run), *(cell(row.values[p]) for p in paths), row.status or "", _number(row.epochs),
            *(_number(row.metrics.get(m)) for m in METRIC_COLUMNS), _number(row.seconds)]


def results_csv(rows: list[ResultRow], paths: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header(paths))
    for row in rows:
        writer.writerow(row_cells(row, paths))
    return out.getvalue()


def parse_csv(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a results table's text."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], []
    return rows[0], rows[1:]


def fill_from_cells(row: ResultRow, cells: dict[str, str]) -> None:
    """Status, epochs, metrics and seconds of ``row`` from its cells in a results table;
    raises ``ValueError`` for cells that are not what this module writes."""
    status = cells["status"]
    if status not in STATUSES:
        raise ValueError(f"status '{status}' is not one of {', '.join(STATUSES)}")
    row.status = status
    row.epochs = int(cells["epochs"]) if cells["epochs"] else None
    row.metrics = {m: float(cells[m]) if cells[m] else None for m in METRIC_COLUMNS}
    row.seconds = float(cells["seconds"]) if cells["seconds"] else None


def same_cell(written: str, value: Any) -> bool:
    """Whether a parameter cell read back from a table shows ``value`` (numbers to 1e-12,
    so a table written on another machine, whose log and exp round differently, still matches)."""
    if written == cell(value):
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return math.isclose(float(written), value, rel_tol=1e-12, abs_tol=0.0)
        except ValueError:
            return False
    return False


def lower_is_better(metric: str) -> bool:
    return metric.endswith("_loss")


def best_row(rows: list[ResultRow], metric: str) -> ResultRow | None:
    """The finished or early-stopped run with the lowest loss (highest accuracy); the
    lower run number among equals. None when no run has the metric."""
    ranked = [r for r in rows if r.status in RANKED and r.metric(metric) is not None]
    if not ranked:
        return None
    sign = 1.0 if lower_is_better(metric) else -1.0
    return min(ranked, key=lambda r: (sign * r.metric(metric), r.run))

"""The Search window's table: one row per run of the sweep, in results.csv's columns
(the run, each parameter, status, epochs, the four metrics, seconds), sortable by any
column, the best run in bold, runs under way marked as running.

Sorting keeps runs without a number (not run yet, diverged, not applicable) last in
either direction, and is applied again as runs finish, so a sorted table is a live
ranking.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from nnplay.gui.messages import tooltip
from nnplay.sweeps.catalog import describe_layers
from nnplay.sweeps.results import METRIC_COLUMNS, ResultRow, cell

HEADERS = {"run": "Run", "status": "Status", "epochs": "Epochs", "train_loss": "Train loss",
           "val_loss": "Val loss", "train_accuracy": "Train acc.", "val_accuracy": "Val acc.",
           "seconds": "Seconds"}
STATUS_WORDS = {None: "", "finished": "finished", "early_stopped": "stopped early", "diverged": "diverged",
                "failed": "failed"}
_STATUS_COLORS = {"diverged": "#b35900", "failed": "#b00020", "running": "#0b5394"}


def show_value(value: Any) -> str:
    """A parameter's value as the table shows it."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list) and value and all(isinstance(v, dict) and "type" in v for v in value):
        return describe_layers(value)
    return cell(value)


def describe_values(values: dict) -> str:
    """A run's values in a line, as the table shows them: ``optimizer.lr 0.02443, layers[0].units 9``."""
    return ", ".join(f"{path} {show_value(value)}" for path, value in values.items())


class ResultsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[ResultRow] = []
        self.paths: list[str] = []
        self.order: list[int] = []  #: the runs in the order shown
        self.running: set[int] = set()
        self.errors: dict[int, str] = {}
        self.best: int | None = None
        self.sort_key: tuple[int, Qt.SortOrder] | None = None

    @property
    def columns(self) -> list[str]:
        return ["run", *self.paths, "status", "epochs", *METRIC_COLUMNS, "seconds"]

    def set_rows(self, rows: list[ResultRow], paths: list[str], best: int | None = None) -> None:
        self.beginResetModel()
        if list(paths) != self.paths:  # other columns: a sort by column number would mean another one
            self.sort_key = None
        self.rows, self.paths = rows, list(paths)
        self.order = list(range(len(rows)))
        self.running, self.errors, self.best = set(), {}, best
        self._apply_sort()
        self.endResetModel()

    # ---- changes while the search runs
    def set_running(self, run: int, running: bool) -> None:
        (self.running.add if running else self.running.discard)(run)
        self._row_changed(run)

    def recorded(self, row: ResultRow, best: int | None, error: str | None = None) -> None:
        self.rows[row.run] = row  # (the same object again when the window put it there)
        self.running.discard(row.run)
        if error:
            self.errors[row.run] = error
        old_best, self.best = self.best, best
        if self.sort_key is not None:
            self.layoutAboutToBeChanged.emit()
            self._apply_sort()
            self.layoutChanged.emit()
        else:
            self._row_changed(row.run)
            if old_best is not None and old_best != best:
                self._row_changed(old_best)

    def _row_changed(self, run: int) -> None:
        if run in self.order:
            position = self.order.index(run)
            self.dataChanged.emit(self.index(position, 0), self.index(position, self.columnCount() - 1))

    # ---- the model
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        name = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(name, name)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(name)
        return None

    def run_at(self, position: int) -> int | None:
        return self.order[position] if 0 <= position < len(self.order) else None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[self.order[index.row()]]
        name = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, name)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.errors.get(row.run) if name == "status" else None
            return tooltip(text or self._text(row, name)) if (text or name in self.paths) else None
        if role == Qt.ItemDataRole.FontRole and row.run == self.best:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and name == "status":
            color = _STATUS_COLORS.get(self._status(row))
            return QColor(color) if color else None
        if role == Qt.ItemDataRole.TextAlignmentRole and name not in self.paths and name != "status":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _status(self, row: ResultRow) -> str:
        if row.status is None:
            return "running" if row.run in self.running else ""
        return row.status

    def _text(self, row: ResultRow, name: str) -> str:
        if name == "run":
            return str(row.run) + ("  ★" if row.run == self.best else "")
        if name in self.paths:
            return show_value(row.values[name])
        if name == "status":
            status = self._status(row)
            return STATUS_WORDS.get(status, status)
        value = self._value(row, name)
        if value is None:
            return ""
        if name == "epochs":
            return f"{value:,}"
        return f"{value:.3f}" if name == "seconds" else f"{value:.4g}"

    @staticmethod
    def _value(row: ResultRow, name: str) -> Any:
        if name in METRIC_COLUMNS:
            return row.metric(name)
        return {"epochs": row.epochs, "seconds": row.seconds, "run": row.run}.get(name)

    # ---- sorting
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        if 0 <= column < len(self.columns):
            self.sort_key = (column, order)
            self._apply_sort()
        else:  # no sort column: run order
            self.sort_key = None
            self.order = list(range(len(self.rows)))
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        if self.sort_key is None or not self.rows:
            return
        column, order = self.sort_key
        name = self.columns[column]
        descending = order == Qt.SortOrder.DescendingOrder

        def key(run: int):
            row = self.rows[run]
            value = self._sort_value(row, name)
            missing = value is None or (isinstance(value, float) and math.isnan(value))
            if missing:
                return (2, 0.0, "", run)
            if isinstance(value, (int, float)) and not isinstance(value, bool):  # numbers before text
                return (0, -value if descending else value, "", run)
            return (1, 0.0, _Reversed(str(value)) if descending else str(value), run)

        self.order = sorted(range(len(self.rows)), key=key)

    def _sort_value(self, row: ResultRow, name: str) -> Any:
        if name in self.paths:
            value = row.values[name]
            return value if isinstance(value, (int, float)) and not isinstance(value, bool) else show_value(value)
        if name == "status":
            return self._status(row) or None
        return self._value(row, name)


class _Reversed(str):
    """Text that sorts backwards (descending order, missing cells still last)."""

    def __lt__(self, other):
        return str.__gt__(self, other)

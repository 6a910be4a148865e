"""The numbers of one back-propagation step: its title, formula, why, the worked line
with the numbers put in, and the table of the layer (gradient rows with their finite
difference and a ✓). Every text here is the engine's own (formulas from the registry,
numbers): none comes from a file or the user."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QSizePolicy, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from nnplay.core.backprop.notation import number
from nnplay.core.backprop.step import PHASE_TITLES, Numbers, Step

AGREES, DIFFERS = QColor("#1E7B34"), QColor("#C0392B")
CHOSEN = QColor("#FFF1C2")


def _label(name: str, rich: bool = True, style: str = "") -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


class StepView(QWidget):
    #: a table row about a unit was clicked: that unit
    unitChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("backpropStepView")
        self.title = _label("backpropStepTitle", style="font-size: 11pt; font-weight: bold;")
        self.formula = _label("backpropFormula", style="background: #F4F6FA; border: 1px solid #D5DBE5; "
                                                       "padding: 6px; font-size: 11pt;")
        self.explanation = _label("backpropExplanation", style="color: #333;")
        self.worked = _label("backpropWorked", style="background: #FFFBEA; border: 1px solid #EBD9A0; padding: 6px;")
        self.table = QTableWidget()
        self.table.setObjectName("backpropTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.cellClicked.connect(self._on_cell_clicked)
        self.note = _label("backpropTableNote", rich=False, style="color: #666;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for widget in (self.title, self.formula, self.explanation, self.worked):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            layout.addWidget(widget)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        self._units: list[int | None] = []

    def show_step(self, step: Step, position: int, count: int, numbers: Numbers, unit: int | None,
                  precise: bool) -> None:
        self.title.setText(f"Step {position + 1} of {count} · {PHASE_TITLES[step.phase]}<br>{step.title}")
        self.formula.setText(step.formula)
        self.explanation.setText(step.explanation)
        self.worked.setText("<br>".join(numbers.worked))
        self.worked.setVisible(bool(numbers.worked))
        self._fill_table(numbers, unit, precise)

    def _fill_table(self, numbers: Numbers, unit: int | None, precise: bool) -> None:
        table = numbers.table
        checks = any(row.check is not None for row in table.rows)
        headers = ["", *table.columns] + (["check"] if checks else [])
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(table.rows))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(False)
        self._units = [row.unit for row in table.rows]
        for r, row in enumerate(table.rows):
            cells = [row.label] + [c if isinstance(c, str) else number(c, precise) for c in row.cells]
            if checks:
                cells.append("" if row.check is None else ("✓" if row.check.agrees else "✗"))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if checks and c == len(cells) - 1 and row.check is not None:
                    item.setForeground(AGREES if row.check.agrees else DIFFERS)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if unit is not None and row.unit == unit:
                    item.setBackground(QBrush(CHOSEN))
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.note.setText(table.note)
        self.note.setVisible(bool(table.note))

    def _on_cell_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._units) and self._units[row] is not None:
            self.unitChosen.emit(self._units[row])

    def cell(self, row: int, column: int) -> str:
        """The text shown in the table (tests read it)."""
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

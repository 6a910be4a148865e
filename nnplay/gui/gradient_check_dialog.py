"""Training ▸ Check gradients…: backpropagation against finite differences, as a table.

``run_gradient_check`` calls the engine's ``check_gradients`` on the current network
with the first ``BATCH`` training points and at most ``MAX_ENTRIES`` entries of each
parameter array. That is quick enough for the GUI thread (about 5 ms for the default
spiral net, 115 ms for the biggest example, moons with dropout and batch norm), so
the window runs it there, with training paused; the weights are left as they were.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from nnplay.core.architecture import layer_title
from nnplay.core.experiment import Experiment
from nnplay.core.gradcheck import ArrayCheck, check_gradients, passes

#: training points the check evaluates J on
BATCH = 32
#: entries checked per parameter array at most (spread over the array)
MAX_ENTRIES = 50

EXPLANATION = (
    "Backpropagation computes ∂J/∂w for every weight at once. The check compares it, "
    "entry by entry, with a <b>centred finite difference</b>: nudge one weight by h = 10⁻⁶ "
    "each way and measure the loss, (J(w + h) − J(w − h)) / 2h. Both should agree to many "
    "digits: relative error |a − n| / max(|a|, |n|) below 10⁻⁵ (or an absolute error below "
    "10⁻⁸, for gradients near zero) earns a ✓. A kink in the function, such as ReLU at 0 or "
    "|w| under an L1 penalty, can give an isolated larger error where h steps over it; a "
    "whole array far off means a wrong derivative."
)
COLUMNS = ("parameter array", "worst relative error", "worst absolute error", "entries checked", "verdict")


def describe(experiment: Experiment, key: str) -> str:
    """``layer2.W`` → ``layer 3 W (dense, tanh)``, ``layer 4 (output) W (dense, sigmoid)``:
    numbered from 1 as the layers panel and ``nnplay info`` do (``core.architecture.layer_title``)."""
    layer_part, name = key.split(".", 1)
    index = int(layer_part.removeprefix("layer"))
    layers = experiment.network.layers
    layer = layers[index]
    kind = layer.type if not hasattr(layer, "activation_name") else f"{layer.type}, {layer.activation_name}"
    return f"{layer_title(index, len(layers))} {name} ({kind})"


def run_gradient_check(experiment: Experiment) -> tuple[list[ArrayCheck], int, float]:
    """The checks, the number of points used and the seconds it took (call with training stopped)."""
    data = experiment.trainer.data
    x, y = data.x_train[:BATCH], data.y_train[:BATCH]
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):
        checks = check_gradients(experiment.network, x, y, max_entries=MAX_ENTRIES)
    return checks, len(x), time.perf_counter() - start


class GradientCheckDialog(QDialog):
    """The results of one check; not modal, so training can go on while it is open."""

    def __init__(self, experiment: Experiment, checks: list[ArrayCheck], points: int, seconds: float,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gradientCheckDialog")
        self.setWindowTitle("Gradient check")
        self.checks = checks
        ok = sum(passes(c) for c in checks)
        self.verdict = verdict = ("All parameter arrays pass: backpropagation agrees with finite differences."
                                  if ok == len(checks) else
                                  f"{len(checks) - ok} of {len(checks)} parameter arrays differ more than expected.")
        self.summary = QLabel(f"<b>{verdict}</b> Checked on {points} training points, epoch "
                              f"{experiment.trainer.epoch}, in {1000 * seconds:.0f} ms.")
        self.summary.setObjectName("gradientCheckSummary")
        self.summary.setWordWrap(True)
        explanation = QLabel(EXPLANATION)
        explanation.setObjectName("gradientCheckExplanation")
        explanation.setWordWrap(True)

        self.table = QTableWidget(len(checks), len(COLUMNS))
        self.table.setObjectName("gradientCheckTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, check in enumerate(checks):
            good = passes(check)
            cells = (describe(experiment, check.key), f"{check.worst_relative_error:.1e}",
                     f"{check.worst_absolute_error:.1e}", str(check.entries), "✓" if good else "✗ check")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                elif column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 4:
                    item.setForeground(Qt.GlobalColor.darkGreen if good else Qt.GlobalColor.red)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(explanation)
        layout.addWidget(buttons)
        self.resize(760, min(720, 230 + 30 * len(checks)))

    def verdicts(self) -> list[str]:
        """The verdict column as shown (tests read it)."""
        return [self.table.item(row, 4).text() for row in range(self.table.rowCount())]

"""The Race window's gradient curves: each run's RMS of ∂J/∂W per epoch for one dense
layer (the first hidden one at first), overlaid on a log axis beside the loss curves.

The figures are measured in each run's worker process as it trains
(``nnplay.core.epoch_gradients``) and come with its snapshots; this only draws them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from nnplay.core.epoch_gradients import HELP, column_name
from nnplay.gui.compare.race_views import RaceCurves, RunView
from nnplay.gui.messages import tooltip
from nnplay.gui.panels.widgets import blocked


class RaceGradients(RaceCurves):
    """Every run's per-epoch gradient RMS of the chosen dense layer, on a log axis."""

    source = "gradients"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, metrics={})
        self.setObjectName("raceGradients")
        self.metric_combo.setObjectName("raceGradientLayerCombo")
        self.metric_combo.setToolTip(tooltip("Which dense layer's gradients the curves show.\n\n" + HELP))
        self.graphics.setObjectName("raceGradientsGraphics")
        self.graphics.setToolTip(tooltip(HELP))
        self.log_scale.setChecked(True)  # the runs' gradients differ by orders of magnitude
        self.log_scale.hide()

    def set_runs(self, views: list[RunView], titles: dict[str, str], regression: bool = False) -> None:
        """``titles``: each dense layer's column and its name, first to output."""
        self.metrics = dict(titles)
        with blocked(self.metric_combo):
            self.metric_combo.clear()
            for key, text in titles.items():
                self.metric_combo.addItem(text[0].upper() + text[1:], key)
            self.metric_combo.setCurrentIndex(-1)
        super().set_runs(views, column_name(1), regression)

    @staticmethod
    def _scaled(name: str) -> bool:
        return True

    def _metric_changed(self, _index: int) -> None:
        if self.metric_combo.currentData() is None:
            return
        super()._metric_changed(_index)
        self.plot.setLabel("left", "RMS ∂J/∂W")

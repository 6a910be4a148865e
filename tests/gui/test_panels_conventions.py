"""Every control of every panel has an objectName (for tests and the window) and a tooltip."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox

from nnplay.core.config import BatchNormConfig, DropoutConfig
from nnplay.gui.document import Document
from nnplay.gui.panels import DataPanel, NetworkPanel, TrainingPanel


def controls(panel):
    found = panel.findChildren(QAbstractButton) + panel.findChildren(QAbstractSpinBox) + panel.findChildren(QComboBox)
    return [w for w in found if not w.objectName().startswith("qt_")]


def test_every_control_is_named_and_explained(qtbot):
    document = Document()
    document.edit("layers", lambda c: c.layers[1:1].__iadd__([DropoutConfig(0.2), BatchNormConfig()]))
    document.edit("schedule", lambda c: setattr(c.schedule, "name", "step"))
    names = []
    for cls in (DataPanel, NetworkPanel, TrainingPanel):
        panel = cls(document)
        qtbot.addWidget(panel)
        for widget in controls(panel):
            assert widget.objectName(), f"{cls.__name__}: unnamed {type(widget).__name__} {widget!r}"
            assert widget.toolTip(), f"{cls.__name__}: {widget.objectName()} has no tooltip"
            names.append(widget.objectName())
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    for name in ("datasetCombo", "addDenseButton", "layer0UnitsSpin", "optimizerCombo", "lrSpin", "l2Spin",
                 "batchSizeSpin", "pairingFixButton", "importCsvButton", "classButton0", "lossCombo"):
        assert name in names

"""The Training panel: loss, optimizer forms, learning rate, schedule, batches, regularization."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QPushButton, QSpinBox

from nnplay.core.config import EarlyStoppingConfig, OptimizerConfig
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.gui.document import Document, default_config
from nnplay.gui.panels import TrainingPanel
from tests.gui.panel_helpers import child, items, pick, shown, type_into


@pytest.fixture
def document():
    return Document()


@pytest.fixture
def panel(qtbot, document):
    widget = TrainingPanel(document)
    qtbot.addWidget(widget)
    return widget


def spin_names(panel):
    return sorted(s.objectName() for s in panel.optimizer_spins.values())


def test_each_optimizer_shows_only_its_settings_with_spec_defaults(panel, document):
    combo = child(panel, QComboBox, "optimizerCombo")
    assert spin_names(panel) == ["beta1Spin", "beta2Spin", "epsSpin", "lrSpin"]
    pick(combo, "SGD")
    assert document.config.optimizer == OptimizerConfig("sgd", {"lr": 0.03})
    assert spin_names(panel) == ["lrSpin"]
    assert panel.findChild(QAbstractSpinBox, "beta1Spin") is None
    pick(combo, "Nesterov")
    assert spin_names(panel) == ["gammaSpin", "lrSpin"]
    assert child(panel, QDoubleSpinBox, "gammaSpin").value() == pytest.approx(0.9)
    for name in OPTIMIZERS.names():
        pick(combo, panel.optimizer_combo.itemText(panel.optimizer_combo.findData(name)))
        assert document.config.optimizer.settings == OPTIMIZERS.get(name).defaults
        for key, value in OPTIMIZERS.get(name).defaults.items():
            assert child(panel, QDoubleSpinBox, f"{key}Spin").value() == pytest.approx(value)


def test_rmsprop_is_the_chapters_adadelta(panel):
    combo = child(panel, QComboBox, "optimizerCombo")
    index = combo.findData("rmsprop")
    assert "adadelta" in combo.itemText(index)
    assert "adadelta" in combo.itemData(index, Qt.ToolTipRole)
    assert "RMSProp" in combo.itemData(combo.findData("adadelta"), Qt.ToolTipRole)
    # the tooltip's first line says how the two differ
    for name, other in (("rmsprop", "AdaDelta"), ("adadelta", "RMSProp")):
        assert other in combo.itemData(combo.findData(name), Qt.ToolTipRole).splitlines()[0]


def test_learning_rate_steps_merge_into_one_undo_step_and_apply_live(qtbot, panel, document):
    lr = child(panel, QDoubleSpinBox, "lrSpin")
    assert lr.value() == pytest.approx(0.01)
    qtbot.keyClick(lr, Qt.Key_Up)
    qtbot.keyClick(lr, Qt.Key_Up)
    assert lr.value() == pytest.approx(0.05)  # 0.01 → 0.02 → 0.05
    assert document.config.optimizer.settings["lr"] == pytest.approx(0.05)
    assert document.experiment.optimizer.hyper["lr"] == pytest.approx(0.05)  # the running engine
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert lr.value() == pytest.approx(0.01) and document.experiment.optimizer.hyper["lr"] == pytest.approx(0.01)


def test_learning_rate_typed_across_magnitudes(qtbot, panel, document):
    lr = child(panel, QDoubleSpinBox, "lrSpin")
    type_into(qtbot, lr, "1e-5")
    assert document.config.optimizer.settings["lr"] == pytest.approx(1e-5)
    assert lr.text() == "1e-05"
    type_into(qtbot, lr, "3")
    assert document.config.optimizer.settings["lr"] == 3.0
    qtbot.keyClick(lr, Qt.Key_Down)
    assert lr.value() == pytest.approx(2.0)


def test_l1_l2_edit_the_running_network(qtbot, panel, document):
    l2 = child(panel, QDoubleSpinBox, "l2Spin")
    qtbot.keyClick(l2, Qt.Key_Up)
    assert document.config.training.l2 == pytest.approx(1e-4)
    assert document.experiment.network.l2 == pytest.approx(1e-4)
    type_into(qtbot, child(panel, QDoubleSpinBox, "l1Spin"), "0.001")
    assert document.experiment.network.l1 == pytest.approx(0.001)
    document.undo_stack.undo()
    assert document.experiment.network.l1 == 0.0 and document.config.training.l2 == pytest.approx(1e-4)


def test_losses_are_filtered_by_task(panel, document):
    combo = child(panel, QComboBox, "lossCombo")
    names = [combo.itemData(i) for i in range(combo.count())]
    assert sorted(names) == ["hinge", "nll", "squared"]
    assert "sigmoid" in combo.currentText()
    document.edit("sine", lambda c: (setattr(c.data, "name", "sine"), setattr(c, "task", "regression"),
                                     setattr(c, "features", ["x1"]), setattr(c, "loss", "squared")))
    assert sorted(combo.itemData(i) for i in range(combo.count())) == ["mae", "squared"]
    pick(combo, "absolute")
    assert document.config.loss == "mae"


def test_picking_a_loss_brings_the_output_its_entry_names_in_one_undo_step(qtbot, panel, document):
    combo = child(panel, QComboBox, "lossCombo")
    assert combo.itemText(combo.findData("hinge")).endswith("→ identity output")
    pick(combo, "hinge")
    assert (document.config.loss, document.config.layers[-1].activation) == ("hinge", "identity")
    assert not shown(panel.pairing_warning)
    document.undo_stack.undo()
    assert (document.config.loss, document.config.layers[-1].activation) == ("nll", "sigmoid")


def test_an_output_changed_afterwards_is_flagged_and_fixed(qtbot, panel, document):
    pick(child(panel, QComboBox, "lossCombo"), "hinge")
    document.edit("Output sigmoid", lambda c: setattr(c.layers[-1], "activation", "sigmoid"))
    assert shown(panel.pairing_warning)
    qtbot.mouseClick(child(panel, QPushButton, "lossPairingFixButton"), Qt.LeftButton)
    assert document.config.layers[-1].activation == "identity" and not shown(panel.pairing_warning)


def test_the_loss_box_names_the_output_the_layer_has(qtbot, panel, document):
    """Never "→ identity output" beside a softmax layer: the entry in use names the layer's activation."""
    combo = child(panel, QComboBox, "lossCombo")
    document.edit("blobs", lambda c: (setattr(c, "task", "multiclass"), setattr(c.data, "name", "blobs"),
                                      setattr(c, "loss", "squared"), setattr(c.layers[-1], "activation", "softmax")))
    assert document.config.layers[-1].units == 4
    assert combo.currentData() == "squared"
    assert combo.currentText().endswith("→ softmax output") and "identity" not in combo.currentText()
    assert shown(panel.pairing_warning) and "saturates" in child(panel, QLabel, "lossPairingWarningLabel").text()
    qtbot.mouseClick(child(panel, QPushButton, "lossPairingFixButton"), Qt.LeftButton)
    assert (document.config.loss, document.config.layers[-1].activation) == ("nllm", "softmax")
    assert combo.currentText().endswith("→ softmax output") and not shown(panel.pairing_warning)


def test_schedule_and_its_settings(panel, document):
    pick(child(panel, QComboBox, "scheduleCombo"), "step decay")
    assert document.config.schedule.name == "step"
    assert document.config.schedule.settings == {"drop": 0.5, "every": 100}
    child(panel, QSpinBox, "scheduleEverySpin").setValue(50)
    assert document.config.schedule.settings["every"] == 50
    assert "drop" in child(panel, QLabel, "scheduleFormula").text()
    pick(child(panel, QComboBox, "scheduleCombo"), "exponential")
    assert document.config.schedule.settings == {"k": 0.99}
    assert panel.findChild(QSpinBox, "scheduleEverySpin") is None


def test_batch_modes(qtbot, panel, document):
    mode = child(panel, QComboBox, "batchModeCombo")
    size = child(panel, QSpinBox, "batchSizeSpin")
    assert (mode.currentText(), size.value(), size.isEnabled()) == ("Mini-batch", 10, True)
    pick(mode, "Full batch")
    assert document.config.training.batch_size == 0
    assert not size.isEnabled() and size.value() == len(document.experiment.split.train)
    pick(mode, "Stochastic")
    assert document.config.training.batch_size == 1
    pick(mode, "Mini-batch")
    assert document.config.training.batch_size == 10  # the last mini-batch size comes back
    type_into(qtbot, size, "64")
    assert document.config.training.batch_size == 64


def test_early_stopping_epochs_seed_noise(qtbot, panel, document):
    check = child(panel, QCheckBox, "earlyStoppingCheck")
    patience = child(panel, QSpinBox, "patienceSpin")
    assert not patience.isEnabled()
    check.setChecked(True)
    assert document.config.training.early_stopping == EarlyStoppingConfig(20, True)
    type_into(qtbot, patience, "50")
    child(panel, QCheckBox, "restoreBestCheck").setChecked(False)
    assert document.config.training.early_stopping == EarlyStoppingConfig(50, False)
    type_into(qtbot, child(panel, QSpinBox, "epochsSpin"), "300")
    type_into(qtbot, child(panel, QSpinBox, "trainingSeedSpin"), "42")
    child(panel, QDoubleSpinBox, "inputNoiseSpin").setValue(0.1)
    training = document.config.training
    assert (training.epochs, training.seed, training.input_noise) == (300, 42, pytest.approx(0.1))
    document.undo_stack.undo()
    assert document.config.training.input_noise == 0.0


def test_widgets_follow_undo_redo_and_opening_another_network(panel, document):
    pick(child(panel, QComboBox, "optimizerCombo"), "Momentum")
    document.undo_stack.undo()
    assert child(panel, QComboBox, "optimizerCombo").currentData() == "adam"
    assert child(panel, QDoubleSpinBox, "lrSpin").value() == pytest.approx(0.01)
    document.undo_stack.redo()
    assert child(panel, QComboBox, "optimizerCombo").currentData() == "momentum"
    other = copy.deepcopy(default_config())
    other.optimizer = OptimizerConfig("momentum", {"lr": 0.2, "momentum": 0.5})  # an alias from a file
    other.training.l2 = 0.003
    other.training.batch_size = 0
    document.replace(other, None)
    assert child(panel, QDoubleSpinBox, "lrSpin").value() == pytest.approx(0.2)
    assert child(panel, QDoubleSpinBox, "gammaSpin").value() == pytest.approx(0.5)
    assert child(panel, QDoubleSpinBox, "l2Spin").value() == pytest.approx(0.003)
    assert child(panel, QComboBox, "batchModeCombo").currentText() == "Full batch"
    assert "Momentum" in items(child(panel, QComboBox, "optimizerCombo"))


def test_the_mouse_wheel_scrolls_past_an_unfocused_spin_box(qtbot, document):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication, QScrollArea

    area = QScrollArea()
    panel = TrainingPanel(document)
    area.setWidget(panel)
    qtbot.addWidget(area)
    lr = child(panel, QDoubleSpinBox, "lrSpin")

    def wheel():
        event = QWheelEvent(QPointF(5, 5), QPointF(lr.mapToGlobal(QPoint(5, 5))), QPoint(), QPoint(0, 120),
                            Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
        QApplication.sendEvent(lr, event)

    wheel()
    assert document.config.optimizer.settings["lr"] == pytest.approx(0.01)


def test_decay_rates_step_towards_one(qtbot, panel, document):
    pick(child(panel, QComboBox, "optimizerCombo"), "Momentum")
    gamma = child(panel, QDoubleSpinBox, "gammaSpin")
    qtbot.keyClick(gamma, Qt.Key_Up)
    assert gamma.value() == pytest.approx(0.95)
    qtbot.keyClick(gamma, Qt.Key_Up)
    qtbot.keyClick(gamma, Qt.Key_Up)
    assert document.config.optimizer.settings["gamma"] == pytest.approx(0.99)
    for _ in range(4):
        qtbot.keyClick(gamma, Qt.Key_Down)
    assert gamma.value() == pytest.approx(0.8)

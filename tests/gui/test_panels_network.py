"""The Network panel: features, layer builder, pairing warning, parameter count."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QPushButton, QSpinBox, QToolButton

from nnplay.core.config import DenseConfig, DropoutConfig
from nnplay.gui.document import Document, default_config
from nnplay.gui.panels import NetworkPanel, TrainingPanel
from tests.gui.panel_helpers import child, pick, shown, type_into


@pytest.fixture
def document():
    return Document()


@pytest.fixture
def panel(qtbot, document):
    widget = NetworkPanel(document)
    qtbot.addWidget(widget)
    return widget


def click(qtbot, panel, cls, name):
    qtbot.mouseClick(child(panel, cls, name), Qt.LeftButton)


def kinds(document):
    return [layer.type for layer in document.config.layers]


def test_add_dense_dropout_batchnorm_before_the_output(qtbot, panel, document):
    click(qtbot, panel, QPushButton, "addDenseButton")
    click(qtbot, panel, QPushButton, "addDropoutButton")
    click(qtbot, panel, QPushButton, "addBatchNormButton")
    assert kinds(document) == ["dense"] * 3 + ["dropout", "batchnorm", "dense"]
    assert document.config.layers[2] == DenseConfig(8, "tanh", "xavier_uniform")
    child(panel, QDoubleSpinBox, "layer3RateSpin").setValue(0.5)
    assert document.config.layers[3] == DropoutConfig(0.5)
    for _ in range(4):
        document.undo_stack.undo()
    assert kinds(document) == ["dense"] * 3
    assert panel.findChild(QToolButton, "layer2RemoveButton") is None or not shown(
        panel.findChild(QToolButton, "layer2RemoveButton"))


def test_units_activation_and_initializer_of_a_layer(qtbot, panel, document):
    type_into(qtbot, child(panel, QSpinBox, "layer0UnitsSpin"), "5")
    pick(child(panel, QComboBox, "layer1ActivationCombo"), "ReLU")
    pick(child(panel, QComboBox, "layer1InitCombo"), "He")
    layers = document.config.layers
    assert layers[0].units == 5
    assert (layers[1].activation, layers[1].init) == ("relu", "he_normal")
    assert document.undo_stack.count() == 3
    document.undo_stack.undo()
    assert child(panel, QComboBox, "layer1InitCombo").currentData() == "xavier_uniform"


def test_move_and_remove_layers(qtbot, panel, document):
    click(qtbot, panel, QPushButton, "addDropoutButton")  # [dense, dense, dropout, out]
    click(qtbot, panel, QToolButton, "layer2UpButton")
    assert kinds(document) == ["dense", "dropout", "dense", "dense"]
    click(qtbot, panel, QToolButton, "layer0DownButton")
    assert kinds(document) == ["dropout", "dense", "dense", "dense"]
    click(qtbot, panel, QToolButton, "layer0RemoveButton")
    assert kinds(document) == ["dense", "dense", "dense"]
    assert not child(panel, QToolButton, "layer0UpButton").isEnabled()
    assert not child(panel, QToolButton, "layer1DownButton").isEnabled()
    document.undo_stack.undo()
    assert kinds(document) == ["dropout", "dense", "dense", "dense"]


def test_output_units_follow_the_task_and_cannot_be_edited(panel, document):
    units = child(panel, QSpinBox, "outputUnitsSpin")
    assert units.value() == 1 and not units.isEnabled()
    assert "one unit per" in units.toolTip()
    document.edit("blobs", lambda c: (setattr(c.data, "name", "blobs"), setattr(c, "task", "multiclass"),
                                      setattr(c, "loss", "nllm"), setattr(c.layers[-1], "activation", "softmax")))
    assert units.value() == 4


def test_parameter_count_matches_the_engine(qtbot, panel, document):
    label = child(panel, QLabel, "parameterCountLabel")
    assert "105" in label.text()  # 2·8+8 + 8·8+8 + 8·1+1
    click(qtbot, panel, QPushButton, "addBatchNormButton")
    type_into(qtbot, child(panel, QSpinBox, "layer0UnitsSpin"), "3")
    count = document.experiment.network.parameter_count
    assert count == (2 * 3 + 3) + (3 * 8 + 8) + 2 * 8 + (8 + 1)
    assert f"{count:,}" in label.text()
    assert child(panel, QLabel, "diagramLabel").text() == "2 → 3 tanh → 8 tanh → batchnorm → 1 sigmoid"


def test_features_checkboxes(qtbot, panel, document):
    child(panel, QCheckBox, "featureX1SqCheck").setChecked(True)
    assert document.config.features == ["x1", "x2", "x1^2"]
    assert document.experiment.network.layers[0].params["W"].shape[0] == 3
    child(panel, QCheckBox, "featureX1Check").setChecked(False)
    child(panel, QCheckBox, "featureX2Check").setChecked(False)
    assert document.config.features == ["x1^2"]
    last = child(panel, QCheckBox, "featureX1SqCheck")
    assert last.isChecked() and not last.isEnabled()  # at least one input stays
    document.undo_stack.undo()
    assert document.config.features == ["x2", "x1^2"] and last.isEnabled()


def test_pairing_warning_for_nll_with_identity_and_its_fix(qtbot, document):
    network, training = NetworkPanel(document), TrainingPanel(document)
    qtbot.addWidget(network)
    qtbot.addWidget(training)
    warning = child(network, type(network.pairing_warning), "pairingWarning")
    assert not shown(warning)
    pick(child(network, QComboBox, "outputActivationCombo"), "identity")
    assert shown(warning) and shown(training.pairing_warning)
    text = child(network, QLabel, "pairingWarningLabel").text()
    assert "nll" in text and "identity" in text and "sigmoid" in text
    click(qtbot, network, QPushButton, "pairingFixButton")
    assert document.config.layers[-1].activation == "sigmoid"
    assert not shown(warning) and not shown(training.pairing_warning)
    document.undo_stack.undo()
    assert shown(warning)


def test_squared_loss_for_classes_wants_a_linear_output(qtbot, panel, document):
    """The chapters' table (and XOR example) pair squared loss with a linear output; the textbook
    warns that a sigmoid or softmax output saturates under it."""
    document.edit("squared", lambda c: setattr(c, "loss", "squared"))
    assert shown(panel.pairing_warning) and "saturates" in child(panel, QLabel, "pairingWarningLabel").text()
    pick(child(panel, QComboBox, "outputActivationCombo"), "tanh")
    assert shown(panel.pairing_warning) and child(panel, QPushButton, "pairingFixButton").text() == "Use identity"
    pick(child(panel, QComboBox, "outputActivationCombo"), "identity")
    assert not shown(panel.pairing_warning)  # the chapters' XOR example


def test_step_and_zeros_notes_explain_and_fix(qtbot, panel, document):
    pick(child(panel, QComboBox, "layer0ActivationCombo"), "step")
    assert shown(panel.step_note)
    assert "derivative" in child(panel, QLabel, "stepNoteLabel").text()
    click(qtbot, panel, QPushButton, "stepFixButton")
    assert document.config.layers[0].activation == "tanh" and not shown(panel.step_note)
    for i in (0, 1, 2):
        pick(child(panel, QComboBox, f"{'output' if i == 2 else f'layer{i}'}InitCombo"), "zeros")
    assert shown(panel.zeros_note)
    assert "symmetry" in child(panel, QLabel, "zerosNoteLabel").text()
    click(qtbot, panel, QPushButton, "zerosFixButton")
    assert all(layer.init == "xavier_uniform" for layer in document.config.layers)


def test_widgets_follow_undo_redo_and_opening_another_network(panel, document):
    document.edit("Layer 1 units", lambda c: setattr(c.layers[0], "units", 12))
    spin = child(panel, QSpinBox, "layer0UnitsSpin")
    assert spin.value() == 12
    document.undo_stack.undo()
    assert spin.value() == 8
    document.undo_stack.redo()
    assert spin.value() == 12
    other = copy.deepcopy(default_config())
    other.features = ["x1", "x2", "x1*x2"]
    other.layers = [DenseConfig(3, "relu"), DropoutConfig(0.1), DenseConfig(1, "sigmoid")]
    document.replace(other, None)
    assert child(panel, QSpinBox, "layer0UnitsSpin").value() == 3
    assert child(panel, QComboBox, "layer0ActivationCombo").currentData() == "relu"
    assert child(panel, QDoubleSpinBox, "layer1RateSpin").value() == pytest.approx(0.1)
    assert child(panel, QCheckBox, "featureX1X2Check").isChecked()
    assert "16" in child(panel, QLabel, "parameterCountLabel").text()  # 3·3+3 + 3·1+1


def test_declined_reset_puts_the_widget_back(qtbot, panel, document):
    document.experiment.trainer.epoch = 5  # pretend training has progressed
    document.confirm_reset = lambda _text: False
    spin = child(panel, QSpinBox, "layer0UnitsSpin")
    type_into(qtbot, spin, "4")
    assert document.config.layers[0].units == 8 and spin.value() == 8


def test_a_loss_that_does_not_fit_the_task_is_flagged_and_fixed(qtbot, panel, document):
    other = copy.deepcopy(default_config())
    other.task, other.loss = "regression", "nll"  # as a hand-edited file might have it
    other.data.name = "ripple"
    document.replace(other, None)
    assert shown(panel.pairing_warning)
    assert "regression" in child(panel, QLabel, "pairingWarningLabel").text()
    click(qtbot, panel, QPushButton, "pairingFixButton")
    config = document.config
    assert (config.loss, config.layers[-1].activation) == ("squared", "identity")
    assert not shown(panel.pairing_warning)

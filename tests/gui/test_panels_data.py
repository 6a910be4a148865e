"""The Data panel, driven like a user."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFileDialog, QLabel, QMessageBox, QPushButton, QSpinBox

from nnplay.gui.document import Document
from nnplay.gui.panels import DataPanel, NetworkPanel
from tests.gui.panel_helpers import child, pick, shown, type_into


@pytest.fixture
def document():
    return Document()


@pytest.fixture
def panel(qtbot, document):
    widget = DataPanel(document)
    qtbot.addWidget(widget)
    return widget


def test_choosing_a_data_set_is_one_undoable_step(panel, document):
    combo = child(panel, QComboBox, "datasetCombo")
    assert "spiral" in combo.currentText().lower()
    pick(combo, "Two Gaussian clouds")
    assert document.config.data.name == "gaussians"
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.config.data.name == "spiral"
    assert "spiral" in combo.currentText().lower()  # the widget followed the undo


def test_data_sets_are_grouped_and_explained(panel):
    combo = child(panel, QComboBox, "datasetCombo")
    texts = [combo.itemText(i).strip() for i in range(combo.count())]
    for heading in ("2-D classification", "2-D regression", "1-D regression"):
        assert heading in texts
    heading = texts.index("2-D classification")
    assert not combo.model().item(heading).isEnabled()  # a heading, not a choice
    xor = texts.index("XOR")
    assert "XOR" in combo.itemData(xor, 3)  # Qt.ToolTipRole: a description


def test_blobs_switches_task_loss_and_output_in_one_step(panel, document):
    assert not shown(child(panel, QSpinBox, "classesSpin"))  # only blobs has a class count
    pick(child(panel, QComboBox, "datasetCombo"), "Blobs")
    config = document.config
    assert (config.task, config.loss) == ("multiclass", "nllm")
    assert config.layers[-1].activation == "softmax" and config.layers[-1].units == 4
    classes = child(panel, QSpinBox, "classesSpin")
    assert classes.isEnabled() and shown(classes)
    classes.setValue(5)
    assert document.config.layers[-1].units == 5
    buttons = [child(panel, QPushButton, f"classButton{k}") for k in range(6)]
    assert [shown(b) for b in buttons] == [True] * 5 + [False]
    document.undo_stack.undo()
    assert document.config.layers[-1].units == 4 and classes.value() == 4
    document.undo_stack.undo()
    config = document.config
    assert (config.task, config.loss, config.layers[-1].activation) == ("binary", "nll", "sigmoid")


def test_one_dimensional_data_keeps_only_x1_and_two_d_brings_x2_back(qtbot, panel, document):
    network = NetworkPanel(document)
    qtbot.addWidget(network)
    combo = child(panel, QComboBox, "datasetCombo")
    pick(combo, "Sine wave")
    config = document.config
    assert config.features == ["x1"]
    assert (config.task, config.loss, config.layers[-1].activation) == ("regression", "squared", "identity")
    assert not child(network, type(network.feature_checks["x2"]), "featureX2Check").isEnabled()
    # on 1-D data a click's height is the target: no value to choose
    assert not shown(child(panel, QDoubleSpinBox, "valueSpin"))
    assert shown(child(panel, QLabel, "clickHintLabel"))
    pick(combo, "Plane")
    assert shown(child(panel, QDoubleSpinBox, "valueSpin"))
    assert document.config.features == ["x1", "x2"]
    assert network.feature_checks["x2"].isEnabled()


def test_size_noise_and_validation_change_data_but_keep_the_weights(qtbot, panel, document):
    before = document.experiment.network.get_weights()
    type_into(qtbot, child(panel, QSpinBox, "sizeSpin"), "200")
    assert document.config.data.n == 200 and len(document.experiment.dataset) == 200
    child(panel, QDoubleSpinBox, "noiseSpin").setValue(0.3)
    assert document.config.data.noise == pytest.approx(0.3)
    type_into(qtbot, child(panel, QSpinBox, "validationSpin"), "30")
    assert document.config.data.validation_fraction == pytest.approx(0.3)
    child(panel, QSpinBox, "dataSeedSpin").setValue(7)
    assert document.config.data.seed == 7
    after = document.experiment.network.get_weights()
    assert all(np.array_equal(a["W"], b["W"]) for a, b in zip(before, after) if "W" in a)
    for _ in range(4):
        document.undo_stack.undo()
    assert document.config.data == Document().config.data


def test_class_buttons_choose_the_class_a_click_adds(qtbot, panel):
    seen = []
    panel.currentClassChanged.connect(seen.append)
    assert panel.current_class == 0
    qtbot.mouseClick(child(panel, QPushButton, "classButton1"), Qt.LeftButton)
    assert panel.current_class == 1 and seen == [1]
    assert child(panel, QPushButton, "classButton1").isChecked()
    assert not shown(child(panel, QPushButton, "classButton2"))  # two classes only


def test_regression_value_for_clicks(panel):
    pick(child(panel, QComboBox, "datasetCombo"), "Ripple")
    spin = child(panel, QDoubleSpinBox, "valueSpin")
    spin.setValue(-0.5)
    assert panel.current_value == -0.5
    assert not shown(child(panel, QPushButton, "classButton0"))


def test_csv_import_error_shows_a_dialog_and_keeps_the_data(tmp_path, monkeypatch, qtbot, panel, document):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0.5,abc,1\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), "CSV files (*.csv)"))
    errors = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: errors.append(box.text()) or QMessageBox.StandardButton.Ok)
    before = document.config
    qtbot.mouseClick(child(panel, QPushButton, "importCsvButton"), Qt.LeftButton)
    assert len(errors) == 1 and "abc" in errors[0] and "line 2" in errors[0]
    assert document.config == before and document.undo_stack.count() == 0


def test_csv_import_brings_points_and_their_task(tmp_path, monkeypatch, qtbot, panel, document):
    good = tmp_path / "three.csv"
    rows = [f"{x:.2f},{x * 2 - 1:.2f},{k}" for k, x in enumerate(np.linspace(-2, 2, 30)) for k in [k % 3]]
    good.write_text("x1,x2,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    qtbot.mouseClick(child(panel, QPushButton, "importCsvButton"), Qt.LeftButton)
    config = document.config
    assert config.data.source == "inline" and len(config.data.x) == 30
    assert (config.task, config.loss, config.layers[-1].units) == ("multiclass", "nllm", 3)
    assert "Imported" in child(panel, QComboBox, "datasetCombo").currentText()
    assert not child(panel, QSpinBox, "sizeSpin").isEnabled()
    document.undo_stack.undo()
    assert document.config.data.name == "spiral"


def test_points_added_on_the_plot_show_as_edited_points(panel, document):
    from nnplay.core.point_edits import add_point

    assert document.edit(*add_point(document.experiment.dataset, "binary", 0.5, 0.5, 1))
    combo = child(panel, QComboBox, "datasetCombo")
    assert "edited" in combo.currentText()
    assert not child(panel, QSpinBox, "sizeSpin").isEnabled()
    assert child(panel, QSpinBox, "sizeSpin").value() == 401
    pick(combo, "Two moons")  # back to a generated set
    assert document.config.data.source == "generated" and document.config.data.name == "moons"


def test_the_textbooks_xor_is_a_data_set_of_four_points(qtbot, panel, document):
    """A student building XOR from File ▸ New: four points, no noise, no validation."""
    combo = child(panel, QComboBox, "datasetCombo")
    texts = [combo.itemText(i).strip() for i in range(combo.count())]
    assert texts.index("XOR, the textbook's 4 points") < texts.index("2-D regression")
    pick(combo, "XOR, the textbook's 4 points")
    data = document.config.data
    assert (data.source, data.x, data.y, data.validation_fraction) == (
        "inline", [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0], 0.0)
    split = document.experiment.split
    assert len(split.train) == 4 and len(split.validation) == 0
    assert combo.currentText().strip() == "XOR, the textbook's 4 points"  # not "Imported / edited points"
    size = child(panel, QSpinBox, "sizeSpin")
    assert not size.isEnabled() and size.value() == 4 and not child(panel, QDoubleSpinBox, "noiseSpin").isEnabled()
    assert child(panel, QSpinBox, "validationSpin").value() == 0
    assert "truth table" in combo.toolTip()
    document.undo_stack.undo()
    assert document.config.data.name == "spiral" and "spiral" in combo.currentText().lower()


def test_new_data_draws_the_next_data_seed_in_one_click(qtbot, panel, document):
    button = child(panel, QPushButton, "newDataButton")
    points = document.experiment.dataset.x.copy()
    qtbot.mouseClick(button, Qt.LeftButton)
    assert document.config.data.seed == 2 and child(panel, QSpinBox, "dataSeedSpin").value() == 2
    assert not np.array_equal(document.experiment.dataset.x, points)
    assert document.undo_stack.undoText() == "New data"
    pick(child(panel, QComboBox, "datasetCombo"), "XOR, the textbook's 4 points")
    assert not button.isEnabled()  # one's own points have no other draw

"""The race of a network with and without pre-training, in one click, as a user drives
it: the Training panel's button (or Training ▸ Race With and Without Pre-training) opens
the Race window on the two runs, they finish side by side, and the table and the
gradient curves show each run's own gradient RMS, measured in its worker process."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QMessageBox, QToolButton

from nnplay.core.epoch_gradients import EpochGradients
from nnplay.core.experiment import Experiment
from nnplay.core.pretraining_progress import RACE_HELP, pretraining_race_refusal
from nnplay.gui.compare.race_window import start_text
from nnplay.io.schema import parse_network
from tests.gui.compare_helpers import WAIT
from tests.sweeps.helpers import base_network

DEEP = [{"type": "dense", "units": 4, "activation": "sigmoid"}, {"type": "dense", "units": 3, "activation": "sigmoid"},
        {"type": "dense", "units": 1, "activation": "sigmoid"}]
PRETRAINING = {"epochs": 3, "decoder": "untied", "decoder_activation": "identity", "noise": 0.1}


def deep_window(make_window, pretraining=None, layers=DEEP, epochs=4):
    """The main window with a 2-4-3-1 sigmoid net on 40 XOR points, batches of 8."""
    window = make_window()
    obj = base_network(name="deep", layers=copy.deepcopy(layers))
    obj["training"]["epochs"] = epochs
    obj["training"]["pretraining"] = pretraining
    window.document.replace(parse_network(obj), None)
    return window


def race_button(window) -> QToolButton:
    found = window.training_panel.findChild(QToolButton, "pretrainingRaceButton")
    assert found is not None and found.isVisible()
    return found


def gradients_in_process(network: dict) -> dict[str, list]:
    """What the run's epochs' gradient RMS are, computed here for its network file."""
    experiment = Experiment(parse_network(network))
    meter = EpochGradients(experiment.trainer)
    experiment.trainer.run(experiment.config.training.epochs, on_update=meter.on_update, on_epoch=meter.on_epoch)
    return meter.take()


def table(window) -> list[list[str]]:
    return [[window.table.item(r, c).text() for c in range(window.table.columnCount())]
            for r in range(window.table.rowCount())]


def test_one_click_races_the_network_without_and_with_pretraining(qtbot, make_window, boxes):
    main = deep_window(make_window)
    button = race_button(main)
    assert button.isEnabled() and button.toolTip() == RACE_HELP
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    window = main.compare.race_window
    assert window is not None and window.isVisible() and window.running
    qtbot.waitUntil(lambda: not window.running, timeout=WAIT)
    window.tick()  # the frame after the last events: the numbers as they ended

    labels = ["without pre-training", "with pre-training (50 epochs per layer, tied decoder)"]
    assert [view.label for view in window.views] == labels
    assert [plan.network["training"]["pretraining"] for plan in window.plans] == [
        None, {"epochs": 50, "decoder": "tied", "decoder_activation": "identity", "noise": 0.0}]
    assert window.shared_label.text() == start_text(True, True)
    assert window.status.text() == "The race is over: 2 finished."
    rows = table(window)
    assert [row[:3] for row in rows] == [[labels[0], "finished", "4"], [labels[1], "finished", "4"]]
    # the setup column shows the race that ran: pre-training off and on, fresh weights, the net's epochs
    assert [row.choice.key for row in window.picker.rows] == ["training.pretraining"]
    assert all(box.isChecked() for box in window.picker.rows[0].findChildren(QCheckBox))
    assert window.epochs.value() == 4 and window.start_from.currentData() is False

    # each run's gradient figures are its own: what its network computes, epoch by epoch
    column = window.table.COLUMNS.index("RMS ∂J/∂W₁")
    own = [gradients_in_process(plan.network) for plan in window.plans]
    for view, expected, row in zip(window.views, own, rows):
        assert expected["epoch"] == [1, 2, 3, 4]
        for name, values in expected.items():
            np.testing.assert_array_equal(view.gradients.column(name), values)
        assert row[column] == f"{expected['dense1'][-1]:.4g}"
        x, y = window.gradients.curves[view.run].getData()
        assert list(x) == [1, 2, 3, 4]
        np.testing.assert_allclose(_linear(window, y), expected["dense1"], rtol=1e-12)
    assert own[0]["dense1"] != own[1]["dense1"]  # pre-training changed where the first layer starts
    assert window.gradients.metric_combo.currentText() == "Dense layer 1 (layers[0], 4 sigmoid), the first hidden"
    assert not boxes


def test_the_gradient_curves_show_the_layer_picked(qtbot, make_window, boxes):
    main = deep_window(make_window, epochs=2)
    main.compare.pretraining_race_action.trigger()  # Training ▸ Race With and Without Pre-training
    window = main.compare.race_window
    qtbot.waitUntil(lambda: not window.running, timeout=WAIT)
    window.tick()
    combo = window.gradients.metric_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Dense layer 1 (layers[0], 4 sigmoid), the first hidden", "Dense layer 2 (layers[1], 3 sigmoid)",
        "Dense layer 3 (layers[2], 1 sigmoid), the output"]
    combo.setCurrentIndex(2)
    for view in window.views:
        x, y = window.gradients.curves[view.run].getData()
        assert list(x) == [1, 2] and len(y) == 2
        np.testing.assert_allclose(_linear(window, y), view.gradients.column("dense3"), rtol=1e-12)


def _linear(window, y):
    """The curve's values as RMS: the gradients' axis is logarithmic, and holds their logarithms."""
    assert window.gradients.plot.ctrl.logYCheck.isChecked()
    return 10 ** np.asarray(y)


@pytest.fixture
def questions(monkeypatch):
    """The Race window's questions, recorded, each answered by the next of ``answers`` (Yes when none)."""
    from nnplay.gui.compare import race_window

    record = {"asked": [], "answers": []}

    def question(parent, title, text, buttons, default):
        record["asked"].append((title, text))
        return record["answers"].pop(0) if record["answers"] else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(race_window, "question", question)
    return record


def test_a_network_with_pretraining_on_races_with_its_own_settings(qtbot, make_window, boxes, questions):
    main = deep_window(make_window, pretraining=PRETRAINING, epochs=1_000_000)
    qtbot.mouseClick(race_button(main), Qt.MouseButton.LeftButton)
    window = main.compare.race_window
    assert [view.label for view in window.views] == [
        "without pre-training", "with pre-training (3 epochs per layer, untied decoder, noise 0.1)"]
    assert [plan.network["training"]["pretraining"] for plan in window.plans] == [None, PRETRAINING]
    qtbot.waitUntil(lambda: all(view.epoch >= 2 for view in window.views), timeout=WAIT)

    # a second click while it runs asks first: Cancel keeps the race under way, Yes starts afresh
    racing = window.race
    questions["answers"].append(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(race_button(main), Qt.MouseButton.LeftButton)
    assert questions["asked"] == [("Replace the race?", "A race is running. Stop it and race the network with "
                                   "and without pre-training instead?")]
    assert window.race is racing and window.running
    qtbot.mouseClick(race_button(main), Qt.MouseButton.LeftButton)
    assert len(questions["asked"]) == 2 and window.race is not racing and window.running
    window.stop()
    qtbot.waitUntil(lambda: not window.running, timeout=WAIT)
    assert not boxes


def test_without_a_hidden_layer_the_entry_is_off_and_says_why(qtbot, make_window):
    main = deep_window(make_window, layers=[{"type": "dense", "units": 1, "activation": "sigmoid"}])
    action, button = main.compare.pretraining_race_action, race_button(main)
    refusal = pretraining_race_refusal(main.document.config)
    assert refusal.startswith("This network has no hidden dense layer to pre-train")
    assert not action.isEnabled() and not button.isEnabled()
    assert action.toolTip() == action.statusTip() == button.toolTip() == refusal
    main.document.edit("Add a layer", lambda c: c.layers.insert(0, parse_network(
        base_network(layers=copy.deepcopy(DEEP))).layers[0]))
    assert action.isEnabled() and button.isEnabled() and button.toolTip() == RACE_HELP

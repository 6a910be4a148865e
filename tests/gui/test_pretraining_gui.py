"""Pre-training in the app: its controls in the Training panel, play running it and then
training with the status line and the Pre-training tab following, step, the
reconstruction picture, and an edit while it is under way."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from nnplay.core.config import DenseConfig, PretrainingConfig
from nnplay.core.pretraining_progress import COUNTER_HELP
from nnplay.core.trainer import StopReason
from nnplay.gui.document import Document, default_config
from nnplay.gui.panels import TrainingPanel
from nnplay.gui.transport_bar import EPOCH_TIP
from tests.gui.panel_helpers import child, items, pick, type_into
from tests.gui.window_fixtures import button

WAIT = 20_000  # ms; generous for a loaded machine


# ---------------------------------------------------------------- the panel
@pytest.fixture
def panel(qtbot):
    widget = TrainingPanel(Document())
    qtbot.addWidget(widget)
    return widget


def test_the_controls_switch_it_on_and_set_each_setting(qtbot, panel):
    document = panel.document
    check = child(panel, QCheckBox, "pretrainingCheck")
    epochs = child(panel, QSpinBox, "pretrainingEpochsSpin")
    decoder = child(panel, QComboBox, "pretrainingDecoderCombo")
    activation = child(panel, QComboBox, "pretrainingActivationCombo")
    noise = child(panel, QDoubleSpinBox, "pretrainingNoiseSpin")
    assert not check.isChecked() and not epochs.isEnabled() and not decoder.isEnabled()
    assert (epochs.value(), decoder.currentData(), activation.currentData(), noise.value()) == (50, "tied",
                                                                                                "identity", 0.0)
    check.setChecked(True)
    assert document.config.training.pretraining == PretrainingConfig()
    assert epochs.isEnabled() and noise.isEnabled()
    type_into(qtbot, epochs, "20")
    pick(decoder, "untied")
    pick(activation, "sigmoid")
    noise.setValue(0.25)
    assert document.config.training.pretraining == PretrainingConfig(20, "untied", "sigmoid", 0.25)
    assert "copy of Wᵀ" in decoder.itemData(decoder.findData("untied"), Qt.ToolTipRole)
    assert "sigmoid" in items(activation) and activation.count() == 10
    check.setChecked(False)
    assert document.config.training.pretraining is None
    assert epochs.value() == 20 and not epochs.isEnabled()  # shown as they were
    check.setChecked(True)  # back with the settings last used
    assert document.config.training.pretraining == PretrainingConfig(20, "untied", "sigmoid", 0.25)
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.config.training.pretraining == PretrainingConfig(20, "untied", "sigmoid", 0.25)
    assert check.isChecked()


def test_a_network_with_pretraining_shows_its_settings(panel):
    config = default_config()
    config.training.pretraining = PretrainingConfig(7, "untied", "linear", 0.1)  # an alias from a file
    panel.document.replace(config, None)
    assert child(panel, QCheckBox, "pretrainingCheck").isChecked()
    assert child(panel, QSpinBox, "pretrainingEpochsSpin").value() == 7
    assert child(panel, QComboBox, "pretrainingActivationCombo").currentData() == "identity"
    assert child(panel, QDoubleSpinBox, "pretrainingNoiseSpin").value() == pytest.approx(0.1)


# ---------------------------------------------------------------- the window
def _deep(window, epochs=3, per_layer=4, noise=0.2, **changes):
    def change(config):
        config.layers = [DenseConfig(5, "sigmoid"), DenseConfig(4, "sigmoid"), DenseConfig(1, "sigmoid")]
        config.training.epochs = epochs
        config.training.pretraining = PretrainingConfig(per_layer, noise=noise, **changes)
    window.document.edit("Deep", change)


def test_play_pretrains_then_trains_and_the_views_follow(qtbot, window, monkeypatch):
    _deep(window)
    statuses = []
    original = window.show_status
    monkeypatch.setattr(window, "show_status", lambda text: (statuses.append(text), original(text)))
    raised = []
    for dock, name in ((window.pretraining_dock, "pretraining"), (window.curves_dock, "curves")):
        monkeypatch.setattr(dock, "raise_", lambda raise_=dock.raise_, name=name: (raised.append(name), raise_()))
    window.runner.set_max_rate(400)  # slow enough that snapshots come during each phase
    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)
    assert statuses[-1] == "Pre-training the hidden layers, then training to epoch 3…"
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    trainer = window.document.experiment.trainer
    assert trainer.stop_reason is StopReason.FINISHED and trainer.epoch == 3
    assert trainer.pretraining.finished
    assert any(s.startswith("Pre-training layer 1 of 2 (layers[0], 5 sigmoid)") for s in statuses)
    assert any(s.startswith("Pre-training layer 2 of 2 (layers[1], 4 sigmoid)") for s in statuses)
    assert "Pre-training done; training the whole network…" in statuses
    assert statuses[-1].startswith("Finished at epoch 3")
    assert raised[:2] == ["pretraining", "curves"]
    plot = window.pretraining_plot
    assert plot.rows == trainer.history.pretraining  # every reconstruction-loss row reached the tab
    assert plot.picture_layer == 0  # drawn while the tab was in front
    assert [len(c.getData()[0]) for c in plot.curves] == [4, 4]  # each layer's own curve
    assert list(window.curves.buffers.column("epoch")) == [0, 1, 2, 3]  # then the supervised curves, from epoch 0
    assert window.curves.buffers.column("train_loss")[0] == trainer.history.initial["train_loss"]  # after pre-training
    assert window.gradients.smoothed is not None and np.isfinite(window.gradients.smoothed).all()


def test_step_pretrains_one_epoch_at_a_time(qtbot, window):
    _deep(window, per_layer=2)
    trainer = window.document.experiment.trainer
    for expected in ((0, 1), (1, 0), (1, 1)):
        qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
        trainer = window.document.experiment.trainer
        assert (trainer.pretraining.layer, trainer.pretraining.epoch) == expected
        assert window.status_label.text().startswith("Paused in pre-training layer")
    qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)  # the last one, then epoch 1
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert trainer.pretraining.finished and trainer.epoch == 1


def test_the_epoch_counter_says_where_pretraining_is(qtbot, window):
    _deep(window, per_layer=2)
    label = window.transport.epoch_label
    assert label.text() == "Epoch <b>0</b>" and label.toolTip() == EPOCH_TIP  # it has not begun
    for where in ("layer <b>1</b> of 2 · epoch <b>1</b> of 2", "layer <b>2</b> of 2 · epoch <b>0</b> of 2",
                  "layer <b>2</b> of 2 · epoch <b>1</b> of 2"):
        qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
        assert label.text() == f"Pre-training {where}" and label.toolTip() == COUNTER_HELP
    qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert label.text() == "Epoch <b>1</b>" and label.toolTip() == EPOCH_TIP


def test_the_counter_follows_pretraining_while_it_plays(qtbot, window):
    _deep(window, epochs=2, per_layer=6)
    window.runner.set_max_rate(300)  # slow enough that frames come during each phase
    shown = []
    label = window.transport.epoch_label
    original = label.setText
    label.setText = lambda text: (shown.append(text), original(text))
    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert any(text.startswith("Pre-training layer <b>1</b> of 2") for text in shown)
    assert any(text.startswith("Pre-training layer <b>2</b> of 2") for text in shown)
    assert shown[-1] == "Epoch <b>2</b>"


def test_the_picture_shows_before_play_and_explains_when_it_cannot(qtbot, window):
    window.pretraining_dock.raise_()
    _deep(window)
    plot = window.pretraining_plot
    assert plot.picture_layer == 0 and len(plot.given.data) == len(window.document.experiment.trainer.data.x_train)
    assert "noise σ = 0.2" in plot.caption.text()
    window.document.edit("Features", lambda c: setattr(c, "features", ["x1", "x2", "x1*x2"]))
    assert plot.picture_layer is None and "2 inputs; this one has 3" in plot.caption.text()
    window.document.edit("Off", lambda c: setattr(c.training, "pretraining", None))
    assert plot.summary.text().startswith("Pre-training is off")


def test_the_picture_follows_the_first_layer_behind_another_tab(qtbot, window, monkeypatch):
    raise_pretraining = window.pretraining_dock.raise_
    raise_pretraining()
    _deep(window, epochs=1, per_layer=8)
    plot = window.pretraining_plot
    before = np.array(plot.output.data["x"])  # the untrained decoder's reconstruction
    window.curves_dock.raise_()
    monkeypatch.setattr(window.pretraining_dock, "raise_", lambda: None)  # the user keeps the curves in front
    qtbot.waitUntil(lambda: not window.dock_on_screen(window.pretraining_dock), timeout=WAIT)
    window.runner.set_max_rate(400)  # snapshots come while the first layer pre-trains
    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert np.array_equal(plot.output.data["x"], before)  # off screen: not drawn …
    raise_pretraining()
    qtbot.waitUntil(lambda: window.dock_on_screen(window.pretraining_dock), timeout=WAIT)
    # … drawn when shown, although the live decoder is gone now: from what the snapshots carried
    assert plot.picture_layer == 0 and not np.array_equal(plot.output.data["x"], before)


def test_an_edit_while_pretraining_keeps_its_place(qtbot, window):
    _deep(window, per_layer=200)
    window.runner.set_max_rate(2000)
    window.play()
    qtbot.waitUntil(lambda: window.document.experiment.trainer.pretraining.epoch >= 2
                    or window.document.experiment.trainer.pretraining.layer == 1, timeout=WAIT)
    window.document.edit("Pre-training noise", lambda c: setattr(c.training.pretraining, "noise", 0.5))
    assert window.training  # played on
    window.stop_training()
    trainer = window.document.experiment.trainer
    assert trainer.pretraining.started and (trainer.pretraining.layer, trainer.pretraining.epoch) != (0, 0)
    assert trainer.pretraining.settings.noise == 0.5
    assert window.document.has_progress()


def test_switched_off_while_under_way_it_runs_afresh_when_switched_on_again(qtbot, window):
    _deep(window, per_layer=2)
    qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert window.document.experiment.trainer.pretraining.started
    check = child(window.training_panel, QCheckBox, "pretrainingCheck")
    check.setChecked(False)
    assert window.document.experiment.trainer.history.pretraining is None
    assert window.pretraining_plot.summary.text().startswith("Pre-training is off")
    window.document.undo_stack.undo()  # on again: it runs, from the first layer
    trainer = window.document.experiment.trainer
    assert trainer.pretraining.pending and not trainer.pretraining.started
    assert window.pretraining_plot.summary.text().startswith("Pre-training runs first, on 2 hidden layers")


def test_a_saved_file_paused_in_pretraining_reopens_where_it_was(qtbot, window, tmp_path):
    _deep(window, per_layer=2)
    qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    path = tmp_path / "paused.nnp"
    window.document.save(path)
    window.document.open(path)
    trainer = window.document.experiment.trainer
    assert (trainer.pretraining.layer, trainer.pretraining.epoch) == (0, 1)
    assert window.pretraining_plot.rows == trainer.history.pretraining
    assert window.pretraining_plot.summary.text().startswith("Paused in pre-training layer 1 of 2")
    assert dataclasses.asdict(trainer.pretraining.settings)["epochs"] == 2

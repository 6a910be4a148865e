"""The views that show why training works or fails: gradient size per layer while it
trains, the gradient check dialog, and a class legend that hides no points."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from nnplay.core.config import DenseConfig
from nnplay.gui.transport_bar import SPEEDS
from nnplay.gui.file_actions import example_files
from tests.gui.window_fixtures import weights_equal

WAIT = 20_000


def _layers(activation: str, hidden: int):
    return [DenseConfig(8, activation) for _ in range(hidden)] + [DenseConfig(1, "sigmoid")]


def _show_gradients(qtbot, window):
    window.gradients_dock.raise_()
    qtbot.waitUntil(lambda: window.gradients._shown, timeout=WAIT)


def test_gradient_dock_fills_during_training_with_a_value_per_dense_layer(qtbot, window):
    snapshots = []
    window.runner.frame.connect(lambda frame: snapshots.append(frame.snapshot))
    _show_gradients(qtbot, window)
    assert "Press play" in window.gradients.summary.text()
    window.play()
    qtbot.waitUntil(lambda: window.gradients.draws >= 5, timeout=WAIT)  # redrawn while it trains
    window.stop_training()
    rms = window.gradients.current_rms()
    assert len(rms) == len(window.document.experiment.network.dense) == 3
    assert np.all(np.isfinite(rms)) and np.all(rms > 0)
    assert "output layer" in window.gradients.summary.text()
    # the run's last values are drawn, though redraws are limited to MAX_REDRAWS_PER_S
    bars = window.gradients.bars.opts["y1"]
    assert np.allclose(10.0 ** np.asarray(bars), rms[np.isfinite(rms)])
    sent = [s.gradient_rms for s in snapshots if s.gradient_rms is not None]
    assert len(sent) >= 5 and sent[0] is not sent[1]  # a fresh array each time, never the engine's
    assert all(not np.shares_memory(g, d.grads["W"]) for g in sent for d in window.document.experiment.network.dense)


def test_deep_sigmoid_net_shows_a_vanishing_gradient_in_the_first_layer(qtbot, window):
    window.document.edit("Layers", lambda c: setattr(c, "layers", _layers("sigmoid", 6)))
    assert len(window.gradients.labels) == 7 and window.gradients.labels[-1] == "out"
    _show_gradients(qtbot, window)
    # early in training, whatever the machine's speed: 100 updates a second
    window.transport.speed.setValue(SPEEDS.index(100))
    window.play()
    qtbot.waitUntil(lambda: window.gradients._n >= 3, timeout=WAIT)
    window.stop_training()
    rms = window.gradients.current_rms()
    assert len(rms) == 7 and np.all(rms > 0)
    assert rms[0] < 0.1 * rms[-1]  # at least ten times smaller (about 10⁻³ early on)
    assert any(word in window.gradients.summary.text() for word in ("weaker", "vanishing"))


def test_hidden_gradient_dock_costs_no_drawing_and_holds_no_one_up(qtbot, window):
    assert not window.gradients._shown  # behind the loss tab at first
    window.play()
    qtbot.waitUntil(lambda: window.gradients._n >= 3, timeout=WAIT)  # still collected …
    window.stop_training()
    assert window.gradients.draws == 1  # … but drawn only when the network was set
    assert not window.dock_on_screen(window.gradients_dock)
    _show_gradients(qtbot, window)
    assert window.gradients.draws >= 2  # catches up when its tab is picked


def test_check_gradients_pauses_and_shows_a_row_per_parameter_array(qtbot, window, monkeypatch):
    window.document.edit("Layers", lambda c: setattr(c, "layers", _layers("tanh", 2)))
    action = window.findChild(QAction, "checkGradientsAction")
    assert action is not None and action in window.findChild(QMenu, "trainingMenu").actions()
    window.play()
    qtbot.waitUntil(lambda: window.document.experiment.trainer.epoch >= 2, timeout=WAIT)
    action.trigger()
    assert not window.training  # paused, as the pause button does
    assert "Paused" not in window.status_label.text() and "Gradient check" in window.status_label.text()
    dialog = window.gradient_check_dialog
    assert dialog.isVisible() and not dialog.isModal()
    network = window.document.experiment.network
    keys = [key for key, _w, _g in network.parameters_and_grads()]
    assert dialog.table.rowCount() == len(keys) == 6
    assert dialog.table.item(0, 0).text() == "layer 1 W (dense, tanh)"
    # numbered as the layer table and nnplay info: the output is layer 3, shown "out" in the table
    assert dialog.table.item(4, 0).text() == "layer 3 (output) W (dense, sigmoid)"
    assert dialog.verdicts() == ["✓"] * 6
    assert [int(dialog.table.item(r, 3).text()) for r in range(6)] == [16, 8, 50, 8, 8, 1]
    weights = network.get_weights()
    action.trigger()  # again: the check leaves the weights as they were, and replaces the dialog
    assert weights_equal(weights, network.get_weights())
    assert window.gradient_check_dialog is not dialog and window.gradient_check_dialog.isVisible()


def test_check_gradients_names_batch_norm_arrays(qtbot, window):
    moons = next((p for p, _n, _d in example_files() if "batchnorm" in p.stem), None)
    assert moons is not None
    assert window.file_actions.open_path(moons, ask=False)
    window.findChild(QAction, "checkGradientsAction").trigger()
    dialog = window.gradient_check_dialog
    names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert any("gamma (batchnorm)" in n for n in names) and any("beta (batchnorm)" in n for n in names)
    assert len(names) == len(window.document.experiment.network.parameters_and_grads())
    assert all(int(dialog.table.item(r, 3).text()) <= 50 for r in range(len(names)))


def test_class_legend_sits_beside_the_points_not_over_them(qtbot, window):
    blobs = next((p for p, _n, _d in example_files() if "blobs" in p.stem), None)
    assert blobs is not None
    assert window.file_actions.open_path(blobs, ask=False)
    boundary = window.boundary
    assert boundary.mode == "classes" and boundary.legend.isVisible()

    def beside():  # once the layout has placed it
        legend, view = boundary.legend.sceneBoundingRect(), boundary.view.sceneBoundingRect()
        return legend.width() > 0 and legend.left() >= view.right()

    qtbot.waitUntil(beside, timeout=WAIT)
    legend, view = boundary.legend.sceneBoundingRect(), boundary.view.sceneBoundingRect()
    assert not legend.intersects(view)
    assert legend.height() < 0.5 * view.height()  # its own size, not stretched along the plot


def test_a_layout_saved_before_the_gradients_dock_gives_way_to_the_default(qtbot, make_window, settings_dir):
    from PySide6.QtCore import QSettings

    old = make_window()
    old.removeDockWidget(old.gradients_dock)  # as the window was before the dock existed
    QSettings().setValue("window/state", old.saveState())  # version 0
    window = make_window()
    assert window.gradients_dock in window.tabifiedDockWidgets(window.curves_dock)
    qtbot.waitUntil(lambda: window.dock_on_screen(window.curves_dock), timeout=WAIT)
    assert not window.gradients._shown

"""The window as a user drives it: build a network in the panels, play, watch the loss
fall and the boundary change, pause, step, edit while training, diverge, close."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QSpinBox

from nnplay.core.trainer import StopReason
from tests.gui.panel_helpers import child, pick, type_into
from tests.gui.window_fixtures import button

WAIT = 20_000  # ms; generous for a loaded CI machine, met in about a second here


def _train_loss(window) -> list:
    return [v for v in window.document.experiment.trainer.history["train_loss"] if v is not None]


def test_build_play_watch_pause(qtbot, window):
    data, network, training = window.data_panel, window.network_panel, window.training_panel
    pick(child(data, QComboBox, "datasetCombo"), "ircle")  # the circle inside a ring
    qtbot.mouseClick(child(network, QPushButton, "addDenseButton"), Qt.MouseButton.LeftButton)
    type_into(qtbot, child(network, QSpinBox, "layer0UnitsSpin"), "6")
    pick(child(training, QComboBox, "optimizerCombo"), "Adam")
    config = window.document.config
    assert config.data.name == "circles"
    assert [getattr(layer, "units", None) for layer in config.layers][0] == 6
    assert len(config.layers) == 4

    before = window.boundary.current_image().copy()
    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)
    assert window.training
    qtbot.waitUntil(lambda: len(_train_loss(window)) >= 20, timeout=WAIT)
    qtbot.waitUntil(lambda: window.curves.buffers.n >= 20, timeout=WAIT)  # the curves followed
    losses = _train_loss(window)
    assert min(losses[-5:]) < 0.7 * losses[0]
    assert window.boundary.current_image().shape[2] == 4  # RGBA (on a coarser grid if the finest costs too much)
    assert "Epoch" in window.transport.epoch_label.text()
    assert "updates/s" in window.transport.rate_label.text()

    window.curves.log_scale.setChecked(True)  # while it trains
    qtbot.waitUntil(lambda: window.curves.buffers.n >= 25, timeout=WAIT)
    assert window.curves.loss_plot.getAxis("left").logMode

    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)  # pause
    assert not window.training
    qtbot.waitUntil(lambda: window.status_label.text().startswith("Paused"), timeout=WAIT)
    assert window.document.modified and window.windowTitle().endswith("— nnplay")
    status = window.status_label.text()
    assert status.startswith(("Paused in epoch", "Paused after epoch")) and "continues exactly from here" in status
    # the run's last frame: the finest grid, one RGBA pixel per point, the trained boundary
    assert window.boundary.current_image().shape == (100, 100, 4)
    assert not np.allclose(window.boundary.current_image(), before, atol=1e-3)


def test_space_plays_and_step_trains_one_epoch(qtbot, window):
    qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert window.document.experiment.trainer.epoch == 1
    assert window.status_label.text().startswith("Finished at epoch 1: train loss")
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.training
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.training


def test_finish_then_play_trains_as_many_again(qtbot, window):
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 3))
    window.play()
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    trainer = window.document.experiment.trainer
    assert trainer.epoch == 3 and trainer.stop_reason == StopReason.FINISHED
    assert window.status_label.text().startswith("Finished at epoch 3")
    window.play()
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert window.document.experiment.trainer.epoch == 6


def test_live_edit_keeps_training_and_rebuild_plays_on(qtbot, window, dialogs):
    window.play()
    qtbot.waitUntil(lambda: window.document.experiment.trainer.epoch >= 2, timeout=WAIT)
    run = window.runner.run
    window.document.edit("Learning rate", lambda c: c.optimizer.settings.update(lr=0.02))
    assert window.training and window.runner.run == run  # live: same run
    assert window.document.experiment.optimizer.hyper["lr"] == 0.02
    window.document.edit("Batch size", lambda c: setattr(c.training, "batch_size", 20))
    assert window.training and window.runner.run == run + 1  # stopped, rebuilt, playing on
    epoch = window.document.experiment.trainer.epoch
    qtbot.waitUntil(lambda: window.document.experiment.trainer.epoch >= epoch + 2, timeout=WAIT)
    # a structural edit starts the weights afresh and waits for play
    window.document.edit("Add layer", lambda c: c.layers.insert(0, type(c.layers[0])(3, "tanh")))
    assert not window.training and window.document.experiment.trainer.epoch == 0
    assert dialogs["question"] and "afresh" in dialogs["question"][-1][0]  # it asked first


def test_divergence_pauses_and_says_why(qtbot, window, dialogs):
    def explode(c):
        c.optimizer.name, c.optimizer.settings = "sgd", {"lr": 1e6}
        c.loss = "squared"
        c.layers[-1].activation = "identity"
        for layer in c.layers[:-1]:
            layer.activation = "relu"
    window.document.edit("Diverge", explode)
    window.play()
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert window.document.experiment.trainer.stop_reason == StopReason.DIVERGED
    text = window.status_label.text()
    assert text.startswith("Diverged at epoch") and "lower the learning rate (now 1e+06)" in text
    assert "try adam" in text  # plain SGD: the advice names an optimizer that scales its steps
    assert not dialogs["critical"]


def test_click_adds_and_right_click_removes_a_point(qtbot, window):
    qtbot.mouseClick(child(window.data_panel, QPushButton, "classButton1"), Qt.MouseButton.LeftButton)
    assert window.data_panel.current_class == 1
    graphics = window.boundary.graphics
    view = window.boundary.view
    n = len(window.document.experiment.dataset)

    def click(x, y, which):
        scene = view.mapViewToScene(QPointF(x, y))
        pos = graphics.mapFromScene(scene)
        qtbot.mouseClick(graphics.viewport(), which, pos=pos)

    click(0.123, -0.456, Qt.MouseButton.LeftButton)
    dataset = window.document.experiment.dataset
    assert len(dataset) == n + 1 and window.document.config.data.source == "inline"
    assert np.allclose(dataset.x[-1], [0.123, -0.456], atol=0.1) and dataset.y[-1] == 1
    x, y = dataset.x[-1]
    click(x, y, Qt.MouseButton.RightButton)
    assert len(window.document.experiment.dataset) == n
    window.file_actions.undo_action.trigger()
    assert len(window.document.experiment.dataset) == n + 1


def test_close_while_training_stops_the_thread(qtbot, make_window, qtlog):
    window = make_window()
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))  # still training at close
    window.play()
    qtbot.waitUntil(lambda: window.boundary.draws >= 3, timeout=WAIT)
    window.close()
    try:
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)
    except Exception:
        raise AssertionError(f"still open: {window.status_label.text()!r}, busy {window.runner.busy}, "
                             f"close pending {window._close_when_stopped}")
    assert not window.training and not window.runner.busy
    assert not [r for r in qtlog.records if "QThread" in r.message]


def test_pause_and_close_never_wait_for_a_long_update(qtbot, window):
    """A full-batch update on a big data set can take seconds: the window stays responsive,
    says it is stopping, and acts (here: closes) when the update is done."""
    import threading

    entered, gate = threading.Event(), threading.Event()
    network = window.document.experiment.network
    forward = network.forward

    def long_update(x, training=False, rng=None):
        if training:
            entered.set()
            gate.wait(WAIT / 1000)
        return forward(x, training, rng)

    network.forward = long_update
    window.play()
    qtbot.waitUntil(entered.is_set, timeout=WAIT)
    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)  # pause
    assert not window.training and window.runner.busy  # returned while the update goes on
    assert "Stopping" in window.status_label.text()
    window.close()
    assert window.isVisible()  # it waits for the update, without blocking
    gate.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)
    assert not window.runner.busy


def test_early_stopping_is_reported(qtbot, window):
    from nnplay.core.config import EarlyStoppingConfig

    def rule(c):
        c.training.early_stopping = EarlyStoppingConfig(patience=2, restore_best=True)
        c.optimizer.settings["lr"] = 0.3  # noisy enough that the validation loss soon stops improving
    window.document.edit("Early stopping", rule)
    window.play()
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert window.document.experiment.trainer.stop_reason == StopReason.EARLY_STOPPED
    assert window.status_label.text().startswith("Early stopped at epoch")
    assert "no better validation loss for 2 epochs; weights of epoch" in window.status_label.text()


def test_slow_speed_shows_each_step_and_pauses_at_once(qtbot, window):
    import time

    window.transport.speed.setValue(0)  # 1 update a second
    window.play()
    qtbot.waitUntil(lambda: window.boundary.draws >= 3, timeout=WAIT)
    trainer = window.document.experiment.trainer
    assert trainer.epoch == 0 and trainer.update_in_epoch <= 3
    start = time.perf_counter()
    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)
    assert not window.training and time.perf_counter() - start < 0.5
    window.transport.speed.setValue(window.transport.speed.maximum())
    assert window.runner.max_rate is None


def test_reset_and_open_while_training_stop_the_worker(qtbot, window, qtlog):
    from nnplay.gui.file_actions import examples_dir

    window.play()
    qtbot.waitUntil(lambda: window.document.experiment.trainer.epoch >= 2, timeout=WAIT)
    qtbot.mouseClick(button(window, "resetButton"), Qt.MouseButton.LeftButton)
    trainer = window.document.experiment.trainer
    assert not window.training and trainer.epoch == 0 and len(trainer.history) == 0
    assert window.curves.buffers.n == 0
    window.play()
    qtbot.waitUntil(lambda: window.boundary.draws >= 5, timeout=WAIT)
    assert window.file_actions.open_path(examples_dir() / "xor.nnp")  # asks (Discard), stops, opens
    assert not window.training and window.document.path.name == "xor.nnp"
    assert window.document.experiment.trainer.epoch == 0
    assert not [r for r in qtlog.records if "QThread" in r.message]


def test_every_run_ends_with_every_epoch_drawn_and_the_final_numbers(qtbot, window):
    """Frames the window had not shown when the run stopped are not lost: their rows
    reach the curves, and the numbers are the last epoch's."""
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))  # paused, not finished
    window.play()
    qtbot.waitUntil(lambda: window.document.experiment.trainer.epoch >= 30, timeout=WAIT)
    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)  # pause
    try:
        qtbot.waitUntil(lambda: window.status_label.text().startswith("Paused"), timeout=WAIT)
    except Exception:
        views = window.runner._views
        raise AssertionError(f"{window.status_label.text()!r}, busy {window.runner.busy}, views "
                             f"{views and (views.isRunning(), views.failure, views.inbox._item, views.outbox._item)}, "
                             f"training {window.runner._training and window.runner._training.isRunning()}")
    trainer = window.document.experiment.trainer
    assert window.curves.buffers.n == len(trainer.history)
    np.testing.assert_array_equal(window.curves.buffers.column("train_loss"), trainer.history["train_loss"])
    assert f"<b>{trainer.epoch}</b>" in window.transport.epoch_label.text()


def test_a_view_in_a_dock_is_fed_only_while_its_dock_is_on_screen(qtbot, window):
    from PySide6.QtWidgets import QDockWidget, QLabel

    from nnplay.core.probes import GRID

    class LayerMaps:  # what a network diagram's per-unit maps will read
        name, needs, every_s = "layer-maps", frozenset({GRID}), 0.0

        def __init__(self):
            self.prepared = self.shown = 0

        def prepare(self, results, snapshot):
            self.prepared += 1
            return [layer.shape for layer in results[GRID].layers]

        def show(self, picture):
            self.shown += 1
            self.layers = picture

    dock = QDockWidget("Maps", window)
    dock.setObjectName("mapsDock")
    dock.setWidget(QLabel("maps"))
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.tabifyDockWidget(window.curves_dock, dock)
    window.curves_dock.raise_()
    view = LayerMaps()
    window.add_live_view(view, dock)
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))  # not over before we look
    qtbot.waitUntil(lambda: not window.dock_on_screen(dock), timeout=WAIT)
    window.play()
    qtbot.waitUntil(lambda: window.boundary.draws >= 5, timeout=WAIT)
    assert view.prepared == 0  # behind a tab: nothing computed for it
    dock.raise_()
    qtbot.waitUntil(lambda: view.shown >= 3, timeout=WAIT)
    window.stop_training()
    # one pass, every layer's output: 8, 8 and 1 units on the grid
    assert [shape[1] for shape in view.layers] == [8, 8, 1]


def test_each_frame_is_painted_at_once_in_the_windows_turn(qtbot, window):
    """A frame's paint does not wait for the event loop: it happens while the frame is
    handled, in the window's turn, so a small net's training loop (which steps aside for
    it) cannot take the interpreter lock between the paint's calls into Python."""
    from PySide6.QtCore import QCoreApplication, QEvent, QObject

    runner = window.runner

    class Paints(QObject):
        in_turn = outside = 0

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and runner.busy:  # before the view's own paintEvent
                if runner.turn._depth:
                    self.in_turn += 1
                else:
                    self.outside += 1
            return False

    paints = Paints()
    window.boundary.graphics.viewport().installEventFilter(paints)
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    QCoreApplication.processEvents()  # the idle network's frame is painted by the event loop
    draws = window.boundary.draws
    window.play()
    qtbot.waitUntil(lambda: window.boundary.draws >= draws + 10, timeout=WAIT)
    window.stop_training()
    assert paints.in_turn >= 10 and paints.outside <= 1  # one may come from the window being exposed


def test_a_picture_that_changes_no_pixel_is_not_painted_again(qtbot, window):
    from dataclasses import replace

    plot = window.boundary
    picture, shown, draws = plot._picture, plot.image.image, plot.draws
    plot.show_picture(replace(picture, values=picture.values.copy(), rgba=picture.rgba.copy()))
    assert plot.image.image is shown and plot.draws == draws + 1  # the same pixels: pyqtgraph not asked to paint
    changed = picture.values.copy()
    changed[:, 0] = 1.0 - changed[:, 0]
    plot.show_output(changed)
    assert plot.image.image is not shown and not np.array_equal(plot.current_image(), shown)


@pytest.mark.parametrize("units", [8, 64])  # frames made by the training thread, and by the views thread
def test_a_finished_run_shows_the_finest_grid(qtbot, window, monkeypatch, units):
    from nnplay.core.config import DenseConfig
    from nnplay.gui import worker

    monkeypatch.setattr(worker, "GRID_PASS_BUDGET_S", 0.0)  # the coarsest grid for every frame while training

    def change(config):
        config.layers = [DenseConfig(units, "tanh"), DenseConfig(units, "tanh"), DenseConfig(1, "sigmoid")]
        config.training.epochs = 30
    window.document.edit("Net", change)
    assert window.runner._watch.views and (worker.Probe(window.document.experiment).work_per_point
                                           <= worker.INLINE_FRAME_WORK) == (units == 8)
    window.runner.set_max_rate(200)  # slow, until a coarse frame was shown
    coarse = []
    show = window.boundary.show_picture
    monkeypatch.setattr(window.boundary, "show_picture",
                        lambda picture: (coarse.append(picture.shape != (100, 100)), show(picture)))
    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(coarse), timeout=WAIT)  # frames while training are coarse …
    window.runner.set_max_rate(None)  # … then on to the end
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    qtbot.waitUntil(lambda: window.status_label.text().startswith("Finished"), timeout=WAIT)
    assert window.boundary.current_image().shape == (100, 100, 4)  # … the finished run's is the finest

"""The window as a user drives it: build a network in the panels, play, watch the loss
fall and the boundary change, pause, step, edit while training, diverge, close."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QSpinBox

from nnplay.core.experiment import Experiment
from nnplay.core.report import compact_number
from nnplay.core.trainer import StopReason
from tests.gui.panel_helpers import child, pick, type_into
from nnplay.gui.plots.boundary import picture_of
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

    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))  # still training at the pause
    untrained = Experiment(window.document.experiment.to_config())
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
    grid = window.boundary.grid
    assert window.boundary.current_image().shape == (*grid.shape, 4)
    assert min(grid.shape) == 100  # the finest grid, shaped to the plot
    palette = window.boundary.feed.palette
    trained = picture_of(window.document.experiment.predict(grid.points), grid.shape, grid.xs, palette).rgba
    # the app evaluates the grid in float32: an output within float32's rounding of a step of
    # the colour table comes out one step off (seen: 2 channels of 1 pixel of 12,600, by 1)
    off = np.abs(window.boundary.current_image().astype(int) - trained.astype(int)).max(axis=-1)
    assert off.max() <= 2 and np.count_nonzero(off) <= 0.001 * off.size
    assert not np.allclose(picture_of(untrained.predict(grid.points), grid.shape, grid.xs, palette).rgba,
                           trained, atol=1e-3)


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


def test_one_step_draws_a_segment_from_the_initial_loss(qtbot, window):
    """The curves start at epoch 0, the weights before any update: one Step draws a line,
    not a lone point; Reset takes the old start away, and the next Step measures anew."""
    for _ in range(2):
        qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
        history = window.document.experiment.trainer.history
        for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
            epochs, values = window.curves.curves[name].getData()
            assert list(epochs) == [0, 1]
            assert list(values) == [history.initial[name], history[name][0]]
        qtbot.mouseClick(button(window, "resetButton"), Qt.MouseButton.LeftButton)
        drawn = window.curves.curves["train_loss"].getData()[0]
        assert window.curves.buffers.n == 0 and (drawn is None or len(drawn) == 0)


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
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))  # still training at each edit
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
    trainer = window.document.experiment.trainer
    assert trainer.stop_reason == StopReason.EARLY_STOPPED
    best, last = trainer.restored_epoch, trainer.epoch
    assert best < last
    status = window.status_label.text()
    assert status.startswith(f"Early stopped at epoch {last}: no better validation loss for 2 epochs; "
                             f"best validation loss at epoch {best}, restored: train loss")
    # the numbers on screen are those of the weights on screen: the restored epoch's
    row = trainer.history["epoch"].index(best)
    loss = window.transport.loss_label.text()
    assert compact_number(trainer.history["val_loss"][row]) in loss
    assert compact_number(trainer.history["val_loss"][-1]) not in loss
    assert f"<b>{best}</b> of {last}" in window.transport.epoch_label.text()
    # and the curves mark that epoch
    marks = window.curves.restored_lines
    assert all(line.isVisible() and line.value() == best for line in marks)
    window.document.edit("Batch size", lambda c: setattr(c.training, "batch_size", 20))  # keeps the weights
    assert window.document.experiment.trainer.restored_epoch == best
    assert f"<b>{best}</b> of {last}" in window.transport.epoch_label.text()
    assert window.status_label.text().startswith(f"At epoch {last}, with the weights of epoch {best}")
    window.step_epoch()  # training on leaves the restored weights behind
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT)
    assert not any(line.isVisible() for line in marks) and "of" not in window.transport.epoch_label.text()


def test_slow_speed_shows_each_step_and_pauses_at_once(qtbot, window):
    """Slow speeds make a frame of every update; pausing cuts the wait for the next one
    short (shown with a wait of an hour: the run must end long before)."""
    made = []  # the update each boundary picture was made after
    prepare = window.boundary.feed.prepare

    def recording(results, snapshot):
        made.append(snapshot.updates)
        return prepare(results, snapshot)

    window.boundary.feed.prepare = recording
    window.transport.speed.setValue(1)  # 3 updates a second
    assert window.runner.max_rate == 3
    window.play()
    qtbot.waitUntil(lambda: len(made) >= 3, timeout=WAIT)
    assert made[:3] == [1, 2, 3]  # each step its own picture
    # an hour between updates, from the wait the training thread reads it for: after update
    # 3 (if it reads it while the window paints that frame) or 4
    window.runner.set_max_rate(1 / 3600)
    qtbot.waitUntil(lambda: window.document.experiment.trainer.update_in_epoch >= 3, timeout=WAIT)
    qtbot.wait(400)  # longer than a wait at the old speed: the run now sits in its hour-long one
    updates = window.document.experiment.trainer.update_in_epoch
    with qtbot.waitSignal(window.runner.stopped, timeout=WAIT):
        qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)
        assert not window.training
    assert window.document.experiment.trainer.update_in_epoch == updates  # no update after the click
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
    assert not window.training and window.document.example.name == "xor.nnp"  # an untitled copy
    assert window.document.experiment.trainer.epoch == 0
    assert not [r for r in qtlog.records if "QThread" in r.message]


@pytest.mark.parametrize("ending", ["pause", "finish", "stop"])
def test_every_run_ends_with_every_epoch_drawn_and_the_final_numbers(qtbot, window, ending):
    """Frames the window had not shown when the run ended are not lost, however it ended
    (the pause button; the Epochs setting reached; a stop for an edit, Reset or Open):
    their rows reach the curves, and the numbers are the last epoch's."""
    epochs = 40 if ending == "finish" else 10**6  # else paused, not finished
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", epochs))
    window.play()
    trainer = window.document.experiment.trainer
    if ending == "finish":
        qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT)
        assert trainer.epoch == 40 and window.status_label.text().startswith("Finished at epoch 40")
    else:
        qtbot.waitUntil(lambda: trainer.epoch >= 30, timeout=WAIT)
    if ending == "pause":
        qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)
        try:
            qtbot.waitUntil(lambda: window.status_label.text().startswith("Paused"), timeout=WAIT)
        except Exception:
            views = window.runner._views
            raise AssertionError(
                f"{window.status_label.text()!r}, busy {window.runner.busy}, views "
                f"{views and (views.isRunning(), views.failure, views.inbox._item, views.outbox._item)}, "
                f"training {window.runner._training and window.runner._training.isRunning()}")
    elif ending == "stop":
        window.stop_training()  # as an edit, Reset or Open do before they change the engine
        assert not window.runner.busy
    history = trainer.history
    np.testing.assert_array_equal(window.curves.buffers.column("epoch"), [0, *history["epoch"]])
    for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        drawn_epochs, drawn = window.curves.curves[name].getData()
        np.testing.assert_array_equal(drawn_epochs, [0, *history["epoch"]])  # drawn, not only buffered
        np.testing.assert_array_equal(drawn, [history.initial[name], *history[name]])
    assert f"<b>{trainer.epoch:,}</b>" in window.transport.epoch_label.text()
    last = history.last("train_loss"), history.last("val_loss")
    assert all(compact_number(value) in window.transport.loss_label.text() for value in last)


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
    # the plot's grid follows its shape once the window is laid out: that repaint is not a frame's
    qtbot.waitUntil(lambda: not window._reshape_timer.isActive(), timeout=WAIT)
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

    monkeypatch.setattr(worker, "GRID_PASS_BUDGET_S", 0.0)  # the coarsest grid for every frame while training …
    monkeypatch.setattr(worker, "INLINE_GRID_PASS_SHARE", 0.0)  # … whichever thread makes them

    def change(config):
        config.layers = [DenseConfig(units, "tanh"), DenseConfig(units, "tanh"), DenseConfig(1, "sigmoid")]
        config.training.epochs = 30
    window.document.edit("Net", change)
    assert window.runner._watch.views and (worker.Probe(window.document.experiment).work_per_point
                                           <= worker.INLINE_FRAME_WORK) == (units == 8)
    qtbot.waitUntil(lambda: not window._reshape_timer.isActive(), timeout=WAIT)  # the grid fits the plot now
    window.runner.set_max_rate(200)  # slow, until a coarse frame was shown
    coarse = []
    show = window.boundary.show_picture
    monkeypatch.setattr(window.boundary, "show_picture",
                        lambda picture: (coarse.append(picture.shape != window.grid.shape), show(picture)))
    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(coarse), timeout=WAIT)  # frames while training are coarse …
    window.runner.set_max_rate(None)  # … then on to the end
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    qtbot.waitUntil(lambda: window.status_label.text().startswith("Finished"), timeout=WAIT)
    assert window.boundary.current_image().shape == (*window.grid.shape, 4)  # … the finished run's is the finest

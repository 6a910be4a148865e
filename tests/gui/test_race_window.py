"""The Race window as a user drives it: pick what varies, start, watch the runs side by
side, pause, step and stop them together, open one in the main window; bad picks are
a dialog and nothing starts. The runs really start from the same weights and compute
what the sweeps engine computes for them, to the bit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QMessageBox, QPushButton, QToolButton

from nnplay.core.experiment import Experiment
from nnplay.io.networkfile import loads_network
from nnplay.io.schema import parse_network
from nnplay.sweeps import RunPlan, run_plan
from nnplay.gui.compare.race_window import start_text
from tests.gui.compare_helpers import WAIT
from tests.gui.panel_helpers import child, type_into
from tests.gui.window_fixtures import weights_equal


def click(qtbot, widget) -> None:
    """Click ``widget`` where a user would: a check box on its box (its middle may be empty space)."""
    pos = QPoint(8, widget.height() // 2) if isinstance(widget, QCheckBox) else widget.rect().center()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def keep_only(qtbot, window, key: str, *texts: str) -> None:
    """Leave only the check boxes ``texts`` ticked in the picked row ``key``."""
    row = window.picker.row(key)
    for box in row.findChildren(QCheckBox):
        if box.isChecked() != (box.text() in texts):
            click(qtbot, box)


def toolbar_button(window, action) -> QToolButton:
    """The toolbar's button for ``action``, as a user sees it."""
    return next(b for b in window.findChildren(QToolButton) if b.defaultAction() is action)


def start(qtbot, window, epochs: int) -> None:
    type_into(qtbot, child(window, type(window.epochs), "raceEpochsSpin"), str(epochs))
    click(qtbot, child(window, QPushButton, "raceStartButton"))
    assert window.race is not None, "the race did not start"


def initial_dense_weights(plan) -> list:
    cfg = parse_network(plan.network)
    return [layer for layer in Experiment(cfg).network.get_weights() if "W" in layer]


def test_every_optimizer_races_from_the_same_start_and_matches_the_engine(qtbot, race_window, tiny_window, dialogs):
    window = race_window
    assert window.picker.rows[0].choice.key == "optimizer.name"  # every optimizer, ticked
    assert all(box.isChecked() for box in window.picker.rows[0].findChildren(QCheckBox))
    keep_only(qtbot, window, "optimizer.name", "SGD", "Adam")
    assert window.count_label.text().startswith("2 runs, each in its own process")
    start(qtbot, window, 5)
    qtbot.waitUntil(lambda: not window.running, timeout=WAIT)

    assert [view.label for view in window.views] == ["SGD", "Adam"]
    assert window.shared_label.text() == start_text(True, True)
    first, second = (initial_dense_weights(plan) for plan in window.plans)
    assert weights_equal(first, second)  # what the banner says is so
    assert all(view.status == "finished" and view.epoch == 5 for view in window.views)
    for run, tile in window.tiles.items():
        image = tile.plot.current_image()
        assert image is not None and image.shape == (50, 50, 4)
    assert not np.array_equal(window.tiles[0].plot.current_image(), window.tiles[1].plot.current_image())
    for run, curve in window.curves.curves.items():
        x, y = curve.getData()
        assert list(x) == [1, 2, 3, 4, 5] and np.all(np.isfinite(y))
    assert window.table.item(1, 1).text() == "finished" and window.table.item(1, 2).text() == "5"
    for run, curve in window.gradients.curves.items():  # the first hidden layer's gradient RMS, per epoch
        x, y = curve.getData()
        assert list(x) == [1, 2, 3, 4, 5] and np.all(np.isfinite(y))
        assert window.table.item(run, window.table.COLUMNS.index("RMS ∂J/∂W₁")).text() == \
            f"{window.views[run].gradients.last('dense1'):.4g}"
    assert window.status.text() == "The race is over: 2 finished."

    # each run computed exactly what the sweeps engine computes for its plan
    engine = {plan.run: loads_network(run_plan(RunPlan(plan.run, plan.network)).network) for plan in window.plans}
    window.table.selectRow(1)
    click(qtbot, toolbar_button(window, window.open_action))
    qtbot.waitUntil(lambda: tiny_window.document.experiment.config.name.endswith("Adam"), timeout=WAIT)
    opened = tiny_window.document.experiment
    assert weights_equal(opened.network.get_weights(), engine[1].weights)
    assert opened.trainer.history.to_dict() == engine[1].history and opened.trainer.epoch == 5
    assert tiny_window.document.path is None and tiny_window.document.modified  # an untitled copy
    assert opened.config.optimizer.name == "adam"
    assert "untitled copy" in tiny_window.status_label.text()


def test_pause_step_and_stop_act_on_every_run(qtbot, race_window):
    window = race_window
    keep_only(qtbot, window, "optimizer.name", "Momentum", "RMSProp (the chapters' “adadelta”)")
    start(qtbot, window, 1_000_000)
    qtbot.waitUntil(lambda: all(view.epoch >= 2 for view in window.views), timeout=WAIT)

    click(qtbot, toolbar_button(window, window.pause_action))
    assert window.pause_action.text() == "Resume"
    qtbot.waitUntil(lambda: all(view.paused for view in window.views), timeout=WAIT)
    before = [view.epoch for view in window.views]
    window.tick()
    assert [view.epoch for view in window.views] == before  # paused runs stay put

    click(qtbot, toolbar_button(window, window.step_action))
    qtbot.waitUntil(lambda: all(view.paused and view.epoch == b + 1 for view, b in zip(window.views, before)),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: all(row[1] == "paused" for row in _table(window)), timeout=WAIT)  # 4 times a second

    click(qtbot, toolbar_button(window, window.pause_action))  # resume
    qtbot.waitUntil(lambda: all(view.epoch >= b + 3 for view, b in zip(window.views, before)), timeout=WAIT)
    click(qtbot, toolbar_button(window, window.stop_action))
    qtbot.waitUntil(lambda: not window.running, timeout=WAIT)
    assert all(view.status == "interrupted" and view.state == "stopped" for view in window.views)
    assert all(b + 3 <= view.epoch < 1_000_000 for view, b in zip(window.views, before))
    assert not window.pause_action.isEnabled() and window.start_button.isEnabled()


def _table(window) -> list[list[str]]:
    return [[window.table.item(r, c).text() for c in range(window.table.columnCount())]
            for r in range(window.table.rowCount())]


def test_dropout_with_and_without_and_the_truth_about_the_start(qtbot, race_window, boxes):
    window = race_window
    window.picker.remove(window.picker.row("optimizer.name"))
    window.picker.action("layers:dropout").trigger()  # Layers ▸ Dropout layers
    assert window.count_label.text().startswith("2 runs")
    start(qtbot, window, 2)
    assert [view.label for view in window.views] == ["without Dropout", "with Dropout"]
    assert window.shared_label.text() == start_text(True, True)  # dropout draws no weights
    assert [layer["type"] for layer in window.plans[1].network["layers"]] == ["dense", "dropout", "dense"]
    qtbot.waitUntil(lambda: not window.running, timeout=WAIT)

    # wider layers draw other weights: the window says so rather than claim a shared start
    window.picker.clear()
    window.picker.action("layers[0].units").trigger()
    row = window.picker.row("layers[0].units")
    row.findChild(QLineEdit, "valuesEdit").setText("3, 5")
    start(qtbot, window, 1)
    assert window.shared_label.text() == start_text(False, True)
    assert [view.label for view in window.views] == ["layer 1 units 3", "layer 1 units 5"]
    qtbot.waitUntil(lambda: not window.running, timeout=WAIT)
    assert not boxes


@pytest.mark.parametrize("path, values, message", [
    ("training.batchsize", "3", "run 0 (training.batchsize 3): training.batchsize: the network file has no "
                                "such setting; did you mean training.batch_size?"),
    ("optimizer.lr", "0.1, -1", "run 1 (optimizer.lr -1): optimizer.lr: must be a number > 0"),
    ("<img src='/dev/zero'>", "1", "'<img src='/dev/zero'>' is not a dotted path"),
])
def test_a_bad_pick_is_a_dialog_naming_the_field_and_nothing_starts(qtbot, race_window, boxes, path, values,
                                                                    message):
    window = race_window
    window.picker.clear()
    window.picker.action("any").trigger()
    row = window.picker.rows[0]
    row.findChild(QLineEdit, "pathEdit").setText(path)
    row.findChild(QLineEdit, "valuesEdit").setText(values)
    click(qtbot, child(window, QPushButton, "raceStartButton"))
    assert window.race is None and not window.views
    (title, text, text_format), = boxes
    assert title == "Cannot start the race" and message in text
    assert text_format == Qt.TextFormat.PlainText


def test_opening_a_run_asks_about_unsaved_changes_first(qtbot, race_window, tiny_window, dialogs):
    window = race_window
    keep_only(qtbot, window, "optimizer.name", "SGD")
    tiny_window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 77))  # unsaved
    start(qtbot, window, 2)
    qtbot.waitUntil(lambda: not window.running, timeout=WAIT)
    dialogs["answers"].append(QMessageBox.StandardButton.Cancel)
    qtbot.mouseDClick(window.tiles[0].plot.graphics.viewport(), Qt.MouseButton.LeftButton)
    assert dialogs["question"][-1][0] == "Unsaved changes"
    assert tiny_window.document.config.training.epochs == 77 and window._open_when_fetched is None

    window.tiles[0].activated.emit(0)  # again, discarding the changes this time
    qtbot.waitUntil(lambda: tiny_window.document.experiment.trainer.epoch == 2, timeout=WAIT)
    assert tiny_window.document.config.optimizer.name == "sgd"


def test_closing_the_main_window_ends_the_race(qtbot, race_window, tiny_window):
    window = race_window
    keep_only(qtbot, window, "optimizer.name", "SGD")
    start(qtbot, window, 1_000_000)
    qtbot.waitUntil(lambda: window.views[0].epoch >= 1, timeout=WAIT)
    processes = [worker.process for worker in window.race.pool.workers]
    tiny_window.document._trained_since_save = False
    tiny_window.close()
    qtbot.waitUntil(lambda: window.race is None, timeout=WAIT)
    assert not window.isVisible() and not any(p.is_alive() for p in processes)


def test_labels_from_the_user_are_shown_as_text(qtbot, race_window, boxes):
    window = race_window
    window.picker.clear()
    window.picker.action("any").trigger()
    row = window.picker.rows[0]
    row.findChild(QLineEdit, "pathEdit").setText("name")  # a network's name is a setting too
    hostile = "<img src='/x'><b>b</b>"  # short enough for the legend's 28 characters
    row.findChild(QLineEdit, "valuesEdit").setText(json.dumps(hostile))
    start(qtbot, window, 1)
    label = f"name {hostile}"
    assert window.views[0].label == label
    assert window.tiles[0].caption.text() == label
    assert window.tiles[0].caption.textFormat() == Qt.TextFormat.PlainText
    (_, legend_label), = window.curves.legend.items
    assert legend_label.item.toPlainText() == label
    assert window.table.item(0, 0).text() == label
    qtbot.waitUntil(lambda: not window.running, timeout=WAIT)
    assert not boxes


def test_a_frame_paints_at_most_its_share_of_maps_the_longest_waiting_first(qtbot, race_window):
    from nnplay.gui.compare import WORKER_NICE
    from nnplay.gui.compare.race_window import FRAME_MS, TILE_PAINTS_PER_S, snapshot_interval

    window = race_window
    start(qtbot, window, 2)  # seven optimizers: more maps than a frame's share
    assert window.race.pool.nice == WORKER_NICE
    assert window.plans[0].stream.interval == snapshot_interval(7) == 7 / TILE_PAINTS_PER_S
    qtbot.waitUntil(lambda: window.race is not None and window.race.finished and not window._waiting, timeout=WAIT)
    share = round(TILE_PAINTS_PER_S * FRAME_MS / 1000)
    before = {run: tile.plot.draws for run, tile in window.tiles.items()}
    window._waiting = dict.fromkeys([5, 1, 6, 0, 2])
    window._paint_tiles()
    drawn = [run for run, tile in window.tiles.items() if tile.plot.draws > before[run]]
    assert sorted(drawn) == sorted([5, 1, 6, 0, 2][:share]) and list(window._waiting) == [5, 1, 6, 0, 2][share:]


def test_the_curves_axes_move_in_steps(qtbot):
    from nnplay.gui.compare.race_views import RaceCurves, RunView

    curves = RaceCurves()
    qtbot.addWidget(curves)
    view = RunView(0, "run", "#000000")
    curves.set_runs([view], "train_loss")

    def add(epochs, loss):
        start = view.history.n
        view.history.extend(start, {"epoch": list(range(start + 1, start + 1 + epochs)), "train_loss": [loss] * epochs})
        curves.redraw([0])
        (x0, x1), (y0, y1) = curves.plot.getViewBox().viewRange()
        return round(x1, 6), round(y1, 6)

    assert add(5, 0.7) == (10.0, 1.0)
    assert add(4, 0.5) == (10.0, 1.0)  # 9 epochs: the axis stays
    assert add(1, 0.5) == (20.0, 1.0)  # 10 of 10: it grows by half again, to a round number
    assert add(1, 3.0) == (20.0, 5.0)

    curves.set_runs([view], "train_loss", regression=True)  # no accuracy to offer
    enabled = {curves.metric_combo.itemData(i): curves.metric_combo.model().item(i).isEnabled()
               for i in range(curves.metric_combo.count())}
    assert enabled == {"train_loss": True, "val_loss": True, "train_accuracy": False, "val_accuracy": False}


def test_the_curves_widget_keeps_qt_s_metric(qtbot):
    """An attribute named ``metric`` hid QWidget.metric, which Qt calls to paint the widget
    on its own (a segmentation fault)."""
    from nnplay.gui.compare.race_gradients import RaceGradients
    from nnplay.gui.compare.race_views import RaceCurves

    for widget in (RaceCurves(), RaceGradients()):
        qtbot.addWidget(widget)
        assert callable(widget.metric)
        widget.show()
        assert not widget.grab().isNull()

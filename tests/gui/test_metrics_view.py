"""The Metrics tab, driven as a user would: the confusion matrices follow training, and
clicking a cell rings its points on the boundary plot; for regression, RMSE, R² and the
predicted-against-true plot."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from nnplay.core.metrics import r_squared, rmse, set_metrics
from nnplay.core.report import compact_number
from nnplay.gui.file_actions import examples_dir
from tests.gui.window_fixtures import button

WAIT = 20_000


def _show_metrics(qtbot, window):
    window.metrics_dock.raise_()
    qtbot.waitUntil(lambda: window.dock_on_screen(window.metrics_dock), timeout=WAIT)


def _step(qtbot, window):
    qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT)


def _engine_metrics(window, which):
    experiment = window.document.experiment
    data = experiment.trainer.data
    x, labels = (data.x_train, data.labels_train) if which == "train" else (data.x_val, data.labels_val)
    config = experiment.config
    return set_metrics(config.task, config.loss, experiment.dataset.n_classes, experiment.network.predict(x), labels)


def _cell_text(table, row, column):
    item = table.item(row, column)
    return None if item is None else item.text()


def test_the_confusion_matrices_follow_training_and_a_click_rings_the_points(qtbot, window):
    window.resize(1500, 900)
    qtbot.waitExposed(window)
    _show_metrics(qtbot, window)
    metrics = window.metrics
    assert window.findChild(type(window.metrics_dock), "metricsDock") is window.metrics_dock
    # before any training: the untrained network's matrix (an idle frame, made when the tab came up)
    qtbot.waitUntil(lambda: metrics.picture is not None, timeout=WAIT)
    for _ in range(3):
        _step(qtbot, window)
    qtbot.waitUntil(lambda: metrics.picture is not None and metrics.picture.train.n > 0, timeout=WAIT)
    for which in ("train", "val"):
        expected = _engine_metrics(window, which)
        table = metrics.tables[which]
        assert (table.rowCount(), table.columnCount()) == (2, 2)
        for i in range(2):
            for j in range(2):
                rate = expected.rates[i, j]
                assert _cell_text(table, i, j) == f"{expected.counts[i, j]:,} ({100 * rate:.0f}%)"
    train = _engine_metrics(window, "train")
    assert f"training: accuracy {100 * train.accuracy:.1f}%" in metrics.summary.text()
    assert train.accuracy == window.document.experiment.trainer.history.last("train_accuracy")

    # the user clicks the cell "true 1, taken for 0" of the training set
    table = metrics.tables["train"]
    rect = table.visualRect(table.model().index(1, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert metrics.selected == ("train", 1, 0)
    split = window.document.experiment.split
    wanted = split.train.x[(split.train.y == 1) & (train.predicted == 0)]
    ringed = np.column_stack(window.boundary.highlighted.getData())
    assert len(ringed) == train.counts[1, 0] == len(wanted)
    np.testing.assert_array_equal(ringed, wanted)
    assert f"{len(wanted):,} training points of class 1, taken for class 0" in window.status_label.text()

    # the diagonal: points classified right
    rect = table.visualRect(table.model().index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(window.boundary.highlighted.getData()[0]) == train.counts[0, 0]
    # clicking it again clears the rings
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert metrics.selected is None and len(window.boundary.highlighted.getData()[0]) == 0


def test_the_rings_follow_training(qtbot, window):
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 30))
    _show_metrics(qtbot, window)
    metrics = window.metrics
    qtbot.waitUntil(lambda: metrics.picture is not None, timeout=WAIT)
    untrained = metrics.picture.train.counts[1, 1]
    table = metrics.tables["train"]
    rect = table.visualRect(table.model().index(1, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(window.boundary.highlighted.getData()[0]) == untrained
    window.play()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT)
    expected = _engine_metrics(window, "train")
    qtbot.waitUntil(lambda: np.array_equal(metrics.picture.train.counts, expected.counts), timeout=WAIT)
    assert metrics.selected == ("train", 1, 1)
    assert len(window.boundary.highlighted.getData()[0]) == expected.counts[1, 1]
    assert window.document.experiment.trainer.epoch == 30


def test_a_hidden_metrics_tab_costs_nothing(qtbot, window):
    window.curves_dock.raise_()
    qtbot.waitUntil(lambda: not window.dock_on_screen(window.metrics_dock), timeout=WAIT)
    _step(qtbot, window)
    assert window.metrics.picture is None  # nothing computed for it while hidden
    assert window.metrics.feed not in window.runner.watch.views


def test_regression_shows_rmse_r2_and_predicted_against_true(qtbot, window):
    assert window.file_actions.open_path(examples_dir() / "ripple_rmsprop.nnp")
    _show_metrics(qtbot, window)
    metrics = window.metrics
    assert metrics.stack.currentWidget() is metrics.scatter_view
    for _ in range(2):
        _step(qtbot, window)
    qtbot.waitUntil(lambda: metrics.picture is not None and metrics.picture.setup.task == "regression", timeout=WAIT)
    experiment = window.document.experiment
    data = experiment.trainer.data
    predicted = experiment.network.predict(data.x_train)[:, 0]
    qtbot.waitUntil(lambda: np.array_equal(metrics.scatters["train"].getData()[1], predicted), timeout=WAIT)
    expected_rmse, expected_r2 = rmse(predicted, data.labels_train), r_squared(predicted, data.labels_train)
    # the loss is the mean of ½(ŷ − y)² or (ŷ − y)²: RMSE is its root, in the data's own units
    assert f"training: RMSE {compact_number(expected_rmse)}, R² {compact_number(expected_r2)}" in \
        metrics.summary.text()
    true, shown = metrics.scatters["train"].getData()
    np.testing.assert_array_equal(true, data.labels_train)
    assert len(metrics.scatters["val"].getData()[0]) == len(data.labels_val)


def test_rmse_and_r2_beside_the_loss_for_regression(qtbot, window):
    label = window.curves.regression_numbers
    assert not label.isVisible()  # the default network classifies: its accuracy is shown instead
    assert window.file_actions.open_path(examples_dir() / "ripple_rmsprop.nnp")
    window.curves_dock.raise_()
    qtbot.waitUntil(lambda: window.dock_on_screen(window.curves_dock), timeout=WAIT)
    assert label.isVisible() and not window.curves.accuracy_plot.isVisible()
    _step(qtbot, window)
    experiment = window.document.experiment
    data = experiment.trainer.data
    numbers = []
    for x, y in ((data.x_train, data.labels_train), (data.x_val, data.labels_val)):
        predicted = experiment.network.predict(x)[:, 0]
        numbers.append((rmse(predicted, y), r_squared(predicted, y)))
    (train_rmse, train_r2), (val_rmse, val_r2) = numbers
    expected = [compact_number(v) for v in (train_rmse, val_rmse, train_r2, val_r2)]
    qtbot.waitUntil(lambda: all(f">{text}<" in label.text() for text in expected), timeout=WAIT)
    assert label.text().startswith("RMSE") and "R²" in label.text()

"""The Search window as a user drives it: choose parameters and values or
distributions, see the number of runs, start, watch the progress, sort the table,
double-click a row or a heatmap cell to open a run, cancel (finished runs kept), save
the search as a sweep file `nnplay sweep` runs, open a results folder; a bad sweep
file or path is a dialog naming the field, and nothing starts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

from nnplay.cli import main as cli_main
from nnplay.io.networkfile import read_network
from nnplay.sweeps import SweepSession, read_sweep, sweep_to_dict
from nnplay.sweeps.results import parse_csv
from tests.gui.compare_helpers import WAIT
from tests.gui.panel_helpers import child, pick, type_into
from tests.gui.window_fixtures import weights_equal
from tests.sweeps.helpers import base_network, sweep_obj, write_json


def set_values(window, key: str, text: str) -> None:
    window.picker.row(key).findChild(QLineEdit, "valuesEdit").setText(text)


def prepare(qtbot, window, folder, epochs=3, workers=2) -> None:
    type_into(qtbot, window.epochs, str(epochs))
    window.workers_spin.setValue(workers)
    edit = child(window, QLineEdit, "resultsFolderEdit")
    edit.setFocus()
    qtbot.keyClicks(edit, str(folder))


def run(qtbot, window) -> None:
    qtbot.mouseClick(child(window, QPushButton, "searchStartButton"), Qt.MouseButton.LeftButton)
    assert window.runner is not None, "the search did not start"
    qtbot.waitUntil(lambda: window.runner is None, timeout=WAIT)


def double_click(qtbot, widget, pos) -> None:
    """As a mouse does it: press, release, double-click, release (item views need the press)."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=pos)  # pyqtgraph reports a click on release


def shown_rows(window) -> list[list[str]]:
    model = window.model
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_a_grid_search_fills_the_table_and_the_heatmap(qtbot, search_window, tiny_window, tmp_path):
    window = search_window
    assert [row.choice.key for row in window.picker.rows] == ["optimizer.lr", "layers[0].units"]
    set_values(window, "optimizer.lr", "0.01, 0.3")
    set_values(window, "layers[0].units", "2, 4, 8")
    prepare(qtbot, window, tmp_path / "grid")
    assert window.count_label.text() == "6 runs (2 × 3) of 3 epochs each."
    run(qtbot, window)

    folder = tmp_path / "grid"
    names, rows = parse_csv((folder / "results.csv").read_text())
    assert [cells[names.index("status")] for cells in rows] == ["finished"] * 6
    assert window.progress.value() == 6 and window.progress.maximum() == 6
    assert window.status.text().startswith("Done: 6 runs; results in")
    session = SweepSession.open(folder)
    best = session.best()
    table = shown_rows(window)
    assert [r[0] for r in table] == [f"{k}  ★" if k == best.run else str(k) for k in range(6)]
    assert [r[3] for r in table] == ["finished"] * 6
    assert table[4][1:3] == ["0.3", "4"]
    assert float(table[4][names.index("val_loss")]) == pytest.approx(session.rows[4].metrics["val_loss"], rel=1e-3)

    hm = window.heatmap.map
    assert hm.x.log and hm.y.log and hm.z.shape == (3, 2) and np.isfinite(hm.z).all()
    assert hm.z[1, 1] == session.rows[4].metrics["val_loss"]  # lr 0.3, 4 units

    # sort by validation loss: the best run comes first, as in a ranking
    header = window.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.rect().topLeft() + _section_centre(header, names.index("val_loss")))
    losses = [session.rows[window.model.run_at(r)].metrics["val_loss"] for r in range(6)]
    assert losses == sorted(losses) and window.model.run_at(0) == best.run

    # double-click the table's third row: that run opens in the main window
    third = window.model.run_at(2)
    index = window.model.index(2, 0)
    rect = window.table.visualRect(index)
    double_click(qtbot, window.table.viewport(), rect.center())
    expected = read_network(folder / f"run-{third}.nnp")
    opened = tiny_window.document.experiment
    assert weights_equal(opened.network.get_weights(), expected.weights)
    assert opened.config.name.startswith(f"tiny — run {third} (") and tiny_window.document.path is None

    # double-click the heatmap's cell of lr 0.01 and 8 units: run 2
    plot = window.heatmap
    view = plot.plot.getViewBox()
    scene = view.mapViewToScene(QPointF(np.log10(0.01), np.log10(8)))
    double_click(qtbot, plot.graphics.viewport(), plot.graphics.mapFromScene(scene))
    assert weights_equal(tiny_window.document.experiment.network.get_weights(),
                         read_network(folder / "run-2.nnp").weights)


def _section_centre(header, column):
    from PySide6.QtCore import QPoint

    return QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2, header.height() // 2)


def test_a_random_search_draws_points_and_cancel_keeps_finished_runs(qtbot, search_window, tmp_path):
    window = search_window
    pick(window.search_combo, "Random")
    window.runs_spin.setValue(4)
    window.seed_spin.setValue(5)
    row = window.picker.row("optimizer.lr")
    assert row.distribution.isVisible() and row.distribution.currentData() == "log_uniform"
    row.low_edit.setText("0.001")
    row.high_edit.setText("0.5")
    units = window.picker.row("layers[0].units")
    assert units.distribution.currentData() == "int_uniform"
    prepare(qtbot, window, tmp_path / "random", epochs=2)
    assert window.count_label.text() == "4 runs, each drawing its values of 2 epochs each."
    run(qtbot, window)
    sweep = read_sweep(tmp_path / "random" / "sweep.json")
    assert sweep.parameters[0].kind == "log_uniform" and (sweep.parameters[0].low, sweep.parameters[0].high) == (0.001, 0.5)
    hm = window.heatmap.map
    assert len(hm.points) == 4 and hm.x.log and not hm.y.log
    assert len(window.heatmap.points.data) == 4

    # a second search, one of whose runs would train for ever: cancel keeps the first
    pick(window.search_combo, "Grid")
    window.picker.clear()
    window.picker.action("training.epochs").trigger()
    set_values(window, "training.epochs", "2, 1000000")
    folder = tmp_path / "cancelled"
    window.folder_edit.setText(str(folder))
    qtbot.mouseClick(child(window, QPushButton, "searchStartButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.rows[0].status == "finished", timeout=WAIT)  # as the window learnt it
    qtbot.waitUntil(lambda: 1 in window.model.running, timeout=WAIT)
    assert "left" in window.time_left.text()
    qtbot.mouseClick(child(window, QPushButton, "searchCancelButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.runner is None, timeout=WAIT)
    assert window.status.text().startswith("Cancelled: 1 of 2 runs have their results in")
    names, rows = parse_csv((folder / "results.csv").read_text())
    assert [cells[names.index("status")] for cells in rows] == ["finished", ""]
    assert (folder / "run-0.nnp").exists() and not (folder / "run-1.nnp").exists()
    assert [run.index for run in SweepSession.open(folder).pending()] == [1]  # Start again goes on from there


def test_save_a_sweep_file_that_nnplay_sweep_runs_and_open_its_results(qtbot, search_window, tmp_path, capsys):
    window = search_window
    set_values(window, "optimizer.lr", "0.05")
    set_values(window, "layers[0].units", "2, 3")
    window.picker.action("layers:batchnorm").trigger()  # with and without batch norm: 4 runs
    type_into(qtbot, window.epochs, "2")
    pick(window.metric_combo, "Training loss")
    path = tmp_path / "my.sweep.json"
    assert window.save_sweep(path)
    saved = json.loads(path.read_text())
    assert saved["search"] == "grid" and saved["epochs"] == 2 and saved["metric"] == "train_loss"
    assert list(saved["parameters"]) == ["optimizer.lr", "layers"]  # a layer's units folded with the switch
    assert len(saved["parameters"]["layers"]["values"]) == 4
    assert saved["base"]["name"] == "tiny" and saved["base"]["weights"] is None

    out = tmp_path / "from-cli"
    assert cli_main(["sweep", str(path), "-o", str(out), "--workers", "2"]) == 0
    capsys.readouterr()
    assert window.open_results(out)
    assert [row.status for row in window.rows] == ["finished"] * 4
    assert window.picker.rows[1].choice.path == "layers" and window.epochs.value() == 2
    assert window.metric_combo.currentData() == "train_loss"
    assert "the sweep in from-cli" in window.base_label.text()
    assert window.heatmap.empty.text().startswith("The heatmap needs two numeric parameters")  # only the lr
    assert [r[2] for r in shown_rows(window)][:2] == ["2 tanh · 1 sigmoid", "2 tanh · batchnorm · 1 sigmoid"]
    assert window.open_sweep(path) and sweep_to_dict(window.make_sweep()) == sweep_to_dict(read_sweep(path))


@pytest.mark.parametrize("sweep, message", [
    ({"parameters": {"optimizer.lr": {"log_uniform": [0.001, 0.1]}}},
     'my.sweep.json: parameters: optimizer.lr: a grid search lists "values"; log_uniform is for a random search'),
    ({"metric": "<b>val</b>"}, 'my.sweep.json: metric: must be one of val_loss, train_loss, val_accuracy, '
                               'train_accuracy, got "<b>val</b>"'),
])
def test_a_bad_sweep_file_is_a_dialog_naming_the_field(qtbot, search_window, boxes, tmp_path, sweep, message):
    obj = sweep_obj(sweep.pop("parameters", {"optimizer.lr": {"values": [0.1]}}), base_network(), **sweep)
    path = write_json(tmp_path / "my.sweep.json", obj)
    before = [row.choice.key for row in search_window.picker.rows]
    assert not search_window.open_sweep(path)
    assert boxes == [("Cannot open the sweep file", message, Qt.TextFormat.PlainText)]
    assert [row.choice.key for row in search_window.picker.rows] == before


def test_a_bad_path_or_value_starts_nothing(qtbot, search_window, boxes, tmp_path):
    window = search_window
    window.picker.action("any").trigger()
    row = window.picker.rows[-1]
    row.findChild(QLineEdit, "pathEdit").setText("training.batchsize")
    row.findChild(QLineEdit, "valuesEdit").setText("4")
    window.folder_edit.setText(str(tmp_path / "never"))
    window.folder_chosen = True
    assert window.count_label.text() == ("parameters: training.batchsize: the network file has no such setting; "
                                         "did you mean training.batch_size?")  # said before Start, too
    qtbot.mouseClick(child(window, QPushButton, "searchStartButton"), Qt.MouseButton.LeftButton)
    assert window.runner is None and not (tmp_path / "never").exists()
    title, text, text_format = boxes[-1]
    assert title == "Cannot start the search" and text_format == Qt.TextFormat.PlainText
    assert text == "parameters: training.batchsize: the network file has no such setting; " \
                   "did you mean training.batch_size?"
    window.picker.remove(row)
    set_values(window, "layers[0].units", "4, 0")
    qtbot.mouseClick(child(window, QPushButton, "searchStartButton"), Qt.MouseButton.LeftButton)
    assert window.runner is None and not (tmp_path / "never").exists()
    assert boxes[-1][1].startswith("run 1 (optimizer.lr 0.005, layers[0].units 0): layers[0].units: must be")


def test_without_dask_the_cluster_option_says_how_to_install_it(qtbot, search_window, boxes, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a))
    window = search_window
    pick(child(window, QComboBox, "searchWhereCombo"), "Dask")
    assert not window.scheduler_edit.isEnabled()
    assert window.scheduler_note.text() == ("Running on a Dask cluster needs Dask's distributed package: "
                                            "pip install 'nnplay[cluster]'")
    qtbot.mouseClick(child(window, QPushButton, "searchStartButton"), Qt.MouseButton.LeftButton)
    assert window.runner is None and "pip install 'nnplay[cluster]'" in boxes[-1][1]


def test_a_dask_cluster_gives_the_numbers_of_local_processes(qtbot, search_window, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    window = search_window
    pools = []
    shown = window._pool_ready
    monkeypatch.setattr(window, "_pool_ready", lambda size, where: (pools.append(where), shown(size, where)))
    set_values(window, "optimizer.lr", "0.01, 0.1")
    set_values(window, "layers[0].units", "3")
    prepare(qtbot, window, tmp_path / "local", epochs=2)
    run(qtbot, window)
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster:
        pick(child(window, QComboBox, "searchWhereCombo"), "Dask")
        window.scheduler_edit.setText(cluster.scheduler_address)
        window.folder_edit.setText(str(tmp_path / "dask"))
        run(qtbot, window)
    for k in range(2):
        assert (tmp_path / "dask" / f"run-{k}.nnp").read_bytes() == (tmp_path / "local" / f"run-{k}.nnp").read_bytes()
    assert pools == ["2 local processes", f"the Dask cluster at {cluster.scheduler_address}"]
    assert window.status.text().startswith("Done: 2 runs; results in")


def test_diverged_runs_are_marked_in_the_table_and_the_heatmap(qtbot, search_window, tiny_window, tmp_path):
    from nnplay.io.schema import parse_network

    blows_up = base_network(name="tiny", optimizer={"name": "sgd", "lr": 0.05}, loss="squared",
                            layers=[{"type": "dense", "units": 8, "activation": "relu"},
                                    {"type": "dense", "units": 1, "activation": "identity"}])
    tiny_window.document.replace(parse_network(blows_up), None)
    window = search_window
    window.picker.clear()
    for key, values in (("optimizer.lr", "0.01, 10"), ("layers[0].units", "4, 8")):
        window.picker.action(key).trigger()
        set_values(window, key, values)
    prepare(qtbot, window, tmp_path / "diverging", epochs=3)
    run(qtbot, window)
    statuses = [row.status for row in window.rows]
    assert statuses == ["finished", "finished", "diverged", "diverged"]
    table = shown_rows(window)
    status_column = window.model.columns.index("status")
    assert [r[status_column] for r in table] == statuses
    assert window.model.data(window.model.index(2, status_column), Qt.ItemDataRole.ForegroundRole).name() == "#b35900"
    hm = window.heatmap.map
    assert hm.marked[:, 1].all() and not hm.marked[:, 0].any()
    marks = window.heatmap.marks.data
    assert hm.x.log and not hm.y.log  # 0.01 and 10 are three decades apart; 4 and 8 are not log-spaced
    assert sorted((float(m["x"]), float(m["y"])) for m in marks) == [(1.0, 4.0), (1.0, 8.0)]
    assert window.status.text().startswith("Done: 4 runs; results in")


def test_a_scheduler_that_cannot_be_reached_is_a_dialog_and_nothing_runs(qtbot, search_window, boxes, tmp_path,
                                                                          monkeypatch):
    from nnplay.gui.compare import search_runner
    from nnplay.sweeps.dask_pool import ClusterError

    def unreachable(address):
        raise ClusterError(f"cannot reach the Dask scheduler at {address} (Timed out)")

    monkeypatch.setattr(search_runner, "DaskPool", unreachable)
    monkeypatch.setattr("nnplay.gui.compare.search_window.dask_installed", lambda: True)
    window = search_window
    pick(child(window, QComboBox, "searchWhereCombo"), "Dask")
    window.scheduler_edit.setText("tcp://127.0.0.1:9")
    prepare(qtbot, window, tmp_path / "never-run", epochs=2)
    run(qtbot, window)
    assert boxes == [("Cannot run the search", "cannot reach the Dask scheduler at tcp://127.0.0.1:9 (Timed out)",
                      Qt.TextFormat.PlainText)]
    assert all(row.status is None for row in window.rows) and window.start_button.isEnabled()


def test_the_users_epochs_and_metric_stay_while_the_main_network_changes(qtbot, search_window, tiny_window):
    window = search_window
    assert window.epochs.value() == 6 and window.metric_combo.currentData() == "val_loss"
    type_into(qtbot, window.epochs, "9")
    window.metric_combo.activated.emit(window.metric_combo.findData("train_accuracy"))
    window.metric_combo.setCurrentIndex(window.metric_combo.findData("train_accuracy"))
    tiny_window.document.edit("Learning rate", lambda c: c.optimizer.settings.__setitem__("lr", 0.2))
    assert window.epochs.value() == 9 and window.metric_combo.currentData() == "train_accuracy"
    assert "(now 0.2)" in window.picker.action("optimizer.lr").text()
    tiny_window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 12))
    assert window.epochs.value() == 12  # the network's epochs changed: the window follows
    tiny_window.document.edit("Validation", lambda c: setattr(c.data, "validation_fraction", 0.0))
    assert window.metric_combo.currentData() == "train_accuracy"  # still fits
    window.metric_combo.activated.emit(window.metric_combo.findData("val_loss"))
    window.metric_combo.setCurrentIndex(window.metric_combo.findData("val_loss"))
    tiny_window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 13))
    assert window.metric_combo.currentData() == "train_loss"  # no validation points: it cannot stay

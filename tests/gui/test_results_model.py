"""The Search window's table model: sorting by any column keeps runs without a number
last in both directions, stays sorted as runs finish, and forgets a sort when the
columns change."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nnplay.gui.compare.results_model import ResultsModel, show_value
from nnplay.sweeps import ResultRow


def row(run, lr, status=None, val_loss=None):
    r = ResultRow(run, {"optimizer.lr": lr, "optimizer.name": "adam"})
    r.status = status
    r.metrics["val_loss"] = val_loss
    return r


def order(model):
    return [model.run_at(i) for i in range(model.rowCount())]


def test_sorting_keeps_the_missing_last_and_follows_new_results(qtbot):
    model = ResultsModel()
    rows = [row(0, 0.1, "finished", 0.3), row(1, 0.01), row(2, 0.001, "diverged"), row(3, 1.0, "finished", 0.2)]
    model.set_rows(rows, ["optimizer.lr", "optimizer.name"], best=3)
    loss = model.columns.index("val_loss")
    model.sort(loss, Qt.SortOrder.AscendingOrder)
    assert order(model) == [3, 0, 1, 2]
    model.sort(loss, Qt.SortOrder.DescendingOrder)
    assert order(model) == [0, 3, 1, 2]
    model.sort(model.columns.index("optimizer.lr"), Qt.SortOrder.AscendingOrder)
    assert order(model) == [2, 1, 0, 3]
    model.sort(loss, Qt.SortOrder.AscendingOrder)
    model.recorded(row(1, 0.01, "finished", 0.1), best=1)
    assert order(model) == [1, 3, 0, 2]  # a live ranking
    assert model.data(model.index(0, 0)) == "1  ★"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole).bold()
    model.sort(-1)
    assert order(model) == [0, 1, 2, 3]
    model.sort(loss, Qt.SortOrder.AscendingOrder)
    model.set_rows(rows, ["optimizer.lr"])  # another search's columns
    assert model.sort_key is None and order(model) == [0, 1, 2, 3]


def test_values_as_the_table_shows_them():
    assert show_value(0.0244346609192283) == "0.02443"
    assert show_value("adam") == "adam" and show_value(None) == "null"
    assert show_value([{"type": "dense", "units": 4, "activation": "tanh"}, {"type": "dropout", "rate": 0.2},
                       {"type": "dense", "units": 1, "activation": "sigmoid"}]) == "4 tanh · dropout 0.2 · 1 sigmoid"

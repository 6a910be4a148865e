"""The heatmap's numbers: one cell per pair of grid values (the best run over the other
parameters), binned random samples, log axes where values are log-spaced, crosses
where every run diverged or failed."""

from __future__ import annotations

import math

import numpy as np

from nnplay.sweeps import ResultRow, parse_sweep, run_values
from nnplay.sweeps.heatmap import heatmap, log_spaced, numeric_paths
from tests.sweeps.helpers import sweep_obj


def rows_for(sweep, metric_of, status_of=lambda values: "finished"):
    rows = []
    for k, values in enumerate(run_values(sweep)):
        row = ResultRow(k, values)
        row.status = status_of(values)
        row.metrics = {"train_loss": None, "val_loss": metric_of(values), "train_accuracy": None,
                       "val_accuracy": None}
        rows.append(row)
    return rows


def test_log_spacing():
    assert log_spaced([0.001, 0.01, 0.1]) and log_spaced([4, 8, 16]) and log_spaced([1e-4, 1e-2])
    assert not log_spaced([0.1, 0.2, 0.3]) and not log_spaced([0, 0.01, 0.1]) and not log_spaced([2, 3])


def test_a_grid_gets_one_cell_per_pair_with_the_best_over_the_rest():
    sweep = parse_sweep(sweep_obj({"optimizer.lr": {"values": [0.1, 0.001, 0.01]},
                                   "training.batch_size": {"values": [4, 8]},
                                   "optimizer.name": {"values": ["sgd", "adam"]}}))
    assert numeric_paths(sweep) == ["optimizer.lr", "training.batch_size"]

    def loss(values):
        return values["optimizer.lr"] * values["training.batch_size"] + (values["optimizer.name"] == "sgd")

    def status(values):
        return "diverged" if values["optimizer.lr"] == 0.1 and values["training.batch_size"] == 8 else "finished"

    rows = rows_for(sweep, lambda v: None if status(v) == "diverged" else loss(v), status)
    hm = heatmap(sweep, rows, "optimizer.lr", "training.batch_size")
    assert hm.x.log and hm.x.values == (0.001, 0.01, 0.1)
    np.testing.assert_allclose(hm.x.edges, [-3.5, -2.5, -1.5, -0.5])
    assert not hm.y.log and hm.y.values == (4, 8)
    np.testing.assert_allclose(hm.z[0], [0.004, 0.04, 0.4])  # adam beats sgd in each cell
    assert math.isnan(hm.z[1, 2]) and hm.marked[1, 2] and not hm.marked[1, 1]
    best = hm.runs[0, 0]
    assert rows[best].values == {"optimizer.lr": 0.001, "training.batch_size": 4, "optimizer.name": "adam"}
    assert hm.cell_at(math.log10(0.01), 4.2) == (0, 1) and hm.cell_at(5.0, 4) is None


def test_random_samples_are_binned_and_kept_as_points():
    sweep = parse_sweep(sweep_obj({"optimizer.lr": {"log_uniform": [1e-4, 1.0]},
                                   "layers[0].units": {"int_uniform": [2, 9]}}, search="random", runs=16))
    rows = rows_for(sweep, lambda v: v["optimizer.lr"])
    rows[3].status, rows[3].metrics["val_loss"] = "failed", None
    rows[5].status = None  # not run yet: neither a point nor in a cell
    hm = heatmap(sweep, rows, "optimizer.lr", "layers[0].units")
    assert hm.x.log and not hm.y.log
    np.testing.assert_allclose(hm.x.edges[[0, -1]], [-4, 0])
    np.testing.assert_allclose(hm.y.edges[[0, -1]], [1.5, 9.5])
    assert len(hm.points) == 15 and {p.run for p in hm.points} == set(range(16)) - {5}
    point = next(p for p in hm.points if p.run == 0)
    assert point.x == math.log10(rows[0].values["optimizer.lr"]) and point.y == rows[0].values["layers[0].units"]
    ranked = [r for r in rows if r.status == "finished"]
    assert np.nanmin(hm.z) == min(r.metrics["val_loss"] for r in ranked)
    filled = {(int(r), int(c)) for r, c in zip(*np.nonzero(hm.runs >= 0))}
    expected = {hm.cell_at(p.x, p.y) for p in hm.points}
    assert filled == expected

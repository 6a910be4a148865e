"""The Distributions dock driven as a user: open it from the View menu, pick a layer,
train, and read histograms that count the network's own per-layer outputs on the
training data, the dead and saturated shares, and the weights L1 drives to exactly 0."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from nnplay.core.config import DenseConfig, OptimizerConfig
from nnplay.core.layers import Dense

WAIT = 20_000


def _open_from_view_menu(qtbot, window):
    menu = window.findChild(QMenu, "viewMenu")
    toggle = next(a for a in menu.actions() if a.objectName() == "distributionsDockToggleAction")
    assert toggle.text() == "Distributions" and not toggle.isChecked()
    toggle.trigger()
    qtbot.waitUntil(lambda: window.dock_on_screen(window.distributions_dock), timeout=WAIT)
    qtbot.waitUntil(lambda: window.distributions.layer is not None, timeout=WAIT)
    return window.distributions


def _pick(qtbot, plot, title_start: str) -> None:
    """Choose the layer with the keyboard, as a user does in the layer list."""
    picker = plot.picker
    index = next(i for i in range(picker.count()) if picker.itemText(i).startswith(title_start))
    while picker.currentIndex() != index:
        qtbot.keyClick(picker, Qt.Key.Key_Down if picker.currentIndex() < index else Qt.Key.Key_Up)
    assert plot.layer.title.startswith(title_start)


def _own_outputs(window) -> list[tuple[np.ndarray, np.ndarray]]:
    """(z, a) of every dense layer of the window's own network on its training data."""
    experiment = window.document.experiment
    network = experiment.network
    network.outputs_by_layer(experiment.trainer.data.x_train)
    return [(layer.trace_values()["z"].copy(), layer.trace_values()["a"].copy())
            for layer in network.layers if isinstance(layer, Dense)]


def _train(qtbot, window, epochs: int) -> None:
    start = window.document.experiment.trainer.epoch
    window.play()
    qtbot.waitUntil(lambda: window.document.experiment.trainer.epoch >= start + epochs, timeout=WAIT)
    window.stop_training()


def test_a_closed_distributions_dock_asks_for_nothing(qtbot, window):
    assert not window.distributions_dock.isVisible()
    assert window.distributions.feed not in window.runner.watch.views
    _train(qtbot, window, 2)
    assert window.distributions.draws == 0 and window.distributions.picture is None


def test_open_pick_a_layer_train_and_read_the_networks_own_counts(qtbot, window):
    window.document.edit("Layers", lambda c: setattr(c, "layers", [
        DenseConfig(6, "tanh"), DenseConfig(5, "relu"), DenseConfig(1, "sigmoid")]))
    plot = _open_from_view_menu(qtbot, window)
    assert plot.feed in window.runner.watch.views
    assert [plot.picker.itemText(i) for i in range(plot.picker.count())] == \
        ["layer 1 (6 tanh)", "layer 2 (5 relu)", "layer 3 (1 sigmoid)"]
    _pick(qtbot, plot, "layer 2")
    live = []
    window.runner.frame.connect(lambda frame: live.append(
        "distributions" in frame.pictures and not frame.snapshot.final))
    window.runner.set_max_rate(300)  # slow enough that frames come while it trains
    window.play()
    qtbot.waitUntil(lambda: sum(live) >= 2, timeout=WAIT)  # live, on its own cadence
    window.stop_training()
    z, a = _own_outputs(window)[1]
    n = len(window.document.experiment.trainer.data.x_train)
    assert np.array_equal(plot.z.counts, np.histogram(z, bins=plot.layer.z.edges)[0])
    assert np.array_equal(plot.a.counts, np.histogram(a, bins=plot.layer.a.edges)[0])
    assert plot.z.counts.sum() == plot.a.counts.sum() == n * 5
    W = window.document.experiment.network.layers[1].params["W"]
    assert np.array_equal(plot.w.counts, np.histogram(W, bins=plot.layer.weights.edges)[0])
    dead = np.flatnonzero(np.all(a == 0.0, axis=0))
    assert f"Dead: {len(dead)} of 5 units" in plot.summary.text()
    assert plot.layer.dead_units == tuple(dead)
    assert f"all {n} training points" in plot.source.text()
    _pick(qtbot, plot, "layer 1")
    z, a = _own_outputs(window)[0]
    assert np.array_equal(plot.a.counts, np.histogram(a, bins=plot.layer.a.edges)[0])
    saturated = np.mean((a <= -0.98) | (a >= 0.98))
    assert plot.layer.saturated == saturated and "Saturated:" in plot.summary.text()
    assert plot.saturated_bands[0].isVisible()


def test_a_dead_relu_unit_and_saturated_tanh_units_are_counted(qtbot, window):
    window.document.edit("Layers", lambda c: setattr(c, "layers", [
        DenseConfig(4, "relu"), DenseConfig(3, "tanh"), DenseConfig(1, "sigmoid")]))
    network = window.document.experiment.network
    network.layers[0].params["b"][1] = -1e6  # unit 2 is 0 for every point
    network.layers[1].params["W"][...] *= 1e4  # every tanh unit far out on its flat parts
    plot = _open_from_view_menu(qtbot, window)
    assert "Dead: 1 of 4 units (25 %) output 0 for every point: unit 2." in plot.summary.text()
    _pick(qtbot, plot, "layer 2")
    assert plot.layer.saturated > 0.5 and "Saturated: " in plot.summary.text()
    (_, a), = [_own_outputs(window)[1]]
    assert plot.layer.saturated == np.mean(np.abs(a) >= 0.98)


def test_l1_pulls_weights_to_zero_and_the_dock_counts_them(qtbot, window):
    window.document.edit("Layers", lambda c: setattr(c, "layers", [DenseConfig(16, "tanh"), DenseConfig(1, "sigmoid")]))
    window.document.edit("Optimizer", lambda c: setattr(c, "optimizer", OptimizerConfig("sgd", {"lr": 0.1})))
    window.document.edit("L1", lambda c: setattr(c.training, "l1", 0.05))
    plot = _open_from_view_menu(qtbot, window)
    near_before = plot.layer.near_zero_weight_count
    _train(qtbot, window, 60)
    W = window.document.experiment.network.layers[0].params["W"]
    zeros, near = int(np.count_nonzero(W == 0.0)), int(np.count_nonzero(np.abs(W) <= 1e-3))
    assert (plot.layer.zero_weight_count, plot.layer.near_zero_weight_count) == (zeros, near)
    assert near > near_before  # L1's constant pull piles weights up at 0
    assert f"{zeros} exactly 0" in plot.summary.text() and f"{near} within 0.001 of 0" in plot.summary.text()
    assert plot.w.counts.sum() == W.size
    # weights set to exactly 0 (as a proximal L1 step or a pruned net would leave them) count as such
    window.document.experiment.network.layers[0].params["W"][:, :5] = 0.0
    window.distributions_dock.toggleViewAction().trigger()
    window.distributions_dock.toggleViewAction().trigger()  # shown again: the idle network's frame
    qtbot.waitUntil(lambda: plot.layer.zero_weight_count == int(np.count_nonzero(W == 0.0)), timeout=WAIT)
    assert plot.layer.zero_weight_count >= 10
    assert f"{plot.layer.zero_weight_count} exactly 0" in plot.summary.text()


def test_closing_the_dock_stops_its_work_and_reopening_shows_the_idle_network(qtbot, window):
    plot = _open_from_view_menu(qtbot, window)
    window.distributions_dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: not window.dock_on_screen(window.distributions_dock), timeout=WAIT)
    assert plot.feed not in window.runner.watch.views
    drawn = plot.draws
    _train(qtbot, window, 2)
    assert plot.draws == drawn
    window.distributions_dock.toggleViewAction().trigger()
    qtbot.waitUntil(lambda: plot.draws > drawn, timeout=WAIT)  # the idle frame, with the trained weights
    z, _a = _own_outputs(window)[0]
    assert np.array_equal(plot.z.counts, np.histogram(z, bins=plot.layer.z.edges)[0])


def test_a_wide_short_dock_puts_the_histograms_side_by_side(qtbot, window):
    plot = _open_from_view_menu(qtbot, window)
    dock = window.distributions_dock
    dock.setFloating(True)  # sized by hand here, whatever the window's layout
    items = plot.graphics.ci.items
    for size, side_by_side in (((420, 800), False), ((1100, 320), True), ((420, 800), False)):
        dock.resize(*size)
        qtbot.waitUntil(lambda: plot.side_by_side == side_by_side, timeout=WAIT)
        places = [items[h.plot] for h in (plot.z, plot.a, plot.w)]
        if side_by_side:
            assert places == [[(0, 0)], [(0, 1)], [(0, 2)]]
            assert "<br>" in plot.a.plot.titleLabel.text  # "n % saturated" on a line of its own
        else:
            assert places == [[(0, 0)], [(1, 0)], [(2, 0)]]
            assert "<br>" not in plot.a.plot.titleLabel.text


def test_a_histograms_axis_moves_only_when_the_bars_leave_it_or_shrink_to_half_of_it(qtbot):
    """Values whose span wavers from picture to picture keep the axis (and its text) as it
    is; bars that leave it or fill less than half of it refit it, with a margin."""
    import pyqtgraph as pg

    from nnplay.gui.plots.distributions import X_MARGIN, HistogramPlot

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    histogram = HistogramPlot(widget.getPlotItem(), "#0072B2")
    counts = np.ones(10)

    def shown():
        return tuple(widget.getPlotItem().getViewBox().viewRange()[0])

    histogram.set_counts(np.linspace(-1.0, 1.0, 11), counts)
    first = shown()
    assert first == pytest.approx((-1.0 - 2 * X_MARGIN, 1.0 + 2 * X_MARGIN))
    histogram.set_counts(np.linspace(-0.9, 0.95, 11), counts)  # wavers inside: kept
    assert shown() == first
    histogram.set_counts(np.linspace(-1.0, 1.5, 11), counts)  # leaves it: refitted
    assert shown() == pytest.approx((-1.0 - 2.5 * X_MARGIN, 1.5 + 2.5 * X_MARGIN))
    histogram.set_counts(np.linspace(0.0, 0.3, 11), counts)  # a small part of it: refitted
    assert shown() == pytest.approx((-0.3 * X_MARGIN, 0.3 + 0.3 * X_MARGIN))

"""The epoch axes of the loss curves and the Gradients plot grow by one rule (``grown_end``):
now and then, by nice steps, never every frame."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.gui.plots.curves import CurvesPlot, grown_end
from nnplay.gui.plots.gradients import GradientsPlot


@pytest.mark.parametrize(("end", "last", "least", "grown"), [
    (None, 0.0, 10.0, 10.0),     # a fresh plot: the least end
    (10.0, 9.0, 10.0, 10.0),     # short of 95 % of the end: it stays
    (10.0, 9.6, 10.0, 20.0),     # past it: half again (14.4), up to a nice number
    (200.0, 150.0, 1.0, 200.0),
    (200.0, 191.0, 1.0, 500.0),  # 286.5: the next of 1, 2, 2.5, 5 × 10^k is 500
    (1000.0, 100.0, 10.0, 200.0),  # a reset (under a quarter of the end): started over
    (20.0, 4.0, 10.0, 10.0),
])
def test_an_axis_grows_by_half_again_to_a_nice_end_and_starts_over_after_a_reset(end, last, least, grown):
    assert grown_end(end, last, least) == grown


def _xs(plot) -> float:
    return plot.getViewBox().viewRange()[0][1]


def test_the_loss_curves_and_the_gradients_plot_grow_their_epoch_axes_alike(qtbot):
    curves, gradients = CurvesPlot(), GradientsPlot()
    for widget in (curves, gradients):
        qtbot.addWidget(widget)
        widget.show()
    gradients.set_network(["tanh", "sigmoid"], updates_per_epoch=1)
    gradients.set_shown(True)
    ends = []
    for epoch in range(1, 41):
        curves.append(epoch - 1, {"epoch": [epoch], "train_loss": [1.0 / epoch], "val_loss": [None],
                                  "train_accuracy": [None], "val_accuracy": [None]})
        curves.flush()
        gradients.add(epoch, 0, np.array([0.1, 0.2]))
        gradients.flush()
        ends.append((_xs(curves.loss_plot), _xs(gradients.curve_plot)))
    curve_ends, gradient_ends = (sorted(set(e)) for e in zip(*ends))
    # the curves' axis spans 10 epochs at least, the gradients' 1; past that both follow one rule
    assert curve_ends == [10.0, 20.0, 50.0]
    assert gradient_ends == [2.0, 5.0, 10.0, 20.0, 50.0]
    assert ends[-1] == (50.0, 50.0)


def test_a_short_vertical_axis_numbers_ticks_far_enough_apart_to_read(qtbot):
    """pyqtgraph numbers at least two and a quarter intervals on any axis: on a 70-pixel
    loss plot, 0, 0.5, 1, 1.5 and 2 written over each other. Styled, the numbered ticks are
    MIN_LABEL_GAP_PX apart at least, and a long axis keeps pyqtgraph's own ticks."""
    import pyqtgraph as pg

    from nnplay.gui.plots.style import MIN_LABEL_GAP_PX, TICK_STEPS, nice_number, style_axes

    plain, styled = pg.PlotItem(), pg.PlotItem()
    style_axes(styled)
    left, bare = styled.getAxis("left"), plain.getAxis("left")
    assert bare.tickSpacing(0.0, 2.0, 70.0)[0][0] == 0.5  # 17.5 pixels apart
    major, minor = left.tickSpacing(0.0, 2.0, 70.0)
    assert major == (1.0, 0) and minor == (0.5, 0)
    assert major[0] * 70.0 / 2.0 >= MIN_LABEL_GAP_PX
    for size in (300.0, 600.0):
        assert left.tickSpacing(0.0, 2.0, size) == bare.tickSpacing(0.0, 2.0, size)
    assert left.tickSpacing(-4.0, -1.0, 50.0)[0][0] == 2.0  # a log axis's decades: 3 × 22 / 50 -> 2
    assert [nice_number(v, TICK_STEPS) for v in (0.63, 1.0, 1.2, 3.0, 0.004)] == [1.0, 1.0, 2.0, 5.0, 0.005]
    assert [nice_number(v) for v in (0.63, 1.2, 2.2, 3.0, 0.004)] == [1.0, 2.0, 2.5, 5.0, 0.005]

"""The boundary's picture fills the plot at any window shape: no bare bands above and
below (or beside) the data's square."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from nnplay.gui.file_actions import examples_dir

WAIT = 10_000


def _covered(outer: QRectF, inner: QRectF, slack: float = 1.0) -> bool:
    """Whether ``outer`` covers ``inner`` to within ``slack`` pixels on each side."""
    return (outer.left() <= inner.left() + slack and outer.top() <= inner.top() + slack
            and outer.right() >= inner.right() - slack and outer.bottom() >= inner.bottom() - slack)


@pytest.mark.parametrize("size", [(1500, 900), (1920, 700), (1100, 1000), (900, 1000)])
@pytest.mark.parametrize("example", [None, "moons_dropout_batchnorm.nnp"])  # the default spiral; wide moons
def test_the_picture_fills_the_plot_at_any_aspect(qtbot, window, size, example):
    if example is not None:
        assert window.file_actions.open_path(examples_dir() / example)
    window.resize(*size)
    qtbot.waitExposed(window)
    boundary = window.boundary
    view = boundary.view
    def filled():
        plot_area, picture = view.sceneBoundingRect(), boundary.image.sceneBoundingRect()
        return boundary.image.image is not None and plot_area.width() > 0 and _covered(picture, plot_area)

    qtbot.waitUntil(filled, timeout=WAIT)
    plot_area = view.sceneBoundingRect()
    assert abs(plot_area.width() / plot_area.height() - 1) > 0.05 or size == (1100, 1000)  # a real shape
    # the picture is the network's on the grid it was made on, and the data's square is in view whole
    grid = boundary.grid
    assert boundary.image.image.shape[:2] == grid.shape
    (x0, x1), (y0, y1) = view.viewRange()
    data = window.document.experiment.dataset.x
    assert x0 < data[:, 0].min() and data[:, 0].max() < x1 and y0 < data[:, 1].min() and data[:, 1].max() < y1
    cells = (grid.x_range[1] - grid.x_range[0]) / grid.nx, (grid.y_range[1] - grid.y_range[0]) / grid.ny
    assert cells[0] == pytest.approx(cells[1])  # square cells: x1 and x2 on one scale
    assert grid.nx * grid.ny <= 3 * 100 * 100 + 200  # a bounded cost at any shape


def test_a_resize_while_training_gets_frames_on_the_new_grid(qtbot, window):
    window.resize(1500, 900)
    qtbot.waitExposed(window)
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    window.play()
    qtbot.waitUntil(lambda: window.boundary.draws >= 3, timeout=WAIT)
    before = window.boundary.grid.shape
    window.resize(1920, 600)
    boundary = window.boundary

    def filled_by_the_worker():
        # the new grid's shape, or that of a coarser one made with it (a small net's frames
        # while training: worker.INLINE_GRID_PASS_SHARE)
        new_shapes = [tuple(shape) for _points, shape in window._grids]
        return (boundary.grid.shape != before and tuple(boundary.image.image.shape[:2]) in new_shapes
                and before not in new_shapes and _covered(boundary.image.sceneBoundingRect(), boundary.view.sceneBoundingRect()))

    qtbot.waitUntil(filled_by_the_worker, timeout=WAIT)
    assert window.training  # the worker's frames, not an idle one
    window.pause()


@pytest.mark.parametrize("aspect", [1.0, 1.7, 0.4, 8.0, 0.05])
def test_the_grid_covers_the_data_square_stretched_to_the_plot(aspect):
    import numpy as np

    from nnplay.gui.plots.grid import MAX_POINTS_FACTOR, RESOLUTION_2D, grid_for, grid_extent

    x = np.array([[0.0, 0.0], [4.0, 1.0], [2.0, -1.0]])  # x1 spans 4, x2 spans 2
    grid = grid_for(x, aspect=aspect)
    side = 4.0 * 1.2  # the longer span with its margins, on both axes
    assert grid.span == pytest.approx(side)
    width, height = grid.x_range[1] - grid.x_range[0], grid.y_range[1] - grid.y_range[0]
    assert min(width, height) == pytest.approx(side)  # the shorter side is the data's square
    assert width / height == pytest.approx(aspect, rel=0.05)  # the plot's shape, to part of a cell
    assert sum(grid.x_range) / 2 == pytest.approx(2.0) and sum(grid.y_range) / 2 == pytest.approx(0.0)
    assert width / grid.nx == pytest.approx(height / grid.ny)  # square cells
    assert grid.nx * grid.ny <= MAX_POINTS_FACTOR * RESOLUTION_2D ** 2 * 1.02
    assert grid_extent(grid.points, grid.shape) == pytest.approx(
        (grid.x_range[0], grid.y_range[0], width, height))
    if aspect == 1.0:  # a square plot: the grid as it always was
        assert grid.shape == (RESOLUTION_2D, RESOLUTION_2D)

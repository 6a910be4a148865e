"""The hidden space as a user meets it: pick a layer or walk the slider through them,
see the data where that layer puts it (on its two units, two chosen ones, or its first
two principal components, as the caption says), the input grid's lines carried along,
and the output's decision as a straight line in a last hidden layer of two units."""

from __future__ import annotations

import numpy as np
from nnplay.core.config import DenseConfig
from nnplay.core.hidden_space import PCA, UNITS, grid_lines, pca_axes, polylines
from nnplay.gui.file_actions import example_files
from tests.gui.diagram_helpers import WAIT, engine_outputs
from tests.gui.panel_helpers import pick


def _on_screen(qtbot, window):
    inside = window.inside
    inside.hidden_space_dock.raise_()
    qtbot.waitUntil(lambda: window.dock_on_screen(inside.hidden_space_dock), timeout=WAIT)
    view = inside.hidden_space
    qtbot.waitUntil(lambda: view.picture is not None, timeout=WAIT)
    return view


def _wait_for(qtbot, view, stage: int, axes: str | None = None):
    def ready():
        picture = view.picture
        return picture is not None and picture.plan.stage == stage and (axes is None or picture.plan.axes == axes) \
            and picture.plan == view.feed.plan
    qtbot.waitUntil(ready, timeout=WAIT)
    return view.picture


def _data(window):
    split = window.document.experiment.split
    return np.concatenate([split.train.x, split.validation.x]), len(split.train)


def _same_up_to_sign(mine: np.ndarray, expected: np.ndarray) -> None:
    for k in range(mine.shape[1]):
        sign = np.sign(mine[:, k] @ expected[:, k]) or 1.0
        size = np.abs(expected[:, k]).max()
        np.testing.assert_allclose(mine[:, k], sign * expected[:, k], atol=1e-4 * size)


def test_the_slider_walks_from_the_input_through_each_hidden_layer(qtbot, window):
    view = _on_screen(qtbot, window)
    assert [view.layer_combo.itemText(i) for i in range(view.layer_combo.count())] == [
        "Input · x₁, x₂", "Layer 1 · 8 tanh", "Layer 2 · 8 tanh"]
    assert (view.slider.minimum(), view.slider.maximum()) == (0, 2)
    points, n_train = _data(window)
    picture = _wait_for(qtbot, view, 0)
    np.testing.assert_array_equal(picture.points, points)  # the input plane: the points as they are
    assert picture.train == n_train and "input plane" in view.caption.text()
    x, y, connect = picture.lines
    first = slice(0, int(np.argmin(connect)) + 1)
    assert np.all(y[first] == y[0])  # a straight line of constant x₂
    assert len(view.train_points.data) == n_train and len(view.val_points.data) == len(points) - n_train

    pick(view.layer_combo, "Layer 1")
    assert view.slider.value() == 1
    picture = _wait_for(qtbot, view, 1)
    assert picture.axes.kind == PCA and view.axes_combo.isEnabled()
    assert "Layer 1 (8 tanh): the first two principal components" in view.caption.text()
    assert "% of their variance" in view.caption.text()
    features, outputs = engine_outputs(window, points)
    _same_up_to_sign(picture.points, pca_axes(outputs[0]).project(outputs[0]))
    # the grid's lines, carried through the layer and seen on the same axes
    grid = window.grid
    _gf, grid_outputs = engine_outputs(window, grid.points)
    lines = picture.axes.project(grid_lines(grid_outputs[0], grid.shape))
    np.testing.assert_allclose(picture.lines[0], polylines(lines)[0], atol=1e-4)

    view.slider.setValue(2)  # as a drag would
    assert view.layer_combo.currentIndex() == 2
    _wait_for(qtbot, view, 2)
    pick(view.axes_combo, "Two units")
    assert view.unit_x.isEnabled() and view.unit_y.isEnabled()
    view.unit_x.setValue(3)
    view.unit_y.setValue(5)
    picture = _wait_for(qtbot, view, 2, UNITS)
    assert picture.axes.units == (2, 4) and "units 3 and 5 of 8" in view.caption.text()
    np.testing.assert_allclose(picture.points, outputs[1][:, [2, 4]], rtol=1e-5, atol=1e-5)


def test_a_last_hidden_layer_of_two_units_shows_the_decision_as_a_straight_line(qtbot, window):
    window.document.edit("Layers", lambda c: setattr(
        c, "layers", [DenseConfig(8, "tanh"), DenseConfig(2, "tanh"), DenseConfig(1, "sigmoid")]))
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    view = _on_screen(qtbot, window)
    window.play()
    qtbot.waitUntil(lambda: window.document.experiment.trainer.epoch >= 3, timeout=WAIT)
    window.stop_training()
    pick(view.layer_combo, "Layer 1")
    picture = _wait_for(qtbot, view, 1)
    assert picture.decision is None and not view.decision.isVisible()  # eight units: no line
    pick(view.layer_combo, "Layer 2")
    picture = _wait_for(qtbot, view, 2)
    assert not view.axes_combo.isEnabled() and "its two units" in view.caption.text()
    assert view.decision.isVisible() and "straight line" in view.caption.text()
    points, _n = _data(window)
    _features, outputs = engine_outputs(window, points)
    np.testing.assert_allclose(picture.points, outputs[1], rtol=1e-5, atol=1e-5)
    # where the drawn line runs, the network's output is exactly undecided
    angle, at = np.radians(view.decision.angle), view.decision.pos()
    px, py = at.x(), at.y()
    along = np.array([[px + t * np.cos(angle), py + t * np.sin(angle)] for t in (-0.5, 0.0, 0.7)])
    out = window.document.experiment.network.layers[2].forward(along, False, None)
    np.testing.assert_allclose(out[:, 0], 0.5, atol=1e-9)


def test_one_input_puts_the_points_on_a_line_and_its_layers_bend_it(qtbot, window):
    path = next(p for p, _n, _d in example_files() if p.stem == "sine")
    assert window.file_actions.open_path(path, ask=False)
    view = _on_screen(qtbot, window)
    assert view.layer_combo.itemText(0) == "Input · x₁"
    picture = _wait_for(qtbot, view, 0)
    points, _n = _data(window)
    np.testing.assert_array_equal(picture.points[:, 0], points[:, 0])
    assert np.all(picture.points[:, 1] == 0)
    view.slider.setValue(1)
    picture = _wait_for(qtbot, view, 1)
    assert picture.axes.kind == PCA and np.all(np.isfinite(picture.points))


def test_it_follows_the_training_live(qtbot, window):
    view = _on_screen(qtbot, window)
    view.slider.setValue(2)
    _wait_for(qtbot, view, 2)
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    draws = view.draws
    window.play()
    qtbot.waitUntil(lambda: view.draws >= draws + 3, timeout=WAIT)
    window.stop_training()
    points, _n = _data(window)
    _features, outputs = engine_outputs(window, points)
    _same_up_to_sign(view.picture.points, pca_axes(outputs[1]).project(outputs[1]))


def test_the_points_drawn_are_the_pictures_and_keep_their_class_colours(qtbot, window):
    """Frames move the points in place (move_points): what pyqtgraph draws is still the
    last picture's points, each in its class's colour, and the view's range follows them."""
    view = _on_screen(qtbot, window)
    view.slider.setValue(1)
    _wait_for(qtbot, view, 1)
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    draws = view.draws
    window.play()
    qtbot.waitUntil(lambda: view.draws >= draws + 3, timeout=WAIT)
    window.stop_training()
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    picture = view.picture
    x, y = view.train_points.getData()
    np.testing.assert_array_equal(np.column_stack([x, y]), picture.points[:picture.train])
    x, y = view.val_points.getData()
    np.testing.assert_array_equal(np.column_stack([x, y]), picture.points[picture.train:])
    colours = {brush.color().name() for brush in view.train_points.data["brush"]}
    labels = picture.labels[:picture.train]
    assert len(colours) == len(np.unique(labels)) == 2
    lo, hi = view.train_points.dataBounds(0)
    assert lo <= picture.points[:picture.train, 0].min() and hi >= picture.points[:picture.train, 0].max()


def test_move_points_moves_in_place_or_says_it_cannot(qtbot):
    import pyqtgraph as pg

    from nnplay.gui.plots.hidden_space import move_points

    item = pg.ScatterPlotItem(pos=np.zeros((3, 2)), brush=[pg.mkBrush("r"), pg.mkBrush("g"), pg.mkBrush("b")])
    assert move_points(item, np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    np.testing.assert_array_equal(item.getData()[0], [1.0, 3.0, 5.0])
    assert [b.color().name() for b in item.data["brush"]] == ["#ff0000", "#00ff00", "#0000ff"]
    assert item.dataBounds(1)[1] >= 6.0  # the cached bounds were dropped
    assert not move_points(item, np.zeros((2, 2)))  # another number of points: the caller sets them afresh
    np.testing.assert_array_equal(item.getData()[1], [2.0, 4.0, 6.0])


def test_a_regression_targets_points_come_in_a_few_colours_kept_from_run_to_run(qtbot, window):
    """Each point's colour is its target's (VALUE_LEVELS of them, lowest to highest), and a
    new run, whose frames bring arrays of their own, keeps the points and their brushes:
    building 500 brushes afresh took a run's first picture 40-50 ms."""
    from nnplay.gui.plots.hidden_space import VALUE_LEVELS

    path = next(p for p, _n, _d in example_files() if p.stem == "ripple_rmsprop")
    assert window.file_actions.open_path(path, ask=False)
    view = _on_screen(qtbot, window)
    view.slider.setValue(1)
    picture = _wait_for(qtbot, view, 1)
    brushes = view.train_points.data["brush"]
    labels = picture.labels[:picture.train]
    colours = [brush.color().name() for brush in brushes]
    assert 2 < len(set(colours)) <= VALUE_LEVELS
    assert colours[int(np.argmin(labels))] != colours[int(np.argmax(labels))]
    assert len(set(colours)) == len({round((v - labels.min()) / np.ptp(labels) * (VALUE_LEVELS - 1)) for v in labels})
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    for _run in range(2):
        draws = view.draws
        window.play()
        qtbot.waitUntil(lambda: view.draws >= draws + 2, timeout=WAIT)
        window.stop_training()
        qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
        assert view.picture.labels is not picture.labels  # the run's own array …
        assert all(a is b for a, b in zip(view.train_points.data["brush"], brushes))  # … the same brushes

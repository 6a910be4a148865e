"""The data as a hidden layer sees it: principal axes, the grid's lines carried through
the layers, and the output's decision as a straight line in the last hidden layer."""

import numpy as np
import pytest

from nnplay.core import Experiment
from nnplay.core.config import BatchNormConfig, DataConfig, DenseConfig, DropoutConfig
from nnplay.core.hidden_space import (PCA, UNITS, decision_line, grid_lines, pca_axes, polylines, unit_axes,
                                      z_where)

from .helpers import config


def test_principal_axes_are_the_covariance_s_leading_eigenvectors():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(300, 4)) @ np.diag([3.0, 0.5, 1.5, 0.1]) + np.array([1.0, 2.0, 3.0, 4.0])
    axes = pca_axes(a)
    assert axes.kind == PCA
    np.testing.assert_allclose(axes.mean, a.mean(axis=0))
    _, _, vt = np.linalg.svd(a - a.mean(axis=0), full_matrices=False)
    for k in range(2):
        assert abs(axes.basis[k] @ vt[k]) == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(axes.basis @ axes.basis.T, np.eye(2), atol=1e-12)
    variances = np.var(axes.project(a), axis=0, ddof=1)
    total = np.var(a, axis=0, ddof=1).sum()
    np.testing.assert_allclose(axes.explained, variances / total, rtol=1e-9)
    assert axes.explained[0] > axes.explained[1]


def test_principal_axes_keep_their_sign_from_frame_to_frame():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(200, 3)) * [2.0, 1.0, 0.2]
    first = pca_axes(a)
    flipped = type(first)(first.kind, first.mean, -first.basis, first.explained)
    again = pca_axes(a + 1e-9 * rng.normal(size=a.shape), previous=flipped)
    assert np.all(np.sum(again.basis * flipped.basis, axis=1) > 0.99)


def test_unit_axes_read_two_units_as_they_are():
    axes = unit_axes(5, 3, 1)
    a = np.arange(10.0).reshape(2, 5)
    assert axes.kind == UNITS and axes.units == (3, 1)
    np.testing.assert_array_equal(axes.project(a), a[:, [3, 1]])
    np.testing.assert_array_equal(unit_axes(1).project(np.array([[2.0]])), [[2.0, 0.0]])


def test_grid_lines_are_rows_and_columns_of_the_grid():
    ny = nx = 20
    gx, gy = np.meshgrid(np.arange(nx), np.arange(ny))
    values = np.column_stack([gx.ravel(), gy.ravel()]).astype(float)
    lines = grid_lines(values, (ny, nx), count=5)
    assert lines.shape == (10, 20, 2)
    assert np.all(lines[:5, :, 1] == lines[:5, :1, 1])  # rows: x2 constant along the line
    assert np.all(lines[5:, :, 0] == lines[5:, :1, 0])  # columns: x1 constant
    assert set(lines[:5, 0, 1]) == {0, 5, 10, 14, 19}
    x, y, connect = polylines(lines)
    assert len(x) == 200 and connect.sum() == 190 and connect[19] == 0 and connect[18] == 1
    assert grid_lines(np.arange(40.0)[:, None], (1, 40)).shape == (1, 40, 1)  # one input: one line


@pytest.mark.parametrize("between", [[], [BatchNormConfig()], [DropoutConfig(0.5), BatchNormConfig()]])
def test_the_decision_line_is_where_the_output_meets_its_threshold(between):
    layers = [DenseConfig(6, "tanh"), DenseConfig(2, "tanh"), *between, DenseConfig(1, "sigmoid")]
    exp = Experiment(config(layers, data=DataConfig(name="circles", n=80, noise=0.1, seed=2)))
    exp.trainer.run(20)  # batch norm's running statistics move away from 0 and 1
    network = exp.network
    line = decision_line(network.layers, network.get_weights(), 1, threshold=0.5)
    assert line is not None
    a, b, c = line
    # points on the line, pushed through the rest of the network, give P = 0.5
    t = np.linspace(-3, 3, 7)
    on_line = np.column_stack([(c - b * t) / a, t]) if abs(a) > abs(b) else np.column_stack([t, (c - a * t) / b])
    h = on_line
    for layer in network.layers[2:]:
        h = layer.forward(h, False, None)
    np.testing.assert_allclose(h[:, 0], 0.5, atol=1e-9)


def test_no_decision_line_where_the_last_hidden_layer_is_not_two_units_or_no_threshold_is_reached():
    exp = Experiment(config([DenseConfig(3, "tanh"), DenseConfig(1, "sigmoid")]))
    assert decision_line(exp.network.layers, exp.network.get_weights(), 0, 0.5) is None
    exp = Experiment(config([DenseConfig(2, "tanh"), DenseConfig(2, "tanh"), DenseConfig(1, "sigmoid")]))
    assert decision_line(exp.network.layers, exp.network.get_weights(), 0, 0.5) is None  # not the last
    assert decision_line(exp.network.layers, exp.network.get_weights(), 1, 0.5) is not None
    assert decision_line(exp.network.layers, exp.network.get_weights(), 1, 2.0) is None  # σ never reaches 2


def test_the_z_an_activation_reaches_a_value_at():
    from nnplay.core.activations import get_activation

    assert z_where(get_activation("sigmoid"), 0.5) == pytest.approx(0.0, abs=1e-12)
    assert z_where(get_activation("identity"), 0.3) == pytest.approx(0.3, abs=1e-12)
    assert z_where(get_activation("tanh"), 0.5) == pytest.approx(np.arctanh(0.5), abs=1e-12)
    assert z_where(get_activation("relu"), -1.0) is None

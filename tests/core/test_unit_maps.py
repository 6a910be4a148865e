"""The numbers behind a unit's picture: its colour scale from what it can produce, the
colour-table indices, a 1-D curve in its box, and a fit as the sum of its parts."""

import numpy as np
import pytest

from nnplay.core import ACTIVATIONS, Experiment
from nnplay.core.config import DataConfig, DenseConfig
from nnplay.core.features import FEATURE_TABLE
from nnplay.core.unit_maps import (DIVERGING, SEQUENTIAL, curve_points, curve_scale, lut_indices, nice_ceiling, output_parts,
                                   scale_for, stacked, stride_for, unit_image)

from .helpers import config


@pytest.mark.parametrize("cls", ACTIVATIONS.entries(), ids=ACTIVATIONS.names())
def test_every_activation_declares_the_values_it_produces_truly(cls):
    lo, hi = cls.value_range
    z = np.linspace(-30, 30, 601)[None, :]
    a = cls().forward(z)
    assert lo is None or a.min() >= lo - 1e-12
    assert hi is None or a.max() <= hi + 1e-12
    # and no narrower than it says: the ends are reached (to within a saturating tail)
    assert lo is None or a.min() <= lo + 1e-6
    assert hi is None or a.max() >= hi - 1e-6 or cls.name == "softmax"  # one unit alone stays below 1


def test_every_feature_declares_the_values_it_takes():
    x = np.random.default_rng(0).uniform(-6, 6, (500, 2))
    for feature in FEATURE_TABLE.values():
        lo, hi = feature.value_range
        values = feature.column(x)
        assert (lo is None or values.min() >= lo) and (hi is None or values.max() <= hi), feature.name
        assert lo is not None or values.min() < 0


def test_scales_follow_the_declared_range():
    values = np.array([-0.2, 0.1, 0.7, np.nan])
    tanh = scale_for((-1.0, 1.0), values)
    assert (tanh.lo, tanh.hi, tanh.kind, tanh.fixed) == (-1.0, 1.0, DIVERGING, True)
    relu = scale_for((0.0, None), np.array([0.0, 0.0, 2.5, np.inf]))
    assert (relu.lo, relu.hi, relu.kind, relu.fixed) == (0.0, 2.5, SEQUENTIAL, False)
    dead = scale_for((0.0, None), np.zeros(4))  # a dead ReLU: all white, not a division by 0
    assert dead.hi > dead.lo
    linear = scale_for((None, None), np.array([-3.0, 1.0]))
    assert (linear.lo, linear.hi, linear.kind) == (-3.0, 3.0, DIVERGING)
    assert tanh.describe() == "blue −1 · white 0 · orange 1"
    assert relu.describe() == "white 0 · orange 2.5"


def test_indices_span_the_colour_table():
    scale = scale_for((-1.0, 1.0), np.zeros(1))
    idx = lut_indices(np.array([-1.0, 0.0, 1.0, -5.0, 5.0, np.nan, np.inf]), scale)
    assert idx.dtype == np.uint8 and list(idx) == [0, 128, 255, 0, 255, 0, 255]


def test_a_map_takes_every_stride_th_sample_of_the_grid():
    column = np.arange(100 * 100, dtype=np.float32)
    assert stride_for((100, 100), 34) == 3 and stride_for((50, 50), 34) == 2 and stride_for((10, 10), 34) == 1
    image = unit_image(column, (100, 100), 3)
    assert image.shape == (34, 34) and image[1, 2] == 3 * 100 + 6


def test_a_curve_fills_its_box_between_the_scale_s_ends():
    values = np.linspace(-2, 2, 400)
    points = curve_points(values, scale_for((-1.0, 1.0), values), 41)
    assert points.shape == (41, 2) and points[0, 0] == 0 and points[-1, 0] == 1
    assert points[0, 1] == 0 and points[-1, 1] == 1 and points[20, 1] == pytest.approx(0.5, abs=0.01)


def test_the_parts_of_a_one_input_fit_add_up_to_its_output():
    layers = [DenseConfig(6, "tanh"), DenseConfig(1, "identity")]
    data = DataConfig(name="sine", n=50, noise=0.0, seed=1)
    exp = Experiment(config(layers, task="regression", loss="squared", features=("x1",), data=data))
    exp.trainer.run(5)
    x = np.linspace(-3, 3, 80)[:, None]
    hidden, output = exp.network.outputs_by_layer(exp.features(x))
    out_layer = exp.network.layers[-1]
    parts = output_parts(hidden, out_layer.params["W"][:, 0])
    layers = stacked(parts, float(out_layer.params["b"][0]))
    assert layers.shape == (80, 7)
    np.testing.assert_allclose(layers[:, 0], out_layer.params["b"][0])
    np.testing.assert_allclose(layers[:, -1], output[:, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.diff(layers, axis=1), parts, atol=1e-12)


def test_a_legend_scale_is_a_round_number_at_or_above_the_largest_weight():
    assert [nice_ceiling(v) for v in (0.0, 0.3, 1.0, 1.01, 2.7, 7.0, 12.0, np.inf)] == [1, 0.5, 1, 2, 5, 10, 20, 1]


def test_a_curve_s_scale_is_the_declared_range_or_the_curve_s_own():
    values = np.array([-0.5, 2.0, 7.5])
    declared = curve_scale((-1.0, 1.0), values)
    assert (declared.lo, declared.hi) == (-1.0, 1.0)
    relu = curve_scale((0.0, None), values)
    assert relu.lo == 0.0 and relu.hi == pytest.approx(7.5 + 0.05 * 7.5)
    linear = curve_scale((None, None), values)
    assert linear.lo == pytest.approx(-0.9) and linear.hi == pytest.approx(7.9)
    flat = curve_scale((None, None), np.full(5, 2.0))
    assert flat.lo < 2.0 < flat.hi


def test_captions_name_a_class_s_colour_where_given():
    from nnplay.core.unit_maps import UnitScale

    assert UnitScale(0.0, 1.0, SEQUENTIAL, True, ("white", "green")).describe() == "white 0 · green 1"
    assert UnitScale(-2.0, 5.0, "value", True).describe() == "purple −2 · yellow 5"


def test_a_column_s_scales_and_indices_at_once_are_each_unit_s_own():
    from nnplay.core.unit_maps import lut_indices_many, scales_for

    rng = np.random.default_rng(3)
    values = rng.normal(size=(5, 40)) * [[1.0], [3.0], [0.0], [2.0], [5.0]]
    values[3, 4] = np.nan
    values[1, 7] = np.inf
    ranges = [(-1.0, 1.0), (0.0, None), (0.0, None), (None, None), (None, None)]
    scales = scales_for(ranges, values)
    assert scales == [scale_for(r, v) for r, v in zip(ranges, values)]
    many = lut_indices_many(values.reshape(5, 4, 10), scales)
    for k in range(5):
        np.testing.assert_array_equal(many[k].ravel(), lut_indices(values[k], scales[k]))


def test_steps_are_stacked_from_left_to_right():
    from nnplay.core.unit_maps import left_to_right

    x = np.linspace(-3, 3, 61)[:, None]
    steps = np.tanh(4 * (x - np.array([[1.0, -2.0, 0.0]])))  # steepest at 1, -2, 0
    assert list(left_to_right(steps)) == [1, 2, 0]

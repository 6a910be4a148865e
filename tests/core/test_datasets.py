"""Generated data sets, splits, targets and feature transforms."""

import numpy as np
import pytest

from nnplay.core.errors import ConfigError
from nnplay.core import datasets
from nnplay.core.features import raw_inputs_needed, transform

EXPECTED = {
    # name: (dims, task, classes)
    "xor": (2, "binary", 2), "circles": (2, "binary", 2), "gaussians": (2, "binary", 2),
    "spiral": (2, "binary", 2), "moons": (2, "binary", 2), "checkerboard": (2, "binary", 2),
    "blobs": (2, "multiclass", 4),
    "plane": (2, "regression", 0), "ripple": (2, "regression", 0),
    "sine": (1, "regression", 0), "step": (1, "regression", 0), "abs": (1, "regression", 0),
}


def test_every_generator_is_listed():
    assert set(datasets.GENERATORS) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shapes_classes_and_task(name):
    dims, task, classes = EXPECTED[name]
    data = datasets.generate(name, 101, 0.1, seed=3)
    assert data.x.shape == (101, dims) and data.x.dtype == np.float64
    assert data.y.shape == (101,)
    assert data.task == task == datasets.task_of(name)
    assert data.n_classes == classes
    assert np.all(np.isfinite(data.x)) and np.all(np.abs(data.x) < 6)
    if task == "regression":
        assert data.y.dtype == np.float64
    else:
        assert set(np.unique(data.y)) == set(range(classes))
        # no class is starved
        assert np.bincount(data.y).min() >= 101 // (classes * 3)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reproducible_from_the_seed_and_different_across_seeds(name):
    a = datasets.generate(name, 50, 0.2, seed=7)
    b = datasets.generate(name, 50, 0.2, seed=7)
    c = datasets.generate(name, 50, 0.2, seed=8)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize("name", ["xor", "circles", "spiral", "moons", "checkerboard"])
def test_noise_moves_the_points(name):
    clean = datasets.generate(name, 50, 0.0, seed=1)
    noisy = datasets.generate(name, 50, 0.5, seed=1)
    assert not np.allclose(clean.x, noisy.x)


def test_xor_labels_follow_the_truth_table_when_noise_free():
    data = datasets.generate("xor", 200, 0.0, seed=0)
    # class 1 where exactly one coordinate is positive, as XOR(0,1) = XOR(1,0) = 1
    assert np.array_equal(data.y, ((data.x[:, 0] > 0) != (data.x[:, 1] > 0)).astype(int))


def test_xor_keeps_a_margin_and_spreads_over_the_square():
    data = datasets.generate("xor", 2000, 0.0, seed=0)
    magnitude = np.abs(data.x)
    assert magnitude.min() >= 0.3 and magnitude.max() <= datasets.RANGE
    # no pile of points on the border (the old shift-then-clip put ~5 % there)
    assert np.mean(magnitude > datasets.RANGE - 0.01) < 0.01


def test_sine_targets_when_noise_free():
    data = datasets.generate("sine", 40, 0.0, seed=0)
    np.testing.assert_allclose(data.y, np.sin(data.x[:, 0]), rtol=1e-15)


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_blobs_with_3_to_6_classes(k):
    data = datasets.generate("blobs", 120, 0.1, seed=1, classes=k)
    assert data.n_classes == k and data.task == "multiclass"
    assert set(np.unique(data.y)) == set(range(k))
    assert np.bincount(data.y).tolist() == [120 // k] * k


@pytest.mark.parametrize("k", [2, 7])
def test_blobs_outside_3_to_6_classes_is_refused(k):
    with pytest.raises(ValueError):
        datasets.generate("blobs", 60, 0.1, seed=1, classes=k)


def test_unknown_data_set():
    with pytest.raises(ConfigError, match="xor"):
        datasets.generate("mnist", 10, 0.0, 0)


@pytest.mark.parametrize("n, fraction, n_val", [(100, 0.2, 20), (400, 0.25, 100), (10, 0.0, 0), (9, 0.3, 3)])
def test_split_sizes_and_reproducibility(n, fraction, n_val):
    data = datasets.generate("circles", n, 0.1, seed=4)
    s1 = datasets.split(data, fraction, seed=4)
    s2 = datasets.split(data, fraction, seed=4)
    assert len(s1.validation) == n_val and len(s1.train) == n - n_val
    assert np.array_equal(s1.train.x, s2.train.x) and np.array_equal(s1.validation.y, s2.validation.y)
    # train and validation partition the points
    both = np.concatenate([s1.train.x, s1.validation.x])
    assert np.array_equal(np.sort(both, axis=0), np.sort(data.x, axis=0))
    if n_val:
        s3 = datasets.split(data, fraction, seed=5)
        assert not np.array_equal(s1.validation.x, s3.validation.x)


def test_targets_one_hot_column_and_values():
    multi = datasets.from_points([[0, 0]] * 4, [2, 0, 1, 2], "multiclass", 3)
    assert datasets.targets(multi).tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
    binary = datasets.from_points([[0, 0]] * 3, [1, 0, 1], "binary")
    assert datasets.targets(binary).tolist() == [[1.0], [0.0], [1.0]]
    reg = datasets.from_points([[0.5], [1.0]], [0.25, -3.0], "regression")
    assert datasets.targets(reg).tolist() == [[0.25], [-3.0]]


def test_from_points_infers_classes_and_checks_labels():
    data = datasets.from_points([1.0, 2.0, 3.0], [0, 3, 1], "multiclass")
    assert data.n_classes == 4 and data.x.shape == (3, 1)
    with pytest.raises(ValueError):
        datasets.from_points([[0, 0]], [0.5], "binary")


def test_feature_transforms():
    x = np.array([[2.0, -3.0], [0.5, 1.0]])
    names = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    out = transform(names, x)
    np.testing.assert_allclose(out, [
        [2.0, -3.0, 4.0, 9.0, -6.0, np.sin(2.0), np.sin(-3.0)],
        [0.5, 1.0, 0.25, 1.0, 0.5, np.sin(0.5), np.sin(1.0)],
    ], rtol=1e-15)
    assert transform(["x2", "x1"], x).tolist() == [[-3.0, 2.0], [1.0, 0.5]]
    # a 1-D regression set has just x1
    assert transform(["x1", "x1^2"], np.array([3.0, -1.0])).tolist() == [[3.0, 9.0], [-1.0, 1.0]]
    assert raw_inputs_needed(["x1", "sin(x1)"]) == 1
    assert raw_inputs_needed(["x1", "x1*x2"]) == 2

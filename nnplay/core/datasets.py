"""Toy data sets the chapters and playgrounds use, each reproducible from (n, noise, seed).

Two-dimensional sets live in roughly [-3, 3]²; ``noise`` is the standard deviation
of Gaussian jitter in those units (on the points for classification, on the target
for regression). One-dimensional sets have the single input ``x1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RANGE = 3.0
#: the largest size a point's coordinate or a regression target may have: the features
#: (x1², x1·x2) and the losses' sums over 100,000 points of such numbers stay far from
#: overflowing a float, and so do the plots' ranges; ±1.7e308 would overflow all of them
MAX_COORDINATE = 1e100


def too_large(values) -> tuple[int, ...] | None:
    """The index of the first entry of ``values`` over ``MAX_COORDINATE`` in size, or None."""
    big = np.abs(np.asarray(values, dtype=np.float64)) > MAX_COORDINATE
    return tuple(int(i) for i in np.argwhere(big)[0]) if big.any() else None


@dataclass
class Dataset:
    """Raw points ``x`` ``(n, d)`` with labels (int classes) or values (float)."""

    x: np.ndarray
    y: np.ndarray
    task: str
    n_classes: int = 0

    @property
    def dims(self) -> int:
        return self.x.shape[1]

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class Split:
    train: Dataset
    validation: Dataset


def _classes_equal(n: int, k: int) -> np.ndarray:
    return np.arange(n) % k


def xor(n, noise, rng):
    """Label 1 where exactly one coordinate is positive (x1·x2 < 0), as in the
    textbook's truth table with "positive" for 1."""
    # |x| from [0.3, 3]: a margin around the axes, as TF Playground keeps
    x = rng.uniform(0.3, RANGE, size=(n, 2)) * rng.choice([-1.0, 1.0], size=(n, 2))
    y = (x[:, 0] * x[:, 1] < 0).astype(int)
    return x + rng.normal(0, noise, x.shape), y


def circles(n, noise, rng):
    """Class 1 inside a disk, class 0 on a ring around it."""
    y = _classes_equal(n, 2)[rng.permutation(n)]
    radius = np.where(y == 1, rng.uniform(0, 0.45 * RANGE, n), rng.uniform(0.65 * RANGE, RANGE, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x + rng.normal(0, noise, x.shape), y


def gaussians(n, noise, rng):
    """Two Gaussian blobs, one per class."""
    y = _classes_equal(n, 2)[rng.permutation(n)]
    centres = np.array([[-1.5, -1.5], [1.5, 1.5]])
    x = centres[y] + rng.normal(0, 0.6 + noise, (n, 2))
    return x, y


def spiral(n, noise, rng):
    """Two interleaved spiral arms."""
    y = _classes_equal(n, 2)[rng.permutation(n)]
    t = rng.uniform(0.05, 1.0, n)
    radius = 0.95 * RANGE * t
    angle = 1.75 * 2 * np.pi * t + np.pi * y
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return x + rng.normal(0, noise, x.shape), y


def moons(n, noise, rng):
    """Two interleaving half circles."""
    y = _classes_equal(n, 2)[rng.permutation(n)]
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where((y == 0)[:, None], upper, lower)
    x = (x - [0.5, 0.25]) * 2.0
    return x + rng.normal(0, noise, x.shape), y


def blobs(n, noise, rng, classes=4):
    """``classes`` Gaussian blobs with centres on a circle."""
    y = _classes_equal(n, classes)[rng.permutation(n)]
    angle = 2 * np.pi * np.arange(classes) / classes + np.pi / 4
    centres = 1.8 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    x = centres[y] + rng.normal(0, 0.45 + noise, (n, 2))
    return x, y


def checkerboard(n, noise, rng):
    """A 4 × 4 board of alternating squares."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 2))
    cells = np.floor(x / (RANGE / 2)).astype(int)
    y = (cells.sum(axis=1) % 2).astype(int)
    return x + rng.normal(0, noise, x.shape), y


def plane(n, noise, rng):
    """y = (x1 + x2) / 2: a linear target."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 2))
    return x, (x[:, 0] + x[:, 1]) / 2 + rng.normal(0, noise, n)


def ripple(n, noise, rng):
    """y = sin(|x|·1.5) · 1.5: rings around the origin."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 2))
    r = np.hypot(x[:, 0], x[:, 1])
    return x, 1.5 * np.sin(1.5 * r) + rng.normal(0, noise, n)


def sine(n, noise, rng):
    """y = sin(x) on one input."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 1))
    return x, np.sin(x[:, 0]) + rng.normal(0, noise, n)


def step(n, noise, rng):
    """y = 0 for x < 0, 1 otherwise, on one input."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 1))
    return x, (x[:, 0] >= 0).astype(float) + rng.normal(0, noise, n)


def absolute(n, noise, rng):
    """y = |x| on one input."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 1))
    return x, np.abs(x[:, 0]) + rng.normal(0, noise, n)


CLASSIFICATION = {"xor": xor, "circles": circles, "gaussians": gaussians, "spiral": spiral,
                  "moons": moons, "blobs": blobs, "checkerboard": checkerboard}
REGRESSION_2D = {"plane": plane, "ripple": ripple}
REGRESSION_1D = {"sine": sine, "step": step, "abs": absolute}
GENERATORS = {**CLASSIFICATION, **REGRESSION_2D, **REGRESSION_1D}
MIN_CLASSES, MAX_CLASSES = 3, 6


def task_of(name: str, classes: int | None = None) -> str:
    if name in REGRESSION_2D or name in REGRESSION_1D:
        return "regression"
    return "multiclass" if name == "blobs" else "binary"


def generate(name: str, n: int, noise: float, seed: int, classes: int | None = None) -> Dataset:
    """The generated set ``name`` with ``n`` points; the same arguments give the same points."""
    if name not in GENERATORS:
        raise KeyError(f"unknown data set {name!r}; choose one of {', '.join(GENERATORS)}")
    rng = np.random.default_rng(seed)
    if name == "blobs":
        k = classes if classes is not None else 4
        if not MIN_CLASSES <= k <= MAX_CLASSES:
            raise ValueError(f"blobs takes {MIN_CLASSES} to {MAX_CLASSES} classes, got {k}")
        x, y = blobs(n, noise, rng, k)
        return Dataset(x.astype(np.float64), y, "multiclass", k)
    x, y = GENERATORS[name](n, noise, rng)
    if name in CLASSIFICATION:
        return Dataset(x.astype(np.float64), y.astype(int), "binary", 2)
    return Dataset(x.astype(np.float64), y.astype(np.float64), "regression")


def from_points(x, y, task: str, n_classes: int | None = None) -> Dataset:
    """Inline or imported points; classes are the labels 0..K-1 as given."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if too_large(x) is not None or (task == "regression" and too_large(y) is not None):
        raise ValueError(f"a coordinate or target is larger than {MAX_COORDINATE:g} in size")
    if task == "regression":
        return Dataset(x, np.asarray(y, dtype=np.float64), task)
    labels = np.asarray(y, dtype=np.float64)
    if len(labels) and np.any(labels != np.round(labels)):
        raise ValueError("class labels must be whole numbers")
    labels = labels.astype(int)
    k = n_classes or (2 if task == "binary" else int(labels.max(initial=-1)) + 1)
    return Dataset(x, labels, task, k)


def split(data: Dataset, fraction: float, seed: int) -> Split:
    """Hold out round(n · fraction) points, chosen by a permutation drawn from ``seed``."""
    n = len(data)
    n_val = int(round(n * fraction))
    order = np.random.default_rng([seed, 1]).permutation(n)
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])

    def part(idx):
        return Dataset(data.x[idx], data.y[idx], data.task, data.n_classes)

    return Split(part(train), part(val))


def targets(data: Dataset) -> np.ndarray:
    """The 2-D target matrix the losses expect: a 0/1 column, one-hot rows, or values."""
    if data.task == "multiclass":
        out = np.zeros((len(data), data.n_classes))
        out[np.arange(len(data)), data.y] = 1.0
        return out
    return data.y.astype(np.float64)[:, None]

"""Toy data sets the chapters and playgrounds use, each reproducible from (n, noise, seed).

Two-dimensional sets live in roughly [-3, 3]²; ``noise`` is the standard deviation
of Gaussian jitter in those units (on the points for classification, on the target
for regression). One-dimensional sets have the single input ``x1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np

from nnplay.core.errors import ConfigError
from nnplay.core.limits import MAX_CLASSES, MIN_CLASSES

if TYPE_CHECKING:
    from nnplay.core.config import DataConfig

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
    #: the indices (into the whole data set, increasing) of the validation points
    held_out: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


@dataclass(frozen=True)
class Generator:
    """A toy data set: how to draw it, and how the app presents it."""

    name: str
    title: str  #: the app's name for it
    task: str  #: "binary", "multiclass" or "regression"
    dims: int  #: raw inputs per point: 1 (x1) or 2 (x1, x2)
    help: str  #: what it shows, in the chapters' words
    draw: Callable  #: ``draw(n, noise, rng) -> (x, y)``

    @property
    def group(self) -> str:
        """The heading it is listed under: ``2-D classification``, ``1-D regression``, …"""
        kind = "regression" if self.task == "regression" else "classification"
        return f"{self.dims}-D {kind}"


#: every generated data set by name, in the order the app lists them
GENERATORS: dict[str, Generator] = {}


def generator(name: str, title: str, task: str, dims: int, help: str):
    """Register the decorated ``draw(n, noise, rng)`` as the data set ``name``."""
    def decorate(draw: Callable) -> Callable:
        GENERATORS[name] = Generator(name, title, task, dims, help, draw)
        return draw

    return decorate


def _classes_equal(n: int, k: int) -> np.ndarray:
    return np.arange(n) % k


@generator("xor", "XOR", "binary", 2,
           ("Class 1 where x₁ and x₂ have opposite signs. The chapters' XOR example: no single linear "
            "separator works, but one hidden layer of two units does."))
def xor(n, noise, rng):
    """Label 1 where exactly one coordinate is positive (x1·x2 < 0), as in the
    textbook's truth table with "positive" for 1."""
    # |x| from [0.3, 3]: a margin around the axes, as TF Playground keeps
    x = rng.uniform(0.3, RANGE, size=(n, 2)) * rng.choice([-1.0, 1.0], size=(n, 2))
    y = (x[:, 0] * x[:, 1] < 0).astype(int)
    return x + rng.normal(0, noise, x.shape), y


@generator("circles", "Circle in a ring", "binary", 2,
           ("Class 1 inside a disk, class 0 on a ring around it. Not linearly separable in x₁, x₂; try the "
            "features x₁² and x₂², or a hidden layer."))
def circles(n, noise, rng):
    """Class 1 inside a disk, class 0 on a ring around it."""
    y = _classes_equal(n, 2)[rng.permutation(n)]
    radius = np.where(y == 1, rng.uniform(0, 0.45 * RANGE, n), rng.uniform(0.65 * RANGE, RANGE, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x + rng.normal(0, noise, x.shape), y


@generator("gaussians", "Two Gaussian clouds", "binary", 2,
           ("Two Gaussian clouds, one per class: linearly separable, so even a network with no hidden layer "
            "(logistic regression) solves it."))
def gaussians(n, noise, rng):
    """Two Gaussian blobs, one per class."""
    y = _classes_equal(n, 2)[rng.permutation(n)]
    centres = np.array([[-1.5, -1.5], [1.5, 1.5]])
    x = centres[y] + rng.normal(0, 0.6 + noise, (n, 2))
    return x, y


@generator("spiral", "Two spirals", "binary", 2,
           "Two interleaved spiral arms: hard. Needs several hidden layers, or the sin features.")
def spiral(n, noise, rng):
    """Two interleaved spiral arms."""
    y = _classes_equal(n, 2)[rng.permutation(n)]
    t = rng.uniform(0.05, 1.0, n)
    radius = 0.95 * RANGE * t
    angle = 1.75 * 2 * np.pi * t + np.pi * y
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return x + rng.normal(0, noise, x.shape), y


@generator("moons", "Two moons", "binary", 2,
           "Two interleaving half circles: a curved boundary, a small hidden layer does it.")
def moons(n, noise, rng):
    """Two interleaving half circles."""
    y = _classes_equal(n, 2)[rng.permutation(n)]
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where((y == 0)[:, None], upper, lower)
    x = (x - [0.5, 0.25]) * 2.0
    return x + rng.normal(0, noise, x.shape), y


@generator("blobs", "Blobs (3–6 classes)", "multiclass", 2,
           ("3 to 6 Gaussian clouds, one per class: multi-class classification with a softmax output and the"
            " nllm loss."))
def blobs(n, noise, rng, classes=4):
    """``classes`` Gaussian blobs with centres on a circle."""
    y = _classes_equal(n, classes)[rng.permutation(n)]
    angle = 2 * np.pi * np.arange(classes) / classes + np.pi / 4
    centres = 1.8 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    x = centres[y] + rng.normal(0, 0.45 + noise, (n, 2))
    return x, y


@generator("checkerboard", "Checkerboard", "binary", 2,
           "A 4 × 4 board of alternating squares: many pieces of boundary, needs a wide or deep net.")
def checkerboard(n, noise, rng):
    """A 4 × 4 board of alternating squares."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 2))
    cells = np.floor(x / (RANGE / 2)).astype(int)
    y = (cells.sum(axis=1) % 2).astype(int)
    return x + rng.normal(0, noise, x.shape), y


@generator("plane", "Plane", "regression", 2,
           "Regression on y = (x₁ + x₂) / 2: a linear target, a network with no hidden layer fits it.")
def plane(n, noise, rng):
    """y = (x1 + x2) / 2: a linear target."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 2))
    return x, (x[:, 0] + x[:, 1]) / 2 + rng.normal(0, noise, n)


@generator("ripple", "Ripple", "regression", 2,
           "Regression on rings around the origin, y = 1.5 sin(1.5 |x|).")
def ripple(n, noise, rng):
    """y = sin(|x|·1.5) · 1.5: rings around the origin."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 2))
    r = np.hypot(x[:, 0], x[:, 1])
    return x, 1.5 * np.sin(1.5 * r) + rng.normal(0, noise, n)


@generator("sine", "Sine wave", "regression", 1,
           "Regression on one input: y = sin x.")
def sine(n, noise, rng):
    """y = sin(x) on one input."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 1))
    return x, np.sin(x[:, 0]) + rng.normal(0, noise, n)


@generator("step", "Step", "regression", 1,
           ("Regression on one input: y = 0 for x < 0, 1 otherwise. A jump a smooth network can only "
            "approach."))
def step(n, noise, rng):
    """y = 0 for x < 0, 1 otherwise, on one input."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 1))
    return x, (x[:, 0] >= 0).astype(float) + rng.normal(0, noise, n)


@generator("abs", "V shape |x|", "regression", 1,
           "Regression on one input: y = |x|. Two ReLU units fit it exactly.")
def absolute(n, noise, rng):
    """y = |x| on one input."""
    x = rng.uniform(-RANGE, RANGE, size=(n, 1))
    return x, np.abs(x[:, 0]) + rng.normal(0, noise, n)


@dataclass(frozen=True)
class PointSet:
    """A few fixed points the chapters use, listed with the data sets; choosing one makes
    them the network's own (inline) points, all training (no noise, no validation)."""

    name: str
    title: str
    task: str
    help: str
    x: tuple[tuple[float, ...], ...]
    y: tuple[int, ...]

    @property
    def dims(self) -> int:
        return len(self.x[0])

    @property
    def group(self) -> str:
        kind = "regression" if self.task == "regression" else "classification"
        return f"{self.dims}-D {kind}"

    def holds(self, data: DataConfig) -> bool:
        """Whether ``data`` is exactly these points, all training."""
        return (data.source == "inline" and data.validation_fraction == 0 and not data.validation
                and data.x is not None and [tuple(map(float, p)) for p in data.x] == [tuple(map(float, p)) for p in self.x]
                and [int(v) for v in data.y] == list(self.y))


#: the fixed point sets by name, listed after the generated sets of their group
POINT_SETS: dict[str, PointSet] = {
    "xor4": PointSet(
        "xor4", "XOR, the textbook's 4 points", "binary",
        "The four corners of the unit square, class 1 where exactly one coordinate is 1: the textbook's "
        "XOR truth table, with no noise and no validation set. No line separates them; two hidden units do.",
        ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)), (0, 1, 1, 0)),
}


def point_set_of(data: DataConfig) -> PointSet | None:
    """The point set ``data`` holds exactly, if any."""
    return next((points for points in POINT_SETS.values() if points.holds(data)), None)


def next_seed(seed: int, high: int = 2**31 - 1) -> int:
    """The seed after ``seed`` (New Start, New Data), back to 0 after the app's largest."""
    return seed + 1 if seed < high else 0


def task_of(name: str) -> str:
    """The task the generated data set ``name`` is made for."""
    return _generator(name).task


def _generator(name: str) -> Generator:
    if name not in GENERATORS:
        raise ConfigError(f"unknown data set {name!r}; choose one of {', '.join(GENERATORS)}")
    return GENERATORS[name]


def input_dims(data: DataConfig) -> int:
    """How many raw coordinates a point of this data has (1 or 2).

    Inline points say it by their length; with none yet, the plane (2)."""
    if data.source == "inline":
        first = data.x[0] if data.x else None
        return len(first) if isinstance(first, (list, tuple)) and len(first) in (1, 2) else 2
    return _generator(data.name).dims


def generate(name: str, n: int, noise: float, seed: int, classes: int | None = None) -> Dataset:
    """The generated set ``name`` with ``n`` points; the same arguments give the same points."""
    spec = _generator(name)
    rng = np.random.default_rng(seed)
    if name == "blobs":
        k = classes if classes is not None else 4
        if not MIN_CLASSES <= k <= MAX_CLASSES:
            raise ConfigError(f"blobs takes {MIN_CLASSES} to {MAX_CLASSES} classes, got {k}")
        x, y = blobs(n, noise, rng, k)
        return Dataset(x.astype(np.float64), y, "multiclass", k)
    x, y = spec.draw(n, noise, rng)
    if spec.task != "regression":
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
        raise ConfigError("class labels must be whole numbers")
    labels = labels.astype(int)
    k = n_classes or (2 if task == "binary" else int(labels.max(initial=-1)) + 1)
    return Dataset(x, labels, task, k)


def validation_size(n: int, fraction: float) -> int:
    """How many of ``n`` points a validation share of ``fraction`` holds out: round(n · fraction)."""
    return int(round(n * fraction))


def split(data: Dataset, fraction: float, seed: int, held_out=None) -> Split:
    """Hold out the points ``held_out`` lists (indices) or, without it, round(n · fraction)
    points chosen by a permutation drawn from ``seed``."""
    n = len(data)
    if held_out is not None:
        val = np.asarray(held_out, dtype=int).reshape(-1)
        train = np.setdiff1d(np.arange(n), val)
    else:
        order = np.random.default_rng([seed, 1]).permutation(n)
        n_val = validation_size(n, fraction)
        val, train = np.sort(order[:n_val]), np.sort(order[n_val:])

    def part(idx):
        return Dataset(data.x[idx], data.y[idx], data.task, data.n_classes)

    return Split(part(train), part(val), val)


def targets(data: Dataset) -> np.ndarray:
    """The 2-D target matrix the losses expect: a 0/1 column, one-hot rows, or values."""
    if data.task == "multiclass":
        out = np.zeros((len(data), data.n_classes))
        out[np.arange(len(data)), data.y] = 1.0
        return out
    return data.y.astype(np.float64)[:, None]

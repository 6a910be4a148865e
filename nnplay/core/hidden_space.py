"""The data as a hidden layer sees it (ConvNetJS's picture): each point's activations at
that layer, drawn in a plane, with the input grid's lines carried along so the warping
of the input plane shows.

A layer of two units is a plane already. A wider one is shown on two of its units, or
on the first two principal components of its activations over the data (``pca_axes``).
The grid's lines come from the grid pass the boundary plot uses: its rows are lines of
constant x₂, its columns lines of constant x₁, so taking a few of each costs no pass
of its own (``grid_lines``).

Where the output is one unit fed by a last hidden layer of two units, the output's
decision (f(z) at the loss's threshold) is a straight line in that layer's plane
(``decision_line``): the layers before have made the classes separable by a line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnplay.core.layers import BatchNorm, Dense, Dropout

PCA, UNITS = "pca", "units"
#: lines of constant x₁ and of constant x₂ drawn through the plane
GRID_LINES = 13


@dataclass(frozen=True)
class Axes:
    """How a layer's activations ``a`` ``(n, d)`` become points of the plane:
    ``(a − mean) · basisᵀ``."""

    kind: str  #: ``PCA`` or ``UNITS``
    mean: np.ndarray  #: ``(d,)``
    basis: np.ndarray  #: ``(2, d)``, orthonormal rows
    #: for ``PCA``: the share of the variance along each axis (NaN when there is none)
    explained: tuple[float, float] = (float("nan"), float("nan"))
    units: tuple[int, int] = (0, 1)  #: for ``UNITS``: which two (0-based)

    def project(self, a: np.ndarray) -> np.ndarray:
        """``(n, 2)`` points of the plane for activations ``a`` ``(..., d)``."""
        return (np.asarray(a, dtype=np.float64) - self.mean) @ self.basis.T


def unit_axes(width: int, first: int = 0, second: int = 1) -> Axes:
    """The plane of two units (a one-unit layer: its unit along x, 0 along y)."""
    basis = np.zeros((2, width))
    basis[0, min(first, width - 1)] = 1.0
    if width > 1:
        basis[1, min(second, width - 1)] = 1.0
    return Axes(UNITS, np.zeros(width), basis, units=(first, second))


def pca_axes(a: np.ndarray, previous: Axes | None = None) -> Axes:
    """The first two principal components of activations ``a`` ``(n, d)`` (d ≥ 2): the
    eigenvectors of their covariance with the largest eigenvalues. An axis's sign is
    arbitrary: it is chosen to agree with ``previous`` (the last frame's) where that
    had the same width, so the picture does not flip from one frame to the next."""
    a = np.asarray(a, dtype=np.float64)
    a = a[np.all(np.isfinite(a), axis=1)]
    width = a.shape[1]
    if len(a) < 2:
        return Axes(PCA, np.zeros(width), unit_axes(width).basis)
    mean = a.mean(axis=0)
    centred = a - mean
    covariance = centred.T @ centred / (len(a) - 1)
    values, vectors = np.linalg.eigh(covariance)  # ascending
    order = np.argsort(values)[::-1][:2]
    basis = vectors[:, order].T.copy()
    if previous is not None and previous.basis.shape == basis.shape:
        for k in range(2):
            if basis[k] @ previous.basis[k] < 0:
                basis[k] = -basis[k]
    else:  # a first frame: the largest loading positive
        for k in range(2):
            if basis[k, np.argmax(np.abs(basis[k]))] < 0:
                basis[k] = -basis[k]
    total = float(values.clip(min=0).sum())
    explained = tuple(float(values[k].clip(min=0) / total) if total > 0 else float("nan") for k in order)
    return Axes(PCA, mean, basis, explained)


def grid_lines(values: np.ndarray, shape: tuple[int, ...], count: int = GRID_LINES) -> np.ndarray:
    """``count`` rows and ``count`` columns of a grid's values ``(ny * nx, d)`` laid out as
    ``shape``: lines of constant x₂, then of constant x₁, each as a polyline,
    ``(lines, points per line, d)``. Rows and columns have the same length (a square
    grid) or, for one input (``ny == 1``), there is one line."""
    ny, nx = shape
    grid = np.asarray(values).reshape(ny, nx, -1)
    if ny == 1:
        return grid[:1]
    rows = np.unique(np.linspace(0, ny - 1, count).round().astype(int))
    cols = np.unique(np.linspace(0, nx - 1, count).round().astype(int))
    along_x1 = grid[rows]  # (rows, nx, d)
    along_x2 = grid[:, cols].transpose(1, 0, 2)  # (cols, ny, d)
    if along_x1.shape[1] != along_x2.shape[1]:
        return along_x1
    return np.concatenate([along_x1, along_x2])


def polylines(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Polylines ``(lines, m, 2)`` as one run of x, y and ``connect`` (1: join this point
    to the next; 0 at each line's end), the form a plot draws in one call."""
    lines, m = points.shape[:2]
    connect = np.ones(lines * m, dtype=np.int32)
    connect[m - 1::m] = 0
    return points[..., 0].reshape(-1), points[..., 1].reshape(-1), connect


def between(layers: list, first: int, last: int, weights: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """What the layers strictly between ``layers[first]`` and ``layers[last]`` do in
    evaluation mode, as a per-unit scale and shift: a batch norm is γ (x − μ)/√(σ² + ε)
    + β with its running statistics, a dropout the identity."""
    width = layers[first].n_outputs
    scale, shift = np.ones(width), np.zeros(width)
    for index in range(first + 1, last):
        layer, w = layers[index], weights[index]
        if isinstance(layer, BatchNorm):
            factor = np.asarray(w["gamma"], dtype=np.float64) / np.sqrt(
                np.asarray(w["running_var"], dtype=np.float64) + layer.eps)
            offset = np.asarray(w["beta"], dtype=np.float64) - factor * np.asarray(w["running_mean"], dtype=np.float64)
            scale, shift = scale * factor, shift * factor + offset
        elif not isinstance(layer, Dropout):
            raise ValueError(f"no per-unit form for a {layer.type} layer")
    return scale, shift


def z_where(activation, target: float) -> float | None:
    """The z at which ``activation`` (increasing) gives ``target``, or None if it never does."""
    lo, hi = -60.0, 60.0
    f = lambda z: float(activation.forward(np.array([[z]]))[0, 0])  # noqa: E731
    if not f(lo) <= target <= f(hi):
        return None
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < target else (lo, mid)
    return (lo + hi) / 2


def decision_line(layers: list, weights: list[dict], hidden: int, threshold: float) -> np.ndarray | None:
    """The output's decision line in the plane of ``layers[hidden]``, a dense layer of two
    units that is the last before the output, a dense layer of one unit: ``(a, b, c)`` with
    a·h₁ + b·h₂ = c where f(z) = ``threshold``. None where there is no such line (another
    shape, an output that never reaches the threshold, weights that ignore both units)."""
    dense = [i for i, layer in enumerate(layers) if isinstance(layer, Dense)]
    if len(dense) < 2 or dense[-2] != hidden or layers[hidden].n_outputs != 2 or layers[dense[-1]].n_outputs != 1:
        return None
    output = dense[-1]
    z_star = z_where(layers[output].activation, threshold)
    if z_star is None:
        return None
    scale, shift = between(layers, hidden, output, weights)
    v = np.asarray(weights[output]["W"], dtype=np.float64)[:, 0]
    b = float(np.asarray(weights[output]["b"], dtype=np.float64)[0])
    normal = v * scale  # z = Σ v_j (scale_j h_j + shift_j) + b
    if not np.all(np.isfinite(normal)) or not np.any(normal):
        return None
    return np.array([normal[0], normal[1], z_star - b - float(v @ shift)])

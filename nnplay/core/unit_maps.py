"""What one unit computes over the input plane, made ready to draw: the numbers behind
the network diagram's node maps and the boundary plot's view of a single unit.

A unit's map is its output on the boundary plot's grid, read from the grid pass that
keeps every layer's output (``probes.GridPass``). Its colour scale comes from what the
unit can produce, as its activation (or input feature) declares it (``value_range``):

- both ends finite (tanh, sigmoid, a sine feature): those ends, the same every frame,
  so a unit that saturates is seen to;
- only the low end (ReLU, softplus, x₁²): from there (white, a unit that is off) to the
  highest value on the grid;
- neither (identity, leaky ReLU, x₁): symmetric about 0, to the largest size on the grid.

One input (1-D regression): a map is a curve, ``curve_points`` scales it into its box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DIVERGING = "diverging"  #: low end blue, middle white, high end orange
SEQUENTIAL = "sequential"  #: low end white, high end orange (or a class's colour)
VALUE = "value"  #: the regression heat map's colours, low to high
#: the colours a caption names at the ends (and middle) of each kind of scale
COLOUR_NAMES = {DIVERGING: ("blue", "white", "orange"), SEQUENTIAL: ("white", "orange"), VALUE: ("purple", "yellow")}


@dataclass(frozen=True)
class UnitScale:
    """How a unit's values become colours: ``lo`` and ``hi`` are the two ends of the
    colour map, ``kind`` which map; ``fixed`` when declared rather than read off the values."""

    lo: float
    hi: float
    kind: str
    fixed: bool
    names: tuple[str, ...] = ()  #: the colours' names, where not the kind's own (a class's colour)

    def describe(self) -> str:
        """The scale in words, for a caption: "blue −1 · white 0 · orange 1"."""
        names = self.names or COLOUR_NAMES[self.kind]
        if len(names) == 3:
            middle = (self.lo + self.hi) / 2
            return f"{names[0]} {number(self.lo)} · {names[1]} {number(middle)} · {names[2]} {number(self.hi)}"
        return f"{names[0]} {number(self.lo)} · {names[1]} {number(self.hi)}"


def number(value: float) -> str:
    """A short form of ``value`` with a true minus sign."""
    text = f"{value:.3g}"
    return text.replace("-", "−") if text != "-0" else "0"


def scale_for(value_range: tuple[float | None, float | None], values: np.ndarray) -> UnitScale:
    """The colour scale of a unit that can produce ``value_range`` and produced ``values``."""
    lo, hi = value_range
    if lo is not None and hi is not None:
        return UnitScale(float(lo), float(hi), DIVERGING, True)
    values = np.asarray(values)
    finite = values[np.isfinite(values)]
    if lo is not None:
        top = float(finite.max()) if finite.size else lo
        return UnitScale(float(lo), top if top > lo + 1e-12 else lo + 1.0, SEQUENTIAL, False)
    size = float(np.abs(finite).max()) if finite.size else 0.0
    size = size if size > 1e-12 else 1.0
    return UnitScale(-size, size, DIVERGING, False)


def scales_for(value_ranges, values: np.ndarray) -> list[UnitScale]:
    """``scale_for`` of many units at once: ``value_ranges`` per unit, their ``values``
    ``(units, samples)`` (a column of the network diagram, in a few NumPy calls)."""
    values = np.asarray(values)
    if not len(values):
        return []
    with np.errstate(invalid="ignore"):
        finite = np.where(np.isfinite(values), values, np.nan)
        empty = np.all(np.isnan(finite), axis=1)
        finite[empty] = 0.0
        top = np.nanmax(finite, axis=1)
        size = np.nanmax(np.abs(finite), axis=1)
    out = []
    for (lo, hi), t, z in zip(value_ranges, top.tolist(), size.tolist()):
        if lo is not None and hi is not None:
            out.append(UnitScale(float(lo), float(hi), DIVERGING, True))
        elif lo is not None:
            out.append(UnitScale(float(lo), t if t > lo + 1e-12 else lo + 1.0, SEQUENTIAL, False))
        else:
            z = z if z > 1e-12 else 1.0
            out.append(UnitScale(-z, z, DIVERGING, False))
    return out


def lut_indices_many(values: np.ndarray, scales: list[UnitScale]) -> np.ndarray:
    """``lut_indices`` of ``values`` ``(units, ...)``, each unit on its own scale."""
    shape = (len(scales),) + (1,) * (values.ndim - 1)
    lo = np.array([s.lo for s in scales], dtype=np.float32).reshape(shape)
    factor = np.array([255.0 / (s.hi - s.lo) for s in scales], dtype=np.float32).reshape(shape)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = (np.asarray(values, dtype=np.float32) - lo) * factor
    scaled = np.nan_to_num(scaled, nan=0.0, posinf=255.0, neginf=0.0)
    return np.clip(scaled + 0.5, 0, 255).astype(np.uint8)


def curve_scale(value_range: tuple[float | None, float | None], values: np.ndarray) -> UnitScale:
    """The vertical scale of a 1-D unit's curve: its declared range where both ends are
    finite, else from the declared end (if any) to the curve's own extremes."""
    lo, hi = value_range
    if lo is not None and hi is not None:
        return UnitScale(float(lo), float(hi), DIVERGING, True)
    values = np.asarray(values)
    finite = values[np.isfinite(values)]
    low = float(lo) if lo is not None else (float(finite.min()) if finite.size else -1.0)
    high = float(finite.max()) if finite.size else low + 1.0
    pad = 0.05 * (high - low) if high > low + 1e-12 else 0.5
    return UnitScale(low if lo is not None else low - pad, high + pad, DIVERGING, False)


def lut_indices(values: np.ndarray, scale: UnitScale) -> np.ndarray:
    """``values`` as indices 0..255 into a 256-entry colour table spanning ``scale``
    (beyond its ends: the ends; NaN: the low end), uint8, same shape."""
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = (np.asarray(values, dtype=np.float32) - scale.lo) * np.float32(255.0 / (scale.hi - scale.lo))
    scaled = np.nan_to_num(scaled, nan=0.0, posinf=255.0, neginf=0.0)
    return np.clip(scaled + 0.5, 0, 255).astype(np.uint8)


def stride_for(shape: tuple[int, ...], pixels: int) -> int:
    """Every how many grid samples a map of at most ``pixels`` a side takes one."""
    return max(1, math.ceil(max(shape) / pixels))


def unit_image(column: np.ndarray, shape: tuple[int, ...], stride: int) -> np.ndarray:
    """One unit's values on the grid, ``(ny * nx,)``, as a ``(ny, nx)`` image taking every
    ``stride``-th sample (a view where possible: copy before handing it to another thread)."""
    return column.reshape(shape)[::stride, ::stride]


def curve_points(values: np.ndarray, scale: UnitScale, samples: int) -> np.ndarray:
    """A 1-D unit's curve in its box: ``(samples, 2)`` points in 0..1, x along the grid,
    y from the scale's low end (0) to its high end (1), clipped to the box."""
    values = np.asarray(values, dtype=np.float64)
    index = np.linspace(0, len(values) - 1, min(samples, len(values))).round().astype(int)
    ys = (values[index] - scale.lo) / (scale.hi - scale.lo)
    out = np.empty((len(index), 2))
    out[:, 0] = index / max(1, len(values) - 1)
    out[:, 1] = np.clip(np.nan_to_num(ys, nan=0.5, posinf=1.0, neginf=0.0), 0.0, 1.0)
    return out


def output_parts(h: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The universal-approximation picture of a 1-D fit: the output unit's inputs
    ``h`` ``(n, k)`` (what reaches it from the last hidden layer) times their weights
    ``v`` ``(k,)``, each unit's part v_j·h_j(x) as a column ``(n, k)``. With the bias b
    they add up to the output's z = b + Σ_j v_j h_j(x)."""
    return np.asarray(h, dtype=np.float64) * np.asarray(v, dtype=np.float64)[None, :]


def left_to_right(parts: np.ndarray) -> np.ndarray:
    """The order of ``parts`` ``(n, k)`` by where along x each changes fastest: stacked in
    that order, a fit of sigmoid-like steps builds up from left to right, step by step,
    as the universal-approximation argument builds it."""
    if parts.shape[0] < 2:
        return np.arange(parts.shape[1])
    slope = np.nan_to_num(np.abs(np.diff(parts, axis=0)))
    return np.argsort(np.argmax(slope, axis=0), kind="stable")


def stacked(parts: np.ndarray, bias: float) -> np.ndarray:
    """``(n, k + 1)``: the bias, then the bias plus the first part, plus the second, …
    The last column is z, the sum of them all."""
    n = parts.shape[0]
    out = np.empty((n, parts.shape[1] + 1))
    out[:, 0] = bias
    np.cumsum(parts, axis=1, out=out[:, 1:])
    out[:, 1:] += bias
    return out


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10ᵏ at or above ``value`` (1 for nothing): a legend's
    scale that changes only now and then while the weights it spans grow."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10.0 * power

"""What the network's numbers look like over the training set: the Distributions view's
computations, without Qt (the view only draws them).

Per dense layer, over the training points in evaluation mode (dropout off, batch norm
on its running statistics):

- histograms of the pre-activations z and of the activations a, with bins fixed by the
  activation's range: a bounded side of f (sigmoid's 0 and 1, ReLU's 0) is an edge; an
  unbounded side, and z, reach the smallest power of two that covers the values, so the
  bins stay put while training moves the values a little;
- the saturated share: the outputs within the activation's declared ``saturation``
  bounds' reach (sigmoid and tanh near their bounds, hard tanh on them), where the
  gradient has all but vanished;
- the dead share: the units whose output is the activation's ``dead_output`` for every
  example (a ReLU that is 0 everywhere never learns again);
- the weight histogram (symmetric about 0), with the share of weights exactly 0 (what an
  L1 penalty aims at) and of weights within ``NEAR_ZERO`` of it (what it gets to with
  gradient steps, which rarely land on 0 exactly).

``TrainingSetDistributions`` gathers them for the app's live view with where they come
from (all the training points, or an even spread of them when a pass over all would
cost more than ``WORK_BUDGET``), and the sentences the view shows (``summary_lines``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnplay.core.layers import Dense

#: bins of every histogram
BINS = 40
#: a weight this close to 0 counts as near zero
NEAR_ZERO = 1e-3
#: multiply-adds one live pass over the training set may cost (about 10 ms on one core);
#: a larger set is sampled evenly (``rows_within``)
WORK_BUDGET = 20_000_000
#: dead units named one by one in a summary; the rest are counted
NAMED_UNITS = 8


@dataclass(frozen=True)
class Histogram:
    """Counts of values in ``BINS`` equal bins between ``edges[0]`` and ``edges[-1]``
    (both included); the values outside and those not finite are counted apart."""

    edges: np.ndarray
    counts: np.ndarray
    below: int = 0
    above: int = 0
    non_finite: int = 0

    @property
    def total(self) -> int:
        return int(self.counts.sum()) + self.below + self.above + self.non_finite


@dataclass(frozen=True)
class LayerDistribution:
    layer: int  #: the dense layer's index in the network's layers
    title: str  #: "layer 1 (8 tanh)"
    activation: str
    z: Histogram
    a: Histogram
    #: the share of outputs (examples × units) that are saturated; None: f does not saturate
    saturated: float | None
    #: the share of units that are dead; None: f has no dead output
    dead: float | None
    dead_units: tuple[int, ...]
    weights: Histogram
    zero_weights: float  #: the share of W exactly 0
    near_zero_weights: float  #: the share of W within ``NEAR_ZERO`` of 0
    units: int = 0  #: the layer's width
    shape: tuple[int, int] = (0, 0)  #: W's ``(inputs, units)``
    saturation_bounds: tuple[float, float] | None = None  #: the activation's ``saturation``
    dead_output: float | None = None  #: the activation's ``dead_output``
    zero_weight_count: int = 0  #: entries of W exactly 0
    near_zero_weight_count: int = 0  #: entries of W within ``NEAR_ZERO`` of 0


@dataclass(frozen=True)
class TrainingSetDistributions:
    """Every dense layer's distributions over ``points`` of the ``total`` training points."""

    layers: list[LayerDistribution]
    points: int
    total: int

    @property
    def source(self) -> str:
        """Where the numbers come from, in words."""
        if self.points == self.total:
            return f"over all {self.total:,} training points, in evaluation mode"
        return f"over {self.points:,} of the {self.total:,} training points (evenly spread), in evaluation mode"


def power_span(values: np.ndarray) -> float:
    """The smallest power of two (at least 1) at or above every finite |value|."""
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    return 1.0 if top <= 1.0 else 2.0 ** math.ceil(math.log2(top))


def histogram(values: np.ndarray, low: float, high: float, bins: int = BINS) -> Histogram:
    values = np.ravel(values)
    finite = np.isfinite(values)
    kept = values[finite]
    edges = np.linspace(low, high, bins + 1)
    inside = (kept >= low) & (kept <= high)
    counts, _ = np.histogram(kept[inside], bins=edges)
    return Histogram(edges, counts, int(np.sum(kept < low)), int(np.sum(kept > high)),
                     int(values.size - kept.size))


def output_range(activation, values: np.ndarray) -> tuple[float, float]:
    """The bins' range for an activation's outputs: its bounds where it has them."""
    low, high = activation.value_range
    span = power_span(values)
    return (-span if low is None else low), (span if high is None else high)


def saturated_share(activation, a: np.ndarray) -> float | None:
    if activation.saturation is None or a.size == 0:
        return None
    low, high = activation.saturation
    return float(np.mean((a <= low) | (a >= high)))


def dead_units(activation, a: np.ndarray) -> tuple[int, ...] | None:
    if activation.dead_output is None:
        return None
    if len(a) == 0:
        return ()
    return tuple(int(j) for j in np.flatnonzero(np.all(a == activation.dead_output, axis=0)))


def weight_histogram(W: np.ndarray) -> Histogram:
    span = power_span(W)
    return histogram(W, -span, span)


def rows_within(work_per_point: int, rows: int, budget: int = WORK_BUDGET) -> int | None:
    """How many rows a pass of ``work_per_point`` multiply-adds a row may take within
    ``budget`` (at least 100); None: all ``rows``."""
    if work_per_point * rows <= budget:
        return None
    return max(100, budget // max(1, work_per_point))


def training_set_distributions(network, x: np.ndarray) -> TrainingSetDistributions:
    """``layer_distributions`` over the training features ``x``, sampled within ``WORK_BUDGET``."""
    work = sum(layer.n_inputs * layer.n_outputs for layer in network.dense)
    limit = rows_within(work, len(x))
    layers = layer_distributions(network, x, limit)
    return TrainingSetDistributions(layers, len(x) if limit is None else min(limit, len(x)), len(x))


def layer_distributions(network, x: np.ndarray, limit: int | None = None) -> list[LayerDistribution]:
    """The distributions of every dense layer of ``network`` over the rows of ``x`` (the
    training set's features), in evaluation mode; ``limit``: use at most that many rows,
    evenly spread, to bound the cost of a live view.

    It runs an evaluation pass through the network's own layers (their caches change, the
    weights and running statistics do not): call it where no other thread trains."""
    if limit is not None and len(x) > limit:
        x = x[np.linspace(0, len(x) - 1, limit).astype(int)]
    out = []
    number = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, layer in enumerate(network.layers):
            x = layer.forward(x, False, None)
            if isinstance(layer, Dense):
                number += 1
                out.append(_dense_distribution(layer, i, number))
    return out


def _dense_distribution(layer: Dense, index: int, number: int) -> LayerDistribution:
    values = layer.trace_values()
    z, a = values["z"], values["a"]
    act = layer.activation
    span = power_span(z)
    dead = dead_units(act, a)
    W = layer.params["W"]
    zeros, near = int(np.count_nonzero(W == 0.0)), int(np.count_nonzero(np.abs(W) <= NEAR_ZERO))
    return LayerDistribution(
        layer=index, title=f"layer {number} ({layer.n_outputs} {layer.activation_name})",
        activation=layer.activation_name, z=histogram(z, -span, span), a=histogram(a, *output_range(act, a)),
        saturated=saturated_share(act, a), dead=None if dead is None else len(dead) / layer.n_outputs,
        dead_units=dead or (), weights=weight_histogram(W), zero_weights=zeros / max(1, W.size),
        near_zero_weights=near / max(1, W.size), units=layer.n_outputs, shape=W.shape,
        saturation_bounds=act.saturation, dead_output=act.dead_output, zero_weight_count=zeros,
        near_zero_weight_count=near)


# ---- what the view says
def percent(share: float) -> str:
    """A share as a percentage that never rounds a few to none or nearly all to all."""
    if share == 0.0 or share == 1.0:
        return f"{100 * share:.0f} %"
    if share < 0.001:
        return "< 0.1 %"
    if share > 0.999:
        return "> 99.9 %"
    return f"{100 * share:.1f}".rstrip("0").rstrip(".") + " %"


def values_line(d: LayerDistribution, points: int) -> str:
    """How many values the z and a histograms count, and those outside their bins."""
    line = f"z and a: {d.z.total:,} values each ({points:,} points × {d.units} units)"
    outside = d.z.non_finite + d.a.non_finite
    return line + (f"; {outside:,} not finite (left out)." if outside else ".")


def activity_line(d: LayerDistribution) -> str:
    """The saturated share and the dead share, where the activation has them."""
    parts = []
    if d.saturated is not None:
        low, high = d.saturation_bounds
        parts.append(f"Saturated: {percent(d.saturated)} of the outputs (a ≤ {low:g} or a ≥ {high:g}, "
                     "where f′ has all but vanished).")
    if d.dead is not None:
        dead = len(d.dead_units)
        named = ", ".join(str(j + 1) for j in d.dead_units[:NAMED_UNITS])
        more = f" and {dead - NAMED_UNITS} more" if dead > NAMED_UNITS else ""
        which = f": unit{'s' if dead > 1 else ''} {named}{more}" if dead else ""
        parts.append(f"Dead: {dead} of {d.units} units ({percent(d.dead)}) output {d.dead_output:g} "
                     f"for every point{which}.")
    if not parts:
        parts.append(f"{d.activation} neither saturates nor has dead units.")
    return " ".join(parts)


def weights_line(d: LayerDistribution) -> str:
    """How many weights are exactly 0 (L1's aim) and how many nearly."""
    n_in, n_out = d.shape
    return (f"W ({n_in} × {n_out} = {n_in * n_out:,} weights): {d.zero_weight_count:,} exactly 0 "
            f"({percent(d.zero_weights)}), {d.near_zero_weight_count:,} within {NEAR_ZERO:g} of 0 "
            f"({percent(d.near_zero_weights)}).")


def histogram_titles(d: LayerDistribution) -> tuple[tuple[str, str], ...]:
    """The three histograms' titles as (what, detail): z's formula, a's saturated or dead
    share, W's count exactly 0 (shown on one line, or on two where a plot is narrow)."""
    details = []
    if d.saturated is not None:
        details.append(f"{percent(d.saturated)} saturated")
    if d.dead is not None:
        details.append(f"{len(d.dead_units)} of {d.units} units dead")
    n_in, n_out = d.shape
    return (("Pre-activations", "z = xW + b"), ("Activations a = f(z)", ", ".join(details)),
            ("Weights W", f"{d.zero_weight_count:,} of {n_in * n_out:,} exactly 0"))


def summary_lines(d: LayerDistribution, points: int) -> list[str]:
    """The view's sentences for one layer."""
    return [values_line(d, points), activity_line(d), weights_line(d)]

"""The network as a diagram: columns of units joined by weights, with batch-norm and
dropout layers as bands between columns. What the app's network diagram and hidden
space views draw, worked out once per network shape.

Column 0 is the input features; then one column per dense layer, the last being the
output. The links into column c are the weights ``W`` of its dense layer, ``(units of
column c − 1, units of column c)``, and its units' biases are that layer's ``b``. A
batch-norm or dropout layer keeps the width, so ``W`` still joins the two columns'
units one to one; it is drawn as a band in the gap it sits in.
"""

from __future__ import annotations

from dataclasses import dataclass

from nnplay.core.features import FEATURE_TABLE
from nnplay.core.layers import Dense

INPUT, HIDDEN, OUTPUT = "input", "hidden", "output"


@dataclass(frozen=True)
class Column:
    kind: str  #: ``INPUT``, ``HIDDEN`` or ``OUTPUT``
    title: str  #: "Input", "Layer 2", "Output"
    subtitle: str  #: "x₁, x₂", "8 tanh", "1 sigmoid"
    layer: int | None  #: its dense layer's index in ``Network.layers`` (None: the features)
    units: int
    labels: tuple[str, ...]  #: each unit's name: "x₁²", "unit 3"
    #: what each unit can produce (``Activation.value_range``, a feature's ``value_range``)
    value_ranges: tuple[tuple[float | None, float | None], ...]
    activation: str = ""  #: the dense layer's activation name ("" for the input)

    def unit_title(self, unit: int) -> str:
        """The unit as a caption names it: "Unit 3 of layer 2 (tanh)", "x₁²"."""
        name = self.unit_name(unit)
        if self.kind == INPUT:
            return name
        return f"{name[0].upper()}{name[1:]} ({self.activation})"

    def unit_name(self, unit: int) -> str:
        """The unit as a sentence names it: "x₁²", "unit 3 of layer 2", "output 1"."""
        if self.kind == INPUT:
            return self.labels[unit]
        if self.kind == OUTPUT:
            return f"output {unit + 1}" if self.units > 1 else "the output"
        return f"unit {unit + 1} of {self.title.lower()}"


@dataclass(frozen=True)
class Band:
    """A batch-norm or dropout layer, drawn in the gap after column ``after``."""

    after: int
    layer: int  #: its index in ``Network.layers``
    type: str  #: the layer type's name
    label: str  #: "BN", "drop 0.3"
    help: str


@dataclass(frozen=True)
class Diagram:
    columns: tuple[Column, ...]
    bands: tuple[Band, ...]

    @property
    def hidden(self) -> list[int]:
        """The hidden columns' indices."""
        return [c for c, column in enumerate(self.columns) if column.kind == HIDDEN]

    def bands_after(self, column: int) -> list[Band]:
        return [band for band in self.bands if band.after == column]


def diagram_of(features: list[str], layers: list) -> Diagram:
    """The diagram of a network with input ``features`` and built ``layers``
    (``Network.layers``)."""
    names = ", ".join(FEATURE_TABLE[f].label for f in features) if len(features) <= 2 else f"{len(features)} features"
    columns = [Column(INPUT, "Input", names, None, len(features),
                      tuple(FEATURE_TABLE[f].label for f in features),
                      tuple(FEATURE_TABLE[f].value_range for f in features))]
    dense = [i for i, layer in enumerate(layers) if isinstance(layer, Dense)]
    bands = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, Dense):
            bands.append(Band(len(columns) - 1, i, layer.type, _band_label(layer), layer.help))
            continue
        last = i == dense[-1]
        units, activation = layer.n_outputs, layer.activation
        number = len(columns)
        title = "Output" if last else f"Layer {number}"
        labels = tuple(f"output {j + 1}" if last else f"unit {j + 1}" for j in range(units))
        columns.append(Column(OUTPUT if last else HIDDEN, title, f"{units} {activation.name}", i, units,
                              labels, (activation.value_range,) * units, activation.name))
    return Diagram(tuple(columns), tuple(bands))


def _band_label(layer) -> str:
    if layer.type == "batchnorm":
        return "BN"
    if layer.type == "dropout":
        return f"drop {layer.rate:g}"
    return layer.type


def shown_units(units: int, rows: int, expanded: bool = False) -> tuple[tuple[int, ...], int]:
    """Which of a column's ``units`` it shows where ``rows`` nodes fit: every one if they
    fit or the user expanded it; else the first ``rows − 1``, the last row saying how
    many more there are. Returns the units shown and how many are left out."""
    if units <= rows or expanded:
        return tuple(range(units)), 0
    keep = max(1, rows - 1)
    return tuple(range(keep)), units - keep

"""Each epoch's gradient size per dense layer: what shows that the lower layers of a
deep sigmoid net learn slowly, and what pre-training changes about it.

For dense layer l and an epoch of U updates (one per batch),

    RMS_l = sqrt( (1/U) Σ_u mean((∂J/∂W_l)_u²) ),

the root of the mean square of ∂J/∂W_l over every entry and every update of the
epoch: the gradient each update of the epoch applied (penalties included), as the
Gradients view's ``snapshot.dense_gradient_rms`` reads it after each update. Only
supervised updates count: pre-training's autoencoder updates have a gradient of
their own (the reconstruction loss's), not ∂J/∂W. An epoch's row is made when the
epoch ends; one interrupted half-way makes none.

A meter follows ``Trainer.run`` from inside its hooks and never changes what the run
computes (it only reads the gradients the update left). ``take()`` hands out the rows
made since the last call, once each, as history-like columns: ``epoch`` and
``dense1``, ``dense2``, … (the dense layers from the first to the output).
"""

from __future__ import annotations

import math

import numpy as np

from nnplay.core.trainer import Trainer


def column_name(number: int) -> str:
    """The column of dense layer ``number`` (1 for the first dense layer)."""
    return f"dense{number}"


def pretraining_under_way(trainer: Trainer) -> bool:
    """Whether the trainer's updates are pre-training's (an autoencoder's gradients)."""
    phase = trainer.pretraining
    return phase is not None and phase.pending


class EpochGradients:
    """The per-epoch RMS of ∂J/∂W of each dense layer of one trainer's network."""

    def __init__(self, trainer: Trainer):
        self.layers = trainer.network.dense
        self.columns = ["epoch", *(column_name(i + 1) for i in range(len(self.layers)))]
        self._squares = np.zeros(len(self.layers))  #: Σ_u Σ g² of the epoch so far, per layer
        self._entries = np.array([layer.params["W"].size for layer in self.layers], dtype=np.float64)
        self._updates = 0
        self._rows: dict[str, list] = {name: [] for name in self.columns}

    def on_update(self, trainer: Trainer) -> None:
        """Add the update's Σ (∂J/∂W)² per layer (divided by the entries once, at the epoch's
        end: this runs after every update, so it does as little as it can)."""
        if pretraining_under_way(trainer):
            return
        squares = self._squares
        for i, layer in enumerate(self.layers):
            g = layer.grads["W"]
            squares[i] += np.vdot(g, g)  # BLAS: an inf or NaN passes through without a warning
        self._updates += 1

    def on_epoch(self, trainer: Trainer) -> None:
        if pretraining_under_way(trainer):
            return
        if self._updates:
            self._rows["epoch"].append(trainer.epoch)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a diverging run's may be inf
                rms = np.sqrt(self._squares / (self._updates * self._entries))
            for i, value in enumerate(rms):
                self._rows[column_name(i + 1)].append(float(value) if math.isfinite(value) else None)
        self._squares[:] = 0.0
        self._updates = 0

    def take(self) -> dict[str, list]:
        """The rows made since the last ``take``, column by column (empty lists when none)."""
        rows = self._rows
        self._rows = {name: [] for name in self.columns}
        return rows


#: what a view of these figures shows, and what to look for in it
HELP = ("Each epoch's RMS of ∂J/∂W of one dense layer: the root mean square of the weight gradient "
        "over its entries and the epoch's updates, how hard training pushes that layer. In a deep "
        "sigmoid net the lowest layers' gradients are far smaller than the top's, so they learn "
        "slowly; compare the runs' first hidden layer (pre-training's epochs are not counted).")


def column_titles(networks: list[list]) -> dict[str, str]:
    """Each column's name for a person, from the layer configs of one or more networks
    (a race's runs): ``dense layer 1 (layers[0], 8 sigmoid), the first hidden`` where
    every network has that layer alike, else ``dense layer 1``."""
    titles: dict[str, str] = {}
    for layers in networks:
        for column, title in _titles(layers).items():
            titles[column] = title if titles.get(column, title) == title else column_title_bare(column)
    return titles


def column_title_bare(column: str) -> str:
    return f"dense layer {column.removeprefix('dense')}"


def _titles(layers: list) -> dict[str, str]:
    dense = [(i, layer) for i, layer in enumerate(layers) if layer.type == "dense"]
    titles = {}
    for number, (i, layer) in enumerate(dense, start=1):
        role = ", the output" if number == len(dense) else ", the first hidden" if number == 1 else ""
        titles[column_name(number)] = f"dense layer {number} (layers[{i}], {layer.units} {layer.activation}){role}"
    return titles

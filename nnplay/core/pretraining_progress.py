"""What the command line, the app and a race read of pre-training (``nnplay.core.pretraining``):
where it is, what a snapshot carries (new reconstruction-loss rows, the first layer's
reconstruction of the data), the pair of runs a race compares, and what a settings edit
keeps of a pre-training under way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from nnplay.core.config import NetworkConfig, PretrainingConfig
from nnplay.core.history import PRETRAINING_COLUMNS
from nnplay.core.pretraining import NOTHING_TO_PRETRAIN, PRETRAINING_STREAM, Autoencoder, hidden_dense_layers, \
    layer_input
from nnplay.core.report import pretraining_text

if TYPE_CHECKING:
    from nnplay.core.trainer import Trainer

#: the sweep parameter (a dotted path into the network file) that switches pre-training
PATH = "training.pretraining"
#: the most points the reconstruction view draws (a line each)
VIEW_POINTS = 600
#: what the epoch counter counts while pre-training runs (``PretrainingProgress.counter_text``)
COUNTER_HELP = ("Pre-training: the hidden layer learning to reproduce its input now, and its finished "
                "pre-training epochs (passes over the training set). Epoch 1 of training proper starts "
                "after the last hidden layer.")


@dataclass(frozen=True)
class PretrainingProgress:
    """Where pre-training is, while it is pending or under way."""

    layer: int  #: index in ``layers`` of the layer under way (or next)
    number: int  #: which hidden layer, from 1
    count: int  #: how many hidden layers pre-train
    epoch: int  #: finished pre-training epochs of that layer
    epochs: int  #: epochs per layer
    update_in_epoch: int
    updates_per_epoch: int
    batch_loss: float  #: the latest batch's reconstruction loss (NaN before the first update)
    started: bool = False  #: it has begun (False: it will run when training starts)

    def counter_text(self, mark: Callable[[str], str] = str) -> str:
        """Where it is, where a counter says "Epoch 12": ``Pre-training layer 2 of 3 · epoch 13
        of 50`` (the layer's finished pre-training epochs); ``mark`` wraps each number (the
        app makes them bold)."""
        return (f"Pre-training layer {mark(str(self.number))} of {self.count} · "
                f"epoch {mark(str(self.epoch))} of {self.epochs}")


def progress(trainer: "Trainer") -> PretrainingProgress | None:
    """Where the trainer's pre-training is, while it is pending or under way; else None."""
    phase = trainer.pretraining
    if phase is None or not phase.pending or phase.layer is None:
        return None
    return PretrainingProgress(phase.layer, phase.number, phase.count, phase.epoch, phase.settings.epochs,
                               phase.update_in_epoch, trainer.updates_per_epoch, float(phase.batch_loss),
                               phase.started)


@dataclass(frozen=True)
class Reconstruction:
    """The first hidden layer's autoencoder on (up to ``VIEW_POINTS``) training points whose
    H has two columns: what the layer must reproduce, what it is given, what it gives back."""

    layer: int
    clean: np.ndarray  #: H, ``(n, 2)`` float32
    given: np.ndarray  #: H plus one fixed sample of the noise (H itself without noise)
    output: np.ndarray  #: R for ``given``
    loss: float  #: mean Σ_j (R_j − H_j)² of these points
    noise: float


def first_layer_reconstruction(trainer: "Trainer") -> Reconstruction | None:
    """The reconstruction view's data while the first hidden layer pre-trains (or before it
    starts: then the decoder it will start from, V = Wᵀ, c = 0); None at any other time,
    or when that layer's input is not two-dimensional."""
    phase = trainer.pretraining
    if phase is None or not phase.pending or phase.position != 0 or not phase.layers:
        return None
    index = phase.layers[0]
    layers = trainer.network.layers
    if layers[index].n_inputs != 2:
        return None
    settings = phase.settings
    h = layer_input(layers, index, trainer.data.x_train[:VIEW_POINTS])
    ae = phase.autoencoder or Autoencoder(layers[index], settings.decoder == "tied", settings.decoder_activation)
    given = h
    if settings.noise > 0:
        # one fixed sample, so the picture does not flicker; its own generator, never training's
        rng = np.random.default_rng([trainer.training.seed, index, PRETRAINING_STREAM + 1])
        given = h + rng.normal(0.0, settings.noise, h.shape)
    with np.errstate(all="ignore"):  # a diverging layer is drawn as it is
        output = ae.reconstruct(given)
        loss = ae.loss(output, h)
    return Reconstruction(index, h.astype(np.float32), given.astype(np.float32), output.astype(np.float32),
                          loss, settings.noise)


@dataclass(frozen=True)
class PretrainingSnapshot:
    """What a snapshot of a run carries about pre-training (copies only)."""

    progress: PretrainingProgress | None  #: None once done (or never to run)
    status: str  #: where it is in words (``report.pretraining_text``), "" when ``progress`` is None
    rows_from: int  #: index of ``rows``' first entry in the history's pre-training table
    rows: dict[str, list]  #: the table's rows from there
    reconstruction: Reconstruction | None


def snapshot(trainer: "Trainer", rows_from: int = 0, picture: bool = True) -> PretrainingSnapshot | None:
    """None for a run without pre-training (set or recorded). ``picture``: compute the
    reconstruction view's data too (from the live decoder, so in the thread that trains)."""
    table = trainer.history.pretraining
    if trainer.pretraining is None and table is None:
        return None
    rows = {name: list(table[name][rows_from:]) if table else [] for name in PRETRAINING_COLUMNS}
    where = progress(trainer)
    status = pretraining_text(trainer) if where is not None else ""
    reconstruction = first_layer_reconstruction(trainer) if picture else None
    return PretrainingSnapshot(where, status, rows_from, rows, reconstruction)


def pretraining_race_variants(config: NetworkConfig) -> list[tuple[dict[str, Any], str]]:
    """The two runs that race a network without and with pre-training, each as
    ``({path: value}, label)`` (what ``nnplay.sweeps.race_plans`` takes, and the tile's
    name): the first trains it directly, the second pre-trains it first, with its own
    pre-training settings or SPEC's defaults. Everything else is the base's, so both
    start from the weights ``training.seed`` draws and see the same batches: the
    difference is pre-training alone."""
    settings = config.training.pretraining or PretrainingConfig()
    return [({PATH: None}, "without pre-training"),
            ({PATH: settings.to_dict()}, f"with pre-training ({settings.epochs:,} epochs per layer, "
                                         f"{settings.decoder} decoder"
                                         + (f", noise {settings.noise:g}" if settings.noise else "") + ")")]


#: what the race of a network without and with pre-training shows (the app's entry for it)
RACE_HELP = ("Train this network twice side by side, without and with pre-training, from the same initial "
             "weights and the same batches: both learning curves, and the first hidden layer's gradient RMS, "
             "epoch by epoch.")


def pretraining_race_refusal(config: NetworkConfig) -> str | None:
    """Why the network cannot race with and without pre-training (the two runs would be
    the same), in a sentence; None when it can."""
    if not hidden_dense_layers(config.layers):
        return (f"{NOTHING_TO_PRETRAIN}, so it would train the same with and without pre-training: "
                "add a dense layer before the output layer.")
    return None


def position_after_edit(position: dict[str, Any] | None, weights: list[dict[str, Any]] | None,
                        old: NetworkConfig, new: NetworkConfig) -> dict[str, Any] | None:
    """``resume.pretraining`` for settings ``new`` after an edit that keeps the weights
    (another noise, batch size, data, optimizer…), as training keeps its epoch: the layer
    and its finished epochs stay; the position inside the epoch goes; the decoder stays
    (an untied decoder newly asked for starts as Wᵀ; a tied one has no V); the optimizer
    state stays unless the optimizer changed. None when pre-training is off now."""
    if position is None or new.training.pretraining is None or weights is None:
        return None
    layer = position["layer"]
    untied = new.training.pretraining.decoder == "untied"
    decoder = {"c": np.array(position["decoder"]["c"], dtype=np.float64)}
    if untied:
        V = position["decoder"].get("V")
        decoder["V"] = np.array(V if V is not None else np.asarray(weights[layer]["W"]).T, dtype=np.float64)
    state = {"t": 0, "slots": {}}
    if old.optimizer.name == new.optimizer.name:
        state = position["optimizer_state"]
        if not untied:
            state = {**state, "slots": {k: v for k, v in state["slots"].items() if k != f"layer{layer}.V"}}
    return {"layer": layer, "epoch": position["epoch"], "decoder": decoder, "optimizer_state": state}


def history_after_edit(history: dict[str, Any] | None, position: dict[str, Any] | None,
                       new: NetworkConfig) -> dict[str, Any] | None:
    """The history to keep after an edit that keeps the weights: a pre-training switched
    off while under way (``position``) leaves no table behind, so that switched on again
    it runs afresh rather than counting as done. A finished one's table stays."""
    if history is not None and position is not None and new.training.pretraining is None:
        return {name: column for name, column in history.items() if name != "pretraining"}
    return history

"""Greedy layer-wise pre-training with autoencoders (SPEC §1, the slides' procedure).

Before epoch 1, every hidden dense layer (every dense layer but the output), first to
last, is trained alone to reproduce its input:

- its input H is the network's output just before it in evaluation mode (the earlier
  layers frozen with the weights their own pre-training gave them, dropout off, batch
  norm on its running statistics), plus fresh N(0, σ²) noise per batch when ``noise``
  σ > 0 (a denoising autoencoder); the clean H is the target;
- encoder: the layer itself, C = f(H W + b); decoder R = g(C V + c), g the
  ``decoder_activation``; ``tied``: V = Wᵀ (one array), ``untied``: V starts as a
  copy of Wᵀ; c starts at 0;
- objective: mean over the batch of Σ_j (R_j − H_j)², no penalties; ``epochs`` passes
  over the training set with the run's batch size and optimizer (type and settings)
  at its base learning rate, no schedule, and a fresh optimizer state per layer.

V and c are dropped afterwards; batch-norm running statistics never change; the
output layer keeps its initial weights. Then the trainer trains as usual from epoch 0.

Deterministic and resumable: pre-training epoch e (0, 1, …) of the layer at index i of
``layers`` draws its shuffle and then, batch by batch, its noise from
``numpy.random.default_rng([training.seed, i, e, 1])`` — the same order as training's
``[seed, e]`` streams, which it never touches (the trailing 1 keeps the two families
apart: NumPy's seeding ignores trailing zeros). A file saved in the middle records
the layer, its finished epochs, the position in the epoch with that generator's
state, the decoder and the optimizer state, so resuming gives the same bits.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Literal

import numpy as np

from nnplay.core.activations import get_activation
from nnplay.core.architecture import layer_number
from nnplay.core.config import PretrainingConfig
from nnplay.core.layers import Dense
from nnplay.core.optimizers import Optimizer, make_optimizer

if TYPE_CHECKING:
    from nnplay.core.trainer import Trainer

#: the last word of every pre-training seed list (see the module docstring)
PRETRAINING_STREAM = 1


# ---------------------------------------------------------------- the math
class Autoencoder:
    """A dense layer as the encoder of an autoencoder, with its decoder.

    Forward, for a batch H̃ ``(batch, inputs)`` (H plus noise):
    Z = H̃ W + b,  C = f(Z)  (the layer itself, ``(batch, units)``);
    Y = C V + c,  R = g(Y)  (``(batch, inputs)``), V ``(units, inputs)``, c ``(inputs,)``.
    Objective against the clean H: E = (1/n) Σ_rows Σ_j (R_j − H_j)².

    Backward, n the batch size:
    dR = 2 (R − H) / n;  dY = g'(Y) ⊙ dR;  ∂E/∂V = Cᵀ dY;  ∂E/∂c = Σ_rows dY;
    dC = dY Vᵀ;  dZ = f'(Z) ⊙ dC;  ∂E/∂W = H̃ᵀ dZ;  ∂E/∂b = Σ_rows dZ.
    Tied (V = Wᵀ, the same numbers): ∂E/∂W = H̃ᵀ dZ + (∂E/∂V)ᵀ, and there is no V of its own.
    """

    def __init__(self, layer: Dense, tied: bool, decoder_activation: str,
                 V: np.ndarray | None = None, c: np.ndarray | None = None):
        self.layer = layer
        self.tied = tied
        self.g = get_activation(decoder_activation)
        W = layer.params["W"]
        self.V = None if tied else (np.array(V, dtype=np.float64) if V is not None else W.T.copy())
        self.c = np.array(c, dtype=np.float64) if c is not None else np.zeros(layer.n_inputs)
        self.grads: dict[str, np.ndarray] = {}
        self._cache: tuple | None = None

    @property
    def decoder_weights(self) -> np.ndarray:
        """V: Wᵀ itself when tied (a view, so it follows W), else the decoder's own array."""
        return self.layer.params["W"].T if self.tied else self.V

    def encode(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Z = H W + b and C = f(Z)."""
        z = h @ self.layer.params["W"]
        z += self.layer.params["b"]
        return z, self.layer.activation.forward(z)

    def decode(self, code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Y = C V + c and R = g(Y)."""
        y = code @ self.decoder_weights
        y += self.c
        return y, self.g.forward(y)

    def forward(self, h_in: np.ndarray) -> np.ndarray:
        """R for the (possibly noisy) input ``h_in``; caches what ``backward`` needs."""
        z, code = self.encode(h_in)
        y, r = self.decode(code)
        self._cache = (h_in, z, code, y, r)
        return r

    def reconstruct(self, h: np.ndarray) -> np.ndarray:
        """R for ``h``, caching nothing (evaluation, the app's view)."""
        return self.decode(self.encode(h)[1])[1]

    @staticmethod
    def loss(r: np.ndarray, target: np.ndarray) -> float:
        """E = mean over the rows of Σ_j (R_j − H_j)²."""
        diff = r - target
        return float(np.sum(diff * diff) / len(target)) if len(target) else math.nan

    def backward(self, target: np.ndarray) -> None:
        """Fill ``grads`` (W, b, c, and V when untied) for the last ``forward``."""
        h_in, z, code, y, r = self._cache
        dr = 2.0 * (r - target) / len(target)
        dy = self.g.backward(y, r, dr)
        dV = code.T @ dy
        dc = dy.sum(axis=0)
        dcode = dy @ self.decoder_weights.T
        dz = self.layer.activation.backward(z, code, dcode)
        dW = h_in.T @ dz
        if self.tied:
            dW += dV.T
        self.grads = {"W": dW, "b": dz.sum(axis=0), "c": dc}
        if not self.tied:
            self.grads["V"] = dV

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays training changes, by name: the layer's W and b, then V (untied) and c."""
        out = {"W": self.layer.params["W"], "b": self.layer.params["b"]}
        if not self.tied:
            out["V"] = self.V
        out["c"] = self.c
        return out

    def parameters_and_grads(self, index: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(key, w, ∂E/∂w)`` for the optimizer, keyed ``layer<index>.<name>`` as in training."""
        return [(f"layer{index}.{name}", arr, self.grads[name]) for name, arr in self.arrays().items()]

    def decoder_state(self) -> dict[str, np.ndarray]:
        """What a file stores of the decoder: c, and V when untied (copies)."""
        out = {"c": self.c.copy()}
        if not self.tied:
            out["V"] = self.V.copy()
        return out


#: what pre-training cannot do for a network of a single dense layer (or none)
NOTHING_TO_PRETRAIN = "This network has no hidden dense layer to pre-train"


def hidden_dense_layers(layers: list) -> list[int]:
    """Indices of the layers pre-training trains, in order: every dense layer but the last.
    Works on built layers and on layer configs alike."""
    dense = [i for i, layer in enumerate(layers) if getattr(layer, "type", None) == "dense"]
    return dense[:-1]


def layer_input(layers: list, index: int, x: np.ndarray) -> np.ndarray:
    """H: what the layer at ``index`` receives for inputs ``x``, evaluation mode
    (dropout off, batch norm on its running statistics)."""
    h = x
    for layer in layers[:index]:
        h = layer.forward(h, False, None)
    return h


# ---------------------------------------------------------------- the phase
Outcome = Literal["interrupted", "diverged"]
Hook = Callable[["Trainer"], None]


class Pretraining:
    """The pre-training phase of one ``Trainer``, layer by layer, epoch by epoch.

    ``pending``: it will run (or go on) when the trainer next runs. ``run`` returns None
    once every hidden layer is done, or why it stopped early. While it runs, the
    trainer's hooks are called after each update and each pre-training epoch, as in
    training; ``layer``, ``number``, ``epoch``, ``update_in_epoch`` and ``batch_loss``
    say where it is.
    """

    def __init__(self, trainer: "Trainer", settings: PretrainingConfig):
        self.trainer = trainer
        self.settings = settings
        self.layers = hidden_dense_layers(trainer.network.layers)
        self.finished = trainer.history.pretraining is not None
        self.position = 0  #: which of ``layers`` is under way
        self.epoch = 0  #: its finished pre-training epochs
        self.update_in_epoch = 0
        self.batch_loss = math.nan
        self.autoencoder: Autoencoder | None = None
        self.optimizer: Optimizer | None = None
        #: (layer index, its pre-training epoch 1, 2, …) where something became infinite or NaN
        self.diverged_at: tuple[int, int] | None = None
        #: what did: "the reconstruction loss", "layers[2]'s W", "adam's v for layer2.W (the optimizer state)"
        self.divergence: str | None = None
        #: stop after the pre-training epoch under way (the app's Step); cleared when used
        self.pause_after_epoch = False
        self._inputs: tuple[np.ndarray, np.ndarray] | None = None  # H of the training and validation sets
        self._rng: np.random.Generator | None = None
        self._order: np.ndarray | None = None
        self._safe: tuple[dict, dict, dict] | None = None

    # ---- where it is
    @property
    def pending(self) -> bool:
        trainer = self.trainer
        return not self.finished and trainer.epoch == 0 and trainer.update_in_epoch == 0

    @property
    def started(self) -> bool:
        return self.trainer.history.pretraining is not None

    @property
    def layer(self) -> int | None:
        """The index in ``layers`` of the layer being pre-trained (None when done)."""
        return self.layers[self.position] if self.position < len(self.layers) else None

    @property
    def number(self) -> int:
        """Which hidden layer it is on, from 1."""
        return self.position + 1

    @property
    def count(self) -> int:
        return len(self.layers)

    # ---- the loop
    def run(self, on_update: Hook | None = None, on_epoch: Hook | None = None) -> Outcome | None:
        """Pre-train the remaining layers; None when all are done. An exception (from a
        hook) first puts the layer back where its epoch began, as training does."""
        self.diverged_at = self.divergence = None
        self.trainer.history.start_pretraining()
        if self.autoencoder is None and not self.finished:
            if self.layers:
                self._begin_layer()
            else:
                self.finished = True  # no hidden layer: nothing to pre-train
        try:
            return self._run_layers(on_update, on_epoch)
        except Exception:
            self._back_to_epoch_start()
            raise

    def _run_layers(self, on_update: Hook | None, on_epoch: Hook | None) -> Outcome | None:
        while not self.finished:
            if self.epoch >= self.settings.epochs:
                self._end_layer()
                continue
            outcome = self._run_epoch(on_update)
            if outcome is not None:
                return outcome
            if on_epoch is not None:
                on_epoch(self.trainer)
            if self.pause_after_epoch:
                self.pause_after_epoch = False
                if self.epoch >= self.settings.epochs:
                    self._end_layer()
                return None if self.finished else "interrupted"
        return None

    def _run_epoch(self, on_update: Hook | None) -> Outcome | None:
        trainer = self.trainer
        ae, index = self.autoencoder, self.layer
        h_all = self._inputs[0]
        size, per_epoch = trainer.batch_size, trainer.updates_per_epoch
        sigma = self.settings.noise
        if self.update_in_epoch == 0:
            self._begin_epoch()
        rng, order = self._rng, self._order
        while self.update_in_epoch < per_epoch:
            if trainer.stop_requested:
                return "interrupted"
            k = self.update_in_epoch
            h = h_all if order is None else h_all[order[k * size:(k + 1) * size]]
            h_in = h + rng.normal(0.0, sigma, h.shape) if sigma > 0 else h
            loss = ae.loss(ae.forward(h_in), h)
            if not math.isfinite(loss):
                return self._diverge("the reconstruction loss")
            self.batch_loss = loss
            ae.backward(h)
            self.optimizer.step(ae.parameters_and_grads(index), self.optimizer.hyper["lr"])
            self.update_in_epoch = k + 1
            if on_update is not None:
                on_update(trainer)
        return self._end_epoch()

    def _begin_layer(self) -> None:
        """A fresh decoder (V = Wᵀ, c = 0) and a fresh optimizer for the next layer."""
        layer = self.trainer.network.layers[self.layer]
        tied = self.settings.decoder == "tied"
        self.autoencoder = Autoencoder(layer, tied, self.settings.decoder_activation)
        self.optimizer = self._new_optimizer()
        self.epoch = self.update_in_epoch = 0
        self._compute_inputs()

    def _new_optimizer(self) -> Optimizer:
        """The run's optimizer type with its settings; η is the base rate, never scheduled.
        The settings dict is the run's own, so a learning rate changed live applies here too."""
        main = self.trainer.optimizer
        optimizer = make_optimizer(main.name, main.hyper)
        optimizer.hyper = main.hyper
        return optimizer

    def _compute_inputs(self) -> None:
        data, layers = self.trainer.data, self.trainer.network.layers
        self._inputs = (layer_input(layers, self.layer, data.x_train), layer_input(layers, self.layer, data.x_val))

    def _begin_epoch(self) -> None:
        self._rng = np.random.default_rng([self.trainer.training.seed, self.layer, self.epoch, PRETRAINING_STREAM])
        n = len(self._inputs[0])
        self._order = None if self.trainer.batch_size >= n else self._rng.permutation(n)
        self._safe = self._copy_state()

    def _copy_state(self) -> tuple[dict, dict, dict]:
        layer = self.trainer.network.layers[self.layer]
        return layer.weights(), self.autoencoder.decoder_state(), self.optimizer.state_dict()

    def reconstruction_losses(self) -> dict[str, float | None]:
        """E of the clean training and validation inputs (None without validation points)."""
        out: dict[str, float | None] = {}
        for name, h in zip(("train_loss", "val_loss"), self._inputs):
            out[name] = self.autoencoder.loss(self.autoencoder.reconstruct(h), h) if len(h) else None
        return out

    def _end_epoch(self) -> Outcome | None:
        losses = self.reconstruction_losses()
        if not math.isfinite(losses["train_loss"]):
            return self._diverge("the reconstruction loss")
        bad = self._non_finite_array()
        if bad is not None:
            return self._diverge(bad)
        self.epoch += 1
        self.update_in_epoch = 0
        self._rng = self._order = self._safe = None
        self.trainer.history.append_pretraining(layer=self.layer, epoch=self.epoch, **losses)
        return None

    def _end_layer(self) -> None:
        """Drop V, c and the optimizer; begin the next hidden layer, or finish."""
        self.autoencoder = self.optimizer = None
        self._inputs = self._safe = None
        self.position += 1
        self.epoch = self.update_in_epoch = 0
        if self.position < len(self.layers):
            self._begin_layer()
        else:
            self.finished = True

    def _non_finite_array(self) -> str | None:
        """The first of the layer's arrays, its decoder's or their optimizer state holding inf
        or NaN, named. The state counts as much as the arrays: Adam's v = g² can overflow
        while every weight stays finite."""
        for name, arr in self.autoencoder.arrays().items():
            if not np.all(np.isfinite(arr)):
                where = "the decoder's" if name in ("V", "c") else f"layer {layer_number(self.layer)}'s"
                return f"{where} {name}"
        for key, slot in self.optimizer.state.items():
            for name, arr in slot.items():
                if not np.all(np.isfinite(arr)):
                    array = key.split(".", 1)[1]
                    where = f"the decoder's {array}" if array in ("V", "c") else \
                        f"layer {layer_number(self.layer)}'s {array}"
                    return f"{self.optimizer.name}'s {name} for {where} (the optimizer state)"
        return None

    def _diverge(self, what: str) -> Outcome:
        self.diverged_at = (self.layer, self.epoch + 1)
        self.divergence = what
        self._back_to_epoch_start()
        return "diverged"

    def _back_to_epoch_start(self) -> None:
        """The layer's arrays, its decoder and the optimizer state as the epoch under way
        began (the last ones known finite)."""
        if self._safe is not None and self.autoencoder is not None:
            weights, decoder, state = self._safe
            self.trainer.network.layers[self.layer].load_weights(weights)
            self._load_decoder(decoder)
            self.optimizer.load_state_dict(state)
        self.update_in_epoch = 0
        self._rng = self._order = None

    def _load_decoder(self, decoder: dict[str, Any]) -> None:
        ae = self.autoencoder
        ae.c[...] = decoder["c"]
        if not ae.tied:
            ae.V[...] = decoder["V"]

    # ---- what a file must record to resume exactly
    def resume_state(self) -> dict[str, Any] | None:
        """The position of a pre-training under way (None before it starts and once done)."""
        if self.finished or not self.started or self.autoencoder is None:
            return None
        state: dict[str, Any] = {"layer": self.layer, "epoch": self.epoch}
        if self.update_in_epoch:
            state["update_in_epoch"] = self.update_in_epoch
            state["rng"] = self._rng.bit_generator.state
        state["decoder"] = self.autoencoder.decoder_state()
        state["optimizer_state"] = self.optimizer.state_dict()
        return state

    def load_resume_state(self, state: dict[str, Any]) -> None:
        """Continue from a file's ``resume.pretraining`` (checked by ``nnplay.io``)."""
        self.finished = False
        self.trainer.history.start_pretraining()
        self.position = self.layers.index(state["layer"])
        self._begin_layer()
        self.epoch = int(state["epoch"])
        self._load_decoder(state["decoder"])
        self.optimizer.load_state_dict(state["optimizer_state"])
        k = int(state.get("update_in_epoch", 0))
        if k:
            self._begin_epoch()
            self._rng.bit_generator.state = state["rng"]
            self.update_in_epoch = k

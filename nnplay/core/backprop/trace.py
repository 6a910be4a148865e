"""One update of the network with every number it computes: back-propagation traced.

A trace runs the engine's own layers — ``forward``, ``backward``, the loss, the
penalties, the optimizer's ``worked_update`` — on a copy of the network, and keeps
every intermediate array: each layer's input and output, dense z and a, dropout's
d/(1 − p), batch norm's μ, σ², s and x̂; the loss per example, the penalties and J;
backward, ∂J/∂ each layer's output, each δ = ∂J/∂z, ∂J/∂W (the data part Aᵀδ and the
penalties' part), ∂J/∂b, γ's and β's gradients and ∂J/∂ each layer's input; beside
every gradient entry, on request, the centred finite difference and its relative
error (``gradcheck``'s rule and tolerance, the dropout masks held fixed); then the
update line by line as the optimizer describes it, at the schedule's η.

The run is never touched: no random number of its streams is drawn, batch norm's
running statistics and the layers' caches stay as they were (``apply`` makes the
update in the run).
"""

from __future__ import annotations

import copy
import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnplay.core import gradcheck
from nnplay.core.backprop.batch import Batch, generator
from nnplay.core.layers import BatchNorm, Dense
from nnplay.core.optimizers import UpdateStep
from nnplay.core.trainer import Trainer


@dataclass(frozen=True)
class FiniteDifference:
    """The centred difference of J for one weight, beside back-propagation's ∂J/∂w."""

    analytic: float
    numeric: float
    relative_error: float
    absolute_error: float

    @property
    def agrees(self) -> bool:
        return gradcheck.agrees(self.relative_error, self.absolute_error)


def fingerprint(trainer: Trainer) -> str:
    """What a trace depends on — the weights, the optimizer's state and settings, the
    penalties, the run's place — as a short digest: a trace is current while it holds."""
    digest = hashlib.blake2b(digest_size=16)
    net, opt = trainer.network, trainer.optimizer
    for layer in net.get_weights():
        for name in sorted(layer):
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(layer[name]).tobytes())
    for key in sorted(opt.state):
        for name in sorted(opt.state[key]):
            digest.update(f"{key}.{name}".encode())
            digest.update(np.ascontiguousarray(opt.state[key][name]).tobytes())
    settings = (opt.name, sorted(opt.hyper.items()), opt.t, net.l1, net.l2, trainer.schedule.name,
                sorted(trainer.schedule.settings.items()), trainer.epoch, trainer.update_in_epoch,
                trainer.batch_size, trainer.training.input_noise, trainer.training.seed, id(trainer.data))
    digest.update(repr(settings).encode())
    return digest.hexdigest()


class Trace:
    """Every number of one update on ``batch``, computed on a copy of ``trainer``'s network.

    ``values`` holds the arrays by key, ``layer<i>.<name>`` for layer i (from 0) of the
    network, and ``loss.<name>``:

    - every layer: ``in`` and ``out`` (forward), ``dout`` = ∂J/∂out and ``din`` = ∂J/∂in
      (backward; ``dout`` is absent on an output layer whose loss reads z, ``din`` on the
      first layer, whose input is the data);
    - dense: ``z``, ``a`` (= ``out``), ``delta`` = ∂J/∂z, ``W``, ``b``, ``dW_data`` = Aᵀδ,
      ``dW_l2`` = 2λ₂W and ``dW_l1`` = λ₁ sign(W) (when on), ``dW``, ``db``;
    - dropout: ``scale`` = d/(1 − p) per entry;
    - batch norm: ``mu``, ``var``, ``std`` = √(σ² + ε), ``xhat``, ``gamma``, ``beta``,
      ``dgamma``, ``dbeta``;
    - ``loss.per_example``, ``loss.data`` (their mean), ``loss.l2``, ``loss.l1``
      (the penalties), ``loss.J``, ``loss.y``;
    - ``update.lr`` (η after the schedule) and ``layer<i>.<name>.new``, each
      parameter after the update.

    ``gradients`` maps each parameter key (``layer0.W`` …) to ∂J/∂w; ``updates`` to the
    optimizer's lines for it (``UpdateStep``), the last one giving the new w; ``lr`` is
    η after the schedule, ``t`` the update count the optimizer will be at.
    """

    def __init__(self, trainer: Trainer, batch: Batch):
        self.batch = batch
        self.fingerprint = fingerprint(trainer)
        self.network = net = copy.deepcopy(trainer.network)
        self.optimizer_name = trainer.optimizer.name
        self.values: dict[str, Any] = {}
        self.gradients: dict[str, np.ndarray] = {}
        self.running: dict[int, dict[str, np.ndarray]] = {}
        self._checks: dict[tuple[str, int], FiniteDifference] = {}
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self._forward(net, batch)
            self._backward(net, batch)
        self.schedule_epoch = batch.epoch
        self.base_lr = trainer.optimizer.hyper["lr"]
        self.lr = trainer.schedule(self.base_lr, batch.epoch)
        self.t = trainer.optimizer.t + 1
        self.updates = self._updates(trainer)

    # ---- forward
    def _forward(self, net, batch: Batch) -> None:
        values = self.values
        outputs: list[np.ndarray] = []
        net.forward(batch.x, True, generator(batch.masks), outputs)
        previous = batch.x
        for i, (layer, out) in enumerate(zip(net.layers, outputs)):
            values[f"layer{i}.in"] = previous
            values[f"layer{i}.out"] = out
            for name, value in layer.trace_values().items():
                values[f"layer{i}.{name}"] = value.copy()
            for name, value in layer.params.items():
                values[f"layer{i}.{name}"] = value.copy()
            if isinstance(layer, BatchNorm):  # after this one training pass, as the update leaves them
                self.running[i] = {"running_mean": layer.running_mean.copy(),
                                   "running_var": layer.running_var.copy()}
            previous = out
        per_example = (net.loss.per_example(previous, batch.y) if not net.from_logits else
                       net.loss.per_example_from_logits(net.layers[-1].trace_values()["z"], batch.y))
        values["loss.per_example"] = per_example
        values["loss.y"] = batch.y
        values["loss.data"] = net.data_loss(batch.y)
        l2 = net.l2 * sum(float(np.sum(d.params["W"] ** 2)) for d in net.dense) if net.l2 else 0.0
        l1 = net.l1 * sum(float(np.sum(np.abs(d.params["W"]))) for d in net.dense) if net.l1 else 0.0
        values["loss.l2"], values["loss.l1"] = l2, l1
        values["loss.J"] = net.objective(batch.y)

    # ---- backward, layer by layer as Network.backward goes
    def _backward(self, net, batch: Batch) -> None:
        values, layers = self.values, net.layers
        last = len(layers) - 1
        output = values[f"layer{last}.out"]
        # a loss read from the output layer's z gives its δ at once: no ∂J/∂a to start from
        grad = None if net.from_logits else net.loss.grad(output, batch.y)
        for i in range(last, -1, -1):
            layer = layers[i]
            if isinstance(layer, Dense):
                if grad is None:  # ∂J/∂z = (a − y) / batch
                    delta = (output - batch.y) / len(batch.y)
                else:
                    values[f"layer{i}.dout"] = grad
                    delta = layer.activation.backward(values[f"layer{i}.z"], values[f"layer{i}.a"], grad)
                values[f"layer{i}.delta"] = delta
                din = layer.backward_from_z(delta)
                values[f"layer{i}.dW_data"] = layer.grads["W"].copy()
            else:
                values[f"layer{i}.dout"] = grad
                din = layer.backward(grad)
            if i:
                values[f"layer{i}.din"] = din
            grad = din
        if net.l1 or net.l2:
            net.add_penalty_gradients()
        for i, layer in enumerate(layers):
            if isinstance(layer, Dense):
                W = layer.params["W"]
                if net.l2:
                    values[f"layer{i}.dW_l2"] = 2.0 * net.l2 * W
                if net.l1:
                    values[f"layer{i}.dW_l1"] = net.l1 * np.sign(W)
            for name, g in layer.grads.items():
                values[f"layer{i}.d{name}"] = g.copy()
        self.gradients = {key: values[f"{key.split('.')[0]}.d{key.split('.')[1]}"]
                          for key, _, _ in net.param_keys}

    # ---- the update
    def _updates(self, trainer: Trainer) -> dict[str, list[UpdateStep]]:
        opt = trainer.optimizer
        out = {}
        for key, layer, name in self.network.param_keys:
            w = layer.params[name]
            old = opt.state.get(key)
            slot = ({s: np.array(old[s], dtype=np.float64) for s in opt.slots} if old is not None
                    else {s: np.zeros_like(w) for s in opt.slots})
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                out[key] = opt.worked_update(w.copy(), self.gradients[key], slot, self.lr, self.t)
            self.values[f"{key}.new"] = out[key][-1].result
        self.values["update.lr"] = self.lr
        return out

    def new_weights(self) -> list[dict[str, np.ndarray]]:
        """The network's weights after the update, as ``Network.get_weights`` lists them."""
        weights = []
        for i, layer in enumerate(self.network.layers):
            arrays = {name: self.updates[f"layer{i}.{name}"][-1].result.copy() for name in layer.params}
            arrays.update({name: value.copy() for name, value in self.running.get(i, {}).items()})
            weights.append(arrays)
        return weights

    def new_state(self, key: str) -> dict[str, np.ndarray]:
        """The optimizer's state for parameter ``key`` after the update."""
        return {step.stores: step.result for step in self.updates[key] if step.stores not in ("", "w")}

    @property
    def finite(self) -> bool:
        """Whether J and every gradient are finite numbers (an update from them would be too)."""
        return math.isfinite(self.values["loss.J"]) and all(
            bool(np.all(np.isfinite(g))) for g in self.gradients.values())

    # ---- finite differences, entry by entry when asked
    def finite_difference(self, key: str, index: int) -> FiniteDifference:
        """Back-propagation's ∂J/∂w against (J(w + h) − J(w − h)) / 2h for entry ``index``
        (flat, row-major) of parameter ``key``, on the same batch with the same masks."""
        found = self._checks.get((key, index))
        if found is not None:
            return found
        layer_part, name = key.split(".")
        layer = self.network.layers[int(layer_part.removeprefix("layer"))]
        flat = layer.params[name].reshape(-1)
        analytic = float(self.gradients[key].reshape(-1)[index])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            numeric = float(gradcheck.centred_difference(self._objective, flat, index))
        check = FiniteDifference(analytic, numeric, gradcheck.relative_error(analytic, numeric),
                                 gradcheck.absolute_error(analytic, numeric))
        self._checks[(key, index)] = check
        return check

    def _objective(self) -> float:
        net, batch = self.network, self.batch
        net.forward(batch.x, True, generator(batch.masks))
        return net.objective(batch.y)

    @property
    def parameter_keys(self) -> list[str]:
        return [key for key, _, _ in self.network.param_keys]

    def is_current(self, trainer: Trainer) -> bool:
        return fingerprint(trainer) == self.fingerprint

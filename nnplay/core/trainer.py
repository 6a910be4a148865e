"""The training loop: batches, epochs, history, early stopping, divergence.

Deterministic by construction: epoch e draws its shuffle, dropout masks and input
noise from ``default_rng([seed, e])`` in a fixed order, so a run paused at any
update and resumed from a file (which records that generator's state) continues
bit for bit. Callers watch through ``on_update``/``on_epoch`` hooks, which receive
the trainer, and stop it with ``request_stop()`` from any thread; the flag is read
before every update and before an epoch's evaluation, where stopping changes nothing
(the run goes on from there with the same bits).

With ``training.pretraining`` set, a run that starts at epoch 0 first pre-trains the
hidden layers (``nnplay.core.pretraining``, its own streams); the hooks are called
during it too, and ``trainer.pretraining`` says where it is.

The matrix products run on as many BLAS threads as their size calls for
(``blas.threads_for``), whatever the machine, so every front end gets the same bits.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from nnplay.core.architecture import layer_number
from nnplay.core.blas import blas_threads, threads_for
from nnplay.core.config import TrainingConfig
from nnplay.core.history import History
from nnplay.core.memory import keep_freed_memory
from nnplay.core.metrics import accuracy
from nnplay.core.network import Network
from nnplay.core.optimizers import Optimizer
from nnplay.core.pretraining import Pretraining
from nnplay.core.schedules import Schedule

Hook = Callable[["Trainer"], None]

#: an epoch that ends with a training loss more than this many times its reference diverged
#: (``Trainer._grown_loss``): no training run of the bundled examples or of the default network
#: with any optimizer ends an epoch above its start, while a learning rate far too large
#: multiplies the loss by 10⁴⁰ in an epoch or by ~20 an epoch for hundreds of epochs
DIVERGENCE_FACTOR = 100


class StopReason(str, enum.Enum):
    FINISHED = "finished"  # reached the requested epoch
    EARLY_STOPPED = "early_stopped"
    DIVERGED = "diverged"
    INTERRUPTED = "interrupted"  # request_stop() or a hook


@dataclass(frozen=True)
class RunStart:
    """Where a ``Trainer.run`` began: the training loss then (None if not finite), the epoch
    and update, and how many history rows there were."""

    loss: float | None
    epoch: int
    update_in_epoch: int
    rows: int


class TrainingData:
    """Feature matrices and 2-D targets of the training and validation sets, plus labels."""

    def __init__(self, x_train, y_train, labels_train, x_val, y_val, labels_val):
        self.x_train, self.y_train, self.labels_train = x_train, y_train, labels_train
        self.x_val, self.y_val, self.labels_val = x_val, y_val, labels_val


class Trainer:
    def __init__(
        self,
        network: Network,
        optimizer: Optimizer,
        schedule: Schedule,
        training: TrainingConfig,
        data: TrainingData,
        task: str,
        loss_name: str,
        history: History | None = None,
        epoch: int = 0,
    ):
        self.network = network
        self.optimizer = optimizer
        self.schedule = schedule
        self.training = training
        self.data = data
        self.task = task
        self.loss_name = loss_name
        # an empty History is falsy: test for None so a caller's own History is the one filled
        self.history = history if history is not None else History()
        self.epoch = epoch  # finished epochs
        self.update_in_epoch = 0
        self.batch_loss = math.nan
        self.stop_reason: StopReason | None = None
        self.diverged_at: int | None = None
        #: what became infinite or NaN when the run diverged: "the loss", "layer 2's W",
        #: "adam's v for layer 1's W" …
        self.divergence: str | None = None
        #: when the run diverged by growing: (the loss, its reference, what the reference is)
        self.loss_growth: tuple[float, float, str] | None = None
        #: where this run() began (``RunStart``), the reference of the divergence rule
        self._run_start: RunStart | None = None
        self._stop = False
        self._rng: np.random.Generator | None = None
        self._order: np.ndarray | None = None
        self._safe: tuple[list, dict] | None = None
        self._best: dict[str, Any] | None = None
        self._blas_count: int | None = None  # the BLAS thread count set while run() trains
        #: set when early stopping put back the weights of an earlier epoch: the history
        #: runs on to ``epoch`` but the weights are those of this one
        self.restored_epoch: int | None = None
        #: the pre-training phase, when the settings ask for one
        self.pretraining = Pretraining(self, training.pretraining) if training.pretraining is not None else None

    # ---- settings that may change while training runs
    @property
    def lr(self) -> float:
        """η for the current epoch, after the schedule."""
        return self.schedule(self.optimizer.hyper["lr"], self.epoch)

    def request_stop(self) -> None:
        self._stop = True

    @property
    def stop_requested(self) -> bool:
        return self._stop

    @property
    def batch_size(self) -> int:
        n = len(self.data.x_train)
        size = self.training.batch_size
        return n if size <= 0 else min(size, n)

    @property
    def updates_per_epoch(self) -> int:
        n = len(self.data.x_train)
        return max(1, math.ceil(n / self.batch_size)) if n else 0

    # ---- the loop
    def run(self, until_epoch: int, on_update: Hook | None = None, on_epoch: Hook | None = None) -> StopReason:
        """Train until ``epoch == until_epoch`` or a stop; returns why it stopped.

        An exception (from a hook, or memory running out) first puts the weights and the
        optimizer state back where the epoch began, so the engine is never left half-way
        through an update."""
        self._stop = False
        self.stop_reason = None
        self.diverged_at = self.divergence = self.loss_growth = None  # describe this run, not an earlier one
        self.restored_epoch = None  # training on moves the weights away from the restored ones
        if len(self.data.x_train) == 0:
            raise ValueError("there are no training points")
        keep_freed_memory()  # every update frees and allocates arrays of the same sizes again
        self._blas_count = self._threads_for(self.batch_size)
        try:
            with blas_threads(self._blas_count):
                return self._train(until_epoch, on_update, on_epoch)
        finally:
            self._blas_count = None

    def _train(self, until_epoch: int, on_update: Hook | None, on_epoch: Hook | None) -> StopReason:
        if self.pretraining is not None and self.pretraining.pending:
            outcome = self.pretraining.run(on_update, on_epoch)
            if outcome is not None:
                return self._finish(StopReason(outcome))
        start_loss = None
        if self.epoch == 0 and self.update_in_epoch == 0 and until_epoch > 0:
            # where the curves start, measured again at each start from epoch 0 (the points may
            # have changed since): evaluation mode, so no update and no random draw. Its
            # training loss is also the divergence rule's reference for epoch 1
            self.history.set_initial(self.evaluate())
            start_loss = self.history.initial["train_loss"]
        try:
            self._run_start = None
            while self.epoch < until_epoch:
                if self._run_start is None:  # after pre-training: where training proper starts
                    loss = start_loss if start_loss is not None else self._training_loss()
                    self._run_start = RunStart(loss, self.epoch, self.update_in_epoch, len(self.history))
                reason = self._run_epoch(on_update, on_epoch)
                if reason is not None:
                    return self._finish(reason)
        except Exception:
            self._back_to_epoch_start()
            raise
        return self._finish(StopReason.FINISHED)

    def _run_epoch(self, on_update: Hook | None, on_epoch: Hook | None) -> StopReason | None:
        """The rest of the current epoch, then its end; why to stop, or None to go on."""
        if self.update_in_epoch == 0:
            self._begin_epoch()
        net, opt = self.network, self.optimizer
        x_all, y_all = self.data.x_train, self.data.y_train
        size, per_epoch = self.batch_size, self.updates_per_epoch
        noise = self.training.input_noise
        rng, order = self._rng, self._order
        while self.update_in_epoch < per_epoch:
            if self._stop:
                return StopReason.INTERRUPTED
            k = self.update_in_epoch
            if order is None:
                xb, yb = x_all, y_all
            else:
                idx = order[k * size:(k + 1) * size]
                xb, yb = x_all[idx], y_all[idx]
            if noise > 0:
                xb = xb + rng.normal(0.0, noise, xb.shape)
            net.forward(xb, True, rng)
            loss = net.data_loss(yb)
            if not math.isfinite(loss):
                return self._diverge("the loss")
            self.batch_loss = loss
            lr = self.lr  # read at each update: the app may change η while this runs
            if not math.isfinite(lr):
                return self._diverge(f"the learning rate (the {self.schedule.name} schedule at epoch {self.epoch})")
            net.backward(yb)
            opt.step(net.parameters_and_grads(), lr)
            self.update_in_epoch = k + 1
            if on_update is not None:
                on_update(self)
        if self._stop:  # the evaluation at the epoch's end (a pass over every point) can wait:
            return StopReason.INTERRUPTED  # a run resumed from here does it first
        ended = self._end_epoch()
        if on_epoch is not None:
            on_epoch(self)
        return ended

    def _finish(self, reason: StopReason) -> StopReason:
        self.stop_reason = reason
        return reason

    def _begin_epoch(self) -> None:
        self._rng = np.random.default_rng([self.training.seed, self.epoch])
        n = len(self.data.x_train)
        # a full batch needs no shuffle: its mean gradient does not depend on order
        self._order = None if self.batch_size >= n else self._rng.permutation(n)
        self._safe = (self.network.get_weights(), self.optimizer.state_dict())

    def _diverge(self, what: str) -> StopReason:
        """Stop, and go back to the weights and optimizer state the failing epoch began
        with: the last ones known finite, those the last history row describes. (Weights
        that are still finite here are typically huge, and the optimizer state may not be.)
        ``what`` names what became infinite or NaN."""
        self.diverged_at = self.epoch + 1
        self.divergence = what
        self._back_to_epoch_start()
        return self._finish(StopReason.DIVERGED)

    def _back_to_epoch_start(self) -> None:
        """The weights and optimizer state the current epoch began with (the last finite ones)."""
        if self._safe is not None:
            weights, state = self._safe
            self.network.set_weights(weights)
            self.optimizer.load_state_dict(state)
        self.update_in_epoch = 0

    def _non_finite_array(self) -> str | None:
        """The first weight or optimizer-state array holding inf or NaN, named, or None.

        Weights include batch-norm running statistics. Optimizer state counts as much as
        the weights: huge inputs can overflow Adam's v = g² while every weight stays finite,
        and such a state could not be saved or trained on."""
        for i, layer in enumerate(self.network.get_weights()):
            for name, arr in layer.items():
                if not np.all(np.isfinite(arr)):
                    return f"layer {layer_number(i)}'s {name}"
        for key, slot in self.optimizer.state.items():
            for name, arr in slot.items():
                if not np.all(np.isfinite(arr)):
                    index, array = key.removeprefix("layer").split(".", 1)
                    return (f"{self.optimizer.name}'s {name} for layer {layer_number(int(index))}'s {array} "
                            "(the optimizer state)")
        return None

    def _threads_for(self, rows: int) -> int:
        return threads_for(rows, [(d.n_inputs, d.n_outputs) for d in self.network.dense])

    def evaluate(self) -> dict[str, float | None]:
        """Loss and accuracy on the training and validation sets, in evaluation mode."""
        d, net = self.data, self.network
        out: dict[str, float | None] = {}
        for prefix, x, y, labels in (("train", d.x_train, d.y_train, d.labels_train),
                                     ("val", d.x_val, d.y_val, d.labels_val)):
            if len(x) == 0:
                out[f"{prefix}_loss"] = out[f"{prefix}_accuracy"] = None
                continue
            threads = self._threads_for(len(x))
            if threads == self._blas_count:  # already so: no library call per epoch
                output = net.forward(x, training=False)
            else:
                with blas_threads(threads):
                    output = net.forward(x, training=False)
            out[f"{prefix}_loss"] = net.data_loss(y)
            out[f"{prefix}_accuracy"] = accuracy(self.task, self.loss_name, output, labels)
        return out

    def _end_epoch(self) -> StopReason | None:
        metrics = self.evaluate()
        if not math.isfinite(metrics["train_loss"]):
            return self._diverge("the loss")
        # saturating units (tanh of ±inf) can hide infinite weights behind a finite loss
        non_finite = self._non_finite_array()
        if non_finite is not None:
            return self._diverge(non_finite)
        grown = self._grown_loss(metrics["train_loss"])
        if grown is not None:
            self.loss_growth = grown
            return self._diverge("the loss")
        lr = self.lr
        self.epoch += 1
        self.update_in_epoch = 0
        self._rng = self._order = self._safe = None  # a closed epoch is nothing to go back from
        self.history.append(epoch=self.epoch, lr=lr, **metrics)
        if self.training.early_stopping is not None:
            return self._check_early_stopping(metrics)
        return None

    def _training_loss(self) -> float | None:
        """The training set's data loss now (evaluation mode, as an epoch's end measures it),
        or None if not finite. Evaluation draws nothing at random and changes no state."""
        self.network.forward(self.data.x_train, training=False)
        loss = self.network.data_loss(self.data.y_train)
        return loss if math.isfinite(loss) else None

    def _grown_loss(self, loss: float) -> tuple[float, float, str] | None:
        """``(loss, reference, what the reference is)`` when the epoch ending with training loss
        ``loss`` diverged by growth: ``loss`` > DIVERGENCE_FACTOR × the reference. The reference:

        - for epoch 1, the loss of the weights it started from, when this run began before
          any update (a run resumed inside epoch 1 has none: only inf or NaN stop it);
        - after that, the loss after epoch 1 (the history's first row, which a file keeps),
          or the loss when this run began, if larger: a run resumed from a file, after a pause
          or after an edit (points far off raise the loss) is only ever more lenient than one
          that never stopped, so a run that does not diverge gives the same bits either way.
        """
        start = self._run_start
        if start is None:
            return None
        if self.epoch == 0:
            fresh = start.epoch == 0 and start.update_in_epoch == 0
            candidates = [(start.loss, "before training")] if fresh else []
        else:
            first = self.history["train_loss"][0] if len(self.history) else None
            candidates = [(first, f"after epoch {self.history['epoch'][0]}")]
            if start.rows:  # epoch 1 was behind this run already
                where = f"epoch {start.epoch}" + (f", update {start.update_in_epoch}" if start.update_in_epoch else "")
                candidates.append((start.loss, f"when training resumed at {where}"))
        known = [(value, text) for value, text in candidates if value is not None]
        if not known:
            return None
        reference, text = max(known, key=lambda pair: pair[0])
        return (loss, reference, text) if loss > DIVERGENCE_FACTOR * reference else None

    def _check_early_stopping(self, metrics) -> StopReason | None:
        rule = self.training.early_stopping
        watched = metrics["val_loss"] if metrics["val_loss"] is not None else metrics["train_loss"]
        if self._best is None or watched < self._best["loss"]:
            self._best = {"loss": watched, "epoch": self.epoch,
                          "weights": self.network.get_weights() if rule.restore_best else None}
            return None
        if self.epoch - self._best["epoch"] >= rule.patience:
            if rule.restore_best and self._best["weights"] is not None:
                self.network.set_weights(self._best["weights"])
                self.restored_epoch = self._best["epoch"]
            return StopReason.EARLY_STOPPED
        return None

    # ---- what a file must record to resume exactly
    def resume_state(self) -> dict[str, Any] | None:
        state: dict[str, Any] = {}
        if self.update_in_epoch:
            state["update_in_epoch"] = self.update_in_epoch
            state["rng"] = self._rng.bit_generator.state
        if self._best is not None:
            state["best"] = dict(self._best)
        if self.restored_epoch is not None:
            state["restored_epoch"] = self.restored_epoch
        pretraining = self.pretraining.resume_state() if self.pretraining is not None else None
        if pretraining is not None:
            state["pretraining"] = pretraining
        return state or None

    def load_resume_state(self, state: dict[str, Any] | None) -> None:
        state = state or {}
        self._best = dict(state["best"]) if state.get("best") else None
        self.restored_epoch = state.get("restored_epoch")
        if self.pretraining is not None and state.get("pretraining"):
            self.pretraining.load_resume_state(state["pretraining"])
        k = int(state.get("update_in_epoch", 0))
        if k:
            self._begin_epoch()
            self._rng.bit_generator.state = state["rng"]
            self.update_in_epoch = k

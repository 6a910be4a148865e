"""Making a traced update in the run.

The next batch's update is the trainer's own next update (``Trainer.run`` stopped after
one), so the run goes on from it exactly as if it had made it itself. A chosen point's
update is the run's optimizer step on that point's gradient at the current η: the
optimizer's state and count move on, the run's place in its epoch does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnplay.core.backprop.batch import NEXT, generator
from nnplay.core.backprop.trace import Trace
from nnplay.core.trainer import StopReason, Trainer


@dataclass
class Applied:
    """What ``apply`` did: the updates made (0 or 1) and why the run stopped, when it did."""

    updates: int
    stop_reason: StopReason | None = None


def apply_problem(trainer: Trainer, trace: Trace) -> str | None:
    """Why ``trace``'s update cannot be made in the run now, in a sentence, or None."""
    if not trace.is_current(trainer):
        return "The network changed since these numbers were computed: trace it again first."
    if trainer.pretraining is not None and trainer.pretraining.pending:
        return ("Pre-training comes first: its updates train the hidden layers as autoencoders, "
                "and the run's own updates start after it.")
    if not trace.finite:
        return "The loss or a gradient is not a finite number: an update from it would ruin the weights."
    return None


def apply(trainer: Trainer, trace: Trace) -> Applied:
    """Make ``trace``'s update in the run (call ``apply_problem`` first; training must be stopped).

    The next batch's update is the trainer's own next update, so the run goes on from it
    exactly; a point's update is the run's optimizer step on that point's gradient."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if trace.batch.kind == NEXT:
            return _apply_next(trainer, trace)
        return _apply_point(trainer, trace)


def _apply_next(trainer: Trainer, trace: Trace) -> Applied:
    made = []

    def after_one(t: Trainer) -> None:
        made.append(t.update_in_epoch)
        t.request_stop()

    until = trainer.epoch + (2 if trace.batch.ends_epoch_first else 1)
    reason = trainer.run(until, on_update=after_one)
    return Applied(len(made), None if made and reason == StopReason.INTERRUPTED else reason)


def _apply_point(trainer: Trainer, trace: Trace) -> Applied:
    net, batch = trainer.network, trace.batch
    net.forward(batch.x, True, generator(batch.masks))
    trainer.batch_loss = net.data_loss(batch.y)
    net.backward(batch.y)
    trainer.optimizer.step(net.parameters_and_grads(), trace.lr)
    return Applied(1)

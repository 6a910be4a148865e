"""The chapters' back-propagation as a sequence of steps, in their order (the notes'
SGD-NEURAL-NET and the deep-learning book's algorithms 6.3 and 6.4): the input; each
layer's forward computation (z then a for a dense layer); the loss; from the output
down to layer 1, each δ, each ∂J/∂W and ∂J/∂b beside its finite difference and the
∂J/∂a passed down; the schedule's η; each layer's update."""

from __future__ import annotations

from nnplay.core.backprop import backward, forward, update
from nnplay.core.backprop.step import Context, Step
from nnplay.core.backprop.trace import Trace


def build_steps(experiment, trace: Trace) -> list[Step]:
    """Every step of ``trace`` (made on ``experiment``'s run), first to last."""
    ctx = Context(experiment, trace)
    layers = range(len(trace.network.layers))
    steps = [forward.input_step(ctx)]
    for i in layers:
        steps += forward.layer_steps(ctx, i)
    steps.append(forward.loss_step(ctx))
    steps.append(backward.start_step(ctx))
    for i in reversed(layers):
        steps += backward.layer_steps(ctx, i)
    steps.append(update.schedule_step(ctx))
    for i in layers:
        steps += update.update_steps(ctx, i)
    return steps


def revealed(steps: list[Step], upto: int) -> set[str]:
    """The trace values steps 0 … ``upto`` have filled in (none before the first)."""
    return {key for step in steps[:upto + 1] for key in step.keys}

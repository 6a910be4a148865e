"""What training a network costs in memory, estimated from its settings alone.

Every documented bound on a file can hold and still ask for gigabytes: 21 blocks of
(dense 125 → batchnorm → dropout) on 100,000 points trained full batch need about
8.5 GB at once. ``estimate`` counts the float64 numbers alive at the peak of one
training update and of one evaluation (the epoch end's pass over the training and
validation sets), from the layer widths, the points and the batch size; ``problem``
says, in one line, when either is over ``MAX_BYTES``. Reading a file and editing
settings in the app both ask it before anything is allocated.

The counts follow the engine (``nnplay.core.layers``) and were checked against
tracemalloc's peaks (``tests/core/test_cost.py``):

- one update on a batch of B rows: the batch and its noisy copy (2 f), what each
  layer keeps for backward (dense: z and a, 2 u; dropout: mask and output, 2 w;
  batch norm: x̂ and output, 2 w), and the temporaries of the widest layer's
  activation and backward pass (7 × its width: sigmoid and softplus take most);
  plus, per parameter, its gradient, the optimizer's temporaries and the copy of
  weights and state the epoch began with (6 numbers);
- one evaluation of R = all points: what each layer keeps (dense 2 u, batch norm w,
  dropout nothing) and the temporaries of the widest layer (5 × its width).

So the estimate is an upper bound for every activation, about 1–1.5 × the peak for
sigmoid or softplus layers and up to 3–6 × for identity or ReLU layers.
"""

from __future__ import annotations

from dataclasses import dataclass

from nnplay.core.config import BatchNormConfig, DenseConfig, NetworkConfig
from nnplay.core.datasets import validation_size

#: the most memory one training update or one evaluation may take
MAX_BYTES = 2 << 30
BYTES_PER_NUMBER = 8


@dataclass(frozen=True)
class Cost:
    step_bytes: int  #: one update on one batch
    evaluation_bytes: int  #: one evaluation of every point
    batch: int  #: rows per update
    points: int  #: rows per evaluation


def split_sizes(config: NetworkConfig) -> tuple[int, int]:
    """Training and validation points of ``config``'s data (the split rule of ``datasets.split``)."""
    data = config.data
    n = len(data.x) if data.source == "inline" and data.x is not None else data.n
    if data.source == "inline" and data.validation is not None:
        return n - len(data.validation), len(data.validation)
    n_val = validation_size(n, data.validation_fraction)
    return n - n_val, n_val


def estimate(config: NetworkConfig) -> Cost:
    """The memory one training update and one evaluation of ``config`` need at their peak."""
    n_train, n_val = split_sizes(config)
    size = config.training.batch_size
    batch = n_train if size <= 0 else min(size, n_train)
    width = len(config.features)
    widest = width
    kept_training = kept_evaluation = parameters = 0  # numbers per row, and in all
    for layer in config.layers:
        if isinstance(layer, DenseConfig):
            parameters += (width + 1) * layer.units
            width = layer.units
            kept_training += 2 * width
            kept_evaluation += 2 * width
        elif isinstance(layer, BatchNormConfig):
            parameters += 2 * width
            kept_training += 2 * width
            kept_evaluation += width
        else:  # dropout: mask and output while training, nothing at evaluation
            kept_training += 2 * width
        widest = max(widest, width)
    features = len(config.features)
    step = batch * (2 * features + kept_training + 7 * widest) + 6 * parameters
    points = n_train + n_val
    evaluation = points * (kept_evaluation + 5 * widest)
    return Cost(step * BYTES_PER_NUMBER, evaluation * BYTES_PER_NUMBER, batch, points)


def problem(config: NetworkConfig) -> str | None:
    """One line naming the limit when training ``config`` would need more than ``MAX_BYTES``, else None."""
    cost = estimate(config)
    limit = f"the limit is {MAX_BYTES / 2**30:g} GB"
    if cost.step_bytes > MAX_BYTES:
        whole = " (a full batch)" if config.training.batch_size <= 0 else ""
        return (f"one training update on {cost.batch:,} points{whole} through these layers needs about "
                f"{_size(cost.step_bytes)} at once; {limit} — use smaller batches, fewer points or smaller layers")
    if cost.evaluation_bytes > MAX_BYTES:
        return (f"evaluating {cost.points:,} points through these layers needs about "
                f"{_size(cost.evaluation_bytes)} at once; {limit} — use fewer points or smaller layers")
    return None


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:,.0f} MB"

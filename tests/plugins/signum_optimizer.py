"""A new optimizer in one class, as a user would add one: sign descent with momentum
(signum, Bernstein et al. 2018). Its setting κ is one no built-in optimizer has."""

import numpy as np

from nnplay.core.optimizers import LEARNING_RATE, OPTIMIZERS, Optimizer
from nnplay.core.settings import Setting


@OPTIMIZERS.register("signum")
class Signum(Optimizer):
    """m ← κ m + (1-κ) g;  w ← w - η sign(m)."""

    title = "Signum"
    formula = "m ← κ m + (1−κ) g<br>w ← w − η sign(m)"
    help = "Steps of the same size η for every weight, in the direction of the sign of a running mean of g."
    settings = (
        LEARNING_RATE.with_default(0.01),
        Setting("kappa", "Momentum κ", 0.9, "decay", symbol="κ", low=0.0, high=1.0, high_open=True,
                control=(0.0, 0.999), help="How much of the running mean of g carries over each step."),
    )
    slots = ("m",)
    adapts_step = True

    def update(self, w, g, slot, lr):
        m = slot["m"]
        m *= self.hyper["kappa"]
        m += (1.0 - self.hyper["kappa"]) * g
        w -= lr * np.sign(m)

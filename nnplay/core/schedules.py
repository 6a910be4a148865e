"""Learning-rate schedules η(e) by epoch e = 0, 1, 2, … (SPEC §1).

A schedule that grows (``exponential`` with k > 1, ``step`` with drop > 1) reaches
the largest float after enough epochs; from there it gives ``inf`` instead of
raising ``OverflowError``, and the trainer stops the run as diverged, naming the
learning rate.
"""

from __future__ import annotations

import math

from nnplay.core.registry import Registry


class Schedule:
    name = ""
    defaults: dict[str, float] = {}
    help = ""

    def __init__(self, **settings: float):
        unknown = set(settings) - set(self.defaults)
        if unknown:
            raise KeyError(
                f"schedule {self.name!r} has no setting {sorted(unknown)[0]!r}"
                + (f"; its settings are {', '.join(self.defaults)}" if self.defaults else "")
            )
        self.settings = {**self.defaults, **settings}

    def __call__(self, lr: float, epoch: int) -> float:
        raise NotImplementedError


SCHEDULES: Registry[Schedule] = Registry("schedule")


def _power(base: float, exponent: int) -> float:
    """``base ** exponent``, or inf where that overflows a float (bases here are > 0)."""
    try:
        return base ** exponent
    except OverflowError:
        return math.inf


@SCHEDULES.register("constant")
class Constant(Schedule):
    """η(e) = η."""

    help = "The same learning rate throughout."

    def __call__(self, lr, epoch):
        return lr


@SCHEDULES.register("step")
class Step(Schedule):
    """η(e) = η · drop^floor(e / every)."""

    defaults = {"drop": 0.5, "every": 100}
    help = "Multiplies the learning rate by `drop` every `every` epochs."

    def __call__(self, lr, epoch):
        return lr * _power(self.settings["drop"], math.floor(epoch / self.settings["every"]))


@SCHEDULES.register("inverse_time")
class InverseTime(Schedule):
    """η(e) = η / (1 + k·e)."""

    defaults = {"k": 0.01}
    help = "Decays the learning rate as 1 / (1 + k·epoch)."

    def __call__(self, lr, epoch):
        return lr / (1.0 + self.settings["k"] * epoch)


@SCHEDULES.register("exponential")
class Exponential(Schedule):
    """η(e) = η · k^e."""

    defaults = {"k": 0.99}
    help = "Multiplies the learning rate by k every epoch."

    def __call__(self, lr, epoch):
        return lr * _power(self.settings["k"], epoch)


def make_schedule(name: str, settings: dict[str, float] | None = None) -> Schedule:
    return SCHEDULES.get(name)(**(settings or {}))

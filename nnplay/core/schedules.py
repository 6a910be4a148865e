"""Learning-rate schedules η(e) by epoch e = 0, 1, 2, … (SPEC §1).

A schedule that grows (``exponential`` with k > 1, ``step`` with drop > 1) reaches
the largest float after enough epochs; from there it gives ``inf`` instead of
raising ``OverflowError``, and the trainer stops the run as diverged, naming the
learning rate.
"""

from __future__ import annotations

import math

from nnplay.core.limits import MAX_EPOCH
from nnplay.core.registry import Entry, Registry
from nnplay.core.settings import Setting


class Schedule(Entry):
    details = ("The chapters: stochastic and mini-batch descent need a decreasing step size for the "
               "guarantees to hold — big steps early, small steps to settle.")

    def __init__(self, **settings: float):
        for key in settings:
            if key not in self.defaults:
                raise self.no_such_setting(key)
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

    title = "constant"
    formula = "η(e) = η"
    help = "The same learning rate throughout."

    def __call__(self, lr, epoch):
        return lr


@SCHEDULES.register("step")
class Step(Schedule):
    """η(e) = η · drop^floor(e / every)."""

    title = "step decay"
    formula = "η(e) = η · drop<sup>⌊e / every⌋</sup>"
    settings = (
        Setting("drop", "Drop factor", 0.5, "decay", low=0.0, low_open=True, control=(0.0, 1.0),
                help="The learning rate is multiplied by this every few epochs (0.5 halves it)."),
        Setting("every", "Every (epochs)", 100, "int", low=1, high=MAX_EPOCH, control=(1, 1_000_000),
                help="How many epochs between drops."),
    )
    help = "Multiplies the learning rate by `drop` every `every` epochs."

    def __call__(self, lr, epoch):
        return lr * _power(self.settings["drop"], math.floor(epoch / self.settings["every"]))


@SCHEDULES.register("inverse_time")
class InverseTime(Schedule):
    """η(e) = η / (1 + k·e)."""

    title = "inverse time"
    formula = "η(e) = η / (1 + k·e)"
    settings = (Setting("k", "k", 0.01, "log", low=0.0, control=(0.0, 100.0), step=1e-3,
                        help="The decay constant of the formula above."),)
    help = "Decays the learning rate as 1 / (1 + k·epoch)."

    def __call__(self, lr, epoch):
        return lr / (1.0 + self.settings["k"] * epoch)


@SCHEDULES.register("exponential")
class Exponential(Schedule):
    """η(e) = η · k^e."""

    title = "exponential"
    formula = "η(e) = η · k<sup>e</sup>"
    settings = (Setting("k", "k", 0.99, "decay", low=0.0, low_open=True, control=(0.0, 1.0),
                        help="The decay constant of the formula above."),)
    help = "Multiplies the learning rate by k every epoch."

    def __call__(self, lr, epoch):
        return lr * _power(self.settings["k"], epoch)


def make_schedule(name: str, settings: dict[str, float] | None = None) -> Schedule:
    cls = SCHEDULES.get(name)
    return cls(**cls.resolve(settings))

"""Small networks and sweep files for the sweep tests, and worker tasks that fail on
purpose (module-level functions, so spawned worker processes can import them)."""

from __future__ import annotations

import copy
import os
import signal
from dataclasses import replace
from pathlib import Path
from unittest import mock

from nnplay.core.trainer import Trainer
from nnplay.io.networkfile import dumps
from nnplay.sweeps.blas import current_blas_threads
from nnplay.sweeps.run import run_plan

BASE = {
    "format": "nnplay-network",
    "version": 1,
    "name": "sweep test",
    "task": "binary",
    "features": ["x1", "x2"],
    "layers": [
        {"type": "dense", "units": 4, "activation": "tanh", "init": "xavier_uniform"},
        {"type": "dense", "units": 1, "activation": "sigmoid", "init": "xavier_uniform"},
    ],
    "loss": "nll",
    "optimizer": {"name": "adam", "lr": 0.05},
    "schedule": {"name": "constant"},
    "training": {"batch_size": 8, "epochs": 6, "seed": 3, "l1": 0.0, "l2": 0.0, "input_noise": 0.0,
                 "early_stopping": None},
    "data": {"source": "generated", "name": "xor", "n": 40, "noise": 0.1, "seed": 1, "validation_fraction": 0.25},
    "weights": None,
}


def base_network(**changes) -> dict:
    obj = copy.deepcopy(BASE)
    obj.update(copy.deepcopy(changes))
    return obj


def sweep_obj(parameters: dict, base=None, search: str = "grid", **extra) -> dict:
    obj = {"format": "nnplay-sweep", "version": 1, "base": base if base is not None else base_network(),
           "search": search, "parameters": parameters}
    obj.update(extra)
    return obj


def write_json(path: Path, obj) -> Path:
    path.write_text(dumps(obj), encoding="utf-8")
    return path


# ---- worker tasks that misbehave on purpose (run 1 only)
def die_on_first_attempt(plan, channel=None):
    if plan.run == 1 and plan.attempt == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_plan(plan, channel)


def always_die(plan, channel=None):
    if plan.run == 1:
        os._exit(3)
    return run_plan(plan, channel)


def raise_in_run_1(plan, channel=None):
    if plan.run == 1:
        with mock.patch.object(Trainer, "run", side_effect=RuntimeError("boom in the trainer")):
            return run_plan(plan, channel)
    return run_plan(plan, channel)


def report_blas_threads(plan, channel=None):
    """The outcome's ``worker`` field says how many BLAS threads the run had."""
    return replace(run_plan(plan, channel), worker=str(current_blas_threads()))


def report_niceness(plan, channel=None):
    """The outcome's ``worker`` field says the worker's scheduling niceness."""
    return replace(run_plan(plan, channel), worker=str(os.nice(0)))

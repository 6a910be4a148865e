"""From a sweep to its runs (SPEC §4): each run's parameter values, in run order, and
the network each run trains, checked by the network file's own validator.

Grid: every combination of the parameters' values, the first parameter varying
slowest. Random: run k draws every parameter, in the file's order, from
``numpy.random.default_rng([seed, k])``, so run k does not depend on how many runs
the sweep has. A run's network is the base with the values set at their paths;
setting ``optimizer.name`` (or ``schedule.name``) resets that section's other
settings to the new choice's defaults unless the run sets them too.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from nnplay.core.config import NetworkConfig
from nnplay.core.cost import split_sizes
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.schedules import SCHEDULES
from nnplay.io.schema import NetworkFileError, network_to_dict, parse_network
from nnplay.sweeps.paths import PathError, check_path, set_value
from nnplay.sweeps.results import cell
from nnplay.sweeps.sweepfile import Sweep, SweepFileError

#: sections whose ``name`` picks a registry entry with its own settings
_RESETTING = {"optimizer": OPTIMIZERS, "schedule": SCHEDULES}


@dataclass(frozen=True)
class PlannedRun:
    """Run ``index`` of a sweep: its parameter values and the network it trains (the
    JSON object of a network file, checked, with no weights)."""

    index: int
    values: dict[str, Any]
    network: dict[str, Any]


def run_values(sweep: Sweep) -> Iterator[dict[str, Any]]:
    """Each run's ``{path: value}``, in run order."""
    paths = sweep.paths
    if sweep.search == "grid":
        for combination in itertools.product(*(p.values for p in sweep.parameters)):
            yield dict(zip(paths, copy.deepcopy(combination)))
        return
    for k in range(sweep.runs or 0):
        rng = np.random.default_rng([sweep.seed, k])
        yield {p.path: p.draw(rng) for p in sweep.parameters}


def build_network(base: dict, values: dict[str, Any], epochs: int | None = None) -> dict:
    """The base network's object with ``values`` set; raises ``PathError``."""
    obj = copy.deepcopy(base)
    if epochs is not None:
        obj["training"]["epochs"] = epochs
    for path, value in values.items():
        set_value(obj, path, value)
    for section, registry in _RESETTING.items():
        name = values.get(f"{section}.name")
        if name is not None and name in registry and isinstance(obj.get(section), dict):
            _reset_settings(obj, section, registry.get(name), values)
    return obj


def _reset_settings(obj: dict, section: str, cls: type, values: dict[str, Any]) -> None:
    prefix = f"{section}."
    aliases = getattr(cls, "aliases", {})
    swept = {path[len(prefix):]: value for path, value in values.items()
             if path.startswith(prefix) and path != f"{section}.name"}
    swept_canonical = {aliases.get(key, key) for key in swept}
    defaults = {k: v for k, v in cls.defaults.items() if k not in swept_canonical}
    obj[section] = {"name": obj[section]["name"], **defaults, **copy.deepcopy(swept)}


def describe(values: dict[str, Any]) -> str:
    """``optimizer.name sgd, optimizer.lr 0.1``: a run's values on one line."""
    return ", ".join(f"{path} {cell(value)}" for path, value in values.items())


def checked_network(base: dict, values: dict[str, Any], epochs: int | None = None) -> tuple[NetworkConfig, dict]:
    """The network a run trains, as a config and as the file's object, checked by the
    network file's validator; raises ``PathError`` (a path that is no setting) or
    ``NetworkFileError`` (a value the file's checks refuse)."""
    cfg = parse_network(build_network(base, values, epochs))
    # complete: a setting that is off (training.pretraining null) still has its path
    network = network_to_dict(cfg, complete=True)
    for path in values:  # a key the validator ignores is no setting, whatever its value
        check_path(network, path)
    return cfg, network


def plan_runs(sweep: Sweep) -> list[PlannedRun]:
    """Every run, each network checked; raises ``SweepFileError`` naming the parameter,
    or the run and the setting its values break, before anything runs."""
    runs = []
    for index, values in enumerate(run_values(sweep)):
        try:
            cfg, network = checked_network(sweep.base, values, sweep.epochs)
        except PathError as exc:
            raise SweepFileError(f"parameters: {exc}") from None
        except NetworkFileError as exc:
            raise SweepFileError(f"run {index} ({describe(values)}): {exc}") from None
        _check_metric(sweep.metric, cfg, index, values)
        runs.append(PlannedRun(index, values, network))
    return runs


def _check_metric(metric: str, cfg: NetworkConfig, index: int, values: dict[str, Any]) -> None:
    if metric.endswith("accuracy") and cfg.task == "regression":
        raise SweepFileError(f"metric: a regression network has no accuracy; rank by "
                             f"{metric.replace('accuracy', 'loss')}")
    if metric.startswith("val_"):
        data = cfg.data
        if split_sizes(cfg)[1] == 0:
            raise SweepFileError(f"metric: {metric} needs validation points, and run {index} "
                                 f"({describe(values)}) has none "
                                 f"(data.validation_fraction {data.validation_fraction:g}); "
                                 f"rank by {metric.replace('val_', 'train_')}")


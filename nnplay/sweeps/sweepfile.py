"""The sweep file (SPEC §4): a base network, the parameters to vary and how.

``read_sweep`` reads and checks a file; ``parse_sweep`` checks a decoded object;
``sweep_to_dict`` writes one back (the app saves its searches with it). Every
problem raises ``SweepFileError`` with a one-line message naming the field. Which
runs a sweep makes, and whether each run's network passes the network file's
checks, is ``nnplay.sweeps.plan``.
"""

from __future__ import annotations

import copy
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnplay.io.networkfile import load_json, read_network
from nnplay.io.schema import MAX_EPOCHS, NetworkFileError, network_to_dict, parse_network
from nnplay.sweeps.paths import PathError, parse_path

FORMAT = "nnplay-sweep"
VERSION = 1
SEARCHES = ("grid", "random")
METRICS = ("val_loss", "train_loss", "val_accuracy", "train_accuracy")
#: how a parameter's value is chosen; only ``values`` for a grid
KINDS = ("values", "uniform", "log_uniform", "int_uniform")
#: no sweep makes more runs than this (a grid multiplies quickly)
MAX_RUNS = 100_000
MAX_SEED = 2**128 - 1
#: what a run drops from its base: it starts afresh from the weights training.seed draws
STATE_KEYS = ("optimizer_state", "history", "resume")


class SweepFileError(ValueError):
    """A sweep nnplay cannot run; the message is one line naming the field."""


@dataclass(frozen=True)
class Parameter:
    """One varied setting: ``path`` into the network file and how its value is chosen.

    ``kind`` ``values``: one of ``values``; ``uniform``/``log_uniform``/``int_uniform``:
    between ``low`` and ``high`` (both included for ``int_uniform``)."""

    path: str
    kind: str
    values: tuple = ()
    low: float = 0.0
    high: float = 0.0

    def draw(self, rng: np.random.Generator) -> Any:
        """Run k's value, drawn from its generator exactly as SPEC §4 writes it."""
        if self.kind == "values":
            return copy.deepcopy(self.values[int(rng.integers(len(self.values)))])
        if self.kind == "uniform":
            return float(rng.uniform(self.low, self.high))
        if self.kind == "log_uniform":
            return float(np.exp(rng.uniform(np.log(self.low), np.log(self.high))))
        return int(rng.integers(self.low, self.high + 1))

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "values":
            return {"values": copy.deepcopy(list(self.values))}
        return {self.kind: [self.low, self.high]}


@dataclass
class Sweep:
    """A checked sweep. ``base`` is the base network's JSON object as the validator
    gives it back, with its weights, optimizer state, history and position dropped;
    ``base_file`` the path the file named it by (None for an inline base)."""

    base: dict[str, Any]
    parameters: list[Parameter]
    search: str = "grid"
    epochs: int | None = None
    metric: str = "val_loss"
    runs: int | None = None  #: random search only
    seed: int = 0  #: random search only
    base_file: str | None = None
    #: the folder a relative ``base_file`` is relative to
    folder: Path = field(default_factory=Path)

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.parameters]

    def run_count(self) -> int:
        if self.search == "random":
            return int(self.runs or 0)
        return math.prod(len(p.values) for p in self.parameters)


# ---------------------------------------------------------------- reading
def read_sweep(path: str | os.PathLike) -> Sweep:
    """The checked sweep in the file at ``path``; raises ``SweepFileError``."""
    try:
        obj = load_json(path)
    except NetworkFileError as exc:
        raise SweepFileError(str(exc)) from None
    return parse_sweep(obj, Path(path).parent)


def parse_sweep(obj: Any, folder: str | os.PathLike = ".") -> Sweep:
    """Check a decoded sweep file; a relative base path is relative to ``folder``."""
    if not isinstance(obj, dict):
        raise SweepFileError("the file holds no sweep object {...}")
    if obj.get("format") != FORMAT:
        raise SweepFileError(f'format: must be "{FORMAT}" (this is not an nnplay sweep file)')
    version = obj.get("version")
    if type(version) is not int or version < 1:
        raise SweepFileError(f"version: must be a whole number ≥ 1, got {_show(version)}")
    if version > VERSION:
        raise SweepFileError(f"version: written by a newer nnplay (version {version}); "
                             f"this one reads version {VERSION}")
    search = obj.get("search")
    if search not in SEARCHES:
        raise SweepFileError(f'search: must be "grid" or "random", got {_show(search)}')
    base, base_file = _base(obj, Path(folder))
    sweep = Sweep(base=base, parameters=_parameters(obj.get("parameters"), search), search=search,
                  base_file=base_file, folder=Path(folder))
    if obj.get("epochs") is not None:
        sweep.epochs = _whole(obj["epochs"], "epochs", 0, MAX_EPOCHS)
    sweep.metric = obj.get("metric", "val_loss")
    if sweep.metric not in METRICS:
        raise SweepFileError(f"metric: must be one of {', '.join(METRICS)}, got {_show(sweep.metric)}")
    if search == "random":
        if "runs" not in obj:
            raise SweepFileError('runs: a random search needs "runs", the number of runs to draw')
        sweep.runs = _whole(obj["runs"], "runs", 1, MAX_RUNS)
        sweep.seed = _whole(obj.get("seed", 0), "seed", 0, MAX_SEED)
    elif sweep.run_count() > MAX_RUNS:
        raise SweepFileError(f"parameters: the grid has {sweep.run_count():,} runs; the limit is {MAX_RUNS:,}")
    return sweep


def _base(obj: dict, folder: Path) -> tuple[dict, str | None]:
    if "base" not in obj:
        raise SweepFileError("base: missing (a network file's path, or a network object)")
    base = obj["base"]
    if isinstance(base, str):
        where = folder / base
        try:
            cfg = read_network(where)
        except NetworkFileError as exc:
            raise SweepFileError(f"base {base}: {exc}") from None
        return fresh_network(network_to_dict(cfg, complete=True)), base
    if isinstance(base, dict):
        try:
            cfg = parse_network(base)
        except NetworkFileError as exc:
            raise SweepFileError(f"base: {exc}") from None
        return fresh_network(network_to_dict(cfg, complete=True)), None
    raise SweepFileError(f"base: must be a network file's path or a network object, got {_show(base)}")


def fresh_network(obj: dict, keep_weights: bool = False) -> dict:
    """A network file's object as a run starts from it: no optimizer state, history or
    position, and (unless ``keep_weights``) no weights, so ``training.seed`` draws them."""
    out = {k: v for k, v in obj.items() if k not in STATE_KEYS}
    if not keep_weights:
        out["weights"] = None
    out["epoch"] = 0
    return out


def _parameters(value: Any, search: str) -> list[Parameter]:
    if not isinstance(value, dict) or not value:
        raise SweepFileError("parameters: must be an object naming at least one parameter, "
                             'like {"optimizer.lr": {"values": [0.01, 0.1]}}')
    return [_parameter(path, spec, search) for path, spec in value.items()]


def _parameter(path: str, spec: Any, search: str) -> Parameter:
    where = f"parameters: {path}"
    try:
        parse_path(path)
    except PathError as exc:
        raise SweepFileError(f"parameters: {exc}") from None
    kinds = [k for k in KINDS if isinstance(spec, dict) and k in spec]
    if not isinstance(spec, dict) or len(kinds) != 1 or len(spec) != 1:
        choices = '"values"' if search == "grid" else '"values", "uniform", "log_uniform" or "int_uniform"'
        raise SweepFileError(f"{where}: must be an object with exactly one of {choices}, got {_show(spec)}")
    kind = kinds[0]
    if search == "grid" and kind != "values":
        raise SweepFileError(f'{where}: a grid search lists "values"; {kind} is for a random search')
    if kind == "values":
        values = spec["values"]
        if not isinstance(values, list) or not values:
            raise SweepFileError(f"{where}: values must be a non-empty list, got {_show(values)}")
        return Parameter(path, "values", tuple(values))
    bounds = spec[kind]
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(_is_number(b) for b in bounds)):
        raise SweepFileError(f"{where}: {kind} must be [low, high], two numbers, got {_show(bounds)}")
    low, high = bounds
    if kind == "int_uniform" and not all(_is_whole(b) for b in bounds):
        raise SweepFileError(f"{where}: int_uniform bounds must be whole numbers, got {_show(bounds)}")
    if kind == "log_uniform" and not low > 0:
        raise SweepFileError(f"{where}: log_uniform bounds must be > 0, got {_show(bounds)}")
    if not low <= high:
        raise SweepFileError(f"{where}: {kind} needs low ≤ high, got {_show(bounds)}")
    if kind == "int_uniform":
        return Parameter(path, kind, low=int(low), high=int(high))
    return Parameter(path, kind, low=float(low), high=float(high))


# ---------------------------------------------------------------- writing
def sweep_to_dict(sweep: Sweep, inline_base: bool = False) -> dict[str, Any]:
    """The sweep file's JSON object; the base by its path unless ``inline_base`` (or the
    sweep came with an inline base)."""
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    out["base"] = sweep.base_file if sweep.base_file is not None and not inline_base else copy.deepcopy(sweep.base)
    out["search"] = sweep.search
    if sweep.search == "random":
        out["runs"], out["seed"] = sweep.runs, sweep.seed
    if sweep.epochs is not None:
        out["epochs"] = sweep.epochs
    out["metric"] = sweep.metric
    out["parameters"] = {p.path: p.to_dict() for p in sweep.parameters}
    return out


# ---------------------------------------------------------------- small checks
def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_whole(value: Any) -> bool:
    return _is_number(value) and float(value) == int(value)


def _whole(value: Any, name: str, lo: int, hi: int) -> int:
    if _is_whole(value) and lo <= value <= hi:
        return int(value)
    raise SweepFileError(f"{name}: must be a whole number from {lo:,} to {hi:,}, got {_show(value)}")


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

"""The network file's structure (SPEC §2): a JSON object ⇄ ``NetworkConfig``.

``parse_network`` checks every key of a decoded file and builds the config;
anything wrong raises ``NetworkFileError`` whose one-line message names the key
path and the problem, e.g. ``layers[2].units: must be a whole number from 1 to
4096, got -3``. ``network_to_dict`` is its inverse: plain lists, ints, floats,
strings and None, ready for ``json``. Reading and writing files is in
``nnplay.io.networkfile``; this module never touches the disk.

Bounds keep any file from asking for gigabytes: see the ``MAX_*`` constants and
docs/file-format.md.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from nnplay.core import datasets
from nnplay.core.activations import ACTIVATIONS
from nnplay.core.config import (
    FEATURES, TASKS, BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, EarlyStoppingConfig,
    LayerConfig, NetworkConfig, OptimizerConfig, ScheduleConfig, TrainingConfig,
)
from nnplay.core.features import raw_inputs_needed
from nnplay.core.initializers import INITIALIZERS
from nnplay.core.losses import LOSSES
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.schedules import SCHEDULES
from nnplay.core.text import printable

FORMAT = "nnplay-network"
VERSION = 1

MAX_LAYERS = 64
MAX_UNITS = 4096
#: with Adam's two slots and early stopping's best copy a file holds 4 numbers per parameter;
#: at this bound that stays well under networkfile.MAX_FILE_BYTES
MAX_PARAMETERS = 1_000_000
MAX_POINTS = 100_000
MAX_EPOCHS = 10_000_000
MAX_EPOCH = 1_000_000_000
MAX_SEED = 2**63 - 1
MAX_BATCH_SIZE = MAX_POINTS
#: points × widest layer: the size of one activation matrix when a whole set is evaluated
MAX_ACTIVATIONS = 32_000_000
#: data noise and input noise are standard deviations in the units of [-3, 3]²
MAX_NOISE = 100.0

LAYER_TYPES = ("dense", "dropout", "batchnorm")
#: arrays each layer type stores, trainable ones first
LAYER_ARRAYS = {"dense": ("W", "b"), "batchnorm": ("gamma", "beta", "running_mean", "running_var"),
                "dropout": ()}
LAYER_PARAMS = {"dense": ("W", "b"), "batchnorm": ("gamma", "beta"), "dropout": ()}
#: optimizer slots holding sums or averages of squares, which must not go negative (sqrt)
SQUARED_SLOTS = {"adagrad": ("G",), "rmsprop": ("G",), "adadelta": ("Eg", "Edelta"), "adam": ("v",)}
#: hyper-parameters that are decay factors in [0, 1); all others must be > 0
DECAY_SETTINGS = ("gamma", "rho", "beta1", "beta2")


class NetworkFileError(ValueError):
    """A network file nnplay cannot use; the message is one line naming the key path."""

    def __init__(self, message: str):
        super().__init__(printable(message, keep=""))  # a key or value from the file may hold a line break


_REQUIRED = object()


# ---------------------------------------------------------------- small checks
def _show(value: Any) -> str:
    """A value as it looks in the file, cut short."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fail(path: str, message: str, value: Any = _REQUIRED) -> NetworkFileError:
    where = f"{path}: " if path else ""
    got = "" if value is _REQUIRED else f", got {_show(value)}"
    return NetworkFileError(f"{where}{message}{got}")


def _key(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object {...}", value)
    return value


def _list(value: Any, path: str, max_len: int | None = None) -> list:
    if not isinstance(value, list):
        raise _fail(path, "must be a list [...]", value)
    if max_len is not None and len(value) > max_len:
        raise _fail(path, f"may hold at most {max_len:,} entries, got {len(value):,}")
    return value


def _get(obj: dict, key: str, path: str, default: Any = _REQUIRED) -> Any:
    if key in obj:
        return obj[key]
    if default is _REQUIRED:
        raise _fail(_key(path, key), "missing")
    return default


def _is_number(value: Any) -> bool:
    """An int or float, but not a bool (which Python counts as an int)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _int(value: Any, path: str, lo: int, hi: int | None = None) -> int:
    whole = type(value) is int or isinstance(value, np.integer)
    if not whole and isinstance(value, float) and math.isfinite(value) and value == int(value):
        whole, value = True, int(value)
    if whole and lo <= value and (hi is None or value <= hi):
        return int(value)
    span = f"from {lo:,} to {hi:,}" if hi is not None else f"≥ {lo}"
    raise _fail(path, f"must be a whole number {span}", value)


def _float(value: Any, path: str, minimum: float | None = None, above: bool = False,
           below: float | None = None) -> float:
    """A finite number ≥ minimum (> minimum when ``above``) and < ``below``."""
    ok = _is_number(value)
    if ok:
        try:
            number = float(value)
        except OverflowError:
            ok = False
        else:
            ok = math.isfinite(number)
            if ok and minimum is not None:
                ok = number > minimum if above else number >= minimum
            if ok and below is not None:
                ok = number < below
    if ok:
        return number
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if above else '≥'} {minimum:g}")
    if below is not None:
        parts.append(f"< {below:g}")
    raise _fail(path, "must be a number" + (" " + " and ".join(parts) if parts else ""), value)


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, "must be true or false", value)
    return value


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, "must be a string", value)
    return value


def _choice(value: Any, path: str, choices, what: str = "") -> str:
    if not isinstance(value, str) or value not in choices:
        names = ", ".join(f"'{c}'" for c in choices)
        raise _fail(path, f"must be {what or 'one of'} {names}", value)
    return value


def _registry_name(value: Any, path: str, registry) -> str:
    if value not in registry:
        names = ", ".join(f"'{c}'" for c in registry.names())
        raise _fail(path, f"must be one of {names}", value)
    return value


def _array(value: Any, path: str, shape: tuple[int, ...], nonnegative: bool = False) -> np.ndarray:
    """A 1-D or 2-D list of finite numbers with exactly ``shape``, as float64."""
    if isinstance(value, np.ndarray):
        if value.shape != shape or value.dtype.kind not in "fiu":
            raise _fail(path, f"must be {_shape_text(shape)}", value)
        arr = value.astype(np.float64)
    else:
        arr = _nested(value, path, shape)
    bad = ~np.isfinite(arr) | (arr < 0) if nonnegative else ~np.isfinite(arr)
    if bad.any():
        where = tuple(np.argwhere(bad)[0])
        index = "".join(f"[{i}]" for i in where)
        need = "a finite number ≥ 0" if nonnegative else "a finite number"
        raise _fail(f"{path}{index}", f"must be {need}", arr[where].item())
    return arr


def _shape_text(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"a list of {shape[0]} numbers"
    return f"a {shape[0]} × {shape[1]} array ({shape[0]} rows of {shape[1]} numbers)"


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _label(value: Any, path: str, k: int, why: str = "") -> None:
    """A class label 0..k-1, written as a whole number."""
    if not (_is_number(value) and value in range(k)):
        span = "0 or 1" if k == 2 else f"from 0 to {k - 1}"
        raise _fail(path, f"must be a class label {span}{why}", value)


def _row(value: Any, path: str, n: int, whole: str) -> np.ndarray:
    if not isinstance(value, list) or len(value) != n:
        got = _count(len(value), "entry", "entries") if isinstance(value, list) else _show(value)
        raise NetworkFileError(f"{path}: must be {whole}, got {got}")
    for j, v in enumerate(value):
        if type(v) is not float and type(v) is not int:
            raise _fail(f"{path}[{j}]", "must be a finite number", v)
    try:
        return np.array(value, dtype=np.float64)
    except OverflowError:
        j = next(j for j, v in enumerate(value) if isinstance(v, int) and abs(v) > 1e308)
        raise _fail(f"{path}[{j}]", "must be a finite number", value[j]) from None


def _nested(value: Any, path: str, shape: tuple[int, ...]) -> np.ndarray:
    whole = _shape_text(shape)
    if len(shape) == 1:
        return _row(value, path, shape[0], whole)
    rows, cols = shape
    if not isinstance(value, list) or len(value) != rows:
        got = _count(len(value), "row", "rows") if isinstance(value, list) else _show(value)
        raise NetworkFileError(f"{path}: must be {whole}, got {got}")
    out = np.empty(shape)
    for i, row in enumerate(value):
        out[i] = _row(row, f"{path}[{i}]", cols, f"a row of {cols} numbers")
    return out


# ---------------------------------------------------------------- parsing
def parse_network(obj: Any) -> NetworkConfig:
    """Validate a decoded network file and build its config; raises ``NetworkFileError``."""
    from nnplay.io.limits import check_limits  # it imports NetworkFileError from here

    return check_limits(_Parser().parse(obj))


class _Parser:
    """Reads one file top to bottom; later checks use what earlier ones established."""

    def parse(self, obj: Any) -> NetworkConfig:
        if not isinstance(obj, dict):
            kind = {list: "a list", str: "a string"}.get(type(obj), "a single value")
            raise NetworkFileError(f"the file holds {kind}, not a network object {{...}}")
        fmt = _get(obj, "format", "")
        if fmt != FORMAT:
            raise _fail("format", f"must be \"{FORMAT}\" (this is not an nnplay network file)", fmt)
        version = _int(_get(obj, "version", ""), "version", 1)
        if version > VERSION:
            raise NetworkFileError(
                f"version: written by a newer nnplay (version {version}); this one reads version {VERSION}"
            )
        cfg = NetworkConfig()
        cfg.name = _str(_get(obj, "name", "", "Untitled"), "name")
        self.task = cfg.task = _choice(_get(obj, "task", ""), "task", TASKS)
        cfg.features = self.features(_get(obj, "features", ""))
        cfg.layers = self.layers(_get(obj, "layers", ""), len(cfg.features))
        cfg.loss = self.loss(_get(obj, "loss", ""))
        cfg.optimizer = self.optimizer(_get(obj, "optimizer", ""))
        cfg.schedule = self.schedule(_get(obj, "schedule", "", {"name": "constant"}))
        cfg.training = self.training(_get(obj, "training", ""))
        cfg.data = self.data(_get(obj, "data", ""))
        self.check_features_fit_data(cfg.features)
        self.check_output(cfg)
        self.check_sizes(cfg)
        cfg.weights = self.weights(_get(obj, "weights", "", None), "weights")
        cfg.optimizer_state = self.optimizer_state(_get(obj, "optimizer_state", "", None), cfg.optimizer.name)
        cfg.epoch = _int(_get(obj, "epoch", "", 0), "epoch", 0, MAX_EPOCH)
        cfg.history = self.history(_get(obj, "history", "", None))
        cfg.resume = self.resume(_get(obj, "resume", "", None), cfg)
        cfg.extra = {k: v for k, v in obj.items() if k not in TOP_LEVEL_KEYS}
        return cfg

    # ---- architecture
    def features(self, value) -> list[str]:
        items = _list(value, "features")
        if not items:
            raise _fail("features", "must name at least one input feature")
        seen: set[str] = set()
        for i, name in enumerate(items):
            _choice(name, f"features[{i}]", FEATURES)
            if name in seen:
                raise _fail(f"features[{i}]", f"'{name}' is listed twice")
            seen.add(name)
        return list(items)

    def layers(self, value, n_inputs: int) -> list[LayerConfig]:
        items = _list(value, "layers")
        if not items:
            raise _fail("layers", "must hold at least one layer (the output layer)")
        if len(items) > MAX_LAYERS:
            raise _fail("layers", f"may hold at most {MAX_LAYERS} layers, got {len(items)}")
        out: list[LayerConfig] = []
        self.widths = [n_inputs]  # the input width of layer i is widths[i]
        for i, item in enumerate(items):
            path = f"layers[{i}]"
            item = _object(item, path)
            kind = _choice(_get(item, "type", path), _key(path, "type"), LAYER_TYPES)
            if kind == "dense":
                units = _int(_get(item, "units", path), _key(path, "units"), 1, MAX_UNITS)
                activation = _registry_name(_get(item, "activation", path, "tanh"), _key(path, "activation"), ACTIVATIONS)
                init = _registry_name(_get(item, "init", path, "xavier_uniform"), _key(path, "init"), INITIALIZERS)
                layer: LayerConfig = DenseConfig(units, activation, init)
                self.widths.append(units)
            elif kind == "dropout":
                layer = DropoutConfig(_float(_get(item, "rate", path, 0.2), _key(path, "rate"), 0.0, below=1.0))
                self.widths.append(self.widths[-1])
            else:
                layer = BatchNormConfig()
                self.widths.append(self.widths[-1])
            out.append(layer)
        if not isinstance(out[-1], DenseConfig):
            raise _fail(f"layers[{len(out) - 1}].type", "the last layer must be a dense layer (the output)",
                        out[-1].type)
        self.layer_configs = out
        return out

    def loss(self, value) -> str:
        name = _registry_name(value, "loss", LOSSES)
        loss = LOSSES.get(name)
        if self.task not in loss.tasks:
            fits = [n for n in LOSSES.names() if self.task in LOSSES.get(n).tasks]
            raise NetworkFileError(
                f"loss: '{name}' is for {' or '.join(loss.tasks)} tasks, and this network's task is "
                f"{self.task}; pick {' or '.join(repr(n) for n in fits)}"
            )
        return name

    def optimizer(self, value) -> OptimizerConfig:
        obj = _object(value, "optimizer")
        name = _registry_name(_get(obj, "name", "optimizer"), "optimizer.name", OPTIMIZERS)
        cls = OPTIMIZERS.get(name)
        settings: dict[str, float] = {}
        for key, raw in obj.items():
            if key == "name":
                continue
            path = f"optimizer.{key}"
            canonical = cls.aliases.get(key, key)
            if canonical not in cls.defaults:
                known = ", ".join(list(cls.defaults) + list(cls.aliases))
                raise _fail(path, f"'{name}' has no setting '{key}'; its settings are {known}")
            if canonical in settings:
                raise _fail(path, f"sets '{canonical}' a second time (as '{key}')")
            if canonical in DECAY_SETTINGS:
                settings[canonical] = _float(raw, path, 0.0, below=1.0)
            else:
                settings[canonical] = _float(raw, path, 0.0, above=True)
        return OptimizerConfig(name, settings)

    def schedule(self, value) -> ScheduleConfig:
        obj = _object(value, "schedule")
        name = _registry_name(_get(obj, "name", "schedule"), "schedule.name", SCHEDULES)
        cls = SCHEDULES.get(name)
        settings: dict[str, float] = {}
        for key, raw in obj.items():
            if key == "name":
                continue
            path = f"schedule.{key}"
            if key not in cls.defaults:
                known = ", ".join(cls.defaults) if cls.defaults else "none"
                raise _fail(path, f"'{name}' has no setting '{key}'; its settings are {known}")
            if key == "every":
                settings[key] = _int(raw, path, 1, MAX_EPOCH)
            elif name == "inverse_time":
                settings[key] = _float(raw, path, 0.0)
            else:
                settings[key] = _float(raw, path, 0.0, above=True)
        return ScheduleConfig(name, settings)

    def training(self, value) -> TrainingConfig:
        obj = _object(value, "training")
        d = TrainingConfig()
        t = TrainingConfig(
            batch_size=_int(_get(obj, "batch_size", "", d.batch_size), "training.batch_size", 0, MAX_BATCH_SIZE),
            epochs=_int(_get(obj, "epochs", "", d.epochs), "training.epochs", 0, MAX_EPOCHS),
            seed=_int(_get(obj, "seed", "", d.seed), "training.seed", 0, MAX_SEED),
            l1=_float(_get(obj, "l1", "", d.l1), "training.l1", 0.0),
            l2=_float(_get(obj, "l2", "", d.l2), "training.l2", 0.0),
            input_noise=_float(_get(obj, "input_noise", "", d.input_noise), "training.input_noise", 0.0,
                               below=MAX_NOISE),
        )
        rule = _get(obj, "early_stopping", "", None)
        if rule is not None:
            rule = _object(rule, "training.early_stopping")
            t.early_stopping = EarlyStoppingConfig(
                _int(_get(rule, "patience", "training.early_stopping"), "training.early_stopping.patience", 1, MAX_EPOCHS),
                _bool(_get(rule, "restore_best", "training.early_stopping", True),
                      "training.early_stopping.restore_best"),
            )
        return t

    # ---- data
    def data(self, value) -> DataConfig:
        obj = _object(value, "data")
        source = _choice(_get(obj, "source", "data"), "data.source", ("generated", "inline"))
        d = DataConfig()
        # points given one by one all train unless the file holds some out: a split
        # drawn here could not be reproduced by anyone else's reading of the file
        default_fraction = 0.0 if source == "inline" else d.validation_fraction
        fraction = _float(_get(obj, "validation_fraction", "", default_fraction),
                          "data.validation_fraction", 0.0, below=1.0)
        seed = _int(_get(obj, "seed", "", d.seed), "data.seed", 0, MAX_SEED)
        if source == "generated":
            name = _choice(_get(obj, "name", "data"), "data.name", list(datasets.GENERATORS))
            made_for = datasets.task_of(name)
            if made_for != self.task:
                raise _fail("data.name", f"'{name}' is a {made_for} data set, and this network's task is {self.task}")
            classes = _get(obj, "classes", "", None)
            if classes is not None:
                if name != "blobs":
                    raise _fail("data.classes", "only the 'blobs' data set has a number of classes", classes)
                classes = _int(classes, "data.classes", datasets.MIN_CLASSES, datasets.MAX_CLASSES)
            out = DataConfig("generated", name,
                             _int(_get(obj, "n", "", d.n), "data.n", 1, MAX_POINTS),
                             _float(_get(obj, "noise", "", d.noise), "data.noise", 0.0, below=MAX_NOISE),
                             seed, fraction, classes)
            self.n_points = out.n
            self.dims = 1 if name in datasets.REGRESSION_1D else 2
            self.n_classes = (classes or 4) if name == "blobs" else None
        else:
            x, y = self.inline_points(obj)
            out = DataConfig("inline", seed=seed, validation_fraction=fraction, x=x, y=y)
            self.n_points = len(x)
            self.n_classes = None
        n_train = self.n_points - int(round(self.n_points * fraction))
        if n_train < 1:
            raise _fail("data.validation_fraction",
                        f"leaves no training points out of {self.n_points}", fraction)
        self.n_train = n_train
        return out

    def inline_points(self, obj: dict) -> tuple[list, list]:
        xs = _list(_get(obj, "x", "data"), "data.x", MAX_POINTS)
        ys = _list(_get(obj, "y", "data"), "data.y", MAX_POINTS)
        if not xs:
            raise _fail("data.x", "must hold at least one point")
        if len(ys) != len(xs):
            raise _fail("data.y", f"must hold one value per point of data.x ({len(xs):,}), got {len(ys):,}")
        first = xs[0]
        self.dims = len(first) if isinstance(first, list) and len(first) in (1, 2) else 2
        shape_text = "a point [x1, x2]" if self.dims == 2 else "a point [x1]"
        for i, row in enumerate(xs):
            point = _row(row, f"data.x[{i}]", self.dims, shape_text)
            if not np.isfinite(point).all():
                _array(point, f"data.x[{i}]", (self.dims,))  # names the bad coordinate
        for i, v in enumerate(ys):
            if self.task == "regression":
                _float(v, f"data.y[{i}]")
            elif self.task == "binary":
                _label(v, f"data.y[{i}]", 2)
        return list(xs), list(ys)

    # ---- checks across sections
    def check_features_fit_data(self, features: list[str]) -> None:
        if self.dims == 1 and raw_inputs_needed(features) == 2:
            i = next(i for i, f in enumerate(features) if "x2" in f)
            raise _fail(f"features[{i}]", "the data set has one input (x1), so no feature may use x2",
                        features[i])

    def check_output(self, cfg: NetworkConfig) -> None:
        last_index = len(cfg.layers) - 1
        last = cfg.layers[-1]
        path = f"layers[{last_index}]"
        if self.task == "multiclass":
            if cfg.data.source == "generated":
                k = self.n_classes
                if last.units != k:
                    raise _fail(f"{path}.units", f"the output layer needs {k} units, one per class of the "
                                f"{cfg.data.name} data set", last.units)
            else:
                if last.units < 2:
                    raise _fail(f"{path}.units", "a multiclass output layer needs one unit per class (2 or more)",
                                last.units)
                for i, v in enumerate(cfg.data.y):
                    _label(v, f"data.y[{i}]", last.units, f" (the output layer has {last.units} units)")
        elif last.units != 1:
            raise _fail(f"{path}.units", f"the output layer of a {self.task} network has 1 unit", last.units)
        loss = LOSSES.get(cfg.loss)
        activation = ACTIVATIONS.canonical(last.activation)
        if loss.from_logits and activation != loss.output:
            others = [n for n in LOSSES.names()
                      if self.task in LOSSES.get(n).tasks and not LOSSES.get(n).from_logits]
            raise NetworkFileError(
                f"loss: '{cfg.loss}' needs a '{loss.output}' output layer; the last layer has "
                f"'{last.activation}' — set its activation to {loss.output}, or pick the "
                f"{' or '.join(repr(n) for n in others)} loss"
            )

    def check_sizes(self, cfg: NetworkConfig) -> None:
        count = sum(_parameter_count(layer, self.widths[i]) for i, layer in enumerate(cfg.layers))
        if count > MAX_PARAMETERS:
            raise _fail("layers", f"the network has {count:,} parameters; the limit is {MAX_PARAMETERS:,}")
        cells = self.n_points * max(self.widths)
        if cells > MAX_ACTIVATIONS:
            raise _fail("layers", f"{self.n_points:,} points through a layer of {max(self.widths):,} units "
                        f"need {cells:,} numbers at once; the limit is {MAX_ACTIVATIONS:,} — "
                        "use fewer points or narrower layers")

    # ---- state written after training
    def weights(self, value, path: str) -> list[dict[str, np.ndarray]] | None:
        if value is None:
            return None
        items = _list(value, path)
        if len(items) != len(self.layer_configs):
            raise _fail(path, f"must hold one entry per layer ({len(self.layer_configs)}), got {len(items)}")
        out = []
        for i, (layer, item) in enumerate(zip(self.layer_configs, items)):
            lpath = f"{path}[{i}]"
            item = _object(item, lpath)
            arrays = {}
            for name in LAYER_ARRAYS[layer.type]:
                shape = _param_shape(layer, self.widths[i], name)
                arrays[name] = _array(_get(item, name, lpath), f"{lpath}.{name}", shape,
                                      nonnegative=name == "running_var")
            out.append(arrays)
        return out

    def optimizer_state(self, value, optimizer: str) -> dict | None:
        if value is None:
            return None
        obj = _object(value, "optimizer_state")
        t = _int(_get(obj, "t", "optimizer_state"), "optimizer_state.t", 0, MAX_SEED)
        slots_in = _object(_get(obj, "slots", "optimizer_state"), "optimizer_state.slots")
        names = OPTIMIZERS.get(optimizer).slots
        shapes = {
            f"layer{i}.{p}": _param_shape(layer, self.widths[i], p)
            for i, layer in enumerate(self.layer_configs) for p in LAYER_PARAMS[layer.type]
        }
        squared = SQUARED_SLOTS.get(optimizer, ())
        slots = {}
        for key, slot in slots_in.items():
            path = f"optimizer_state.slots.{key}"
            if key not in shapes:
                raise _fail("optimizer_state.slots", f"'{key}' is not a parameter of this network "
                            f"(they are {', '.join(shapes) or 'none'})")
            slot = _object(slot, path)
            if set(slot) != set(names):
                raise _fail(path, f"must hold exactly the {optimizer} slots {', '.join(names) or '(none)'}",
                            sorted(slot))
            slots[key] = {n: _array(slot[n], f"{path}.{n}", shapes[key], nonnegative=n in squared)
                          for n in names}
        return {"t": t, "slots": slots}

    def history(self, value) -> dict[str, list] | None:
        if value is None:
            return None
        obj = _object(value, "history")
        length = None
        out = {}
        for name, column in obj.items():
            path = f"history.{name}"
            column = _list(column, path)
            if length is None:
                length = len(column)
            elif len(column) != length:
                raise _fail(path, f"must have as many entries as the other columns ({length}), got {len(column)}")
            for i, v in enumerate(column):
                if v is not None:
                    _float(v, f"{path}[{i}]")
            out[name] = list(column)
        return out

    def resume(self, value, cfg: NetworkConfig) -> dict | None:
        if value is None:
            return None
        obj = _object(value, "resume")
        out: dict[str, Any] = {}
        k = _get(obj, "update_in_epoch", "", 0)
        if k != 0:
            # not tied to the batch size: that may change while a run is paused, and the
            # trainer then simply ends the epoch early; an epoch never has more updates than points
            k = _int(k, "resume.update_in_epoch", 1, MAX_POINTS)
            out["update_in_epoch"] = k
            out["rng"] = _rng_state(_get(obj, "rng", "resume"), "resume.rng")
        best = _get(obj, "best", "", None)
        if best is not None:
            best = _object(best, "resume.best")
            loss = _get(best, "loss", "resume.best")
            out["best"] = {
                # a non-finite best loss is written as null
                "loss": math.inf if loss is None else _float(loss, "resume.best.loss"),
                "epoch": _int(_get(best, "epoch", "resume.best"), "resume.best.epoch", 0, MAX_EPOCH),
                "weights": self.weights(_get(best, "weights", "resume.best", None), "resume.best.weights"),
            }
        restored = _get(obj, "restored_epoch", "", None)
        if restored is not None:
            out["restored_epoch"] = _int(restored, "resume.restored_epoch", 0, MAX_EPOCH)
        return out or None


TOP_LEVEL_KEYS = ("format", "version", "name", "task", "features", "layers", "loss", "optimizer", "schedule",
                  "training", "data", "weights", "optimizer_state", "epoch", "history", "resume")


def _param_shape(layer: LayerConfig, n_inputs: int, name: str) -> tuple[int, ...]:
    if isinstance(layer, DenseConfig):
        return (n_inputs, layer.units) if name == "W" else (layer.units,)
    return (n_inputs,)


def _parameter_count(layer: LayerConfig, n_inputs: int) -> int:
    if isinstance(layer, DenseConfig):
        return n_inputs * layer.units + layer.units
    if isinstance(layer, BatchNormConfig):
        return 2 * n_inputs
    return 0


def _rng_state(value: Any, path: str) -> dict:
    """A NumPy PCG64 ``bit_generator.state`` dict, checked by loading it into a generator."""
    obj = _object(value, path)
    if obj.get("bit_generator") != "PCG64":
        raise _fail(f"{path}.bit_generator", "must be \"PCG64\"", obj.get("bit_generator"))
    inner = _object(_get(obj, "state", path), f"{path}.state")
    state = {
        "bit_generator": "PCG64",
        "state": {"state": _int(_get(inner, "state", f"{path}.state"), f"{path}.state.state", 0, 2**128 - 1),
                  "inc": _int(_get(inner, "inc", f"{path}.state"), f"{path}.state.inc", 0, 2**128 - 1)},
        "has_uint32": _int(_get(obj, "has_uint32", path), f"{path}.has_uint32", 0, 1),
        "uinteger": _int(_get(obj, "uinteger", path), f"{path}.uinteger", 0, 2**32 - 1),
    }
    try:
        np.random.PCG64().state = state
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise _fail(path, f"is not a generator state NumPy accepts ({exc})") from None
    return state


# ---------------------------------------------------------------- writing
def network_to_dict(cfg: NetworkConfig) -> dict[str, Any]:
    """The JSON-ready file for ``cfg``: arrays become lists, non-finite floats become null."""
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "name": cfg.name,
        "task": cfg.task,
        "features": list(cfg.features),
        "layers": to_plain([layer.to_dict() for layer in cfg.layers]),
        "loss": cfg.loss,
        "optimizer": to_plain(cfg.optimizer.to_dict()),
        "schedule": to_plain(cfg.schedule.to_dict()),
        "training": to_plain(cfg.training.to_dict()),
        "data": to_plain(cfg.data.to_dict()),
        "weights": to_plain(cfg.weights),
    }
    if cfg.optimizer_state is not None:
        out["optimizer_state"] = to_plain(cfg.optimizer_state)
    out["epoch"] = int(cfg.epoch)
    if cfg.history is not None:
        out["history"] = to_plain(cfg.history)
    if cfg.resume is not None:
        out["resume"] = to_plain(cfg.resume)
    for key, value in cfg.extra.items():
        if key not in out:
            out[key] = to_plain(value)
    return out


def to_plain(value: Any) -> Any:
    """Lists, dicts, ints, floats, strings, bools and None only.

    A non-finite float becomes None (a history entry, an early-stopping best loss);
    a non-finite value inside a NumPy array raises ``ValueError``.
    """
    if isinstance(value, np.ndarray):
        # arrays are weights and optimizer state: a NaN there would make a file nothing can load
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise ValueError("the weights contain NaN or infinite values, which a network file cannot hold")
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def input_dims(cfg: NetworkConfig) -> int:
    """How many raw coordinates a point of this network's data has (1 or 2)."""
    data = cfg.data
    if data.source == "inline":
        first = data.x[0] if data.x is not None and len(data.x) else None
        return len(first) if first is not None and len(first) in (1, 2) else 2
    return 1 if data.name in datasets.REGRESSION_1D else 2


def layer_widths(cfg: NetworkConfig) -> list[int]:
    """Input width of each layer, then the output width: ``len(layers) + 1`` numbers."""
    widths = [len(cfg.features)]
    for layer in cfg.layers:
        widths.append(layer.units if isinstance(layer, DenseConfig) else widths[-1])
    return widths


def parameter_counts(cfg: NetworkConfig) -> list[int]:
    """Trainable parameters of each layer (batch norm's running statistics not counted)."""
    widths = layer_widths(cfg)
    return [_parameter_count(layer, widths[i]) for i, layer in enumerate(cfg.layers)]

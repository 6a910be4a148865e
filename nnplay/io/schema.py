"""The network file's structure (SPEC §2): a JSON object ⇄ ``NetworkConfig``.

``parse_network`` checks every key of a decoded file and builds the config; anything
wrong raises ``NetworkFileError`` whose one-line message names the key path and the
problem, e.g. ``layers[2].units: must be a whole number from 1 to 4,096, got -3``.
``network_to_dict`` is its inverse: plain lists, ints, floats, strings and None,
ready for ``json``. Reading and writing files is in ``nnplay.io.networkfile``; this
module never touches the disk.

What each value may be is declared once, on the config types and the registry entries
(their ``Setting``s), and checked by ``nnplay.io.validation``; this module adds the
rules that tie sections together (the loss fits the task, the output layer fits the
data, …). The state a trained file carries is checked in ``nnplay.io.state_schema``.
Bounds keep any file from asking for gigabytes: see ``nnplay.core.limits`` and
docs/file-format.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnplay.core import datasets
from nnplay.core.activations import ACTIVATIONS
from nnplay.core.architecture import layer_widths
from nnplay.core.config import (
    DataConfig, EarlyStoppingConfig, LayerConfig, NetworkConfig, OptimizerConfig, PretrainingConfig, ScheduleConfig,
    TrainingConfig,
)
from nnplay.core.features import raw_inputs_needed
from nnplay.core.layers import LAYERS, DenseConfig
from nnplay.core.limits import (
    MAX_ACTIVATIONS, MAX_BATCH_SIZE, MAX_EPOCH, MAX_EPOCHS, MAX_LAYERS, MAX_NOISE, MAX_PARAMETERS, MAX_POINTS,
    MAX_SEED, MAX_UNITS,
)
from nnplay.core.losses import LOSSES
from nnplay.core.settings import Setting, setting_at, settings_of
from nnplay.io import state_schema
from nnplay.io.validation import (
    NetworkFileError, as_list, as_object, check_array, check_section, check_value, fail, key_path, required,
)

__all__ = ["FORMAT", "VERSION", "NetworkFileError", "network_to_dict", "parse_network", "to_plain",
           # the bounds, where callers have always found them (they live in core.limits)
           "MAX_ACTIVATIONS", "MAX_BATCH_SIZE", "MAX_EPOCH", "MAX_EPOCHS", "MAX_LAYERS", "MAX_NOISE",
           "MAX_PARAMETERS", "MAX_POINTS", "MAX_SEED", "MAX_UNITS"]

FORMAT = "nnplay-network"
VERSION = 1

_VERSION = Setting("version", "Version", 1, "int", low=1)
_TASK = setting_at(NetworkConfig, "task")
_EPOCH = setting_at(NetworkConfig, "epoch")
_NAMED = {"loss": setting_at(NetworkConfig, "loss"), "optimizer": setting_at(NetworkConfig, "optimizer.name"),
          "schedule": setting_at(NetworkConfig, "schedule.name")}
_FEATURE = setting_at(NetworkConfig, "features")
_TYPE = Setting("type", "Layer type", "dense", "choice", choices=LAYERS)
_SOURCE = setting_at(NetworkConfig, "data.source")
_DATA_NAME = setting_at(NetworkConfig, "data.name")


# ---------------------------------------------------------------- parsing
def parse_network(obj: Any) -> NetworkConfig:
    """Validate a decoded network file and build its config; raises ``NetworkFileError``."""
    from nnplay.io.limits import check_limits  # it imports NetworkFileError from here

    return check_limits(_Parser().parse(obj))


class _Parser:
    """Reads one file top to bottom; later checks use what earlier ones established."""

    def parse(self, obj: Any) -> NetworkConfig:
        self.check_header(obj)
        cfg = NetworkConfig()
        cfg.name = obj.get("name", cfg.name)
        if not isinstance(cfg.name, str):
            raise fail("name", "must be a string", cfg.name)
        self.task = cfg.task = check_value(required(obj, "task", ""), "task", _TASK)
        cfg.features = self.features(required(obj, "features", ""))
        cfg.layers = self.layers(required(obj, "layers", ""), len(cfg.features))
        cfg.loss = self.loss(required(obj, "loss", ""))
        cfg.optimizer = self.optimizer(required(obj, "optimizer", ""))
        cfg.schedule = self.schedule(obj.get("schedule", {"name": "constant"}))
        cfg.training = self.training(required(obj, "training", ""))
        cfg.data = self.data(required(obj, "data", ""))
        self.check_features_fit_data(cfg.features)
        self.check_output(cfg)
        self.check_sizes(cfg)
        layers = [(cls, cls.array_shapes(layer, self.widths[i]))
                  for i, (cls, layer) in enumerate(zip(self.layer_types, cfg.layers))]
        state = state_schema.State(layers, cfg.optimizer.name, cfg.training.pretraining)
        cfg.weights = state.weights(obj.get("weights"), "weights")
        cfg.optimizer_state = state.optimizer_state(obj.get("optimizer_state"))
        cfg.epoch = check_value(obj.get("epoch", 0), "epoch", _EPOCH)
        cfg.history = state.history(obj.get("history"))
        cfg.resume = state.resume(obj.get("resume"), cfg.epoch)
        cfg.extra = {k: v for k, v in obj.items() if k not in TOP_LEVEL_KEYS}
        return cfg

    @staticmethod
    def check_header(obj: Any) -> None:
        if not isinstance(obj, dict):
            kind = {list: "a list", str: "a string"}.get(type(obj), "a single value")
            raise NetworkFileError(f"the file holds {kind}, not a network object {{...}}")
        fmt = required(obj, "format", "")
        if fmt != FORMAT:
            raise fail("format", f"must be \"{FORMAT}\" (this is not an nnplay network file)", fmt)
        version = check_value(required(obj, "version", ""), "version", _VERSION)
        if version > VERSION:
            raise NetworkFileError(
                f"version: written by a newer nnplay (version {version}); this one reads version {VERSION}"
            )

    # ---- architecture
    def features(self, value) -> list[str]:
        items = as_list(value, "features")
        if not items:
            raise fail("features", "must name at least one input feature")
        seen: set[str] = set()
        for i, name in enumerate(items):
            check_value(name, f"features[{i}]", _FEATURE)
            if name in seen:
                raise fail(f"features[{i}]", f"'{name}' is listed twice")
            seen.add(name)
        return list(items)

    def layers(self, value, n_inputs: int) -> list[LayerConfig]:
        items = as_list(value, "layers")
        if not items:
            raise fail("layers", "must hold at least one layer (the output layer)")
        if len(items) > MAX_LAYERS:
            raise fail("layers", f"may hold at most {MAX_LAYERS} layers, got {len(items)}")
        out = [self.layer(item, f"layers[{i}]") for i, item in enumerate(items)]
        if not isinstance(out[-1], DenseConfig):
            raise fail(f"layers[{len(out) - 1}].type", "the last layer must be a dense layer (the output)",
                       out[-1].type)
        self.widths = layer_widths(n_inputs, out)  # the input width of layer i is widths[i]
        self.layer_types = [LAYERS.get(layer.type) for layer in out]
        return out

    @staticmethod
    def layer(item: Any, path: str) -> LayerConfig:
        item = as_object(item, path)
        kind = check_value(required(item, "type", path), key_path(path, "type"), _TYPE)
        config = LAYERS.get(kind).config
        return config(**check_section(item, path, tuple(settings_of(config).values())))

    def loss(self, value) -> str:
        name = check_value(value, "loss", _NAMED["loss"])
        loss = LOSSES.get(name)
        if self.task not in loss.tasks:
            fits = [n for n in LOSSES.names() if self.task in LOSSES.get(n).tasks]
            raise NetworkFileError(
                f"loss: '{name}' is for {' or '.join(loss.tasks)} tasks, and this network's task is "
                f"{self.task}; pick {' or '.join(repr(n) for n in fits)}"
            )
        return name

    def optimizer(self, value) -> OptimizerConfig:
        name, settings = _entry_settings(value, "optimizer", _NAMED["optimizer"])
        return OptimizerConfig(name, settings)

    def schedule(self, value) -> ScheduleConfig:
        name, settings = _entry_settings(value, "schedule", _NAMED["schedule"])
        return ScheduleConfig(name, settings)

    def training(self, value) -> TrainingConfig:
        values = check_section(value, "training", tuple(settings_of(TrainingConfig).values()))
        return TrainingConfig(**values, early_stopping=_subsection(value, "early_stopping", EarlyStoppingConfig),
                              pretraining=_subsection(value, "pretraining", PretrainingConfig))

    # ---- data
    def data(self, value) -> DataConfig:
        obj = as_object(value, "data")
        source = check_value(required(obj, "source", "data"), "data.source", _SOURCE)
        if source == "generated":
            values = check_section(obj, "data", _GENERATED)
            out = self.generated(obj, values)
        else:
            # points given one by one all train unless the file holds some out: a split
            # drawn here could not be reproduced by anyone else's reading of the file
            values = check_section({"validation_fraction": 0.0, **obj}, "data", _INLINE)
            x, y = self.inline_points(obj)
            out = DataConfig("inline", seed=values["seed"], validation_fraction=values["validation_fraction"],
                             x=x, y=y, validation=_held_out(obj.get("validation"), len(x)))
            self.n_points = len(x)
            self.n_classes = None
        if out.validation is not None:
            return out  # _held_out left a training point
        fraction = out.validation_fraction
        n_train = self.n_points - datasets.validation_size(self.n_points, fraction)
        if n_train < 1:
            raise fail("data.validation_fraction", f"leaves no training points out of {self.n_points}", fraction)
        return out

    def generated(self, obj: dict, values: dict) -> DataConfig:
        name = check_value(required(obj, "name", "data"), "data.name", _DATA_NAME)
        spec = datasets.GENERATORS[name]
        if spec.task != self.task:
            raise fail("data.name", f"'{name}' is a {spec.task} data set, and this network's task is {self.task}")
        classes = values["classes"]
        if classes is not None and name != "blobs":
            raise fail("data.classes", "only the 'blobs' data set has a number of classes", classes)
        self.n_points = values["n"]
        self.dims = spec.dims
        self.n_classes = (classes or 4) if name == "blobs" else None
        return DataConfig("generated", name, values["n"], values["noise"], values["seed"],
                          values["validation_fraction"], classes)

    def inline_points(self, obj: dict) -> tuple[list, list]:
        xs = as_list(required(obj, "x", "data"), "data.x", MAX_POINTS)
        ys = as_list(required(obj, "y", "data"), "data.y", MAX_POINTS)
        if not xs:
            raise fail("data.x", "must hold at least one point")
        if len(ys) != len(xs):
            raise fail("data.y", f"must hold one value per point of data.x ({len(xs):,}), got {len(ys):,}")
        first = xs[0]
        self.dims = len(first) if isinstance(first, list) and len(first) in (1, 2) else 2
        point = "a point [x1, x2]" if self.dims == 2 else "a point [x1]"
        check_array(xs, "data.x", (len(xs), self.dims), row=point)
        if self.task == "regression":
            check_array(ys, "data.y", (len(ys),))
        elif self.task == "binary":
            for i, v in enumerate(ys):
                _label(v, f"data.y[{i}]", 2)
        return list(xs), list(ys)

    # ---- checks across sections
    def check_features_fit_data(self, features: list[str]) -> None:
        if self.dims == 1 and raw_inputs_needed(features) == 2:
            i = next(i for i, f in enumerate(features) if raw_inputs_needed([f]) == 2)
            raise fail(f"features[{i}]", "the data set has one input (x1), so no feature may use x2", features[i])

    def check_output(self, cfg: NetworkConfig) -> None:
        last = cfg.layers[-1]
        path = f"layers[{len(cfg.layers) - 1}].units"
        if self.task == "multiclass" and cfg.data.source == "generated":
            if last.units != self.n_classes:
                raise fail(path, f"the output layer needs {self.n_classes} units, one per class of the "
                           f"{cfg.data.name} data set", last.units)
        elif self.task == "multiclass":
            if last.units < 2:
                raise fail(path, "a multiclass output layer needs one unit per class (2 or more)", last.units)
            for i, v in enumerate(cfg.data.y):
                _label(v, f"data.y[{i}]", last.units, f" (the output layer has {last.units} units)")
        elif last.units != 1:
            raise fail(path, f"the output layer of a {self.task} network has 1 unit", last.units)
        _check_pairing(cfg, self.task)

    def check_sizes(self, cfg: NetworkConfig) -> None:
        count = sum(LAYERS.get(layer.type).count_parameters(layer, self.widths[i])
                    for i, layer in enumerate(cfg.layers))
        if count > MAX_PARAMETERS:
            raise fail("layers", f"the network has {count:,} parameters; the limit is {MAX_PARAMETERS:,}")
        cells = self.n_points * max(self.widths)
        if cells > MAX_ACTIVATIONS:
            raise fail("layers", f"{self.n_points:,} points through a layer of {max(self.widths):,} units "
                       f"need {cells:,} numbers at once; the limit is {MAX_ACTIVATIONS:,} — "
                       "use fewer points or narrower layers")


#: the data section's settings for generated and for inline points (the name and the
#: points themselves are checked on their own)
_DATA = settings_of(DataConfig)
_GENERATED = tuple(_DATA[name] for name in ("n", "noise", "seed", "validation_fraction", "classes"))
_INLINE = tuple(_DATA[name] for name in ("seed", "validation_fraction"))


def _subsection(training: dict, key: str, config: type) -> Any:
    """``training[key]``: null (off), or an object of ``config``'s settings."""
    value = training.get(key)
    if value is None:
        return None
    return config(**check_section(value, f"training.{key}", tuple(settings_of(config).values())))


def _held_out(value: Any, n: int) -> list[int] | None:
    """``data.validation`` of inline points: the indices of the held-out points, increasing,
    each from 0 to n − 1, leaving at least one point to train on; None when absent."""
    if value is None:
        return None
    items = as_list(value, "data.validation", n)
    out: list[int] = []
    for i, index in enumerate(items):
        whole = isinstance(index, (int, float)) and not isinstance(index, bool) and index in range(n)
        if not whole:
            raise fail(f"data.validation[{i}]", f"must be the index of a point of data.x, a whole number from 0 "
                       f"to {n - 1:,}", index)
        if out and index <= out[-1]:
            raise fail(f"data.validation[{i}]", f"must be larger than the index before it ({out[-1]:,}): "
                       "the indices are listed in increasing order, each once", index)
        out.append(int(index))
    if len(out) >= n:
        raise fail("data.validation", f"holds out every point (all {n:,}); at least one must train")
    return out


def _label(value: Any, path: str, k: int, why: str = "") -> None:
    """A class label 0..k-1, written as a whole number."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (number and value in range(k)):
        span = "0 or 1" if k == 2 else f"from 0 to {k - 1}"
        raise fail(path, f"must be a class label {span}{why}", value)


def _entry_settings(value: Any, section: str, name_spec: Setting) -> tuple[str, dict[str, Any]]:
    """An optimizer's or a schedule's name and settings: each key one of the entry's own
    settings (or an alias of one), checked against its ``Setting``."""
    obj = as_object(value, section)
    name = check_value(required(obj, "name", section), f"{section}.name", name_spec)
    cls = name_spec.choices.get(name)
    given: dict[str, Any] = {}
    for key, raw in obj.items():
        if key == "name":
            continue
        canonical = cls.aliases.get(key, key)
        if canonical not in cls.defaults:
            known = ", ".join(list(cls.defaults) + list(cls.aliases)) or "none"
            raise fail(f"{section}.{key}", f"'{name}' has no setting '{key}'; its settings are {known}")
        if canonical in given:
            raise fail(f"{section}.{key}", f"sets '{canonical}' a second time (as '{key}')")
        given[canonical] = check_value(raw, f"{section}.{key}", cls.setting(canonical))
    return name, given


def _check_pairing(cfg: NetworkConfig, task: str) -> None:
    """A loss computed from the logits needs the output activation it was derived for."""
    loss = LOSSES.get(cfg.loss)
    last = cfg.layers[-1]
    if loss.from_logits and ACTIVATIONS.canonical(last.activation) != loss.output:
        others = [n for n in LOSSES.names() if task in LOSSES.get(n).tasks and not LOSSES.get(n).from_logits]
        raise NetworkFileError(
            f"loss: '{cfg.loss}' needs a '{loss.output}' output layer; the last layer has "
            f"'{last.activation}' — set its activation to {loss.output}, or pick the "
            f"{' or '.join(repr(n) for n in others)} loss"
        )


TOP_LEVEL_KEYS = ("format", "version", "name", "task", "features", "layers", "loss", "optimizer", "schedule",
                  "training", "data", "weights", "optimizer_state", "epoch", "history", "resume")


# ---------------------------------------------------------------- writing
def network_to_dict(cfg: NetworkConfig, complete: bool = False) -> dict[str, Any]:
    """The JSON-ready file for ``cfg``: arrays become lists, non-finite floats become null.
    ``complete``: also write the optional settings that are off (``training.pretraining``
    as null), so that every setting has a path (what a sweep sets values at)."""
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
        "training": to_plain(cfg.training.to_dict(complete)),
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
    a non-finite value inside a NumPy array raises ``NetworkFileError``.
    """
    if isinstance(value, np.ndarray):
        # arrays are weights and optimizer state: a NaN there would make a file nothing can load
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise NetworkFileError("the weights contain NaN or infinite values, which a network file cannot hold")
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

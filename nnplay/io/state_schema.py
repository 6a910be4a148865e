"""The state a trained network file carries: weights, optimizer state, history and the
point to resume from. Shapes come from the layer types (``Layer.array_shapes``), which
slots may not go negative from the optimizer (``Optimizer.nonnegative_slots``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnplay.core.config import PretrainingConfig
from nnplay.core.history import INITIAL_COLUMNS, PRETRAINING_COLUMNS
from nnplay.core.layers import Layer
from nnplay.core.limits import MAX_EPOCH, MAX_EPOCHS, MAX_POINTS, MAX_SEED
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.settings import REQUIRED, Setting
from nnplay.io.validation import (
    NetworkFileError, as_list, as_object, check_array, check_section, check_value, fail, required,
)

_T = Setting("t", "Updates", REQUIRED, "int", low=0, high=MAX_SEED)
_HISTORY_VALUE = Setting("value", "Value", None, "float")
#: not tied to the batch size: that may change while a run is paused, and the trainer then
#: simply ends the epoch early; an epoch never has more updates than points
_UPDATE_IN_EPOCH = Setting("update_in_epoch", "Update in epoch", REQUIRED, "int", low=1, high=MAX_POINTS)
_EPOCH = Setting("epoch", "Epoch", REQUIRED, "int", low=0, high=MAX_EPOCH)
_BEST_LOSS = Setting("loss", "Loss", REQUIRED, "float")
_RESTORED = Setting("restored_epoch", "Restored epoch", None, "int", low=0, high=MAX_EPOCH)
_LAYER_EPOCH = Setting("epoch", "Pre-training epoch", REQUIRED, "int", low=0, high=MAX_EPOCHS)
_HISTORY_LAYER_EPOCH = Setting("epoch", "Pre-training epoch", REQUIRED, "int", low=1, high=MAX_EPOCHS)
_LAYER_INDEX = Setting("layer", "Layer", REQUIRED, "int", low=0, high=MAX_POINTS)
#: NumPy's PCG64 ``bit_generator.state``
_RNG = (Setting("has_uint32", "", REQUIRED, "int", low=0, high=1),
        Setting("uinteger", "", REQUIRED, "int", low=0, high=2**32 - 1))
_RNG_STATE = (Setting("state", "", REQUIRED, "int", low=0, high=2**128 - 1),
              Setting("inc", "", REQUIRED, "int", low=0, high=2**128 - 1))


class State:
    """Checks the state sections of a file whose architecture is known: ``layers`` holds
    each layer's type and array shapes, ``optimizer`` names its optimizer."""

    def __init__(self, layers: list[tuple[type[Layer], dict[str, tuple[int, ...]]]], optimizer: str,
                 pretraining: PretrainingConfig | None = None):
        self.layers = layers
        self.optimizer = OPTIMIZERS.get(optimizer)
        self.pretraining = pretraining
        dense = [i for i, (cls, _) in enumerate(layers) if cls.name == "dense"]
        self.hidden = dense[:-1]  # the layers pre-training trains

    def weights(self, value: Any, path: str) -> list[dict[str, np.ndarray]] | None:
        if value is None:
            return None
        items = as_list(value, path)
        if len(items) != len(self.layers):
            raise fail(path, f"must hold one entry per layer ({len(self.layers)}), got {len(items)}")
        out = []
        for i, ((cls, shapes), item) in enumerate(zip(self.layers, items)):
            where = f"{path}[{i}]"
            item = as_object(item, where)
            out.append({name: check_array(required(item, name, where), f"{where}.{name}", shape,
                                          nonnegative=name in cls.nonnegative_arrays)
                        for name, shape in shapes.items()})
        return out

    def optimizer_state(self, value: Any, where: str = "optimizer_state",
                        shapes: dict[str, tuple[int, ...]] | None = None) -> dict | None:
        """An optimizer's ``state_dict``; ``shapes`` are its parameters' (the network's trainable
        arrays unless given)."""
        if value is None:
            return None
        obj = as_object(value, where)
        t = check_value(required(obj, "t", where), f"{where}.t", _T)
        slots_in = as_object(required(obj, "slots", where), f"{where}.slots")
        if shapes is None:
            shapes = {f"layer{i}.{name}": shapes[name] for i, (cls, shapes) in enumerate(self.layers)
                      for name in cls.trainable}
        cls = self.optimizer
        slots = {}
        for key, slot in slots_in.items():
            path = f"{where}.slots.{key}"
            if key not in shapes:
                raise fail(f"{where}.slots", f"'{key}' is not a parameter of this network "
                           f"(they are {', '.join(shapes) or 'none'})")
            slot = as_object(slot, path)
            if set(slot) != set(cls.slots):
                raise fail(path, f"must hold exactly the {cls.name} slots {', '.join(cls.slots) or '(none)'}",
                           sorted(slot))
            slots[key] = {n: check_array(slot[n], f"{path}.{n}", shapes[key], nonnegative=n in cls.nonnegative_slots)
                          for n in cls.slots}
        return {"t": t, "slots": slots}

    def history(self, value: Any) -> dict[str, list] | None:
        if value is None:
            return None
        obj = as_object(value, "history")
        length = None
        out = {}
        for name, column in obj.items():
            if name == "pretraining":
                out[name] = self.pretraining_history(column)
                continue
            if name == "initial":
                out[name] = self.initial_measures(column)
                continue
            path = f"history.{name}"
            column = as_list(column, path)
            if length is None:
                length = len(column)
            elif len(column) != length:
                raise fail(path, f"must have as many entries as the other columns ({length}), got {len(column)}")
            for i, v in enumerate(column):
                if v is not None:  # an epoch without that measure (no validation set, regression)
                    check_value(v, f"{path}[{i}]", _HISTORY_VALUE)
            out[name] = list(column)
        return out

    def initial_measures(self, value: Any) -> dict[str, Any] | None:
        """``history.initial``: the measures at epoch 0, before the first update."""
        if value is None:
            return None
        obj = as_object(value, "history.initial")
        out = {}
        for name in INITIAL_COLUMNS:
            v = obj.get(name)
            out[name] = None if v is None else check_value(v, f"history.initial.{name}", _HISTORY_VALUE)
        return out

    def pretraining_history(self, value: Any) -> dict[str, list] | None:
        """``history.pretraining``: one row per finished pre-training epoch of a hidden layer."""
        if value is None:
            return None
        obj = as_object(value, "history.pretraining")
        columns = {name: as_list(required(obj, name, "history.pretraining"), f"history.pretraining.{name}")
                   for name in PRETRAINING_COLUMNS}
        length = len(columns["layer"])
        for name, column in columns.items():
            path = f"history.pretraining.{name}"
            if len(column) != length:
                raise fail(path, f"must have as many entries as the other columns ({length}), got {len(column)}")
            for i, v in enumerate(column):
                if name == "layer":
                    self.hidden_layer(v, f"{path}[{i}]")
                elif name == "epoch":
                    check_value(v, f"{path}[{i}]", _HISTORY_LAYER_EPOCH)
                elif v is not None:
                    check_value(v, f"{path}[{i}]", _HISTORY_VALUE)
        return {name: list(column) for name, column in columns.items()}

    def hidden_layer(self, value: Any, path: str) -> int:
        """The index of a layer pre-training trains."""
        index = check_value(value, path, _LAYER_INDEX)
        if index not in self.hidden:
            shown = ", ".join(map(str, self.hidden)) or "none: the network has no hidden dense layer"
            raise fail(path, f"must be the index of a hidden dense layer ({shown})", value)
        return index

    def resume(self, value: Any, epoch: int = 0) -> dict | None:
        if value is None:
            return None
        obj = as_object(value, "resume")
        out: dict[str, Any] = {}
        if obj.get("pretraining") is not None:
            out["pretraining"] = self.pretraining_position(obj["pretraining"], epoch)
        if obj.get("update_in_epoch", 0) != 0:
            if "pretraining" in out:
                raise fail("resume.update_in_epoch", "must be 0 while pre-training is under way "
                           "(resume.pretraining): training has not started")
            out["update_in_epoch"] = check_value(obj["update_in_epoch"], "resume.update_in_epoch", _UPDATE_IN_EPOCH)
            out["rng"] = rng_state(required(obj, "rng", "resume"), "resume.rng")
        best = obj.get("best")
        if best is not None:
            best = as_object(best, "resume.best")
            loss = required(best, "loss", "resume.best")
            out["best"] = {
                # a non-finite best loss is written as null
                "loss": math.inf if loss is None else check_value(loss, "resume.best.loss", _BEST_LOSS),
                "epoch": check_value(required(best, "epoch", "resume.best"), "resume.best.epoch", _EPOCH),
                "weights": self.weights(best.get("weights"), "resume.best.weights"),
            }
        restored = check_section(obj, "resume", (_RESTORED,))["restored_epoch"]
        if restored is not None:
            out["restored_epoch"] = restored
        return out or None


    def pretraining_position(self, value: Any, epoch: int) -> dict[str, Any]:
        """``resume.pretraining``: the layer under way, its finished epochs, the position in
        the epoch, the decoder (c, and V when untied) and the optimizer's state."""
        where = "resume.pretraining"
        obj = as_object(value, where)
        if self.pretraining is None:
            raise NetworkFileError(f"{where}: there is nothing to resume: training.pretraining is null")
        if epoch:
            raise NetworkFileError(f"{where}: pre-training comes before epoch 1, and the file is at epoch {epoch}")
        layer = self.hidden_layer(required(obj, "layer", where), f"{where}.layer")
        out: dict[str, Any] = {"layer": layer,
                               "epoch": check_value(required(obj, "epoch", where), f"{where}.epoch", _LAYER_EPOCH)}
        if obj.get("update_in_epoch", 0) != 0:
            out["update_in_epoch"] = check_value(obj["update_in_epoch"], f"{where}.update_in_epoch",
                                                 _UPDATE_IN_EPOCH)
            out["rng"] = rng_state(required(obj, "rng", where), f"{where}.rng")
        inputs, units = self.layers[layer][1]["W"]
        shapes = {"c": (inputs,)}
        if self.pretraining.decoder == "untied":
            shapes["V"] = (units, inputs)
        decoder = as_object(required(obj, "decoder", where), f"{where}.decoder")
        out["decoder"] = {name: check_array(required(decoder, name, f"{where}.decoder"), f"{where}.decoder.{name}",
                                            shape) for name, shape in shapes.items()}
        parameters = {f"layer{layer}.W": (inputs, units), f"layer{layer}.b": (units,),
                      **{f"layer{layer}.{name}": shape for name, shape in shapes.items()}}
        out["optimizer_state"] = self.optimizer_state(required(obj, "optimizer_state", where),
                                                      f"{where}.optimizer_state", parameters)
        return out


def rng_state(value: Any, path: str) -> dict:
    """A NumPy PCG64 ``bit_generator.state`` dict, checked by loading it into a generator."""
    obj = as_object(value, path)
    if obj.get("bit_generator") != "PCG64":
        raise fail(f"{path}.bit_generator", "must be \"PCG64\"", obj.get("bit_generator"))
    inner = check_section(required(obj, "state", path), f"{path}.state", _RNG_STATE)
    outer = check_section(obj, path, _RNG)
    state = {"bit_generator": "PCG64", "state": inner, **outer}
    try:
        np.random.PCG64().state = state
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise fail(path, f"is not a generator state NumPy accepts ({exc})") from None
    return state

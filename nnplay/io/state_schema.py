"""The state a trained network file carries: weights, optimizer state, history and the
point to resume from. Shapes come from the layer types (``Layer.array_shapes``), which
slots may not go negative from the optimizer (``Optimizer.nonnegative_slots``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnplay.core.layers import Layer
from nnplay.core.limits import MAX_EPOCH, MAX_POINTS, MAX_SEED
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.settings import REQUIRED, Setting
from nnplay.io.validation import as_list, as_object, check_array, check_section, check_value, fail, required

_T = Setting("t", "Updates", REQUIRED, "int", low=0, high=MAX_SEED)
_HISTORY_VALUE = Setting("value", "Value", None, "float")
#: not tied to the batch size: that may change while a run is paused, and the trainer then
#: simply ends the epoch early; an epoch never has more updates than points
_UPDATE_IN_EPOCH = Setting("update_in_epoch", "Update in epoch", REQUIRED, "int", low=1, high=MAX_POINTS)
_EPOCH = Setting("epoch", "Epoch", REQUIRED, "int", low=0, high=MAX_EPOCH)
_BEST_LOSS = Setting("loss", "Loss", REQUIRED, "float")
_RESTORED = Setting("restored_epoch", "Restored epoch", None, "int", low=0, high=MAX_EPOCH)
#: NumPy's PCG64 ``bit_generator.state``
_RNG = (Setting("has_uint32", "", REQUIRED, "int", low=0, high=1),
        Setting("uinteger", "", REQUIRED, "int", low=0, high=2**32 - 1))
_RNG_STATE = (Setting("state", "", REQUIRED, "int", low=0, high=2**128 - 1),
              Setting("inc", "", REQUIRED, "int", low=0, high=2**128 - 1))


class State:
    """Checks the state sections of a file whose architecture is known: ``layers`` holds
    each layer's type and array shapes, ``optimizer`` names its optimizer."""

    def __init__(self, layers: list[tuple[type[Layer], dict[str, tuple[int, ...]]]], optimizer: str):
        self.layers = layers
        self.optimizer = OPTIMIZERS.get(optimizer)

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

    def optimizer_state(self, value: Any) -> dict | None:
        if value is None:
            return None
        obj = as_object(value, "optimizer_state")
        t = check_value(required(obj, "t", "optimizer_state"), "optimizer_state.t", _T)
        slots_in = as_object(required(obj, "slots", "optimizer_state"), "optimizer_state.slots")
        shapes = {f"layer{i}.{name}": shapes[name] for i, (cls, shapes) in enumerate(self.layers)
                  for name in cls.trainable}
        cls = self.optimizer
        slots = {}
        for key, slot in slots_in.items():
            path = f"optimizer_state.slots.{key}"
            if key not in shapes:
                raise fail("optimizer_state.slots", f"'{key}' is not a parameter of this network "
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

    def resume(self, value: Any) -> dict | None:
        if value is None:
            return None
        obj = as_object(value, "resume")
        out: dict[str, Any] = {}
        if obj.get("update_in_epoch", 0) != 0:
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

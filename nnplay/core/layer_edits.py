"""What a change of the layers keeps of a trained network, and how the app says so.

Layers without arrays of their own (dropout) hold no weights: adding, removing, moving
one or changing its rate leaves every other layer's weights fitting exactly, so such an
edit keeps them (``carry_over``), with the optimizer state, the epoch and the history,
each array moved to its layer's new index. Any other change of the architecture
(a layer with weights added or removed, other units, activation or initializer, other
features or task) starts the weights afresh from the seed; ``restart_question`` says
why, in the words the app's prompt uses.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from nnplay.core.config import LayerConfig, NetworkConfig
from nnplay.core.layers import LAYERS

_KEY = re.compile(r"^layer(\d+)\.(.+)$")


def weightless(layer: LayerConfig) -> bool:
    """Whether a layer stores no arrays (dropout): nothing of it is trained."""
    return not LAYERS.get(layer.type).arrays


def _weighted(config: NetworkConfig) -> list[tuple[int, dict]]:
    return [(i, layer.to_dict()) for i, layer in enumerate(config.layers) if not weightless(layer)]


def layer_map(old: NetworkConfig, new: NetworkConfig) -> dict[int, int] | None:
    """Old index → new index of every layer with weights, when ``new`` differs from ``old``
    at most in its weightless layers (so every weight still fits); else None."""
    if (old.task, old.features) != (new.task, new.features):
        return None
    before, after = _weighted(old), _weighted(new)
    if [spec for _, spec in before] != [spec for _, spec in after]:
        return None
    return {i: j for (i, _), (j, _) in zip(before, after)}


def _rekey(slots: dict[str, Any], moved: dict[int, int]) -> dict[str, Any]:
    """Optimizer slots keyed ``layer<i>.<name>`` under the layers' new indices."""
    out = {}
    for key, value in slots.items():
        match = _KEY.match(key)
        out[f"layer{moved[int(match[1])]}.{match[2]}" if match else key] = value
    return out


def _moved_weights(weights: list | None, moved: dict[int, int], count: int) -> list | None:
    if weights is None:
        return None
    out: list[dict] = [{} for _ in range(count)]
    for i, j in moved.items():
        out[j] = weights[i]
    return out


def _moved_state(state: dict | None, moved: dict[int, int]) -> dict | None:
    if state is None:
        return None
    return {**state, "slots": _rekey(state.get("slots", {}), moved)}


def _moved_history(history: dict | None, moved: dict[int, int]) -> dict | None:
    if history is None or not history.get("pretraining"):
        return history
    table = dict(history["pretraining"])
    table["layer"] = [moved.get(i, i) for i in table.get("layer", [])]
    return {**history, "pretraining": table}


def _moved_resume(resume: dict | None, moved: dict[int, int], count: int) -> dict | None:
    if not resume:
        return resume
    out = dict(resume)
    if out.get("best") and out["best"].get("weights") is not None:
        out["best"] = {**out["best"], "weights": _moved_weights(out["best"]["weights"], moved, count)}
    position = out.get("pretraining")
    if position is not None:
        out["pretraining"] = {**position, "layer": moved[position["layer"]],
                              "optimizer_state": _moved_state(position.get("optimizer_state"), moved)}
    return out


def carry_over(current: NetworkConfig, settings: NetworkConfig) -> NetworkConfig | None:
    """``settings`` with ``current``'s weights, optimizer state, epoch, history and position,
    each moved to its layer's new index, when only weightless layers changed; else None."""
    moved = layer_map(current, settings)
    if moved is None:
        return None
    count = len(settings.layers)
    state = copy.deepcopy(settings)
    state.weights = _moved_weights(current.weights, moved, count)
    state.optimizer_state = _moved_state(current.optimizer_state, moved)
    state.epoch = current.epoch
    state.history = _moved_history(current.history, moved)
    state.resume = _moved_resume(current.resume, moved, count)
    return state


# ---------------------------------------------------------------- the prompt
def _layer(i: int, layers: list) -> str:
    return f"layer {i + 1} ({'the output layer, ' if i == len(layers) - 1 else ''}{layers[i].type})"


def _sortable(spec: dict) -> list:
    """A layer's settings in an order that sorts (its keys', then its values' text)."""
    return sorted((key, str(value)) for key, value in spec.items())


def restart_reason(old: NetworkConfig, new: NetworkConfig) -> str:
    """Why the trained weights cannot carry over to ``new``: the first difference that matters."""
    if old.task != new.task:
        return f"makes it a {new.task} network, with another output layer"
    if old.features != new.features:
        return "changes the input features, so the first layer's weights no longer match its inputs"
    before, after = _weighted(old), _weighted(new)
    if len(after) > len(before):
        j = next((j for k, (j, b) in enumerate(after) if k >= len(before) or before[k][1] != b), after[-1][0])
        return f"adds {_layer(j, new.layers)}, which has weights of its own to learn"
    if len(after) < len(before):
        i = next((i for k, (i, a) in enumerate(before) if k >= len(after) or after[k][1] != a), before[-1][0])
        return f"removes {_layer(i, old.layers)}, whose weights the layers after it were trained with"
    if sorted(_sortable(a) for _, a in before) == sorted(_sortable(b) for _, b in after):
        j = next(j for (_, a), (j, b) in zip(before, after) if a != b)
        return (f"moves {_layer(j, new.layers)} among the layers with weights, and each layer's weights "
                "were learnt for the outputs of the one before it")
    for (i, a), (j, b) in zip(before, after):
        if a == b:
            continue
        if a["type"] != b["type"]:
            break
        changed = [key for key in a if a[key] != b.get(key)]
        key = changed[0] if changed else "type"
        if key == "units":
            return (f"gives {_layer(j, new.layers)} {b['units']} units instead of {a['units']}, so its weights "
                    "and the next layer's no longer fit")
        if key == "activation":
            return (f"gives {_layer(j, new.layers)} the {b['activation']} activation instead of {a['activation']}: "
                    f"the trained weights were learnt for {a['activation']}")
        if key == "init":
            return (f"gives {_layer(j, new.layers)} the {b['init']} initializer, which only acts on fresh weights")
        return f"changes {_layer(j, new.layers)}'s {key}"
    return "changes the order of the layers that have weights"


def restart_question(text: str, old: NetworkConfig, new: NetworkConfig) -> str:
    """The app's prompt before an edit throws trained weights away (``text``: the edit's name)."""
    return (f"“{text}” {restart_reason(old, new)}. The network starts afresh: new weights from the seed "
            "and an empty history. (Undo brings the trained network back.) Go on?")


def kept_note(text: str, epoch: int) -> str:
    """What the app says after an edit that kept the trained weights (``text``: the edit's name)."""
    return (f"“{text}”: dropout layers have no weights of their own, so every other layer keeps its trained "
            f"weights; training goes on from epoch {epoch}.")

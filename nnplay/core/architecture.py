"""The shape of a network read from its settings alone, before anything is built: the
width each layer sees, the arrays it stores and how many numbers training adjusts.
Every layer type answers for itself (``Layer.output_width``, ``array_shapes``)."""

from __future__ import annotations

from nnplay.core.config import LayerConfig, NetworkConfig
from nnplay.core.layers import LAYERS


def layer_number(index: int) -> int:
    """The number a user reads for the layer at ``index`` of ``layers``: the chapters count
    layers from 1 (W¹ is the first layer's weights), every layer counted, dropout and batch
    norm too. A file path (``layers[0]``) and an array name (``layer0.W``) keep the index."""
    return index + 1


def layer_title(index: int, count: int) -> str:
    """``layer 2``, or ``layer 4 (output)`` for the last of ``count`` layers."""
    return f"layer {layer_number(index)}" + (" (output)" if index == count - 1 else "")


def layer_widths(n_inputs: int, layers: list[LayerConfig]) -> list[int]:
    """Input width of each layer, then the output width: ``len(layers) + 1`` numbers."""
    widths = [n_inputs]
    for layer in layers:
        widths.append(LAYERS.get(layer.type).output_width(layer, widths[-1]))
    return widths


def array_shapes(n_inputs: int, layers: list[LayerConfig]) -> list[dict[str, tuple[int, ...]]]:
    """The shape of every array each layer stores, layer by layer."""
    widths = layer_widths(n_inputs, layers)
    return [LAYERS.get(layer.type).array_shapes(layer, widths[i]) for i, layer in enumerate(layers)]


def parameter_counts(cfg: NetworkConfig) -> list[int]:
    """Trainable parameters of each layer (batch norm's running statistics not counted)."""
    widths = layer_widths(len(cfg.features), cfg.layers)
    return [LAYERS.get(layer.type).count_parameters(layer, widths[i]) for i, layer in enumerate(cfg.layers)]


def diagram(cfg: NetworkConfig) -> str:
    """The network on one line: ``2 → 8 tanh → dropout 0.2 → 8 tanh → 1 sigmoid``."""
    parts = [str(len(cfg.features))] + [LAYERS.get(layer.type).summary(layer) for layer in cfg.layers]
    return " → ".join(parts)

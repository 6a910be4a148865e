"""Exporting a trained network's weights: `.npz`, `.json` and `.onnx` (SPEC §3).

``.npz`` holds one array per parameter, named ``layer<i>.W``, ``layer<i>.b``,
``layer<i>.gamma``, ``layer<i>.beta``, ``layer<i>.running_mean`` and
``layer<i>.running_var``, plus ``architecture``: the JSON text of
``architecture(cfg)`` as a 0-d string array (loadable with ``allow_pickle=False``).
``.json`` holds the same architecture with a ``weights`` list as the network file
stores it. ``.onnx`` is built by ``nnplay.io.onnx_export``.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from nnplay.core.config import NetworkConfig
from nnplay.io.atomic import write_atomic
from nnplay.core.datasets import input_dims
from nnplay.io.networkfile import dumps, utf8
from nnplay.io.schema import to_plain

EXPORT_FORMAT = "nnplay-weights"
SUFFIXES = (".npz", ".json", ".onnx")


class ExportError(ValueError):
    """An export nnplay cannot write (an unknown suffix)."""


def architecture(cfg: NetworkConfig) -> dict[str, Any]:
    """What a reader needs besides the arrays to run the network."""
    return {
        "format": EXPORT_FORMAT,
        "version": 1,
        "name": cfg.name,
        "task": cfg.task,
        "inputs": input_dims(cfg.data),
        "features": list(cfg.features),
        "layers": [layer.to_dict() for layer in cfg.layers],
        "loss": cfg.loss,
    }


def export_suffix(path: str | os.PathLike) -> str:
    """The export kind of ``path`` (``.npz``, ``.json`` or ``.onnx``), or ``ExportError``."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        shown = f"'{suffix}'" if suffix else "no suffix"
        raise ExportError(f"cannot export to {shown}; use a name ending in .npz, .json or .onnx")
    return suffix


def export(cfg: NetworkConfig, weights: list[dict[str, np.ndarray]], path: str | os.PathLike,
           force: bool = False) -> None:
    """Write ``weights`` (one dict per layer) of the network ``cfg`` describes, by ``path``'s suffix.

    A read-only file at ``path`` is replaced only with ``force`` (see ``write_atomic``)."""
    suffix = export_suffix(path)
    if suffix == ".npz":
        data = npz_bytes(cfg, weights)
    elif suffix == ".json":
        data = utf8(dumps({**architecture(cfg), "weights": to_plain(weights)}))
    else:
        from nnplay.io.onnx_export import build_model  # onnx loads slowly; only when asked

        data = build_model(cfg, weights).SerializeToString()
    write_atomic(path, data, force)


def npz_bytes(cfg: NetworkConfig, weights: list[dict[str, np.ndarray]]) -> bytes:
    arrays = {
        f"layer{i}.{name}": np.asarray(arr, dtype=np.float64)
        for i, layer in enumerate(weights) for name, arr in layer.items()
    }
    arrays["architecture"] = np.array(json.dumps(architecture(cfg), ensure_ascii=False))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def load_npz(path: str | os.PathLike) -> tuple[dict[str, Any], list[dict[str, np.ndarray]]]:
    """The architecture and per-layer weights of an exported `.npz` (never unpickles)."""
    with np.load(path, allow_pickle=False) as npz:
        arch = json.loads(str(npz["architecture"]))
        weights: list[dict[str, np.ndarray]] = [{} for _ in arch["layers"]]
        for key in npz.files:
            if key.startswith("layer"):
                index, name = key[len("layer"):].split(".", 1)
                weights[int(index)][name] = npz[key]
    return arch, weights

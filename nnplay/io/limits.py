"""Checks that keep a file that passed the schema from hurting whoever uses it.

``parse_network`` calls ``check_limits`` once it has built the config. What it
refuses, with one line naming the key:

- text that cannot be written back as UTF-8: a lone surrogate (``"\\ud800"``) in the
  name or in a key kept unread (train and export would fail on writing it);
- a kept unknown key nested deeper than ``MAX_NESTING`` levels (copying, checking
  or writing it would run out of recursion);
- a network whose training would need more memory at once than ``cost.MAX_BYTES``
  (``nnplay.core.cost``: one update, or one evaluation of every point);
- inline points or regression targets over ``datasets.MAX_COORDINATE`` in size (their
  features, losses and plots would overflow).

``check_room_to_train`` is asked before training: could the trained file be written
and read back (its size, its epoch)?
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnplay.core import cost, datasets
from nnplay.core.config import NetworkConfig
from nnplay.core.history import COLUMNS, MAX_ROWS
from nnplay.io import networkfile
from nnplay.io.schema import MAX_EPOCH, NetworkFileError

#: the most text one number takes in a network file: the repr of a float64 and ", "
NUMBER_BYTES = 26
#: the resume section's generator state and counters, at most
RESUME_BYTES = 1024

#: levels of lists and objects inside a top-level key nnplay keeps without reading
#: (the network's own sections are at most 6 deep)
MAX_NESTING = 32


def check_limits(cfg: NetworkConfig) -> NetworkConfig:
    """``cfg``, or ``NetworkFileError`` if it holds text or nesting nnplay could not write back."""
    _check_text(cfg.name, "name")
    for key, value in cfg.extra.items():
        _check_text(key, key)
        _check_kept(value, key)
    _check_points(cfg)
    too_costly = cost.problem(cfg)
    if too_costly:
        raise NetworkFileError(too_costly)
    return cfg


def _check_kept(value: Any, key: str) -> None:
    """Walk a kept value without recursion: depth and text."""
    stack = [(value, key, 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, (dict, list)):
            if depth > MAX_NESTING:
                raise NetworkFileError(f"{key}: lists and objects nested more than {MAX_NESTING} levels deep")
            if isinstance(item, dict):
                for k, v in item.items():
                    _check_text(k, path)
                    stack.append((v, f"{path}.{k}", depth + 1))
            else:
                stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(item))


def _check_points(cfg: NetworkConfig) -> None:
    data = cfg.data
    if data.source != "inline":
        return
    arrays = [("data.x", data.x)] + ([("data.y", data.y)] if cfg.task == "regression" else [])
    for path, values in arrays:
        where = datasets.too_large(values)
        if where is not None:
            value = np.asarray(values, dtype=np.float64)[where]
            index = "".join(f"[{i}]" for i in where)
            raise NetworkFileError(f"{path}{index}: {value:g} is too large; points and targets are at most "
                                   f"{datasets.MAX_COORDINATE:g} in size")


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        where = path.encode("utf-8", "backslashreplace").decode("utf-8")  # the key may hold one too
        where = where if len(where) <= 60 else where[:57] + "..."
        raise NetworkFileError(
            f"{where}: holds \\u{ord(text[exc.start]):04x}, half of a UTF-16 surrogate pair, which is not a "
            "character; write the text as UTF-8"
        ) from None


# ---------------------------------------------------------------- before training
def check_room_to_train(cfg: NetworkConfig, more_epochs: int, slots: int) -> None:
    """Refuse a run whose trained file could not be written or read back, before it starts.

    ``cfg`` is the run as it is now (``Experiment.to_config()``), ``more_epochs`` how far
    it will train and ``slots`` how many state arrays the optimizer keeps per parameter.
    Raises ``NetworkFileError`` naming the limit."""
    target = cfg.epoch + more_epochs
    if target > MAX_EPOCH:
        raise NetworkFileError(f"epoch: {more_epochs:,} more epochs would end at epoch {target:,}, past the "
                               f"file's limit of {MAX_EPOCH:,}")
    size = trained_size_bound(cfg, more_epochs, slots)
    limit = networkfile.MAX_FILE_BYTES
    if size > limit:
        raise NetworkFileError(f"the trained file could reach {size / 2**20:,.1f} MB, over the {limit // 2**20} MB "
                               "limit of a network file; train a smaller network or remove the file's unknown keys")


def trained_size_bound(cfg: NetworkConfig, more_epochs: int, slots: int) -> int:
    """Bytes the file of ``cfg`` could take after ``more_epochs`` more epochs, at most:
    its size now, plus optimizer state and an early-stopping copy of the weights not yet
    in it, plus history rows up to the bound, plus the resume section."""
    numbers = sum(arr.size for layer in cfg.weights or [] for arr in layer.values())
    params = sum(arr.size for layer in cfg.weights or [] for name, arr in layer.items()
                 if name not in ("running_mean", "running_var"))
    state = (cfg.optimizer_state or {}).get("slots", {})
    held = sum(arr.size for slot in state.values() for arr in slot.values())
    growth = max(0, slots * params - held)
    rule = cfg.training.early_stopping
    best = ((cfg.resume or {}).get("best") or {}).get("weights")
    if rule is not None and rule.restore_best and best is None:
        growth += numbers
    rows = len((cfg.history or {}).get("epoch", []))
    growth += (min(rows + more_epochs, MAX_ROWS) - min(rows, MAX_ROWS)) * len(COLUMNS)
    now = len(networkfile.utf8(networkfile.dumps_network(cfg)))
    return now + growth * NUMBER_BYTES + RESUME_BYTES

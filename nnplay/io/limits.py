"""Checks that keep a file that passed the schema from hurting whoever uses it.

``parse_network`` calls ``check_limits`` once it has built the config. What it
refuses, with one line naming the key:

- text that cannot be written back as UTF-8: a lone surrogate (``"\\ud800"``) in the
  name or in a key kept unread (train and export would fail on writing it);
- a kept unknown key nested deeper than ``MAX_NESTING`` levels (copying, checking
  or writing it would run out of recursion).
"""

from __future__ import annotations

from typing import Any

from nnplay.core.config import NetworkConfig
from nnplay.io.schema import NetworkFileError

#: levels of lists and objects inside a top-level key nnplay keeps without reading
#: (the network's own sections are at most 6 deep)
MAX_NESTING = 32


def check_limits(cfg: NetworkConfig) -> NetworkConfig:
    """``cfg``, or ``NetworkFileError`` if it holds text or nesting nnplay could not write back."""
    _check_text(cfg.name, "name")
    for key, value in cfg.extra.items():
        _check_text(key, key)
        _check_kept(value, key)
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

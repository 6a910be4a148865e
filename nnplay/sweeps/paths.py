"""Dotted paths into a network file's JSON object (SPEC §4): ``optimizer.lr``,
``training.batch_size``, ``layers[0].units``, ``loss``.

A path is names joined by dots, each name followed by any number of ``[i]`` list
indices. ``set_value`` writes a value at a path of a plain dict; ``check_path``
tells whether a path is one of the network file's settings, by looking for it in
the file as the validator gives it back (a key the validator ignores is no
setting).
"""

from __future__ import annotations

import copy
import difflib
import re
from typing import Any

from nnplay.core.optimizers import OPTIMIZERS

Token = str | int

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")


class PathError(ValueError):
    """A path that names no setting of the network file; the message is one line."""


def parse_path(text: str) -> tuple[Token, ...]:
    """``"layers[0].units"`` → ``("layers", 0, "units")``."""
    if not isinstance(text, str) or not text:
        raise PathError("a parameter must be a dotted path like optimizer.lr or layers[0].units")
    tokens: list[Token] = []
    for part in text.split("."):
        match = _SEGMENT.fullmatch(part)
        if match is None:
            raise PathError(f"'{text}' is not a dotted path like optimizer.lr or layers[0].units")
        tokens.append(match.group(1))
        tokens.extend(int(i) for i in _INDEX.findall(match.group(2)))
    return tuple(tokens)


def format_path(tokens: tuple[Token, ...] | list[Token]) -> str:
    out = ""
    for token in tokens:
        out += f"[{token}]" if isinstance(token, int) else (f".{token}" if out else token)
    return out


def set_value(obj: dict, text: str, value: Any) -> None:
    """Set ``value`` (a copy) at path ``text`` of ``obj``; every container on the way
    must exist, and so must a top-level key; the last key of an inner object may be
    new (an optimizer setting the base leaves at its default)."""
    tokens = parse_path(text)
    if len(tokens) == 1 and tokens[0] not in obj:
        raise PathError(f"{text}: the network file has no '{text}'{_hint(text, obj, tokens)}")
    node = obj
    for depth, token in enumerate(tokens[:-1]):
        node = _child(node, token, tokens[:depth + 1], text)
        if not isinstance(node, (dict, list)):
            where = format_path(tokens[:depth + 1])
            shown = "null" if node is None else "a single value"
            raise PathError(f"{text}: {where} is {shown} in the base network, so it has no "
                            f"{format_path(tokens[depth + 1:])}; set {where} as a whole")
    last = tokens[-1]
    if isinstance(last, int):
        _check_index(node, last, tokens, text)
    elif not isinstance(node, dict):
        raise PathError(f"{text}: {format_path(tokens[:-1])} is a list; give an index like [0]")
    node[last] = copy.deepcopy(value)


def _child(node: Any, token: Token, walked: tuple[Token, ...], text: str) -> Any:
    if isinstance(token, int):
        _check_index(node, token, walked, text)
        return node[token]
    if not isinstance(node, dict):
        raise PathError(f"{text}: {format_path(walked[:-1])} is a list; give an index like [0]")
    if token not in node:
        raise PathError(f"{text}: the network file has no {format_path(walked)}{_hint(token, node, walked)}")
    return node[token]


def _check_index(node: Any, index: int, walked: tuple[Token, ...], text: str) -> None:
    where = format_path(walked[:-1])
    if not isinstance(node, list):
        raise PathError(f"{text}: {where} is not a list")
    if index >= len(node):
        count = f"{len(node)} {'entry' if len(node) == 1 else 'entries'}"
        span = f" ({where}[0] to {where}[{len(node) - 1}])" if node else ""
        raise PathError(f"{text}: {where} has {count} in the base network{span}")


def _hint(key: str, node: dict, walked: tuple[Token, ...]) -> str:
    close = difflib.get_close_matches(key, [k for k in node if isinstance(k, str)], n=1)
    return f"; did you mean {format_path(walked[:-1] + (close[0],))}?" if close else ""


def check_path(validated: dict, text: str) -> None:
    """Raise ``PathError`` unless path ``text`` is in ``validated``, a network file as
    ``network_to_dict(parse_network(...))`` gives it back: a key the validator does not
    read (a typo, a setting of another layer type) is gone from it."""
    tokens = parse_path(text)
    node: Any = validated
    for depth, token in enumerate(tokens):
        walked = tokens[:depth + 1]
        if isinstance(token, int):
            if not isinstance(node, list) or token >= len(node):
                raise PathError(f"{text}: the network file has no {format_path(walked)}")
        else:
            if walked[:-1] == ("optimizer",) and isinstance(node, dict):
                token = _optimizer_setting(node.get("name"), token)
            if not isinstance(node, dict) or token not in node:
                what = "such setting" if depth else f"'{token}'"
                hint = _hint(token, node, walked) if isinstance(node, dict) else ""
                raise PathError(f"{text}: the network file has no {what}{hint}")
        node = node[token]


def _optimizer_setting(name: Any, key: str) -> str:
    """The name the file writes for ``key`` (``momentum`` is written as ``gamma``)."""
    if name in OPTIMIZERS:
        return OPTIMIZERS.get(name).aliases.get(key, key)
    return key

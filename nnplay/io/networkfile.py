"""Reading and writing `.nnp` network files (SPEC §2).

JSON only: loading never runs code. Floats are written with ``repr`` so reading
gives back the same float64 bits; NaN and infinities are never written (they
become null) and are refused on reading. Writing is atomic (``write_atomic``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from nnplay.core.config import NetworkConfig
from nnplay.io.atomic import write_atomic
from nnplay.io.schema import NetworkFileError, network_to_dict, parse_network
from nnplay.io.textfile import read_text

#: the largest file ``read_network`` opens
MAX_FILE_BYTES = 200 * 1024 * 1024
#: JSON values (numbers, strings, lists, objects) a file may hold, counted before parsing
#: from its commas and opening brackets. The largest network file nnplay allows holds
#: about 5 to 6 million; parsing this many takes a few hundred MB, where a 200 MB file
#: of "[]," could take gigabytes
MAX_JSON_VALUES = 8_000_000
#: strings (keys included) a file may hold, counted from its quotes; a network needs hundreds
MAX_JSON_STRINGS = 1_000_000


def read_network(path: str | os.PathLike) -> NetworkConfig:
    """The validated config in the file at ``path``; raises ``NetworkFileError``."""
    return parse_network(load_json(path))


def write_network(cfg: NetworkConfig, path: str | os.PathLike, force: bool = False) -> None:
    """Write ``cfg`` to ``path`` atomically; the old file survives any failure.

    A read-only file at ``path`` is replaced only with ``force`` (see ``write_atomic``)."""
    data = utf8(dumps_network(cfg))
    if len(data) > MAX_FILE_BYTES:  # never write what read_network would refuse
        raise NetworkFileError(
            f"the network file would be {len(data) / 2**20:,.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB"
        )
    write_atomic(path, data, force)


def write_rescue_copy(cfg: NetworkConfig, near: str | os.PathLike) -> str | None:
    """Save ``cfg`` under a new name when it could not be written where asked: beside
    ``near`` or else in the temporary folder, as ``<stem>-unsaved-<random>.nnp``, readable
    by its owner only. If the whole file is too large, the unknown keys and then the
    history are left out, so the weights and optimizer state survive. Returns the path
    written, or None when nothing could be."""
    stem = Path(near).stem or "network"
    smaller = [cfg, dataclasses.replace(cfg, extra={}), dataclasses.replace(cfg, extra={}, history=None)]
    for folder in (os.path.dirname(os.path.abspath(near)), tempfile.gettempdir()):
        for attempt in smaller:
            try:
                fd, path = tempfile.mkstemp(prefix=f"{stem}-unsaved-", suffix=".nnp", dir=folder)
            except OSError:
                break  # this folder takes no new file: try the next
            os.close(fd)
            try:
                write_network(attempt, path)
                return path
            except NetworkFileError:
                os.unlink(path)  # too large: try with less
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(path)
                break
    return None


def utf8(text: str) -> bytes:
    """``text`` as UTF-8, a lone surrogate (which UTF-8 cannot hold) written as its JSON
    escape ``\\ud800``: such a character can only sit inside a JSON string."""
    return text.encode("utf-8", "backslashreplace")


def dumps_network(cfg: NetworkConfig) -> str:
    return dumps(network_to_dict(cfg))


def loads_network(text: str) -> NetworkConfig:
    return parse_network(loads(text))


# ---------------------------------------------------------------- JSON text
def load_json(path: str | os.PathLike) -> Any:
    """The decoded JSON of a file, with one-line errors for every way reading fails."""
    return loads(read_text(path, MAX_FILE_BYTES, NetworkFileError))


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:30]} is too large for a float")
    return value


def loads(text: str) -> Any:
    """``json.loads`` that refuses NaN, Infinity and overflowing numbers, with one-line errors."""
    if not text.strip():
        raise NetworkFileError("the file is empty")
    check_json_size(text)
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float)
    except json.JSONDecodeError as exc:
        raise NetworkFileError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise NetworkFileError("not usable JSON: nested too deeply") from None
    except ValueError as exc:  # our hooks, or an int longer than Python converts
        raise NetworkFileError(f"not usable JSON: {exc}") from None


def check_json_size(text: str) -> None:
    """Refuse, before parsing, JSON with more values than any network file needs.

    The counts are cheap (no parsing) and may only overestimate: a comma or a bracket
    inside a string counts too."""
    values = text.count(",") + text.count("[") + text.count("{")
    if values > MAX_JSON_VALUES:
        raise NetworkFileError(f"the file holds about {values:,} values (numbers, lists, objects); a network file "
                               f"holds at most {MAX_JSON_VALUES:,}")
    strings = text.count('"') // 2
    if strings > MAX_JSON_STRINGS:
        raise NetworkFileError(f"the file holds about {strings:,} strings; a network file holds at most "
                               f"{MAX_JSON_STRINGS:,}")


def dumps(obj: Any) -> str:
    """Indented JSON for reading by eye, with lists of numbers kept on one line.

    A matrix (a list of lists of numbers) gets one row per line; floats use
    ``repr``, which round-trips float64 exactly.
    """
    parts: list[str] = []
    _write(obj, 0, parts)
    parts.append("\n")
    return "".join(parts)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def _is_flat(value: Any) -> bool:
    return not any(isinstance(v, (list, dict)) for v in value)


def _write(value: Any, depth: int, out: list[str]) -> None:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        if _is_flat(value.values()):
            line = _compact(value)
            if len(line) <= 100:  # a layer, the optimizer: one line each
                out.append(line)
                return
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            out.append(("," if i else "") + "\n" + inner + _compact(str(key)) + ": ")
            _write(item, depth + 1, out)
        out.append("\n" + pad + "}")
    elif isinstance(value, list):
        if _is_flat(value):
            out.append(_compact(value))
        elif all(isinstance(v, list) and _is_flat(v) for v in value):
            out.append("[\n" + ",\n".join(inner + _compact(v) for v in value) + "\n" + pad + "]")
        else:
            out.append("[")
            for i, item in enumerate(value):
                out.append(("," if i else "") + "\n" + inner)
                _write(item, depth + 1, out)
            out.append("\n" + pad + "]")
    else:
        out.append(_compact(value))

"""Declarative checks of a network file's values, with pydantic, and their one-line messages.

A section of the file (``training``, a layer, an optimizer's settings, …) is checked
against a pydantic model made from the ``Setting`` declarations of its config type:
a whole number within bounds, a finite number within bounds, true or false, a name
from a registry. Arrays of numbers are checked by pydantic too. Any failure becomes a
``NetworkFileError`` whose message names the key path, says what the value must be
(``Setting.requirement``) and shows what it is: ``layers[2].units: must be a whole
number from 1 to 4,096, got -3``.
"""

from __future__ import annotations

import functools
import json
import math
from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, BeforeValidator, Field, Strict, TypeAdapter, ValidationError, create_model

from nnplay.core.settings import REQUIRED, Setting
from nnplay.core.text import printable


class NetworkFileError(ValueError):
    """A network file nnplay cannot use; the message is one line naming the key path."""

    def __init__(self, message: str):
        super().__init__(printable(message, keep=""))  # a key or value from the file may hold a line break


_NO_VALUE = object()


def show(value: Any) -> str:
    """A value as it looks in the file, cut short."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def fail(path: str, message: str, value: Any = _NO_VALUE) -> NetworkFileError:
    where = f"{path}: " if path else ""
    got = "" if value is _NO_VALUE else f", got {show(value)}"
    return NetworkFileError(f"{where}{message}{got}")


def key_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def required(obj: dict, key: str, path: str) -> Any:
    """``obj[key]``, which a file must give."""
    if key not in obj:
        raise fail(key_path(path, key), "missing")
    return obj[key]


def as_object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise fail(path, "must be an object {...}", value)
    return value


def as_list(value: Any, path: str, max_len: int | None = None) -> list:
    if not isinstance(value, list):
        raise fail(path, "must be a list [...]", value)
    if max_len is not None and len(value) > max_len:
        raise fail(path, f"may hold at most {max_len:,} entries, got {len(value):,}")
    return value


# ---------------------------------------------------------------- a Setting as a pydantic type
def _whole(value: Any) -> Any:
    """A float with no fraction is a whole number too (``4.0`` in a file means 4)."""
    if type(value) is float and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _bounds(spec: Setting) -> dict[str, float]:
    bounds = {}
    if spec.low is not None:
        bounds["gt" if spec.low_open else "ge"] = spec.low
    if spec.high is not None:
        bounds["lt" if spec.high_open else "le"] = spec.high
    return bounds


def _in(spec: Setting):
    def check(value: str) -> str:
        if value not in spec.choices:  # read now: a registry may have grown since the model was made
            raise ValueError(spec.requirement())
        return value

    return check


def field_type(spec: Setting) -> Any:
    """The pydantic type that accepts exactly the values ``spec.accepts``."""
    if spec.kind == "bool":
        return Annotated[bool, Strict()]
    if spec.kind == "choice":
        return Annotated[str, Strict(), AfterValidator(_in(spec))]
    if spec.kind == "int":
        return Annotated[int, BeforeValidator(_whole), Strict(), Field(**_bounds(spec))]
    return Annotated[float, Strict(), Field(allow_inf_nan=False, **_bounds(spec))]


@functools.lru_cache(maxsize=None)
def _model(specs: tuple[Setting, ...]):
    fields = {}
    for spec in specs:
        optional = spec.default is None
        kind = field_type(spec) if not optional else field_type(spec) | None
        fields[spec.name] = (kind, ... if spec.default is REQUIRED else spec.default)
    return create_model("Section", **fields)


@functools.lru_cache(maxsize=None)
def _adapter(spec: Setting) -> TypeAdapter:
    return TypeAdapter(field_type(spec))


def check_value(value: Any, path: str, spec: Setting) -> Any:
    """One value checked against ``spec``."""
    try:
        return _adapter(spec).validate_python(value)
    except ValidationError:
        raise fail(path, f"must be {spec.requirement()}", value) from None


def check_section(obj: Any, path: str, specs: tuple[Setting, ...]) -> dict[str, Any]:
    """The values of ``specs`` in the object ``obj`` (defaults where absent); other keys are ignored."""
    obj = as_object(obj, path)
    try:
        return dict(_model(specs).model_validate(obj))
    except ValidationError as exc:
        raise _message(exc, path, {spec.name: spec for spec in specs}) from None


def _message(exc: ValidationError, path: str, specs: dict[str, Setting]) -> NetworkFileError:
    error = exc.errors()[0]
    name = error["loc"][0]
    where = key_path(path, name)
    if error["type"] == "missing":
        return fail(where, "missing")
    return fail(where, f"must be {specs[name].requirement()}", error["input"])


# ---------------------------------------------------------------- arrays of numbers
_FINITE = Annotated[float, Strict(), Field(allow_inf_nan=False)]
_NUMBERS = {1: TypeAdapter(list[_FINITE]), 2: TypeAdapter(list[list[_FINITE]])}


def shape_text(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"a list of {shape[0]} numbers"
    return f"a {shape[0]} × {shape[1]} array ({shape[0]} rows of {shape[1]} numbers)"


def _count(value: Any, one: str, many: str) -> str:
    if not isinstance(value, list):
        return show(value)
    return f"{len(value):,} {one if len(value) == 1 else many}"


def check_array(value: Any, path: str, shape: tuple[int, ...], nonnegative: bool = False,
                whole: str | None = None, row: str | None = None) -> np.ndarray:
    """A 1-D or 2-D list of finite numbers with exactly ``shape``, as float64 (``whole``
    and ``row`` say what it and each row must be, when not ``shape_text``'s words)."""
    whole = whole or shape_text(shape)
    if isinstance(value, np.ndarray):
        return check_values(ndarray_of(value, path, shape, whole), path, nonnegative)
    check_lengths(value, path, shape, whole, row or f"a row of {shape[-1]} numbers")
    try:
        arr = np.array(_NUMBERS[len(shape)].validate_python(value), dtype=np.float64).reshape(shape)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise fail(path + "".join(f"[{i}]" for i in error["loc"]), "must be a finite number",
                   error["input"]) from None
    return check_values(arr, path, nonnegative)


def ndarray_of(value: np.ndarray, path: str, shape: tuple[int, ...], whole: str) -> np.ndarray:
    """An array given as one (a config built in code) with exactly ``shape``, as float64."""
    if value.shape != shape or value.dtype.kind not in "fiu":
        raise fail(path, f"must be {whole}", value)
    return value.astype(np.float64)


def check_values(arr: np.ndarray, path: str, nonnegative: bool) -> np.ndarray:
    """``arr`` itself when every entry is finite (and ≥ 0 when ``nonnegative``)."""
    bad = ~np.isfinite(arr) | (arr < 0) if nonnegative else ~np.isfinite(arr)
    if bad.any():
        where = tuple(np.argwhere(bad)[0])
        need = "a finite number ≥ 0" if nonnegative else "a finite number"
        raise fail(path + "".join(f"[{i}]" for i in where), f"must be {need}", arr[where].item())
    return arr


def check_lengths(value: Any, path: str, shape: tuple[int, ...], whole: str, row_text: str) -> None:
    """``value`` is a list of ``shape[0]`` entries (rows of ``shape[1]``, for a matrix)."""
    rows = shape[0]
    if not isinstance(value, list) or len(value) != rows:
        unit = ("entry", "entries") if len(shape) == 1 else ("row", "rows")
        raise NetworkFileError(f"{path}: must be {whole}, got {_count(value, *unit)}")
    if len(shape) == 2:
        cols = shape[1]
        for i, row in enumerate(value):
            if not isinstance(row, list) or len(row) != cols:
                raise NetworkFileError(f"{path}[{i}]: must be {row_text}, got {_count(row, 'entry', 'entries')}")

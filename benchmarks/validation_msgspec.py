"""The msgspec version of nnplay.io.validation's checks, kept to measure the choice
between pydantic and msgspec (docs/benchmarks.md, "Reading network files").

Same functions, same messages: ``install()`` puts them in place of the pydantic ones
in nnplay.io.schema and nnplay.io.state_schema, and the file tests pass with either
(``PYTHONPATH=benchmarks pytest tests/io -p validation_msgspec``).
"""

from __future__ import annotations

import functools
import math
import re
from typing import Annotated, Any

import msgspec
import numpy as np

from nnplay.core.settings import REQUIRED, Setting
from nnplay.io.validation import (
    NetworkFileError, as_object, check_lengths, check_values, fail, key_path, ndarray_of, shape_text,
)

_WHERE = re.compile(r" - at `\$(.*)`$")


_INT64 = 2**63 - 1


def _meta(spec: Setting) -> msgspec.Meta:
    """The bounds msgspec can hold: not past 64 bits (the generator state's 128-bit
    numbers are checked in Python, ``_after``)."""
    bounds = {}
    if spec.low is not None:
        bounds["gt" if spec.low_open else "ge"] = spec.low
    if spec.high is not None and abs(spec.high) <= _INT64:
        bounds["lt" if spec.high_open else "le"] = spec.high
    return msgspec.Meta(**bounds)


def field_type(spec: Setting) -> Any:
    """msgspec has no hook between decoding and the type check: choices and whole floats
    are checked in Python (``_after``), numbers by msgspec."""
    if spec.kind == "bool":
        return bool
    if spec.kind == "choice":
        return str
    if spec.kind == "int":
        return Annotated[int, _meta(spec)]
    return Annotated[float, _meta(spec)]


def _before(spec: Setting, value: Any) -> Any:
    if spec.kind == "int" and type(value) is float and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _after(spec: Setting, value: Any) -> bool:
    if spec.kind == "int" and spec.high is not None and spec.high > _INT64 and value is not None:
        return value <= spec.high
    if spec.kind == "choice":
        return value in spec.choices
    if spec.kind in ("float", "log", "decay", "percent") and value is not None:
        return math.isfinite(value)
    return True


@functools.lru_cache(maxsize=None)
def _type(spec: Setting):
    return field_type(spec)


def check_value(value: Any, path: str, spec: Setting) -> Any:
    try:
        out = msgspec.convert(_before(spec, value), _type(spec), strict=True)
    except msgspec.ValidationError:
        raise fail(path, f"must be {spec.requirement()}", value) from None
    if not _after(spec, out):
        raise fail(path, f"must be {spec.requirement()}", value)
    return out


@functools.lru_cache(maxsize=None)
def _struct(specs: tuple[Setting, ...]):
    fields = []
    for spec in specs:
        kind = field_type(spec) if spec.default is not None else field_type(spec) | None
        fields.append((spec.name, kind) if spec.default is REQUIRED else (spec.name, kind, spec.default))
    fields.sort(key=lambda f: len(f) == 3)  # required fields first
    return msgspec.defstruct("Section", fields, forbid_unknown_fields=False)


def check_section(obj: Any, path: str, specs: tuple[Setting, ...]) -> dict[str, Any]:
    obj = as_object(obj, path)
    given = {spec.name: _before(spec, obj[spec.name]) for spec in specs if spec.name in obj}
    try:
        section = msgspec.convert(given, _struct(specs), strict=True)
    except msgspec.ValidationError as exc:
        raise _message(str(exc), path, obj, specs) from None
    values = {spec.name: getattr(section, spec.name) for spec in specs}
    for spec in specs:
        if not _after(spec, values[spec.name]):
            raise fail(key_path(path, spec.name), f"must be {spec.requirement()}", obj[spec.name])
    return values


def _message(text: str, path: str, obj: dict, specs) -> NetworkFileError:
    """msgspec says where in its message (``… - at `$.units```) and never shows the value."""
    if text.startswith("Object missing required field"):
        name = text.split("`")[1]
        return fail(key_path(path, name), "missing")
    name = _WHERE.search(text).group(1).lstrip(".").split("[")[0]
    spec = next(s for s in specs if s.name == name)
    return fail(key_path(path, name), f"must be {spec.requirement()}", obj[name])


_TYPES = {1: list[float], 2: list[list[float]]}


def check_array(value: Any, path: str, shape: tuple[int, ...], nonnegative: bool = False,
                whole: str | None = None, row: str | None = None) -> np.ndarray:
    whole = whole or shape_text(shape)
    if isinstance(value, np.ndarray):
        return check_values(ndarray_of(value, path, shape, whole), path, nonnegative)
    check_lengths(value, path, shape, whole, row or f"a row of {shape[-1]} numbers")
    try:
        arr = np.array(msgspec.convert(value, _TYPES[len(shape)], strict=True), dtype=np.float64).reshape(shape)
    except msgspec.ValidationError as exc:
        where = _WHERE.search(str(exc)).group(1)
        bad = value
        for i in re.findall(r"\[(\d+)\]", where):
            bad = bad[int(i)]
        raise fail(path + where, "must be a finite number", bad) from None
    return check_values(arr, path, nonnegative)


def install() -> None:
    """Use these checks instead of the pydantic ones."""
    from nnplay.io import schema, state_schema

    for module in (schema, state_schema):
        for name in ("check_value", "check_section", "check_array"):
            if hasattr(module, name):
                setattr(module, name, globals()[name])


install()  # as a pytest plugin (-p validation_msgspec), on import

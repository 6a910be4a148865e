"""Points as CSV: importing a data set, and the input rows of ``nnplay predict``.

A data set file has a header row naming its columns, ``x1,x2,label`` or
``x1,x2,value`` (``x1,label`` / ``x1,value`` for one input). ``label`` makes a
classification set (binary when every label is 0 or 1, otherwise multiclass with
classes 0..K-1); ``value`` makes a regression set. Errors are one line naming the
line and column, e.g. ``line 4, column 2 (x2): "abc" is not a number``.
"""

from __future__ import annotations

import csv
import io
import math
import os

import numpy as np

from nnplay.core.config import DataConfig
from nnplay.core.datasets import MAX_CLASSES, MAX_COORDINATE, Dataset, from_points
from nnplay.core.text import printable
from nnplay.io.textfile import read_text

MAX_ROWS = 100_000
MAX_FILE_BYTES = 50 * 1024 * 1024

DATASET_HEADERS = {
    ("x1", "x2", "label"): ("classification", 2),
    ("x1", "x2", "value"): ("regression", 2),
    ("x1", "label"): ("classification", 1),
    ("x1", "value"): ("regression", 1),
}
#: largest class count an imported multiclass set may have
MAX_IMPORT_CLASSES = MAX_CLASSES


class PointsFileError(ValueError):
    """A points CSV nnplay cannot use; the message is one line naming the line and column."""

    def __init__(self, message: str):
        super().__init__(printable(message, keep=""))  # a quoted cell may hold a line break


def _read_rows(path: str | os.PathLike) -> list[tuple[int, list[str]]]:
    """Non-blank rows as ``(line number, stripped cells)``."""
    text = read_text(path, MAX_FILE_BYTES, PointsFileError)
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, [c.strip() for c in cells]))
            if len(rows) > MAX_ROWS + 1:
                raise PointsFileError(f"more than {MAX_ROWS:,} points; nnplay takes at most {MAX_ROWS:,}")
    except csv.Error as exc:
        raise PointsFileError(f"line {reader.line_num}: not CSV ({exc})") from None
    if not rows:
        raise PointsFileError("the file is empty; it needs a header row such as x1,x2,label and one row per point")
    return rows


def _number(cell: str, line: int, col: int, name: str) -> float:
    where = f"line {line}, column {col} ({name})"
    try:
        value = float(cell)
    except ValueError:
        shown = cell if len(cell) <= 20 else cell[:17] + "..."
        raise PointsFileError(f'{where}: "{shown}" is not a number') from None
    if not math.isfinite(value):
        raise PointsFileError(f'{where}: "{cell}" is not a finite number')
    if abs(value) > MAX_COORDINATE:
        raise PointsFileError(f"{where}: {value:g} is too large; nnplay takes numbers up to {MAX_COORDINATE:g} in size")
    return value


def _numbers(rows, names: tuple[str, ...]) -> np.ndarray:
    out = np.empty((len(rows), len(names)))
    for r, (line, cells) in enumerate(rows):
        if len(cells) != len(names):
            raise PointsFileError(
                f"line {line}: {len(cells)} cell{'s' * (len(cells) != 1)}, expected {len(names)} ({','.join(names)})"
            )
        for c, cell in enumerate(cells):
            out[r, c] = _number(cell, line, c + 1, names[c])
    return out


def read_points(path: str | os.PathLike) -> Dataset:
    """A data set from a CSV with a header row; ``Dataset.task`` is the inferred task."""
    rows = _read_rows(path)
    line, header = rows[0]
    names = tuple(h.lower() for h in header)
    if names not in DATASET_HEADERS:
        shown = ",".join(header)[:60]
        if all(_is_number(h) for h in header):
            problem = "has no header row"
        else:
            problem = f'line {line}: the header is "{shown}"'
        raise PointsFileError(
            f"{problem}; the first row must name the columns: x1,x2,label (classes), "
            "x1,x2,value (regression), x1,label or x1,value"
        )
    kind, dims = DATASET_HEADERS[names]
    body = rows[1:]
    if not body:
        raise PointsFileError("the header has no points under it")
    values = _numbers(body, names)
    x, y = values[:, :dims], values[:, dims]
    if kind == "regression":
        return from_points(x, y, "regression")
    for (line, _), label in zip(body, y):
        if label != int(label) or label < 0:
            raise PointsFileError(
                f"line {line}, column {dims + 1} (label): {label:g} is not a class label (0, 1, 2, …)"
            )
    k = int(y.max()) + 1
    if k > MAX_IMPORT_CLASSES:
        line = body[int(y.argmax())][0]
        raise PointsFileError(
            f"line {line}, column {dims + 1} (label): class {k - 1} is too many; "
            f"nnplay takes up to {MAX_IMPORT_CLASSES} classes (labels 0 to {MAX_IMPORT_CLASSES - 1})"
        )
    return from_points(x, y, "binary" if k <= 2 else "multiclass", 2 if k <= 2 else k)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def read_inputs(path: str | os.PathLike, dims: int) -> np.ndarray:
    """Raw input points ``(n, dims)`` for prediction.

    The CSV may have a header ``x1,x2`` (or ``x1``), optionally followed by a
    ``label`` or ``value`` column that is ignored, or no header and rows of
    ``dims`` numbers.
    """
    rows = _read_rows(path)
    line, header = rows[0]
    names = tuple(h.lower() for h in header)
    if all(_is_number(h) for h in header):
        names = ("x1", "x2")[:len(header)] if len(header) <= 2 else tuple(f"column {i + 1}" for i in range(len(header)))
        body = rows
    else:
        wanted = ("x1", "x2")[:dims]
        if names[:dims] != wanted or len(names) - dims > 1 or names[dims:] not in ((), ("label",), ("value",)):
            raise PointsFileError(
                f'line {line}: the header is "{",".join(header)[:60]}"; '
                f"expected {','.join(wanted)} (the network reads {dims} input{'s' * (dims > 1)}), "
                "or no header and rows of numbers"
            )
        body = rows[1:]
        if not body:
            raise PointsFileError("the header has no points under it")
    if len(names) != dims and len(names) != dims + (names[-1] in ("label", "value")):
        raise PointsFileError(
            f"line {rows[0][0]}: {len(names)} column{'s' * (len(names) != 1)}, "
            f"but the network reads {dims} input{'s' * (dims > 1)} per point"
        )
    return _numbers(body, names)[:, :dims]


def write_points(data: Dataset, path: str | os.PathLike) -> None:
    """The inverse of ``read_points``: a header row and one point per line, floats in ``repr``."""
    from nnplay.io.atomic import write_atomic

    column = "value" if data.task == "regression" else "label"
    header = ["x1", "x2"][:data.dims] + [column]
    lines = [",".join(header)]
    for point, target in zip(data.x.tolist(), data.y.tolist()):
        lines.append(",".join(repr(float(v)) for v in point) + "," + (repr(float(target)) if column == "value" else str(int(target))))
    write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))


def inline_data(data: Dataset, validation_fraction: float = 0.2, seed: int = 1) -> DataConfig:
    """The network file's ``data`` section holding these points inline."""
    y = data.y.tolist() if data.task == "regression" else [int(v) for v in data.y]
    return DataConfig("inline", seed=seed, validation_fraction=validation_fraction, x=data.x.tolist(), y=y)

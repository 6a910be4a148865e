"""What a network's outputs score, by task: accuracy; the confusion matrix (counts and
rates) for classification; RMSE and R² for regression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnplay.core.losses import LOSSES


def decision_threshold(loss: str) -> float:
    """Binary outputs above this are class 1 (``Loss.threshold``: 0 for the hinge loss's ±1
    margin, 0.5 for a probability)."""
    return LOSSES.get(loss).threshold


def predicted_classes(task: str, loss: str, output: np.ndarray) -> np.ndarray:
    if task == "multiclass":
        return output.argmax(axis=1)
    return (output[:, 0] > decision_threshold(loss)).astype(int)


def accuracy(task: str, loss: str, output: np.ndarray, labels: np.ndarray) -> float | None:
    """Fraction of points classified right; None for regression or no points."""
    if task == "regression" or len(labels) == 0:
        return None
    return float(np.mean(predicted_classes(task, loss, output) == labels))


# ---- what students look for beside the loss: a confusion matrix, RMSE and R²
def confusion_counts(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """``(k, k)`` int counts: row = true class, column = predicted class."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(labels, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return counts


def confusion_rates(counts: np.ndarray) -> np.ndarray:
    """Each row's counts as shares of that true class (a row sums to 1; NaN where the
    class has no points): the diagonal is each class's recall."""
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)


def rmse(predicted: np.ndarray, true: np.ndarray) -> float | None:
    """Root of the mean squared error over every point and output; None without points."""
    predicted, true = np.asarray(predicted, dtype=np.float64), np.asarray(true, dtype=np.float64)
    if true.size == 0:
        return None
    return float(np.sqrt(np.mean((predicted.reshape(true.shape) - true) ** 2)))


def r_squared(predicted: np.ndarray, true: np.ndarray) -> float | None:
    """R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)²: 1 for a perfect fit, 0 for predicting the mean,
    negative when worse than that. None without points or when y does not vary (R² is
    then undefined)."""
    predicted, true = np.asarray(predicted, dtype=np.float64), np.asarray(true, dtype=np.float64)
    if true.size == 0:
        return None
    spread = float(np.sum((true - true.mean()) ** 2))
    if not spread > 0:
        return None
    return 1.0 - float(np.sum((predicted.reshape(true.shape) - true) ** 2)) / spread


@dataclass(frozen=True)
class SetMetrics:
    """One set's (training or validation) metrics for the weights of a snapshot.

    Classification: ``predicted`` classes per point, ``counts`` and ``rates`` of the
    confusion matrix (rows: true class). Regression: ``rmse``, ``r2`` and ``predicted``
    values per point (the first output, for the predicted-against-true plot)."""

    n: int
    predicted: np.ndarray
    counts: np.ndarray | None = None
    rates: np.ndarray | None = None
    rmse: float | None = None
    r2: float | None = None

    @property
    def accuracy(self) -> float | None:
        if self.counts is None or not self.n:
            return None
        return float(np.trace(self.counts)) / self.n


def set_metrics(task: str, loss: str, n_classes: int, output: np.ndarray, labels: np.ndarray) -> SetMetrics:
    """The metrics of one set from the network's evaluation-mode ``output`` ``(n, outputs)``
    and the set's ``labels`` (classes, or the true values for regression)."""
    n = len(labels)
    if task == "regression":
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging net: inf, not a warning
            return SetMetrics(n, np.asarray(output[:, 0], dtype=np.float64), rmse=rmse(output[:, 0], labels),
                              r2=r_squared(output[:, 0], labels))
    predicted = predicted_classes(task, loss, output) if n else np.zeros(0, dtype=np.int64)
    counts = confusion_counts(labels, predicted, n_classes)
    return SetMetrics(n, predicted, counts, confusion_rates(counts))

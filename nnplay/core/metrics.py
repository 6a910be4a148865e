"""Accuracy of a network's outputs, by task."""

from __future__ import annotations

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

"""Accuracy of a network's outputs, by task."""

from __future__ import annotations

import numpy as np


def decision_threshold(loss: str) -> float:
    """Binary outputs above this are class 1: 0 for the hinge loss's ±1 margin, 0.5 otherwise."""
    return 0.0 if loss == "hinge" else 0.5


def predicted_classes(task: str, loss: str, output: np.ndarray) -> np.ndarray:
    if task == "multiclass":
        return output.argmax(axis=1)
    return (output[:, 0] > decision_threshold(loss)).astype(int)


def accuracy(task: str, loss: str, output: np.ndarray, labels: np.ndarray) -> float | None:
    """Fraction of points classified right; None for regression or no points."""
    if task == "regression" or len(labels) == 0:
        return None
    return float(np.mean(predicted_classes(task, loss, output) == labels))

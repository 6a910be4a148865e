"""The metrics beside the loss, against values worked by hand: the confusion matrix
(counts and rates), RMSE and R²; and the probe's predictions they are computed from."""

import math

import numpy as np
import pytest

from nnplay.core import Experiment
from nnplay.core.metrics import (accuracy, confusion_counts, confusion_rates, r_squared, rmse,
                                 set_metrics)
from nnplay.core.probes import PREDICTIONS, Probe
from nnplay.core.snapshot import Snapshotter

from .helpers import config


def test_confusion_counts_and_rates_by_hand():
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    predicted = np.array([0, 1, 0, 1, 1, 2, 0, 2, 1])
    counts = confusion_counts(labels, predicted, 3)
    # rows: true 0 (three points: two right, one taken for 1), true 1 (both right), true 2 (four: 2, 0, 2, 1)
    assert counts.tolist() == [[2, 1, 0], [0, 2, 0], [1, 1, 2]]
    rates = confusion_rates(counts)
    np.testing.assert_allclose(rates, [[2 / 3, 1 / 3, 0], [0, 1, 0], [1 / 4, 1 / 4, 2 / 4]])
    assert counts.sum() == len(labels)


def test_a_class_without_points_has_no_rate():
    counts = confusion_counts(np.array([0, 0]), np.array([0, 1]), 3)
    rates = confusion_rates(counts)
    assert rates[0].tolist() == [0.5, 0.5, 0.0] and np.isnan(rates[1:]).all()


def test_rmse_and_r_squared_by_hand():
    true, predicted = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0])
    assert rmse(predicted, true) == pytest.approx(math.sqrt(1 / 3))  # errors 0, 0, 1
    assert r_squared(predicted, true) == pytest.approx(1 - 1 / 2)  # Σ(y − ȳ)² = 1 + 0 + 1
    assert r_squared(true, true) == 1.0 and rmse(true, true) == 0.0
    assert r_squared(np.full(3, 2.0), true) == pytest.approx(0.0)  # the mean: R² = 0
    assert r_squared(np.array([3.0, 2.0, 1.0]), true) == pytest.approx(1 - 8 / 2)  # worse than the mean
    assert r_squared(np.array([1.0, 2.0]), np.array([5.0, 5.0])) is None  # y does not vary
    assert rmse(np.zeros(0), np.zeros(0)) is None and r_squared(np.zeros(0), np.zeros(0)) is None


def test_set_metrics_classification_agrees_with_the_accuracy():
    output = np.array([[0.9], [0.2], [0.6], [0.4]])  # sigmoid outputs, threshold 0.5
    labels = np.array([1, 0, 0, 1])
    metrics = set_metrics("binary", "nll", 2, output, labels)
    assert metrics.predicted.tolist() == [1, 0, 1, 0]
    assert metrics.counts.tolist() == [[1, 1], [1, 1]]
    assert metrics.accuracy == accuracy("binary", "nll", output, labels) == 0.5
    hinge = set_metrics("binary", "hinge", 2, np.array([[0.3], [-0.1]]), np.array([1, 0]))  # threshold 0
    assert hinge.counts.tolist() == [[1, 0], [0, 1]]
    multi = set_metrics("multiclass", "nll", 3, np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]), np.array([1, 2]))
    assert multi.counts.tolist() == [[0, 0, 0], [0, 1, 0], [1, 0, 0]]


def test_set_metrics_regression():
    metrics = set_metrics("regression", "squared", 0, np.array([[1.0], [2.0], [4.0]]), np.array([1.0, 2.0, 3.0]))
    assert metrics.counts is None and metrics.predicted.tolist() == [1.0, 2.0, 4.0]
    assert metrics.rmse == pytest.approx(math.sqrt(1 / 3)) and metrics.r2 == pytest.approx(0.5)


def test_the_probe_predicts_both_sets_exactly_as_the_engine():
    experiment = Experiment(config())
    experiment.trainer.run(2)
    snapshot = Snapshotter(experiment.trainer).take(weights=True, final=True)
    predictions = Probe(experiment).compute({PREDICTIONS}, snapshot, None)[PREDICTIONS]
    data = experiment.trainer.data
    np.testing.assert_array_equal(predictions.train, experiment.network.predict(data.x_train))
    np.testing.assert_array_equal(predictions.val, experiment.network.predict(data.x_val))
    history = experiment.trainer.history
    for name, output, labels in (("train", predictions.train, data.labels_train),
                                 ("val", predictions.val, data.labels_val)):
        metrics = set_metrics("binary", experiment.config.loss, 2, output, labels)
        assert metrics.accuracy == history.last(f"{name}_accuracy")  # the curves' accuracy, to the point

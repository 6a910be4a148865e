"""The Distributions view's numbers (nnplay.core.distributions): histograms with bins
fixed by each activation's range, the saturated and dead shares each activation
declares, and the weights' histograms with the share at zero."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core import ACTIVATIONS, Experiment
from nnplay.core.activations import get_activation
from nnplay.core.config import BatchNormConfig, DenseConfig, DropoutConfig
from nnplay.core.distributions import (BINS, NEAR_ZERO, dead_units, histogram, layer_distributions, output_range,
                                       histogram_titles, percent, power_span, rows_within, saturated_share,
                                       summary_lines,
                                       training_set_distributions)

from .helpers import all_arrays, config


def _experiment(layers, **training) -> Experiment:
    return Experiment(config(layers, **training))


def test_histograms_count_every_value_once():
    values = np.array([-3.0, -1.0, -0.5, 0.0, 0.25, 1.0, 2.0, np.inf, np.nan])
    h = histogram(values, -1.0, 1.0, bins=4)
    assert list(h.edges) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert list(h.counts) == [1, 1, 2, 1]  # -1 | -0.5 | 0, 0.25 | 1 (the last edge is in)
    assert (h.below, h.above, h.non_finite, h.total) == (1, 1, 2, 9)


def test_bins_follow_the_activations_range():
    assert power_span(np.array([0.3, -0.9])) == 1.0
    assert power_span(np.array([2.5, -0.1])) == 4.0 and power_span(np.array([4.0])) == 4.0
    assert output_range(get_activation("tanh"), np.array([0.5])) == (-1.0, 1.0)
    assert output_range(get_activation("sigmoid"), np.array([0.5])) == (0.0, 1.0)
    assert output_range(get_activation("relu"), np.array([0.0, 5.0])) == (0.0, 8.0)
    assert output_range(get_activation("identity"), np.array([-3.0, 1.0])) == (-4.0, 4.0)


def test_every_saturating_activation_declares_where_and_the_others_do_not():
    declared = {cls.name for cls in ACTIVATIONS.entries() if cls.saturation is not None}
    assert {"sigmoid", "tanh", "hard_tanh"} <= declared
    assert not declared & {"relu", "identity", "leaky_relu", "softplus", "abs"}
    assert [cls.name for cls in ACTIVATIONS.entries() if cls.dead_output is not None] == ["relu"]
    for cls in ACTIVATIONS.entries():  # saturation lies inside the outputs f can give
        if cls.saturation is not None:
            low, high = cls.value_range
            assert low <= cls.saturation[0] < cls.saturation[1] <= high, cls.name
    tanh = get_activation("tanh")
    a = np.tanh(np.array([[0.1, 3.0], [-3.0, 0.5]]))  # tanh 3 = 0.995
    assert saturated_share(tanh, a) == 0.5
    hard = get_activation("hard_tanh")
    assert saturated_share(hard, np.array([[1.0, 0.999, -1.0, 0.0]])) == 0.5  # on a bound only
    assert saturated_share(get_activation("relu"), a) is None


def test_a_relu_unit_that_is_zero_for_every_example_is_dead():
    exp = _experiment([DenseConfig(4, "relu"), DenseConfig(1, "sigmoid")])
    dense = exp.network.layers[0]
    dense.params["b"][2] = -1e6  # unit 3 is off for every point
    (first, _), x = layer_distributions(exp.network, exp.trainer.data.x_train), exp.trainer.data.x_train
    assert first.dead_units == (2,) and first.dead == 0.25
    assert first.saturated is None and first.a.edges[0] == 0.0
    assert first.a.total == len(x) * 4 and first.z.total == len(x) * 4
    assert dead_units(get_activation("relu"), np.zeros((0, 3))) == ()


def test_huge_weights_saturate_tanh_and_small_ones_do_not():
    exp = _experiment([DenseConfig(6, "tanh"), DenseConfig(1, "sigmoid")])
    W = exp.network.layers[0].params["W"]
    W *= 1e-3
    assert layer_distributions(exp.network, exp.trainer.data.x_train)[0].saturated == 0.0
    W *= 1e6
    calm, out = layer_distributions(exp.network, exp.trainer.data.x_train)
    assert calm.saturated > 0.9 and list(calm.a.edges[[0, -1]]) == [-1.0, 1.0]
    assert calm.z.edges[-1] == -calm.z.edges[0] >= np.abs(exp.network.layers[0].trace_values()["z"]).max()
    assert out.title == "layer 2 (1 sigmoid)" and out.saturated is not None


def test_weights_at_zero_and_l1s_pull_towards_it():
    zeros = _experiment([DenseConfig(4, "tanh", init="zeros"), DenseConfig(1, "sigmoid")])
    first = layer_distributions(zeros.network, zeros.trainer.data.x_train)[0]
    assert first.zero_weights == 1.0 and first.weights.counts.sum() == 8
    plain = _experiment([DenseConfig(16, "tanh"), DenseConfig(1, "sigmoid")], optimizer=("sgd", {"lr": 0.1}))
    l1 = _experiment([DenseConfig(16, "tanh"), DenseConfig(1, "sigmoid")], optimizer=("sgd", {"lr": 0.1}), l1=0.05)
    for exp in (plain, l1):
        exp.trainer.run(60)
    near = [layer_distributions(exp.network, exp.trainer.data.x_train)[0].near_zero_weights for exp in (plain, l1)]
    assert near[1] > near[0]  # L1 drives weights to (within NEAR_ZERO of) 0
    assert NEAR_ZERO > 0


def test_evaluation_mode_leaves_weights_and_running_statistics_alone():
    exp = _experiment([DenseConfig(5, "tanh"), DropoutConfig(0.5), BatchNormConfig(), DenseConfig(1, "sigmoid")],
                      batch_size=8)
    exp.trainer.run(2)
    before = [a.copy() for a in all_arrays(exp.network)]
    x = exp.trainer.data.x_train
    first, second = layer_distributions(exp.network, x)
    twice = layer_distributions(exp.network, x)
    assert all(np.array_equal(a, b) for a, b in zip(before, all_arrays(exp.network)))
    assert np.array_equal(first.a.counts, twice[0].a.counts)  # no dropout: the same every time
    assert first.z.counts.size == BINS
    some = layer_distributions(exp.network, x, limit=10)
    assert some[0].a.total == 10 * 5


@pytest.mark.parametrize("name", ACTIVATIONS.names())
def test_every_activation_gets_a_histogram(name):
    exp = _experiment([DenseConfig(3, name), DenseConfig(1, "sigmoid")])
    first = layer_distributions(exp.network, exp.trainer.data.x_train)[0]
    assert first.a.non_finite == 0 and first.a.below == first.a.above == 0


def _hand_net():
    """A 2-3-1 ReLU net with hand-set weights: on the points (1, 0), (0, 1), (1, 1)
    unit 1's z = x1 − x2, unit 2's z = x1 + x2 − 0.5, unit 3's z = −x1 − x2 (dead)."""
    exp = _experiment([DenseConfig(3, "relu"), DenseConfig(1, "sigmoid")])
    dense = exp.network.layers[0]
    dense.params["W"][...] = [[1.0, 1.0, -1.0], [-1.0, 1.0, -1.0]]
    dense.params["b"][...] = [0.0, -0.5, 0.0]
    out = exp.network.layers[1]
    out.params["W"][...] = [[0.0], [0.0], [0.0]]
    out.params["b"][...] = [0.0]
    return exp.network, np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])


def test_a_hand_worked_relu_layer():
    network, x = _hand_net()
    first, last = layer_distributions(network, x)
    # z rows: (1, 0.5, −1), (−1, 0.5, −1), (0, 1.5, −2); |z| ≤ 2: bins of 0.1 from −2 to 2
    assert list(first.z.edges[[0, -1]]) == [-2.0, 2.0]
    z_counts = dict(zip(np.round(first.z.edges[:-1], 6), first.z.counts))
    assert z_counts[-2.0] == 1 and z_counts[-1.0] == 3 and z_counts[0.0] == 1 and z_counts[0.5] == 2
    assert z_counts[1.0] == 1 and z_counts[1.5] == 1 and first.z.counts.sum() == 9
    # a = max(z, 0): 1, 0.5, 0 | 0, 0.5, 0 | 0, 1.5, 0: five zeros; a ≤ 1.5: bins from 0 to 2
    assert list(first.a.edges[[0, -1]]) == [0.0, 2.0] and first.a.counts[0] == 5
    assert first.dead_units == (2,) and first.dead == pytest.approx(1 / 3)
    assert first.zero_weight_count == 0 and first.near_zero_weight_count == 0
    assert last.zero_weight_count == 3 and last.zero_weights == 1.0  # the output's W is all 0
    assert last.saturated == 0.0  # σ(0) = 0.5 for every point


def test_the_views_sentences_give_the_hand_worked_numbers():
    network, x = _hand_net()
    first, last = layer_distributions(network, x)
    values, activity, weights = summary_lines(first, len(x))
    assert values == "z and a: 9 values each (3 points × 3 units)."
    assert activity == "Dead: 1 of 3 units (33.3 %) output 0 for every point: unit 3."
    assert weights == "W (2 × 3 = 6 weights): 0 exactly 0 (0 %), 0 within 0.001 of 0 (0 %)."
    assert summary_lines(last, 3)[1].startswith("Saturated: 0 % of the outputs (a ≤ 0.01 or a ≥ 0.99")
    assert summary_lines(last, 3)[2] == "W (3 × 1 = 3 weights): 3 exactly 0 (100 %), 3 within 0.001 of 0 (100 %)."
    identity = layer_distributions(_experiment([DenseConfig(2, "identity"), DenseConfig(1, "sigmoid")]).network, x)
    assert summary_lines(identity[0], 3)[1] == "identity neither saturates nor has dead units."


def test_percentages_never_round_a_few_away():
    assert [percent(s) for s in (0.0, 1.0, 0.0004, 0.9996, 0.125, 0.5)] == \
        ["0 %", "100 %", "< 0.1 %", "> 99.9 %", "12.5 %", "50 %"]


def test_a_large_training_set_is_sampled_within_the_work_budget():
    assert rows_within(100, 1000, budget=200_000) is None  # 100,000 multiply-adds: all rows
    assert rows_within(100, 3000, budget=200_000) == 2000
    assert rows_within(10**6, 3000, budget=200_000) == 100  # never fewer than 100
    exp = _experiment([DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")])
    x = exp.trainer.data.x_train
    every = training_set_distributions(exp.network, x)
    assert (every.points, every.total) == (len(x), len(x)) and every.source.startswith("over all 45 training")
    assert every.layers[0].z.total == len(x) * 4
    from nnplay.core.distributions import TrainingSetDistributions

    assert TrainingSetDistributions([], 2000, 50_000).source == \
        "over 2,000 of the 50,000 training points (evenly spread), in evaluation mode"


def test_the_probe_histograms_the_training_set_in_float64_on_its_own_network():
    from nnplay.core.probes import DISTRIBUTIONS, NEEDS_WEIGHTS, Probe
    from nnplay.core.snapshot import Snapshotter

    exp = _experiment([DenseConfig(5, "tanh"), DenseConfig(1, "sigmoid")])
    exp.trainer.run(3)
    assert DISTRIBUTIONS in NEEDS_WEIGHTS
    snapshot = Snapshotter(exp.trainer).take(weights=True, final=True)
    before = [a.copy() for a in all_arrays(exp.network)]
    result = Probe(exp).compute({DISTRIBUTIONS}, snapshot, None)[DISTRIBUTIONS]
    x = exp.trainer.data.x_train
    outputs = exp.network.outputs_by_layer(x)
    first = result.layers[0]
    assert np.array_equal(first.a.counts, np.histogram(outputs[0], bins=first.a.edges)[0])
    assert result.points == result.total == len(x)
    assert all(np.array_equal(a, b) for a, b in zip(before, all_arrays(exp.network)))
    assert Probe(exp).compute({DISTRIBUTIONS}, Snapshotter(exp.trainer).take(final=True), None) == {}


def test_each_histogram_title_carries_its_number():
    network, x = _hand_net()
    first, last = layer_distributions(network, x)
    assert histogram_titles(first) == (("Pre-activations", "z = xW + b"), ("Activations a = f(z)", "1 of 3 units dead"),
                                       ("Weights W", "0 of 6 exactly 0"))
    assert histogram_titles(last)[1:] == (("Activations a = f(z)", "0 % saturated"), ("Weights W", "3 of 3 exactly 0"))
    identity = layer_distributions(_experiment([DenseConfig(2, "identity"), DenseConfig(1, "sigmoid")]).network, x)
    assert histogram_titles(identity[0])[1] == ("Activations a = f(z)", "")

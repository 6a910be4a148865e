"""Back-propagation traced (nnplay.core.backprop): every gradient it shows is the
engine's, bit for bit; Apply is the run's own update, so the run resumes from it as if
it had made it; the finite differences agree within the gradient check's tolerance;
tracing leaves the run untouched; and a 2-2-1 net worked by hand."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from nnplay.core import Experiment
from nnplay.core.backprop import (POINT, Trace, apply, apply_problem, next_batch, next_batch_problem,
                                  point_batch)
from nnplay.core.backprop.batch import POINT_STREAM
from nnplay.core.config import BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, PretrainingConfig
from nnplay.core.optimizers import OPTIMIZERS

from .helpers import all_arrays, assert_bit_identical, config

REGRESSION = DataConfig(name="sine", n=40, noise=0.05, seed=2, validation_fraction=0.25)
BLOBS = DataConfig(name="blobs", n=60, noise=0.3, seed=3, validation_fraction=0.2, classes=3)

#: networks that reach every branch: each loss (from the logits or from a), each layer type,
#: the penalties, input noise, an optimizer with state
CASES = {
    "nll-sigmoid": config(batch_size=8),
    "nllm-softmax": config([DenseConfig(5, "relu"), DenseConfig(3, "softmax")], task="multiclass", loss="nllm",
                           data=BLOBS, batch_size=7, optimizer=("momentum", {"lr": 0.05})),
    "squared-dropout-batchnorm": config(
        [DenseConfig(6, "tanh"), DropoutConfig(0.3), BatchNormConfig(), DenseConfig(4, "sigmoid"),
         DenseConfig(1, "identity")], task="regression", loss="squared", data=REGRESSION, features=("x1",),
        batch_size=6, l2=0.01, l1=0.002, input_noise=0.1, optimizer=("adam", {"lr": 0.01})),
    "hinge": config([DenseConfig(3, "softplus"), DenseConfig(1, "identity")], loss="hinge", batch_size=5,
                    optimizer=("rmsprop", {"lr": 0.01})),
    "mae-full-batch": config([DenseConfig(4, "leaky_relu"), DenseConfig(1, "identity")], task="regression",
                             loss="mae", data=REGRESSION, features=("x1",), batch_size=0,
                             optimizer=("adagrad", {"lr": 0.05})),
    "squared-binary": config([DenseConfig(3, "tanh"), DenseConfig(1, "identity")], loss="squared",
                                 batch_size=4, optimizer=("nesterov", {"lr": 0.05})),
}


def _experiment(name: str, epochs: int = 2, updates: int = 3) -> Experiment:
    """The case trained a little, then paused ``updates`` into the next epoch."""
    exp = Experiment(CASES[name])
    exp.trainer.run(epochs)
    _run_updates(exp, updates)
    return exp


def _run_updates(exp: Experiment, n: int) -> None:
    seen = []

    def count(t):
        seen.append(1)
        if len(seen) >= n:
            t.request_stop()

    if n:
        exp.trainer.run(exp.trainer.epoch + 2, on_update=count)


def _twin(exp: Experiment) -> Experiment:
    """The same run, rebuilt from what a file would hold (which resumes exactly)."""
    return Experiment(exp.to_config())


def _engine_gradients_of_next_update(exp: Experiment) -> dict[str, np.ndarray]:
    """The gradients the run's own next update computes, read from its layers."""
    twin = _twin(exp)
    _run_updates(twin, 1)
    return {key: g.copy() for key, _, g in twin.network.parameters_and_grads()}


@pytest.mark.parametrize("name", CASES)
def test_every_gradient_shown_is_the_engines_bit_for_bit(name):
    exp = _experiment(name)
    trace = Trace(exp.trainer, next_batch(exp.trainer))
    engine = _engine_gradients_of_next_update(exp)
    assert set(trace.gradients) == set(engine)
    for key, g in engine.items():
        assert np.array_equal(trace.gradients[key], g), key
        layer, param = key.split(".")
        assert np.array_equal(trace.values[f"{layer}.d{param}"], g)


@pytest.mark.parametrize("name", CASES)
def test_apply_on_the_next_batch_is_the_runs_next_update_and_the_run_goes_on_from_it(name):
    exp = _experiment(name)
    reference = _twin(exp)
    trace = Trace(exp.trainer, next_batch(exp.trainer))
    assert apply_problem(exp.trainer, trace) is None
    applied = apply(exp.trainer, trace)
    assert applied.updates == 1 and applied.stop_reason is None
    _run_updates(reference, 1)
    assert_bit_identical(exp.network, reference.network)
    for got, predicted in zip(exp.network.get_weights(), trace.new_weights()):  # what the dialog showed
        for array in got:
            assert np.array_equal(got[array], predicted[array]), array
    for key in trace.parameter_keys:
        for slot, value in trace.new_state(key).items():
            assert np.array_equal(exp.optimizer.state[key][slot], value), (key, slot)
    assert exp.optimizer.t == trace.t
    # the run resumes from the applied update as from its own: to the end of the next epoch …
    exp.trainer.run(exp.trainer.epoch + 1)
    reference.trainer.run(reference.trainer.epoch + 1)
    assert_bit_identical(exp.network, reference.network)
    assert exp.trainer.history.to_dict() == reference.trainer.history.to_dict()
    # … and so does a file saved right after it
    exp2 = _experiment(name)
    apply(exp2.trainer, Trace(exp2.trainer, next_batch(exp2.trainer)))
    reopened = _twin(exp2)
    reopened.trainer.run(reopened.trainer.epoch + 1)
    assert_bit_identical(reopened.network, reference.network)


@pytest.mark.parametrize("updates", [0, 1, "last"])
def test_the_next_batch_at_an_epochs_start_middle_and_end(updates):
    """Paused after an epoch's last update, the run evaluates that epoch first: the next
    batch is then the first of the next epoch, at that epoch's η."""
    exp = Experiment(config(batch_size=16, schedule=("exponential", {"k": 0.5}), optimizer=("sgd", {"lr": 0.4})))
    exp.trainer.run(1)
    per_epoch = exp.trainer.updates_per_epoch
    _run_updates(exp, per_epoch if updates == "last" else updates)
    batch = next_batch(exp.trainer)
    assert batch.ends_epoch_first == (updates == "last")
    assert batch.epoch == (2 if updates == "last" else 1)
    assert batch.update == (0 if updates == "last" else updates)
    trace = Trace(exp.trainer, batch)
    assert trace.lr == 0.4 * 0.5 ** batch.epoch
    reference = _twin(exp)
    applied = apply(exp.trainer, trace)
    assert applied.updates == 1
    _run_updates(reference, 1)
    assert_bit_identical(exp.network, reference.network)
    assert (exp.trainer.epoch, exp.trainer.update_in_epoch) == (batch.epoch, batch.update + 1)
    assert len(exp.trainer.history) == batch.epoch  # the finished epoch was evaluated first


def test_the_next_batch_takes_the_runs_rows_noise_and_masks():
    exp = _experiment("squared-dropout-batchnorm")
    batch = next_batch(exp.trainer)
    seen = {}
    original = exp.network.forward

    def record(x, training=False, rng=None, outputs=None):
        if training:  # the update's pass (the divergence rule's reference loss is evaluated too)
            seen["x"] = np.array(x)
            seen["state"] = copy.deepcopy(rng.bit_generator.state)
        return original(x, training, rng, outputs)

    exp.network.forward = record
    apply(exp.trainer, Trace(exp.trainer, batch))
    assert np.array_equal(seen["x"], batch.x)  # the same rows, the same noise
    assert seen["state"] == batch.masks  # the same generator state, so the same dropout masks
    assert batch.noise is not None and len(batch) == 6


@pytest.mark.parametrize("name", ["nll-sigmoid", "squared-dropout-batchnorm"])
def test_tracing_leaves_the_run_untouched(name):
    exp = _experiment(name)
    untouched = _twin(exp)
    grads_before = [g.copy() for _, _, g in exp.network.parameters_and_grads()]
    state_before = exp.trainer.resume_state()["rng"]
    for batch in (next_batch(exp.trainer), point_batch(exp.trainer, 3)):
        trace = Trace(exp.trainer, batch)
        for key in trace.parameter_keys:  # every finite difference: many training-mode passes
            for i in range(trace.gradients[key].size):
                trace.finite_difference(key, i)
    assert exp.trainer.resume_state()["rng"] == state_before  # no random number drawn from the run's stream
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(exp.network), all_arrays(untouched.network)))
    assert all(np.array_equal(g, before) for (_, _, g), before in zip(exp.network.parameters_and_grads(),
                                                                         grads_before))
    exp.trainer.run(exp.trainer.epoch + 1)
    untouched.trainer.run(untouched.trainer.epoch + 1)
    assert_bit_identical(exp.network, untouched.network)


@pytest.mark.parametrize("name", CASES)
def test_finite_differences_agree_within_the_gradient_checks_tolerance(name):
    exp = _experiment(name)
    for batch in (next_batch(exp.trainer), point_batch(exp.trainer, 0)):
        trace = Trace(exp.trainer, batch)
        for key in trace.parameter_keys:
            for i in range(trace.gradients[key].size):
                check = trace.finite_difference(key, i)
                assert check.analytic == trace.gradients[key].reshape(-1)[i]
                assert check.agrees, (key, i, check)


def test_a_point_is_traced_alone_with_its_own_stream_and_applied_as_one_update():
    exp = _experiment("squared-dropout-batchnorm")
    trainer = exp.trainer
    position = (trainer.epoch, trainer.update_in_epoch, trainer.resume_state()["rng"])
    batch = point_batch(trainer, 5)
    assert batch.kind == POINT and list(batch.indices) == [5] and len(batch.x) == 1
    assert np.array_equal(batch.x - batch.noise, trainer.data.x_train[[5]])
    stream = np.random.default_rng([trainer.training.seed, trainer.epoch, trainer.update_in_epoch, 5, POINT_STREAM])
    assert np.array_equal(batch.noise, stream.normal(0.0, trainer.training.input_noise, (1, 1)))
    assert batch.masks == stream.bit_generator.state  # the dropout masks come next from that stream
    trace = Trace(trainer, batch)
    # the engine on that point, with that stream: the same gradients
    net = copy.deepcopy(exp.network)
    net.forward(batch.x, True, np.random.Generator(_state_after_noise(trainer, 5)))
    net.backward(batch.y)
    for key, _, g in net.parameters_and_grads():
        assert np.array_equal(trace.gradients[key], g), key
    t = exp.optimizer.t
    assert apply(trainer, trace).updates == 1
    for got, predicted in zip(exp.network.get_weights(), trace.new_weights()):
        for array in got:
            assert np.array_equal(got[array], predicted[array]), array
    assert exp.optimizer.t == t + 1
    # the run's place in its epoch and its stream stay where they were
    assert (trainer.epoch, trainer.update_in_epoch, trainer.resume_state()["rng"]) == position
    assert apply_problem(trainer, trace) is not None  # the weights moved: the trace is out of date


def _state_after_noise(trainer, index):
    rng = np.random.default_rng([trainer.training.seed, trainer.epoch, trainer.update_in_epoch, index,
                                 POINT_STREAM])
    rng.normal(0.0, trainer.training.input_noise, (1, 1))
    return rng.bit_generator


@pytest.mark.parametrize("name", sorted(OPTIMIZERS.names()))
def test_apply_with_each_optimizers_state_equals_a_training_update(name):
    exp = Experiment(config(batch_size=8, optimizer=(name, {})))
    exp.trainer.run(2)  # the optimizer has state (Adam's m and v, momentum's v …)
    _run_updates(exp, 2)
    reference = _twin(exp)
    trace = Trace(exp.trainer, next_batch(exp.trainer))
    assert [step.stores for step in trace.updates["layer0.W"]][-1] == "w"
    apply(exp.trainer, trace)
    _run_updates(reference, 1)
    assert_bit_identical(exp.network, reference.network)
    for key in trace.parameter_keys:
        assert set(trace.new_state(key)) == set(OPTIMIZERS.get(name).slots)
        for slot, value in trace.new_state(key).items():
            assert np.array_equal(reference.optimizer.state[key][slot], value), (key, slot)


def test_a_changed_network_makes_the_trace_out_of_date():
    exp = _experiment("nll-sigmoid")
    trace = Trace(exp.trainer, next_batch(exp.trainer))
    assert trace.is_current(exp.trainer)
    exp.optimizer.hyper["lr"] = 0.5  # a live edit
    assert not trace.is_current(exp.trainer)
    assert "changed" in apply_problem(exp.trainer, trace)


def test_pretraining_to_run_comes_before_any_next_batch():
    exp = Experiment(config([DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")], batch_size=8,
                            pretraining=PretrainingConfig(epochs=2)))
    assert "Pre-training" in next_batch_problem(exp.trainer)
    trace = Trace(exp.trainer, point_batch(exp.trainer, 0))  # a point can still be traced …
    assert "Pre-training" in apply_problem(exp.trainer, trace)  # … but not applied before it
    exp.trainer.run(0)  # runs the pre-training
    assert next_batch_problem(exp.trainer) is None


def test_a_non_finite_loss_cannot_be_applied():
    exp = _experiment("squared-binary")
    exp.network.layers[1].params["W"][0, 0] = np.inf  # an infinite output
    trace = Trace(exp.trainer, next_batch(exp.trainer))
    assert not trace.finite
    assert "finite" in apply_problem(exp.trainer, trace)


# ---------------------------------------------------------------- a 2-2-1 net by hand
def _hand_net(loss="nll", output="sigmoid", hidden="tanh", optimizer=("sgd", {"lr": 0.1}), l2=0.0):
    cfg = config([DenseConfig(2, hidden), DenseConfig(1, output)], loss=loss, optimizer=optimizer, l2=l2,
                 batch_size=1, data=DataConfig(source="inline", x=[[1.0, 2.0], [-1.0, 0.5]], y=[1, 0],
                                               validation_fraction=0.0))
    cfg.weights = [{"W": [[0.5, -0.5], [0.25, 0.75]], "b": [0.1, -0.1]}, {"W": [[1.0], [-1.0]], "b": [0.2]}]
    exp = Experiment(cfg)
    return exp, Trace(exp.trainer, point_batch(exp.trainer, 0))  # x = (1, 2), y = 1


def test_a_2_2_1_tanh_sigmoid_net_worked_by_hand():
    exp, trace = _hand_net()
    v = trace.values
    # forward: z¹ = x·W¹ + b¹ = (1·0.5 + 2·0.25 + 0.1, 1·(−0.5) + 2·0.75 − 0.1) = (1.1, 0.9)
    assert v["layer0.z"][0] == pytest.approx([1.1, 0.9], rel=1e-15)
    a1 = [math.tanh(1.1), math.tanh(0.9)]  # (0.80049902, 0.71629787)
    assert v["layer0.a"][0] == pytest.approx(a1, rel=1e-15)
    z2 = a1[0] * 1.0 + a1[1] * -1.0 + 0.2  # 0.28420115
    assert v["layer1.z"][0, 0] == pytest.approx(z2, rel=1e-14)
    a2 = 1 / (1 + math.exp(-z2))  # σ(z²) = 0.57057...
    assert v["layer1.a"][0, 0] == pytest.approx(a2, rel=1e-14)
    # nll with y = 1: L = −log a² = log(1 + e^−z²)
    assert v["loss.J"] == pytest.approx(math.log(1 + math.exp(-z2)), rel=1e-14)
    # backward: δ² = a² − y; ∂J/∂W² = a¹ δ²; ∂J/∂b² = δ²
    d2 = a2 - 1.0  # −0.42942...
    assert "layer1.dout" not in v  # the loss read z²: no ∂J/∂a² on the way
    assert v["layer1.delta"][0, 0] == pytest.approx(d2, rel=1e-14)
    assert trace.gradients["layer1.W"][:, 0] == pytest.approx([a1[0] * d2, a1[1] * d2], rel=1e-14)
    assert trace.gradients["layer1.b"] == pytest.approx([d2], rel=1e-14)
    # ∂J/∂a¹ = δ² W²ᵀ = (δ², −δ²); δ¹ = (1 − (a¹)²) ⊙ ∂J/∂a¹; ∂J/∂W¹ = xᵀ δ¹
    assert v["layer1.din"][0] == pytest.approx([d2, -d2], rel=1e-14)
    d1 = [(1 - a1[0] ** 2) * d2, (1 - a1[1] ** 2) * -d2]
    assert v["layer0.delta"][0] == pytest.approx(d1, rel=1e-13)
    assert trace.gradients["layer0.W"] == pytest.approx(np.array([[d1[0], d1[1]], [2 * d1[0], 2 * d1[1]]]),
                                                        rel=1e-13)
    assert "layer0.din" not in v  # nothing below the first layer needs it
    # SGD, η = 0.1: w ← w − η g
    new = trace.new_weights()
    assert new[1]["W"][:, 0] == pytest.approx([1.0 - 0.1 * a1[0] * d2, -1.0 - 0.1 * a1[1] * d2], rel=1e-14)
    assert new[0]["b"] == pytest.approx([0.1 - 0.1 * d1[0], -0.1 - 0.1 * d1[1]], rel=1e-13)
    sgd = trace.updates["layer1.b"][0]
    assert sgd.expression == "{w} − {η}·{g}" and sgd.operands["η"] == 0.1 and sgd.operands["w"][0] == 0.2


def test_a_linear_2_2_1_net_with_squared_loss_and_l2_in_exact_numbers():
    """Identity units and numbers that are exact in binary: every value to the bit."""
    exp, trace = _hand_net(loss="squared", output="identity", hidden="identity", l2=0.5)
    v = trace.values
    # z¹ = (1.1, 0.9) as above; a¹ = z¹; z² = 1.1 − 0.9 + 0.2 = 0.4; a² = 0.4
    assert v["layer1.a"][0, 0] == pytest.approx(0.4, rel=1e-15)
    # L = (a − y)² = 0.36; penalty λ₂ Σ W² = 0.5 · (0.25 + 0.25 + 0.0625 + 0.5625 + 1 + 1) = 1.5625
    assert v["loss.data"] == pytest.approx(0.36, rel=1e-15)
    assert v["loss.l2"] == 1.5625 and v["loss.J"] == pytest.approx(1.9225, rel=1e-15)
    # ∂J/∂a² = 2 (a − y) = −1.2 = δ²
    assert v["layer1.dout"][0, 0] == pytest.approx(-1.2, rel=1e-15)
    assert v["layer1.delta"][0, 0] == pytest.approx(-1.2, rel=1e-15)
    # ∂J/∂W² = a¹ δ² + 2λ₂ W² = (1.1 · −1.2 + 1, 0.9 · −1.2 − 1) = (−0.32, −2.08)
    assert v["layer1.dW_data"][:, 0] == pytest.approx([-1.32, -1.08], rel=1e-15)
    assert v["layer1.dW_l2"][:, 0] == pytest.approx([1.0, -1.0], rel=1e-15)
    assert trace.gradients["layer1.W"][:, 0] == pytest.approx([-0.32, -2.08], rel=1e-14)
    # δ¹ = ∂J/∂a¹ = δ² W²ᵀ = (−1.2, 1.2); ∂J/∂W¹ = xᵀ δ¹ + 2λ₂ W¹ = [[−1.2 + 0.5, 1.2 − 0.5], [−2.4 + 0.25, 2.4 + 0.75]]
    assert v["layer0.delta"][0] == pytest.approx([-1.2, 1.2], rel=1e-15)
    assert trace.gradients["layer0.W"] == pytest.approx(np.array([[-0.7, 0.7], [-2.15, 3.15]]), rel=1e-14)
    assert trace.gradients["layer0.b"] == pytest.approx([-1.2, 1.2], rel=1e-15)


def test_a_click_picks_the_nearest_training_point_within_reach():
    from nnplay.core.backprop import nearest_training_point

    exp = _experiment("nll-sigmoid")
    train = exp.split.train
    x, y = train.x[7]
    assert nearest_training_point(train, x + 0.01, y - 0.01) == 7
    assert nearest_training_point(train, 50.0, 50.0) is None  # far from every point
    curve = _experiment("mae-full-batch").split.train  # 1-D: x₁ across, the target up
    assert nearest_training_point(curve, curve.x[3, 0], curve.y[3]) == 3


def test_a_batch_says_which_update_it_is():
    from nnplay.core.backprop.batch import describe_batch

    exp = Experiment(config(batch_size=16))
    exp.trainer.run(1)
    text = describe_batch(next_batch(exp.trainer), exp.trainer)
    assert text == ("The run's next update: epoch 2, update 1 of 3, on 16 training points, with the run's own "
                    "random draws.")
    assert describe_batch(point_batch(exp.trainer, 4), exp.trainer).startswith("Training point 5 of 45, alone")


def test_apply_reports_a_run_that_stops_at_the_epoch_end_before_the_update():
    """Paused after an epoch's last update, the run evaluates that epoch first; if early
    stopping ends it there, Apply makes no update and says why."""
    from nnplay.core import StopReason
    from nnplay.core.config import EarlyStoppingConfig

    exp = Experiment(config(batch_size=16, early_stopping=EarlyStoppingConfig(patience=1, restore_best=False)))
    exp.trainer.run(1)
    exp.trainer._best = {"loss": -math.inf, "epoch": 1, "weights": None}  # nothing will beat it
    _run_updates(exp, exp.trainer.updates_per_epoch)
    trace = Trace(exp.trainer, next_batch(exp.trainer))
    assert trace.batch.ends_epoch_first
    weights = exp.network.get_weights()
    applied = apply(exp.trainer, trace)
    assert applied.updates == 0 and applied.stop_reason == StopReason.EARLY_STOPPED
    assert all(np.array_equal(a[k], b[k]) for a, b in zip(exp.network.get_weights(), weights) for k in a)

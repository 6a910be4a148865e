"""What a change of the layers keeps of a trained network (issue 13): a weightless layer
(dropout) added, removed, moved or changed keeps every weight; any other change says why
the weights start afresh."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from nnplay.core import Experiment
from nnplay.core.config import BatchNormConfig, DenseConfig, DropoutConfig, EarlyStoppingConfig
from nnplay.core.layer_edits import carry_over, layer_map, restart_question, restart_reason

from .helpers import config


def _trained(layers, epochs=3, **kw):
    exp = Experiment(config(layers, batch_size=8, **kw))
    exp.trainer.run(epochs)
    exp.trainer.run(epochs + 1, on_update=lambda t: t.request_stop() if t.update_in_epoch == 2 else None)
    return exp


def _with(cfg, layers):
    out = copy.deepcopy(cfg)
    out.layers = layers
    out.weights = out.optimizer_state = out.history = out.resume = None
    out.epoch = 0
    return out


BASE = [DenseConfig(6, "tanh"), DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")]


@pytest.mark.parametrize("layers, moved", [
    ([DenseConfig(6, "tanh"), DropoutConfig(0.3), DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")],
     {0: 0, 1: 2, 2: 3}),
    ([DropoutConfig(0.1), DenseConfig(6, "tanh"), DenseConfig(4, "tanh"), DropoutConfig(0.5),
      DenseConfig(1, "sigmoid")], {0: 1, 1: 2, 2: 4}),
])
def test_dropout_added_keeps_every_weight_state_epoch_and_history(layers, moved):
    exp = _trained(BASE)
    current = exp.to_config()
    assert layer_map(current, _with(current, layers)) == moved
    state = carry_over(current, _with(current, layers))
    after = Experiment(state)
    for i, j in moved.items():
        for name, arr in current.weights[i].items():
            assert np.array_equal(after.network.get_weights()[j][name], arr)
    slots = after.optimizer.state_dict()["slots"]
    for key, value in current.optimizer_state["slots"].items():
        i, name = key.removeprefix("layer").split(".")
        assert all(np.array_equal(value[s], slots[f"layer{moved[int(i)]}.{name}"][s]) for s in value)
    assert after.trainer.epoch == exp.trainer.epoch and after.trainer.update_in_epoch == 2
    assert after.trainer.history.to_dict() == exp.trainer.history.to_dict()
    points = np.random.default_rng(0).uniform(-3, 3, (20, 2))
    assert np.array_equal(after.predict(points), exp.predict(points))  # dropout is off when predicting
    after.trainer.run(exp.trainer.epoch + 2)  # and it trains on
    assert after.trainer.epoch == exp.trainer.epoch + 2


def test_dropout_removed_moved_or_changed_keeps_the_weights_too():
    with_dropout = [DenseConfig(6, "tanh"), DropoutConfig(0.3), DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")]
    exp = _trained(with_dropout, early_stopping=EarlyStoppingConfig(50))
    current = exp.to_config()
    for layers in (BASE,
                   [DenseConfig(6, "tanh"), DenseConfig(4, "tanh"), DropoutConfig(0.3), DenseConfig(1, "sigmoid")],
                   [DenseConfig(6, "tanh"), DropoutConfig(0.6), DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")]):
        state = carry_over(current, _with(current, layers))
        assert state is not None
        after = Experiment(state)
        kept = [w for w in after.network.get_weights() if w]
        assert all(np.array_equal(a["W"], b["W"]) for a, b in zip(kept, [w for w in current.weights if w]))
        best = state.resume["best"]["weights"]  # early stopping's best copy moves with its layers
        assert [bool(w) for w in best] == [layer.type != "dropout" for layer in layers]


@pytest.mark.parametrize("layers", [
    [DenseConfig(6, "tanh"), DenseConfig(3, "tanh"), DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")],
    [DenseConfig(6, "tanh"), BatchNormConfig(), DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")],
    [DenseConfig(6, "relu"), DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")],
    [DenseConfig(5, "tanh"), DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")],
    [DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")],
])
def test_a_layer_with_weights_changed_keeps_nothing(layers):
    cfg = config(BASE)
    assert layer_map(cfg, _with(cfg, layers)) is None and carry_over(cfg, _with(cfg, layers)) is None


def test_the_prompt_says_why_the_weights_start_afresh():
    cfg = config(BASE)
    cases = {
        "adds layer 3 (dense), which has weights of its own to learn":
            [DenseConfig(6, "tanh"), DenseConfig(4, "tanh"), DenseConfig(3, "tanh"), DenseConfig(1, "sigmoid")],
        "adds layer 2 (batchnorm), which has weights of its own to learn":
            [DenseConfig(6, "tanh"), BatchNormConfig(), DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")],
        "removes layer 1 (dense), whose weights the layers after it were trained with":
            [DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")],
        "gives layer 2 (dense) 9 units instead of 4, so its weights and the next layer's no longer fit":
            [DenseConfig(6, "tanh"), DenseConfig(9, "tanh"), DenseConfig(1, "sigmoid")],
        "gives layer 3 (the output layer, dense) the identity activation instead of sigmoid: the trained "
        "weights were learnt for sigmoid":
            [DenseConfig(6, "tanh"), DenseConfig(4, "tanh"), DenseConfig(1, "identity")],
    }
    for reason, layers in cases.items():
        assert restart_reason(cfg, _with(cfg, layers)) == reason
    moved = restart_reason(cfg, _with(cfg, [DenseConfig(4, "tanh"), DenseConfig(6, "tanh"), DenseConfig(1, "sigmoid")]))
    assert moved.startswith("moves layer 1 (dense) among the layers with weights")
    features = _with(cfg, BASE)
    features.features = ["x1", "x2", "x1*x2"]
    assert "input features" in restart_reason(cfg, features)
    question = restart_question("Add Dense layer", cfg, _with(cfg, list(cases.values())[0]))
    assert question.startswith("“Add Dense layer” adds layer 3 (dense)") and "no longer fit" not in question

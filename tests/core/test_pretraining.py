"""Pre-training with autoencoders (SPEC §1): the autoencoder's gradients against finite
differences and hand-worked values, and the phase the trainer runs before epoch 1:
which layers, what stays fixed, its streams, resuming, divergence, when it runs."""

import math

import numpy as np
import pytest

from nnplay.core import Experiment, StopReason
from nnplay.core.activations import ACTIVATIONS
from nnplay.core.config import BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, PretrainingConfig
from nnplay.core.layers import Dense
from nnplay.core.pretraining import PRETRAINING_STREAM, Autoencoder, hidden_dense_layers, layer_input
from nnplay.core.pretraining_progress import PATH, pretraining_race_variants, progress
from nnplay.io.networkfile import dumps_network, loads_network

from .helpers import assert_bit_identical, assert_grad_close, config, numeric_grad

DECODER_ACTIVATIONS = ACTIVATIONS.names()


def _autoencoder(tied, decoder_activation, encoder_activation="tanh", seed=0):
    rng = np.random.default_rng(seed)
    layer = Dense(3, 4, encoder_activation)
    layer.params["W"][...] = rng.normal(0, 0.8, (3, 4))
    layer.params["b"][...] = rng.normal(0, 0.3, 4)
    ae = Autoencoder(layer, tied, decoder_activation)
    ae.c[...] = rng.normal(0, 0.3, 3)
    if not tied:
        ae.V[...] += rng.normal(0, 0.3, ae.V.shape)  # no longer Wᵀ: the two must not be confused
    h = rng.normal(0, 1, (5, 3))
    h_in = h + rng.normal(0, 0.4, h.shape)  # a noisy input: ∂E/∂W multiplies by it, not by H
    return ae, h, h_in


# ---------------------------------------------------------------- the autoencoder's math
@pytest.mark.parametrize("tied", [True, False], ids=["tied", "untied"])
@pytest.mark.parametrize("decoder_activation", DECODER_ACTIVATIONS)
def test_autoencoder_gradients_match_finite_differences(tied, decoder_activation):
    for encoder in ("tanh", "sigmoid", "softplus"):
        ae, h, h_in = _autoencoder(tied, decoder_activation, encoder)
        ae.forward(h_in)
        ae.backward(h)
        arrays = ae.arrays()
        assert set(arrays) == ({"W", "b", "c"} if tied else {"W", "b", "V", "c"})
        for name, arr in arrays.items():
            numeric = numeric_grad(lambda _: ae.loss(ae.forward(h_in), h), arr)
            assert_grad_close(ae.grads[name], numeric, atol=1e-6, rtol=1e-5)


def test_tied_decoder_is_the_transpose_of_w_itself():
    ae, h, _ = _autoencoder(True, "identity")
    ae.layer.params["W"][0, 0] += 1.0
    assert ae.decoder_weights[0, 0] == ae.layer.params["W"][0, 0]
    assert ae.V is None


def test_untied_decoder_starts_as_a_copy_of_w_transposed_and_c_at_zero():
    layer = Dense(3, 2, "sigmoid")
    layer.initialize(np.random.default_rng(1))
    ae = Autoencoder(layer, False, "identity")
    np.testing.assert_array_equal(ae.V, layer.params["W"].T)
    ae.V[0, 0] += 1.0
    assert layer.params["W"][0, 0] != ae.V[0, 0]
    np.testing.assert_array_equal(ae.c, np.zeros(3))


def _hand_worked(tied):
    """2 inputs → 1 identity unit, W = [[1], [2]], b = 0.5, H = [[1, -1]], identity decoder.

    Z = 1 − 2 + 0.5 = −0.5 = C;  R = C V = −0.5 [1, 2] = [−0.5, −1];  R − H = [−1.5, 0];
    E = 2.25;  dR = dY = [−3, 0];  ∂E/∂V = C dY = [[1.5, 0]];  ∂E/∂c = [−3, 0];
    dC = dY Vᵀ = −3 = dZ;  Hᵀ dZ = [[−3], [3]];  ∂E/∂b = −3.
    Tied: ∂E/∂W = [[−3], [3]] + [[1.5], [0]] = [[−1.5], [3]]."""
    layer = Dense(2, 1, "identity")
    layer.params["W"][...] = [[1.0], [2.0]]
    layer.params["b"][...] = [0.5]
    ae = Autoencoder(layer, tied, "identity")
    h = np.array([[1.0, -1.0]])
    return ae, h


@pytest.mark.parametrize("tied", [True, False], ids=["tied", "untied"])
def test_autoencoder_against_hand_worked_values(tied):
    ae, h = _hand_worked(tied)
    np.testing.assert_array_equal(ae.forward(h), [[-0.5, -1.0]])
    assert ae.loss(ae.forward(h), h) == 2.25
    ae.backward(h)
    np.testing.assert_array_equal(ae.grads["b"], [-3.0])
    np.testing.assert_array_equal(ae.grads["c"], [-3.0, 0.0])
    if tied:
        np.testing.assert_array_equal(ae.grads["W"], [[-1.5], [3.0]])
    else:
        np.testing.assert_array_equal(ae.grads["W"], [[-3.0], [3.0]])
        np.testing.assert_array_equal(ae.grads["V"], [[1.5, 0.0]])


def _one_point_file(tied):
    """The hand-worked autoencoder as a network file: one point, full batch, SGD η = 0.1."""
    cfg = config([DenseConfig(1, "identity"), DenseConfig(1, "sigmoid")], optimizer=("sgd", {"lr": 0.1}),
                 data=DataConfig("inline", x=[[1.0, -1.0]], y=[1], validation_fraction=0.0), batch_size=0)
    cfg.weights = [{"W": np.array([[1.0], [2.0]]), "b": np.array([0.5])},
                   {"W": np.array([[0.7]]), "b": np.array([0.1])}]
    cfg.training.pretraining = PretrainingConfig(epochs=1, decoder="tied" if tied else "untied")
    return cfg


@pytest.mark.parametrize("tied", [True, False], ids=["tied", "untied"])
def test_one_pretraining_step_against_hand_worked_values(tied):
    """W ← W − 0.1 ∂E/∂W, b ← 0.5 + 0.3; the output layer untouched; history has E after the step."""
    exp = Experiment(_one_point_file(tied))
    assert exp.trainer.run(0) is StopReason.FINISHED
    W, b = exp.network.layers[0].params["W"], exp.network.layers[0].params["b"]
    np.testing.assert_allclose(W, [[1.15], [1.7]] if tied else [[1.3], [1.7]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(b, [0.8], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(exp.network.layers[1].params["W"], [[0.7]])
    # after the step: C = 1.15 − 1.7 + 0.8 = 0.25 (tied), R = C·V + c with c = [0.3, 0]
    table = exp.trainer.history.pretraining
    assert table["layer"] == [0] and table["epoch"] == [1] and table["val_loss"] == [None]
    if tied:
        r = np.array([0.25 * 1.15 + 0.3, 0.25 * 1.7])
    else:  # C = 1.3 − 1.7 + 0.8 = 0.4, V = [0.85, 2]
        r = np.array([0.4 * 0.85 + 0.3, 0.4 * 2.0])
    assert table["train_loss"][0] == pytest.approx(float(np.sum((r - [1.0, -1.0]) ** 2)), rel=1e-12)


# ---------------------------------------------------------------- the phase
def _deep(decoder="tied", noise=0.0, epochs=3, batch_size=8, **training):
    cfg = config([DenseConfig(5, "sigmoid"), DropoutConfig(0.3), BatchNormConfig(), DenseConfig(4, "tanh"),
                  DenseConfig(3, "relu"), DenseConfig(1, "sigmoid")], batch_size=batch_size, **training)
    cfg.training.pretraining = PretrainingConfig(epochs=epochs, decoder=decoder, noise=noise)
    return cfg


def test_hidden_dense_layers_are_every_dense_layer_but_the_output():
    cfg = _deep()
    assert hidden_dense_layers(cfg.layers) == [0, 3, 4]
    assert hidden_dense_layers(Experiment(cfg).network.layers) == [0, 3, 4]
    assert hidden_dense_layers([DenseConfig(1, "sigmoid")]) == []


def test_pretraining_trains_each_hidden_layer_in_order_and_nothing_else():
    exp = Experiment(_deep(epochs=2))
    before = exp.network.get_weights()
    order = []
    exp.trainer.run(0, on_update=lambda t: order.append(t.pretraining.layer))
    assert order == [0] * 12 + [3] * 12 + [4] * 12  # 45 points, batches of 8: 6 updates per epoch
    after = exp.network.get_weights()
    for i in (0, 3, 4):
        assert not np.array_equal(before[i]["W"], after[i]["W"])
    for name in ("gamma", "beta", "running_mean", "running_var"):  # batch norm: untouched
        np.testing.assert_array_equal(before[2][name], after[2][name])
    for name in ("W", "b"):  # the output layer keeps its initial weights
        np.testing.assert_array_equal(before[5][name], after[5][name])
    assert exp.trainer.epoch == 0 and exp.trainer.pretraining.finished
    table = exp.trainer.history.pretraining
    assert table["layer"] == [0, 0, 3, 3, 4, 4] and table["epoch"] == [1, 2] * 3


def test_each_layer_learns_from_the_frozen_layers_below_in_evaluation_mode():
    """Layer 3's input is layers 0–2 in evaluation mode with layer 0's pre-trained weights:
    its recorded reconstruction loss is that of exactly this H."""
    exp = Experiment(_deep(epochs=1))
    seen = {}

    def look(trainer):
        phase = trainer.pretraining
        if phase.layer == 3 and phase.update_in_epoch == phase.trainer.updates_per_epoch:
            seen["W0"] = trainer.network.layers[0].params["W"].copy()
            h = layer_input(trainer.network.layers, 3, trainer.data.x_train)
            seen["loss"] = phase.autoencoder.loss(phase.autoencoder.reconstruct(h), h)

    exp.trainer.run(0, on_update=look)
    np.testing.assert_array_equal(seen["W0"], exp.network.layers[0].params["W"])  # frozen since
    assert exp.trainer.history.pretraining["train_loss"][1] == seen["loss"]


def test_the_reconstruction_loss_falls():
    exp = Experiment(_deep(epochs=20, optimizer=("adam", {"lr": 0.01})))
    exp.trainer.run(0)
    table = exp.trainer.history.pretraining
    for layer in (0, 3, 4):
        losses = [v for i, v in zip(table["layer"], table["train_loss"]) if i == layer]
        assert losses[-1] < 0.8 * losses[0]


def test_training_afterwards_is_training_from_the_pretrained_weights():
    """Pre-training leaves training's streams, optimizer state and schedule alone: training
    on is the same as training a network that starts from those weights."""
    cfg = _deep(schedule=("exponential", {"k": 0.9}), input_noise=0.1)
    pretrained = Experiment(cfg)
    pretrained.trainer.run(0)
    plain_cfg = _deep(schedule=("exponential", {"k": 0.9}), input_noise=0.1)
    plain_cfg.training.pretraining = None
    plain_cfg.weights = pretrained.network.get_weights()
    plain = Experiment(plain_cfg)
    pretrained.trainer.run(3)
    plain.trainer.run(3)
    assert_bit_identical(pretrained.network, plain.network)
    assert pretrained.trainer.history.columns == plain.trainer.history.columns
    assert pretrained.optimizer.t == plain.optimizer.t == 18


def test_pretraining_uses_the_base_learning_rate_and_a_fresh_optimizer_per_layer():
    exp = Experiment(_deep(epochs=1, schedule=("step", {"drop": 0.001, "every": 1}),
                           optimizer=("adam", {"lr": 0.02})))
    seen = []
    exp.trainer.run(0, on_update=lambda t: seen.append((t.pretraining.layer, t.pretraining.optimizer.t,
                                                        t.pretraining.optimizer.hyper["lr"])))
    assert [t for _, t, _ in seen] == list(range(1, 7)) * 3  # Adam's t restarts for each layer
    assert {lr for _, _, lr in seen} == {0.02}
    assert exp.optimizer.t == 0  # training's optimizer has not moved


def test_the_streams_are_the_documented_ones():
    """Epoch e of layer i: a permutation, then each batch's noise, from [seed, i, e, 1]."""
    cfg = _deep(noise=0.5, epochs=2, seed=7)
    exp = Experiment(cfg)
    inputs = []
    original = Autoencoder.forward
    Autoencoder.forward = lambda self, h_in: inputs.append(h_in.copy()) or original(self, h_in)
    try:
        exp.trainer.run(0)
    finally:
        Autoencoder.forward = original
    fresh = Experiment(cfg)
    h = layer_input(fresh.network.layers, 0, fresh.trainer.data.x_train)
    rng = np.random.default_rng([7, 0, 0, PRETRAINING_STREAM])
    order = rng.permutation(len(h))
    for k in range(6):
        batch = h[order[8 * k:8 * (k + 1)]]
        np.testing.assert_array_equal(inputs[k], batch + rng.normal(0.0, 0.5, batch.shape))


def test_a_run_without_pretraining_never_builds_it():
    exp = Experiment(config(batch_size=8))
    assert exp.trainer.pretraining is None
    exp.trainer.run(1)
    assert "pretraining" not in exp.trainer.history.to_dict()
    assert "pretraining" not in dumps_network(exp.to_config())


def test_train_with_zero_epochs_pretrains_once():
    exp = Experiment(_deep(epochs=2))
    assert exp.trainer.pretraining.pending
    exp.trainer.run(0)
    text = dumps_network(exp.to_config())
    again = Experiment(loads_network(text))
    assert again.trainer.pretraining.finished and not again.trainer.pretraining.pending
    updates = []
    again.trainer.run(0, on_update=lambda t: updates.append(1))
    assert updates == []
    assert dumps_network(again.to_config()) == text


def test_pretraining_switched_on_after_training_started_waits_for_a_reset():
    cfg = _deep()
    cfg.training.pretraining = None
    exp = Experiment(cfg)
    exp.trainer.run(1)
    trained = exp.to_config()
    trained.training.pretraining = PretrainingConfig(epochs=2)
    later = Experiment(trained)
    assert not later.trainer.pretraining.pending
    later.trainer.run(2)
    assert later.trainer.history.pretraining is None
    later.reset_weights()
    assert later.trainer.pretraining.pending


def test_a_network_without_hidden_layers_has_nothing_to_pretrain():
    cfg = config([DenseConfig(1, "sigmoid")], batch_size=8)
    cfg.training.pretraining = PretrainingConfig()
    exp = Experiment(cfg)
    assert exp.trainer.run(1) is StopReason.FINISHED
    assert exp.trainer.history.pretraining == {"layer": [], "epoch": [], "train_loss": [], "val_loss": []}


def test_progress_says_which_layer_and_epoch():
    exp = Experiment(_deep(epochs=2))
    seen = []
    exp.trainer.run(1, on_update=lambda t: seen.append(progress(t)))
    first = seen[0]
    assert (first.layer, first.number, first.count, first.epoch, first.epochs) == (0, 1, 3, 0, 2)
    assert (first.update_in_epoch, first.updates_per_epoch) == (1, 6)
    assert math.isfinite(first.batch_loss)
    assert (seen[35].layer, seen[35].number, seen[35].epoch) == (4, 3, 1)
    assert seen[36:] == [None] * 6  # training


def test_step_stops_after_one_pretraining_epoch():
    exp = Experiment(_deep(epochs=2))
    for expected in ((0, 1), (3, 0), (3, 1), (4, 0), (4, 1)):
        exp.trainer.pretraining.pause_after_epoch = True
        assert exp.trainer.run(1) is StopReason.INTERRUPTED
        assert (exp.trainer.pretraining.layer, exp.trainer.pretraining.epoch) == expected
    exp.trainer.pretraining.pause_after_epoch = True
    assert exp.trainer.run(1) is StopReason.FINISHED  # the last pre-training epoch, then training
    assert exp.trainer.epoch == 1


# ---------------------------------------------------------------- resuming
def _stopped_after(cfg, updates, until=2):
    exp = Experiment(cfg)
    count = [0]

    def hook(trainer):
        count[0] += 1
        if count[0] == updates:
            trainer.request_stop()

    exp.trainer.run(until, on_update=hook)
    return exp


@pytest.mark.parametrize("decoder", ["tied", "untied"])
@pytest.mark.parametrize("updates", [1, 4, 6, 7, 12, 13, 17, 24, 30, 36, 37, 40])
def test_a_file_saved_during_pretraining_resumes_to_the_same_bits(decoder, updates):
    """Mid epoch (4, 13, 17 …), at an epoch's end (6, 24, 30), at a layer's end (12, 24, 36)
    and in training (37, 40), with denoising noise, dropout and batch norm."""
    cfg = _deep(decoder, noise=0.2, epochs=2, optimizer=("adam", {"lr": 0.01}))
    whole = Experiment(cfg)
    whole.trainer.run(2)
    paused = _stopped_after(cfg, updates)
    text = dumps_network(paused.to_config())
    if updates < 36:
        assert '"pretraining": {"layer"' in text or '"pretraining": {\n' in text
        assert loads_network(text).resume["pretraining"]["layer"] in (0, 3, 4)
    resumed = Experiment(loads_network(text))
    resumed.trainer.run(2)
    assert dumps_network(resumed.to_config()) == dumps_network(whole.to_config())


def test_resuming_in_the_same_process_continues_the_same_way():
    cfg = _deep("untied", noise=0.2, epochs=2)
    whole = Experiment(cfg)
    whole.trainer.run(1)
    paused = _stopped_after(cfg, 17)
    paused.trainer.run(1)
    assert dumps_network(paused.to_config()) == dumps_network(whole.to_config())


def test_the_decoder_is_dropped_once_a_layer_is_done():
    exp = _stopped_after(_deep("untied", epochs=1), 7)  # layer 3, first update
    resume = exp.to_config().resume["pretraining"]
    assert resume["layer"] == 3 and resume["epoch"] == 0 and resume["update_in_epoch"] == 1
    assert set(resume["decoder"]) == {"V", "c"} and resume["decoder"]["V"].shape == (4, 5)
    assert set(resume["optimizer_state"]["slots"]) == {"layer3.W", "layer3.b", "layer3.V", "layer3.c"}
    exp.trainer.run(0)
    assert exp.to_config().resume is None


# ---------------------------------------------------------------- divergence
def test_divergence_during_pretraining_is_caught_and_the_epoch_undone():
    cfg = config([DenseConfig(6, "identity"), DenseConfig(1, "identity")], task="regression", loss="squared",
                 data=DataConfig(name="plane", n=60, noise=0.1, seed=1, validation_fraction=0.25),
                 optimizer=("sgd", {"lr": 0.5}), batch_size=8)
    cfg.training.pretraining = PretrainingConfig(epochs=30)
    exp = Experiment(cfg)
    with np.errstate(all="ignore"):
        reason = exp.trainer.run(5)
    assert reason is StopReason.DIVERGED
    layer, epoch = exp.trainer.pretraining.diverged_at
    assert layer == 0 and 1 <= epoch <= 30
    assert exp.trainer.pretraining.divergence in ("the reconstruction loss", "layer 1's W", "the decoder's c")
    assert exp.trainer.epoch == 0 and exp.trainer.history.pretraining["epoch"][-1:] in ([], [epoch - 1])
    assert all(np.all(np.isfinite(a)) for w in exp.network.get_weights() for a in w.values())
    dumps_network(exp.to_config())  # finite: a file can be written


def test_a_non_finite_optimizer_state_is_a_divergence_too():
    """Adam's v can overflow while every weight stays finite (its step is then 0)."""
    exp = Experiment(_deep(epochs=3, optimizer=("adam", {"lr": 0.01})))

    def poison(trainer):
        phase = trainer.pretraining
        if (phase.layer, phase.epoch, phase.update_in_epoch) == (3, 1, 2):
            phase.optimizer.state["layer3.W"]["v"][0, 0] = np.inf

    assert exp.trainer.run(1, on_update=poison) is StopReason.DIVERGED
    assert exp.trainer.pretraining.diverged_at == (3, 2)
    assert exp.trainer.pretraining.divergence == "adam's v for layer 4's W (the optimizer state)"
    assert np.isfinite(exp.trainer.pretraining.optimizer.state["layer3.W"]["v"]).all()  # the epoch's start


def test_an_exception_in_a_hook_puts_the_layer_back_where_its_epoch_began():
    cfg = _deep("untied", noise=0.2, epochs=2)
    whole = Experiment(cfg)
    whole.trainer.run(1)
    exp = Experiment(cfg)

    def fail(trainer):
        if (trainer.pretraining.layer, trainer.pretraining.update_in_epoch) == (3, 4):
            raise RuntimeError("a hook failed")

    with pytest.raises(RuntimeError):
        exp.trainer.run(1, on_update=fail)
    phase = exp.trainer.pretraining
    assert (phase.layer, phase.epoch, phase.update_in_epoch) == (3, 0, 0)
    exp.trainer.run(1)  # and on from there as if nothing had happened
    assert dumps_network(exp.to_config()) == dumps_network(whole.to_config())


def test_a_learning_rate_changed_while_pretraining_applies_to_it():
    exp = Experiment(_deep(epochs=1, optimizer=("sgd", {"lr": 0.1})))
    seen = []

    def change(trainer):
        seen.append(trainer.pretraining.optimizer.hyper["lr"])
        trainer.optimizer.hyper["lr"] = 0.05  # what the app's live edit does

    exp.trainer.run(0, on_update=change)
    assert seen[:2] == [0.1, 0.05] and set(seen[1:]) == {0.05}


# ---------------------------------------------------------------- the race
def test_race_variants_are_without_and_with_the_networks_own_pretraining():
    cfg = _deep(epochs=7, noise=0.3)
    assert pretraining_race_variants(cfg) == [
        ({PATH: None}, "without pre-training"),
        ({PATH: {"epochs": 7, "decoder": "tied", "decoder_activation": "identity", "noise": 0.3}},
         "with pre-training (7 epochs per layer, tied decoder, noise 0.3)")]
    cfg.training.pretraining = None
    assert pretraining_race_variants(cfg)[1] == (
        {PATH: {"epochs": 50, "decoder": "tied", "decoder_activation": "identity", "noise": 0.0}},
        "with pre-training (50 epochs per layer, tied decoder)")

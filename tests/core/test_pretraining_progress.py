"""What callers read of pre-training: progress, snapshot rows, the first layer's
reconstruction picture, and what a settings edit keeps of a pre-training under way."""

import numpy as np

from nnplay.core import Experiment
from nnplay.core.config import BatchNormConfig, DenseConfig, PretrainingConfig
from nnplay.core.pretraining import layer_input
from nnplay.core.pretraining_progress import (
    VIEW_POINTS, first_layer_reconstruction, history_after_edit, position_after_edit, pretraining_race_refusal,
    progress, snapshot,
)
from nnplay.io.networkfile import dumps_network, loads_network

from .helpers import config


def _config(decoder="tied", noise=0.0, features=("x1", "x2"), **training):
    cfg = config([BatchNormConfig(), DenseConfig(4, "sigmoid"), DenseConfig(3, "tanh"), DenseConfig(1, "sigmoid")],
                 features=features, batch_size=8, **training)
    cfg.training.pretraining = PretrainingConfig(epochs=2, decoder=decoder, noise=noise)
    return cfg


def _stopped(exp, updates):
    count = [0]

    def hook(trainer):
        count[0] += 1
        if count[0] == updates:
            trainer.request_stop()

    exp.trainer.run(3, on_update=hook)
    return exp


def test_snapshot_rows_come_in_order_from_where_the_last_one_stopped():
    exp = Experiment(_config())
    sent, rows = 0, {"layer": [], "epoch": [], "train_loss": [], "val_loss": []}
    statuses = []

    def take(trainer):
        nonlocal sent
        snap = snapshot(trainer, sent)
        assert snap.rows_from == sent
        for name, values in snap.rows.items():
            rows[name] += values
        sent += len(snap.rows["layer"])
        statuses.append(snap.status)

    exp.trainer.run(1, on_update=take)
    assert rows == exp.trainer.history.pretraining
    assert statuses[0].startswith("pre-training layer 1 of 2 (layers[1], 4 sigmoid): epoch 0/2 (update 1/6")
    assert statuses[-1] == ""  # training by then
    assert snapshot(exp.trainer).progress is None


def test_no_snapshot_without_pretraining():
    cfg = _config()
    cfg.training.pretraining = None
    assert snapshot(Experiment(cfg).trainer) is None


def test_the_picture_is_the_first_layers_autoencoder_on_its_input():
    exp = Experiment(_config(noise=0.3))
    before = first_layer_reconstruction(exp.trainer)
    assert before.layer == 1 and before.noise == 0.3 and before.clean.shape == (45, 2)
    h = layer_input(exp.network.layers, 1, exp.trainer.data.x_train)  # through batch norm's statistics
    np.testing.assert_array_equal(before.clean, h.astype(np.float32))
    assert not np.allclose(before.given, before.clean)  # one sample of the noise
    np.testing.assert_array_equal(first_layer_reconstruction(exp.trainer).given, before.given)  # the same one
    _stopped(exp, 9)  # the first layer has learned for a while
    during = first_layer_reconstruction(exp.trainer)
    phase = exp.trainer.pretraining
    expected = phase.autoencoder.reconstruct(before.given.astype(np.float64))
    np.testing.assert_allclose(during.output, expected, rtol=1e-5, atol=1e-6)  # given in float32
    assert np.isfinite(during.loss) and during.loss != before.loss
    _stopped(exp, 5)  # on the second layer now: no picture
    assert exp.trainer.pretraining.layer == 2 and first_layer_reconstruction(exp.trainer) is None


def test_the_picture_needs_two_inputs_and_caps_the_points():
    assert first_layer_reconstruction(Experiment(_config(features=("x1", "x2", "x1*x2"))).trainer) is None
    cfg = _config()
    cfg.data.n = 1000
    assert len(first_layer_reconstruction(Experiment(cfg).trainer).clean) == VIEW_POINTS


def test_progress_is_none_once_done():
    exp = Experiment(_config())
    assert progress(exp.trainer).layer == 1
    exp.trainer.run(0)
    assert progress(exp.trainer) is None


def test_the_counter_says_which_layer_and_which_of_its_epochs():
    exp = Experiment(_config())
    assert not progress(exp.trainer).started  # it runs when training starts
    where = progress(_stopped(exp, 9).trainer)  # 6 updates an epoch: the first layer's second epoch
    assert where.started and where.counter_text() == "Pre-training layer 1 of 2 · epoch 1 of 2"
    where = progress(_stopped(Experiment(_config()), 15).trainer)
    assert where.counter_text(lambda n: f"[{n}]") == "Pre-training layer [2] of 2 · epoch [0] of 2"


# ---------------------------------------------------------------- an edit under way
def _under_way(decoder="untied"):
    exp = _stopped(Experiment(_config(decoder, optimizer=("adam", {"lr": 0.01}))), 15)  # layer 2, update 3
    cfg = exp.to_config()
    assert cfg.resume["pretraining"]["layer"] == 2 and cfg.resume["pretraining"]["update_in_epoch"] == 3
    return cfg


def test_an_edit_keeps_the_layer_its_epochs_decoder_and_optimizer_state():
    old = _under_way()
    new = loads_network(dumps_network(old))
    new.training.pretraining.noise = 0.2
    kept = position_after_edit(old.resume["pretraining"], old.weights, old, new)
    position = old.resume["pretraining"]
    assert (kept["layer"], kept["epoch"]) == (2, 0) and "update_in_epoch" not in kept and "rng" not in kept
    np.testing.assert_array_equal(kept["decoder"]["V"], position["decoder"]["V"])
    assert kept["optimizer_state"] is position["optimizer_state"]
    new.resume = {"pretraining": kept}
    exp = Experiment(loads_network(dumps_network(new)))  # a valid file
    assert exp.trainer.pretraining.layer == 2 and exp.trainer.pretraining.update_in_epoch == 0


def test_another_decoder_or_optimizer_starts_those_afresh():
    old = _under_way("tied")
    untied = loads_network(dumps_network(old))
    untied.training.pretraining.decoder = "untied"
    kept = position_after_edit(old.resume["pretraining"], old.weights, old, untied)
    np.testing.assert_array_equal(kept["decoder"]["V"], np.asarray(old.weights[2]["W"]).T)
    other = loads_network(dumps_network(old))
    other.optimizer.name, other.optimizer.settings = "sgd", {}
    kept = position_after_edit(old.resume["pretraining"], old.weights, old, other)
    assert kept["optimizer_state"] == {"t": 0, "slots": {}}
    back = _under_way("untied")
    tied = loads_network(dumps_network(back))
    tied.training.pretraining.decoder = "tied"
    kept = position_after_edit(back.resume["pretraining"], back.weights, back, tied)
    assert "V" not in kept["decoder"] and "layer2.V" not in kept["optimizer_state"]["slots"]
    tied.resume = {"pretraining": kept}
    loads_network(dumps_network(tied))  # a valid file


def test_switching_pretraining_off_drops_its_position():
    old = _under_way()
    off = loads_network(dumps_network(old))
    off.training.pretraining = None
    assert position_after_edit(old.resume["pretraining"], old.weights, old, off) is None
    assert position_after_edit(None, old.weights, old, old) is None
    # and its table goes, so that switched on again it runs afresh instead of counting as done
    assert "pretraining" not in history_after_edit(old.history, old.resume["pretraining"], off)
    assert history_after_edit(old.history, old.resume["pretraining"], old) is old.history
    assert history_after_edit(old.history, None, off) is old.history  # a finished one's table stays


def test_the_apps_sentence_says_where_pretraining_stands():
    from nnplay.core.report import pretraining_summary

    cfg = _config()
    exp = Experiment(cfg)
    say = lambda: pretraining_summary(exp.trainer, exp.config.training.pretraining)  # noqa: E731
    assert say() == "Pre-training runs first, on 2 hidden layers, when you press play."
    _stopped(exp, 3)
    assert say().startswith("Paused in pre-training layer 1 of 2 (layers[1], 4 sigmoid): epoch 0/2 (update 3/6")
    exp.trainer.run(1)
    assert say().startswith("Pre-training done: reconstruction loss ") and "(layers[2])." in say()
    off = _config()
    off.training.pretraining = None
    trained = Experiment(off)
    trained.trainer.run(2)
    late = trained.to_config()
    late.training.pretraining = PretrainingConfig()
    exp = Experiment(late)
    assert say() == ("Pre-training runs when training starts from epoch 0, and this network has trained 2 epochs: "
                     "Reset starts the weights afresh, then play pre-trains them.")
    assert pretraining_summary(trained.trainer, None).startswith("Pre-training is off")


def test_a_race_with_and_without_pretraining_needs_a_hidden_dense_layer():
    assert pretraining_race_refusal(_config()) is None  # pre-training off or on: the pair of runs differs
    assert pretraining_race_refusal(config()) is None
    alone = config([BatchNormConfig(), DenseConfig(1, "sigmoid")])
    assert pretraining_race_refusal(alone) == (
        "This network has no hidden dense layer to pre-train, so it would train the same with and without "
        "pre-training: add a dense layer before the output layer.")

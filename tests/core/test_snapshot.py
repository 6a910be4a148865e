"""Snapshots of a run: every history row handed out once, copies only, merged without loss,
and the probes' one grid pass with every layer's output."""

import numpy as np

from nnplay.core import Experiment
from nnplay.core.config import BatchNormConfig, DenseConfig, DropoutConfig
from nnplay.core.probes import GRID, Probe
from nnplay.core.snapshot import Snapshotter

from .helpers import config


def test_rows_are_handed_out_once_in_order_and_nothing_is_shared():
    exp = Experiment(config())
    snapshots = Snapshotter(exp.trainer)
    taken = []
    exp.trainer.run(3, on_update=snapshots.on_update, on_epoch=lambda t: taken.append(snapshots.take(
        weights=True, gradients=True)))
    taken.append(snapshots.take())
    rows = [epoch for s in taken for epoch in s.history["epoch"]]
    assert rows == [1, 2, 3] and [s.history_from for s in taken] == [0, 1, 2, 3]
    assert taken[-1].rows == 0 and taken[-1].last("epoch") == 3 and taken[-1].updates == snapshots.updates
    first = taken[0]
    assert first.gradient_rms.shape == (2,) and np.all(first.gradient_rms > 0)
    for layer, copied in zip(exp.network.layers, first.weights):
        assert all(not np.shares_memory(copied[k], v) for k, v in layer.params.items())
    saved = [dict(w) for w in first.weights]
    exp.trainer.run(5)
    assert all(np.array_equal(a[k], b[k]) for a, b in zip(saved, first.weights) for k in a)


def test_a_later_snapshot_after_an_earlier_one_keeps_both_rows():
    exp = Experiment(config())
    snapshots = Snapshotter(exp.trainer)
    exp.trainer.run(2)
    earlier = snapshots.take()
    exp.trainer.run(4)
    merged = snapshots.take().after(earlier)
    assert merged.history_from == 0 and merged.history["epoch"] == [1, 2, 3, 4] and merged.epoch == 4


def test_the_grid_pass_keeps_every_layer_and_matches_the_engine():
    layers = [DenseConfig(6, "relu"), BatchNormConfig(), DropoutConfig(0.3), DenseConfig(1, "sigmoid")]
    exp = Experiment(config(layers))
    exp.trainer.run(3)
    points = np.random.default_rng(0).uniform(-2, 2, (50, 2))
    snapshot = Snapshotter(exp.trainer).take(weights=True)
    result = Probe(exp).compute({GRID}, snapshot, (points, (5, 10)))[GRID]
    assert [a.shape[1] for a in result.layers] == [6, 6, 6, 1] and result.shape == (5, 10)
    # float32, for pictures: within float32's precision of the engine's own output
    np.testing.assert_allclose(result.output, exp.predict(points), rtol=1e-5, atol=1e-6)
    assert Probe(exp).compute({GRID}, Snapshotter(exp.trainer).take(), (points, (5, 10))) == {}  # no copies asked


def test_rows_handed_out_again_after_a_thinning_replace_those_before_them(monkeypatch):
    from nnplay.core.history import History

    monkeypatch.setattr(History, "max_rows", 8)
    exp = Experiment(config())
    snapshots = Snapshotter(exp.trainer)
    exp.trainer.run(6)
    earlier = snapshots.take()
    exp.trainer.run(9)  # the ninth row thins the history to four
    thinned = snapshots.take()
    assert exp.trainer.history.thinnings == 1 and thinned.history_from == 0
    merged = thinned.after(earlier)
    assert merged.history_from == 0 and merged.history["epoch"] == exp.trainer.history["epoch"]
    exp.trainer.run(10)
    assert snapshots.take().after(earlier, thinned).history["epoch"] == exp.trainer.history["epoch"]


def test_pretraining_rows_are_merged_like_the_history_and_the_picture_only_on_request():
    from nnplay.core.config import PretrainingConfig

    cfg = config([DenseConfig(5, "sigmoid"), DenseConfig(4, "sigmoid"), DenseConfig(1, "sigmoid")])
    cfg.training.pretraining = PretrainingConfig(3)
    exp = Experiment(cfg)
    snapshots = Snapshotter(exp.trainer)
    taken = []
    exp.trainer.run(1, on_update=snapshots.on_update, on_epoch=lambda t: taken.append(
        snapshots.take(gradients=True, reconstruction=len(taken) == 0)))
    under_way = [s for s in taken if s.pretraining.progress is not None]
    assert under_way and all(s.gradient_rms is None for s in under_way)  # an autoencoder's gradients are not the net's
    assert taken[0].pretraining.reconstruction is not None
    assert all(s.pretraining.reconstruction is None for s in taken[1:])
    merged = taken[-1].after(*taken[:-1])
    assert merged.pretraining.rows_from == 0 and merged.pretraining.rows == exp.trainer.history.pretraining
    assert merged.history["epoch"] == [1]
    # the first layer's last picture is kept when a later snapshot (without one) replaces it
    assert merged.pretraining.reconstruction is taken[0].pretraining.reconstruction
    assert taken[2].after(taken[1]).pretraining.reconstruction is None


def test_the_data_pass_keeps_every_layer_on_the_training_then_validation_points():
    from nnplay.core.probes import DATA

    layers = [DenseConfig(5, "tanh"), BatchNormConfig(), DenseConfig(1, "sigmoid")]
    exp = Experiment(config(layers))
    exp.trainer.run(2)
    result = Probe(exp).compute({DATA}, Snapshotter(exp.trainer).take(weights=True), None)[DATA]
    train, val = exp.split.train, exp.split.validation
    assert result.train == len(train) and result.total == len(train) + len(val)
    np.testing.assert_array_equal(result.points, np.concatenate([train.x, val.x]))
    np.testing.assert_array_equal(result.labels, np.concatenate([train.y, val.y]))
    engine = exp.network.outputs_by_layer(exp.features(result.points))
    for mine, theirs in zip(result.layers, engine, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-5)


def test_the_data_pass_samples_a_large_data_set_evenly(monkeypatch):
    from nnplay.core import probes

    monkeypatch.setattr(probes, "DATA_PASS_POINTS", 40)
    exp = Experiment(config())
    result = Probe(exp).compute({probes.DATA}, Snapshotter(exp.trainer).take(weights=True), None)[probes.DATA]
    n_train, n_val = len(exp.split.train), len(exp.split.validation)
    assert len(result.points) == 40 and result.total == n_train + n_val
    assert result.train == round(40 * n_train / (n_train + n_val))
    # training points from the training set, in order, first and last included
    np.testing.assert_array_equal(result.points[0], exp.split.train.x[0])
    np.testing.assert_array_equal(result.points[result.train - 1], exp.split.train.x[-1])
    np.testing.assert_array_equal(result.points[-1], exp.split.validation.x[-1])

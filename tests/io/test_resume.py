"""Resuming through a file continues bit for bit: dropout masks, input noise, shuffled
mini-batches, Adam's state, batch-norm running statistics, the schedule and the
early-stopping best all come back exactly."""

import pytest

from io_helpers import assert_bits_equal, paused_run, small_config
from nnplay.core import Experiment, OptimizerConfig
from nnplay.io import read_network, write_network


def _through_file(exp: Experiment, tmp_path) -> Experiment:
    path = tmp_path / "paused.nnp"
    write_network(exp.to_config(), path)
    return Experiment(read_network(path))


def _assert_same_run(a: Experiment, b: Experiment) -> None:
    assert a.trainer.epoch == b.trainer.epoch
    assert_bits_equal(a.network.get_weights(), b.network.get_weights())
    assert_bits_equal(a.optimizer.state_dict(), b.optimizer.state_dict())
    assert a.trainer.history.to_dict() == b.trainer.history.to_dict()
    assert_bits_equal(a.to_config().resume, b.to_config().resume)


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "adadelta"])
def test_ten_epochs_equal_five_saved_loaded_and_five_more(tmp_path, optimizer):
    cfg = small_config(optimizer=OptimizerConfig(optimizer, {}))
    straight = Experiment(cfg)
    straight.trainer.run(10)
    first = Experiment(cfg)
    first.trainer.run(5)
    resumed = _through_file(first, tmp_path)
    resumed.trainer.run(10)
    _assert_same_run(straight, resumed)


@pytest.mark.parametrize("epochs, updates", [(0, 1), (2, 3), (4, 5)])
def test_pause_inside_an_epoch_save_load_continue(tmp_path, epochs, updates):
    cfg = small_config()
    straight = Experiment(cfg)
    straight.trainer.run(7)
    paused = paused_run(cfg, epochs, updates)
    assert paused.trainer.update_in_epoch == updates
    resumed = _through_file(paused, tmp_path)
    assert resumed.trainer.update_in_epoch == updates
    resumed.trainer.run(7)
    _assert_same_run(straight, resumed)


def test_two_round_trips_in_a_row_change_nothing(tmp_path):
    paused = paused_run(small_config(), 2, 2)
    once = _through_file(paused, tmp_path)
    twice = _through_file(once, tmp_path)
    once.trainer.run(4)
    twice.trainer.run(4)
    _assert_same_run(once, twice)


def test_early_stopping_best_survives_the_file(tmp_path):
    cfg = small_config()
    cfg.training.early_stopping.patience = 2
    straight = Experiment(cfg)
    straight_reason = straight.trainer.run(40)
    first = Experiment(cfg)
    first.trainer.run(3)
    resumed = _through_file(first, tmp_path)
    assert resumed.trainer.run(40) == straight_reason
    _assert_same_run(straight, resumed)

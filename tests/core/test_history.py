"""A history stays bounded: thinned to evenly spaced epochs past MAX_ROWS rows (issue 8, item 3)."""

import numpy as np
import pytest

from nnplay.core import Experiment
from nnplay.core.history import COLUMNS, History, rows_to_keep

from .helpers import all_arrays, config


@pytest.fixture
def small_bound(monkeypatch):
    monkeypatch.setattr(History, "max_rows", 10)


def test_rows_to_keep_are_the_first_the_last_and_evenly_spaced_epochs():
    assert rows_to_keep(list(range(1, 12)), 6) == [0, 2, 4, 6, 8, 10]
    assert rows_to_keep([1, 2, 3], 6) == [0, 1, 2]
    # already thinned: sparse old rows, dense recent ones; spacing follows the epochs, not the rows
    epochs = [1, 5, 9, 13, 17, 18, 19, 20, 21]
    assert [epochs[i] for i in rows_to_keep(epochs, 3)] == [1, 9, 21] or \
        [epochs[i] for i in rows_to_keep(epochs, 3)] == [1, 13, 21]
    # no rising epochs to go by: evenly spaced rows
    assert rows_to_keep([None] * 9, 3) == [0, 4, 8]


def test_a_history_never_holds_more_than_max_rows(monkeypatch):
    monkeypatch.setattr(History, "max_rows", 100)
    history = History()
    for epoch in range(1, 3001):
        before = history.thinnings
        history.append(epoch=epoch, train_loss=1.0 / epoch, lr=0.1)
        assert len(history) <= 100
        if history.thinnings > before:  # just thinned: the first, the last, about evenly spaced between
            epochs = history["epoch"]
            assert 40 <= len(epochs) <= 50 and epochs[0] == 1 and epochs[-1] == epoch
            assert np.diff(epochs).max() <= 2 * (epoch - 1) / 49
    assert history.thinnings > 50 and all(len(history[name]) == len(history) for name in COLUMNS)
    tail = history["epoch"][-10:]
    assert tail == list(range(2991, 3001))  # since the last thinning, every epoch


def test_a_long_history_read_from_a_file_is_thinned_before_it_is_padded(small_bound):
    history = History({"epoch": list(range(1, 1001))})  # a file with the epoch column alone
    assert len(history) == 5 and history["epoch"] == [1, 251, 500, 750, 1000]
    assert history["train_loss"] == [None] * 5


def test_a_run_resumed_from_a_file_thins_exactly_as_one_never_stopped(small_bound):
    straight = Experiment(config(batch_size=20))
    straight.trainer.run(37)
    first = Experiment(config(batch_size=20))
    first.trainer.run(13)
    resumed = Experiment(first.to_config())
    resumed.trainer.run(37)
    assert resumed.trainer.history.to_dict() == straight.trainer.history.to_dict()
    assert len(straight.trainer.history) <= 10
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(resumed.network), all_arrays(straight.network)))


def test_the_weights_row_is_the_restored_epochs_or_the_last():
    from nnplay.core.history import History, row_of, weights_row

    history = History()
    for epoch in range(1, 6):
        history.append(epoch=epoch, train_loss=1.0 / epoch, val_loss=2.0 / epoch)
    assert weights_row(history.columns, None)["epoch"] == 5
    assert weights_row(history.columns, 3) == row_of(history.columns, 3)
    assert weights_row(history.columns, 3)["val_loss"] == 2.0 / 3
    assert weights_row(history.columns, 99)["epoch"] == 5  # thinned away: the last row
    assert weights_row(History().columns, None) == {}

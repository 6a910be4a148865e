"""What stops a run as diverged, and how it says what overflowed (issue 8, items 5 and 7);
a run that fails with an exception leaves the engine where its epoch began."""

import math

import numpy as np
import pytest

from nnplay.core import Experiment, StopReason
from nnplay.core.config import DataConfig, DenseConfig
from nnplay.core.schedules import make_schedule

from .helpers import all_arrays, config

HUGE_POINTS = DataConfig("inline", x=[[1e100, -1e100], [1e100, 1e100], [-1e100, 1e100], [1.0, 1.0]],
                         y=[1.0, 2.0, 3.0, 4.0], validation_fraction=0.0)


def _huge_inputs(optimizer="adam"):
    return Experiment(config([DenseConfig(4, "identity"), DenseConfig(1, "identity")], task="regression",
                             loss="squared", data=HUGE_POINTS, optimizer=(optimizer, {"lr": 0.001}), batch_size=4))


# ---------------------------------------------------------------- item 5: optimizer state
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_an_optimizer_state_that_overflows_is_divergence_and_is_named():
    """Inputs of ±1e100: g² overflows Adam's v while the steps m̂/√v̂ stay 0 and every weight finite."""
    exp = _huge_inputs()
    start = all_arrays(exp.network)
    assert exp.trainer.run(3) == StopReason.DIVERGED
    assert exp.trainer.diverged_at == 1 and exp.trainer.epoch == 0
    assert exp.trainer.divergence == "adam's v for layer 1's W (the optimizer state)"
    state = exp.optimizer.state_dict()
    assert all(np.isfinite(a).all() for slot in state["slots"].values() for a in slot.values())
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(exp.network), start))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_non_finite_weights_are_named_too():
    exp = Experiment(config([DenseConfig(3, "tanh"), DenseConfig(1, "sigmoid")], batch_size=0))

    def poison(trainer):  # tanh(inf) = 1: the loss stays finite
        trainer.network.layers[0].params["W"][0, 0] = np.inf

    assert exp.trainer.run(5, on_update=poison) == StopReason.DIVERGED
    assert exp.trainer.divergence == "layer 1's W"  # numbered from 1, as the layer table


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_loss_is_still_called_the_loss():
    exp = Experiment(config([DenseConfig(8, "relu"), DenseConfig(1, "identity")], task="regression",
                            loss="squared", data=DataConfig(name="plane", n=60, noise=0.1, seed=1), batch_size=4,
                            optimizer=("sgd", {"lr": 10.0})))
    assert exp.trainer.run(50) == StopReason.DIVERGED and exp.trainer.divergence == "the loss"
    exp.optimizer.hyper["lr"] = 1e-4
    exp.trainer.run(exp.trainer.epoch + 1)
    assert exp.trainer.divergence is None  # describes the latest run


# ---------------------------------------------------------------- item 7: schedules that overflow
@pytest.mark.parametrize("name, settings, epoch", [("exponential", {"k": 1.001}, 10**6),
                                                   ("exponential", {"k": 2.0}, 2000),
                                                   ("step", {"drop": 1e308, "every": 1}, 3)])
def test_a_schedule_that_overflows_gives_inf_instead_of_raising(name, settings, epoch):
    assert make_schedule(name, settings)(0.1, epoch) == math.inf


def test_schedules_that_do_not_overflow_are_unchanged():
    assert make_schedule("exponential", {"k": 1.001})(0.1, 100) == 0.1 * 1.001 ** 100
    assert make_schedule("exponential", {"k": 0.5})(0.1, 10**6) == 0.0
    assert make_schedule("step", {"drop": 1e308, "every": 1})(0.1, 1) == 0.1 * 1e308


def test_a_learning_rate_that_overflows_stops_the_run_cleanly_and_is_named():
    cfg = config(schedule=("exponential", {"k": 1.001}), batch_size=0)
    cfg.epoch = 10**6
    exp = Experiment(cfg)
    start = all_arrays(exp.network)
    assert exp.trainer.run(10**6 + 5) == StopReason.DIVERGED
    assert exp.trainer.diverged_at == 10**6 + 1
    assert exp.trainer.divergence == "the learning rate (the exponential schedule at epoch 1000000)"
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(exp.network), start))


# ---------------------------------------------------------------- a run that raises
def test_an_exception_mid_epoch_puts_the_engine_back_where_the_epoch_began():
    exp = Experiment(config(batch_size=5))
    exp.trainer.run(2)
    start, state, t = all_arrays(exp.network), exp.optimizer.state_dict(), exp.optimizer.t
    count = [0]

    def fail_on_the_fourth_update(trainer):
        count[0] += 1
        if count[0] == 4:
            raise MemoryError("out of memory")

    with pytest.raises(MemoryError):
        exp.trainer.run(4, on_update=fail_on_the_fourth_update)
    assert exp.trainer.epoch == 2 and exp.trainer.update_in_epoch == 0 and exp.optimizer.t == t
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(exp.network), start))
    assert all(np.array_equal(exp.optimizer.state[k][n], state["slots"][k][n]) for k in state["slots"]
               for n in state["slots"][k])
    straight = Experiment(config(batch_size=5))
    straight.trainer.run(4)
    exp.trainer.run(4)  # and it trains on exactly as if nothing had happened
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(exp.network), all_arrays(straight.network)))


def test_an_exception_after_an_epoch_ended_keeps_that_epoch():
    exp = Experiment(config(batch_size=5))

    def fail(trainer):
        raise RuntimeError("a hook failed")

    with pytest.raises(RuntimeError):
        exp.trainer.run(3, on_epoch=fail)
    assert exp.trainer.epoch == 1 and len(exp.trainer.history) == 1
    straight = Experiment(config(batch_size=5))
    straight.trainer.run(1)
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(exp.network), all_arrays(straight.network)))


# ---------------------------------------------------------------- a stop before the epoch's evaluation
def test_a_stop_during_the_last_update_skips_the_evaluation_and_resumes_exactly():
    """A full batch is one update; pausing then must not wait for a pass over every point."""
    exp = Experiment(config(batch_size=0))
    exp.trainer.run(2)
    evaluations = []
    original = exp.trainer.evaluate
    exp.trainer.evaluate = lambda: evaluations.append(1) or original()
    reason = exp.trainer.run(5, on_update=lambda t: t.request_stop())
    assert reason == StopReason.INTERRUPTED and evaluations == []
    assert (exp.trainer.epoch, exp.trainer.update_in_epoch) == (2, 1)

    resumed = Experiment(exp.to_config())
    resumed.trainer.run(5)
    straight = Experiment(config(batch_size=0))
    straight.trainer.run(5)
    assert resumed.trainer.history.to_dict() == straight.trainer.history.to_dict()
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(resumed.network), all_arrays(straight.network)))


# ---------------------------------------------------------------- a loss that grows (issue 13)
def _sine(lr, batch_size=None):
    from nnplay.io.networkfile import read_network
    from tests.golden.record import EXAMPLES

    cfg = read_network(EXAMPLES / "sine.nnp")
    cfg.optimizer.name, cfg.optimizer.settings = "sgd", {"lr": lr}
    if batch_size is not None:
        cfg.training.batch_size = batch_size
    return cfg


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_loss_grown_past_100_times_its_start_stops_the_run_with_the_weights_before():
    """Sine, SGD, η = 10: epoch 1 ends at 7.7e42 (it used to run on to 1.3e272 and inf at epoch 7)."""
    exp = Experiment(_sine(10.0))
    start = all_arrays(exp.network)
    before = exp.trainer._training_loss()
    assert exp.trainer.run(200) == StopReason.DIVERGED
    assert exp.trainer.diverged_at == 1 and exp.trainer.epoch == 0 and len(exp.trainer.history) == 0
    loss, reference, when = exp.trainer.loss_growth
    assert loss > 1e40 and reference == before and when == "before training"
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(exp.network), start))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_slow_blow_up_stops_at_the_first_epoch_past_100_times_the_first_epochs_loss():
    """Full batch at η = 0.3: the loss grows ~20 times an epoch; it used to take 231 epochs to overflow."""
    exp = Experiment(_sine(0.3, batch_size=0))
    assert exp.trainer.run(1000) == StopReason.DIVERGED
    losses = exp.trainer.history["train_loss"]
    assert exp.trainer.diverged_at == 8 and len(losses) == exp.trainer.epoch == 7
    assert max(losses) <= 100 * losses[0] < exp.trainer.loss_growth[0]
    assert exp.trainer.loss_growth[2] == "after epoch 1"
    straight = Experiment(_sine(0.3, batch_size=0))
    straight.trainer.run(7)  # the weights kept are those of the last epoch under the line
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(exp.network), all_arrays(straight.network)))


def test_points_that_raise_the_loss_are_not_taken_for_divergence():
    """An edit far off (two points at y = 100 on the sine) raises the loss past 100 times epoch 1's;
    the run that follows measures from where it resumed."""
    exp = Experiment(_sine(0.01))
    exp.trainer.run(20)
    cfg = exp.to_config()
    x, y = exp.dataset.x.tolist(), exp.dataset.y.tolist()
    cfg.data = DataConfig("inline", x=x + [[0.5], [-0.5]], y=y + [100.0, 100.0], validation_fraction=0.2, seed=1)
    edited = Experiment(cfg)
    assert edited.trainer._training_loss() > 100 * exp.trainer.history["train_loss"][0]
    assert edited.trainer.run(25) == StopReason.FINISHED


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"])
def test_no_optimizer_trips_the_rule_on_the_default_network(name):
    from nnplay.core.optimizers import OPTIMIZERS

    # File ▸ New's network (gui.document.default_config): 2-8-8-1 tanh on the spiral, batches of 10
    cfg = config([DenseConfig(8, "tanh"), DenseConfig(8, "tanh"), DenseConfig(1, "sigmoid")], batch_size=10,
                 data=DataConfig(name="spiral", n=400, noise=0.1, seed=1, validation_fraction=0.2),
                 optimizer=(name, OPTIMIZERS.get(name).defaults))
    assert Experiment(cfg).trainer.run(100) == StopReason.FINISHED

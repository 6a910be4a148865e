"""What a new user meets in the first hour (issue 13), in the window: clicked points keep
the validation split, New Start, dropout keeps the trained weights, exploding gradients
and a growing loss are named and stopped."""

from __future__ import annotations

import numpy as np

from tests.gui.window_fixtures import button, weights_equal


def _roles(experiment) -> dict:
    """Each point's role, by its coordinates."""
    split = experiment.split
    return {**{tuple(p): "train" for p in split.train.x}, **{tuple(p): "validation" for p in split.validation.x}}


def test_clicking_points_never_reshuffles_the_validation_split(qtbot, window):
    before = _roles(window.document.experiment)
    window.boundary.addPointRequested.emit(0.25, -0.5)  # a click on the plot
    window.boundary.addPointRequested.emit(1.25, 0.75)
    after = _roles(window.document.experiment)
    assert len(after) == len(before) + 2
    assert {p: after[p] for p in before} == before  # every point kept its role
    assert window.document.experiment.config.data.source == "inline"
    point = next(p for p, role in before.items() if role == "validation")
    window.boundary.removePointRequested.emit(*point)  # a right click on a validation point
    again = _roles(window.document.experiment)
    assert point not in again and all(again[p] == after[p] for p in again)
    held = window.document.experiment.split.held_out
    assert len(held) == len(window.document.experiment.config.data.validation) == 79


def test_new_start_takes_the_next_seed_and_resets_while_reset_keeps_its_meaning(qtbot, window):
    from PySide6.QtWidgets import QMenu, QToolBar

    from nnplay.core import Experiment

    bar = window.findChild(QToolBar, "transportBar")
    names = [a.objectName() for a in bar.actions() if a.objectName()]
    assert names.index("newStartAction") == names.index("resetAction") + 1  # beside Reset
    assert window.transport.new_start_action in window.findChild(QMenu, "trainingMenu").actions()
    window.step_epoch()
    qtbot.waitUntil(lambda: not window.training, timeout=20_000)
    trained = window.document.experiment.network.get_weights()
    button(window, "newStartButton").click()
    experiment = window.document.experiment
    assert experiment.config.training.seed == 1 and experiment.trainer.epoch == 0
    fresh = Experiment(window.document.config).network.get_weights()  # what seed 1 draws
    assert weights_equal(experiment.network.get_weights(), fresh)
    assert window.training_panel.seed_spin.value() == 1
    window.step_epoch()
    qtbot.waitUntil(lambda: not window.training, timeout=20_000)
    button(window, "resetButton").click()  # Reset: the same seed's weights again
    assert window.document.config.training.seed == 1
    assert weights_equal(window.document.experiment.network.get_weights(), fresh)
    window.file_actions.undo_action.trigger()  # Undo: the seed and the trained weights before
    assert window.document.config.training.seed == 0
    assert weights_equal(window.document.experiment.network.get_weights(), trained)


def test_adding_dropout_keeps_the_trained_weights_and_says_so(qtbot, window, dialogs):
    from PySide6.QtWidgets import QPushButton

    window.step_epoch()
    qtbot.waitUntil(lambda: not window.training, timeout=20_000)
    before = window.document.experiment.network.get_weights()
    window.network_panel.findChild(QPushButton, "addDropoutButton").click()
    assert dialogs["question"] == []  # nothing is thrown away, so nothing to ask
    experiment = window.document.experiment
    assert [layer.type for layer in experiment.config.layers] == ["dense", "dense", "dropout", "dense"]
    after = experiment.network.get_weights()
    assert weights_equal([w for w in after if w], before) and experiment.trainer.epoch == 1
    assert "dropout layers have no weights of their own" in window.status_label.text()
    assert "epoch 1" in window.status_label.text()
    window.file_actions.undo_action.trigger()
    assert weights_equal(window.document.experiment.network.get_weights(), before)

    window.network_panel.findChild(QPushButton, "addDenseButton").click()  # this one has weights
    (title, question), = dialogs["question"]
    assert title == "Start the weights afresh?"
    assert question.startswith("“Add Dense layer” adds layer 3 (dense), which has weights of its own to learn")
    assert "no longer fit" not in question and "Undo brings the trained network back" in question


def test_the_gradients_view_names_exploding_gradients_and_numbers_layers_as_the_table(qtbot):
    from nnplay.gui.plots.gradients import GradientsPlot

    plot = GradientsPlot()
    qtbot.addWidget(plot)
    plot.show()
    plot.set_shown(True)  # on screen, as when its tab is picked
    plot.set_network(["relu", "relu", "sigmoid"], 10, ["dense", "batchnorm", "dropout", "dense", "dropout", "dense"])
    assert plot.labels == ["1", "4", "out"]
    plot.add(0, 1, np.array([1e-168, 1e-40, 1e150]))  # what a blown-up run's last batch looks like
    text = plot.summary.text()
    assert text.startswith("Exploding gradient") and "vanishing" not in text


def test_the_app_stops_a_growing_loss_with_the_command_lines_words(qtbot, window):
    from nnplay.core import StopReason
    from nnplay.core.config import OptimizerConfig
    from nnplay.io import read_network
    from nnplay.io.examples import examples_dir

    cfg = read_network(examples_dir() / "sine.nnp")
    cfg.optimizer = OptimizerConfig("sgd", {"lr": 10.0})
    window.document.replace(cfg, None)
    start = window.document.experiment.network.get_weights()
    window.play()
    qtbot.waitUntil(lambda: not window.training, timeout=20_000)
    trainer = window.document.experiment.trainer
    assert trainer.stop_reason == StopReason.DIVERGED and trainer.epoch == 0
    assert window.status_label.text() == (
        "Diverged at epoch 1: the training loss grew to 7.684e+42, more than 100 times its 0.7846 before "
        "training; lower the learning rate (now 10), or try adam, which scales its own steps; the weights of "
        "epoch 0 are kept.")
    assert weights_equal(window.document.experiment.network.get_weights(), start)


def test_a_first_launch_trains_at_a_speed_a_newcomer_can_watch_and_the_users_speed_is_kept(qtbot, make_window):
    from PySide6.QtCore import QSettings

    QSettings().remove("transport/speed")  # a first launch
    window = make_window()
    assert window.transport.speed_value.text() == "300 updates/s" and window.runner.max_rate == 300
    # File ▸ New's network: 32 updates an epoch; the spirals untangle in its first ~100 epochs,
    # some ten seconds to watch (at max, a fifth of a second)
    experiment = window.document.experiment
    assert 100 * experiment.trainer.updates_per_epoch / window.runner.max_rate >= 10
    window.transport.speed.setValue(window.transport.speed.maximum())  # the user turns it up …
    assert window.runner.max_rate is None
    assert make_window().runner.max_rate is None  # … and it stays up

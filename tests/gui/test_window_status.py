"""The status line never outlives what it describes: a stop line, a pause or an
example's description gives way when the network it was about changes."""

from __future__ import annotations

import shutil

from nnplay.core.config import DenseConfig

WAIT = 20_000


def _add_layer(config):
    config.layers.insert(0, DenseConfig(3, "tanh"))


def test_a_line_about_trained_weights_gives_way_when_they_start_afresh(qtbot, window):
    window.step_epoch()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT)
    assert window.status_label.text().startswith("Finished at epoch 1:")
    window.document.edit("Add layer", _add_layer)  # the weights start afresh (asked first)
    assert window.document.experiment.trainer.epoch == 0
    assert window.status_label.text() == "Not trained yet. Press play (Space) to train."
    assert "<b>0</b>" in window.transport.epoch_label.text()

    window.play()
    qtbot.waitUntil(lambda: window.document.experiment.trainer.epoch >= 2, timeout=WAIT)
    window.pause()
    qtbot.waitUntil(lambda: window.status_label.text().startswith("Paused"), timeout=WAIT)
    window.file_actions.undo_action.trigger()  # back to the network before the layer, at epoch 1
    assert window.status_label.text() == "At epoch 1. Press play (Space) to train on."


def test_an_examples_description_gives_way_to_the_network_built_from_it(qtbot, window, tmp_path):
    from nnplay.gui.file_actions import examples_dir

    copy = tmp_path / "spiral.nnp"
    shutil.copy(examples_dir() / "spiral.nnp", copy)
    assert window.file_actions.open_path(copy)
    description = window.document.experiment.config.extra["description"]
    assert window.status_label.text() == description
    window.document.edit("Learning rate", lambda c: c.optimizer.settings.update(lr=0.02))
    assert window.status_label.text() == description  # still true of this network
    for _ in range(4):
        window.document.edit("Add layer", _add_layer)
    window.document.edit("Sigmoid", lambda c: [setattr(layer, "activation", "sigmoid") for layer in c.layers[:-1]])
    assert window.status_label.text() == "Not trained yet. Press play (Space) to train."

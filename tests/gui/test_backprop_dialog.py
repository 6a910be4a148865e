"""Training ▸ Step Through Backprop…, driven as a user would: open it (training pauses),
pick a point by clicking the plot, Next through the forward and backward passes and
Back, read the numbers against the engine's, Apply and compare with a training step,
undo it, and watch the dialog follow the network."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QMenu, QPushButton

from nnplay.core import Experiment
from nnplay.core.backprop.notation import number
from nnplay.core.config import DenseConfig
from nnplay.gui.document import default_config
from tests.core.helpers import assert_bit_identical
from tests.gui.window_fixtures import button

WAIT = 20_000


def _open(window):
    action = window.findChild(QAction, "stepThroughBackpropAction")
    assert action in window.findChild(QMenu, "trainingMenu").actions()
    action.trigger()
    dialog = window.findChild(QDialog, "backpropDialog")
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    return dialog


def _use(window, layers, optimizer=None, **training):
    config = default_config()
    config.layers = layers
    for key, value in training.items():
        setattr(config.training, key, value)
    if optimizer is not None:
        config.optimizer.name, config.optimizer.settings = optimizer
    window.document.replace(config, None)
    return window.document.experiment


def _click(qtbot, dialog, name):
    qtbot.mouseClick(dialog.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def _click_plot(qtbot, window, x, y):
    graphics, view = window.boundary.graphics, window.boundary.view
    pos = graphics.mapFromScene(view.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(graphics.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _far_from_points(window):
    """A place on the plot with no training point near it."""
    grid, train = window.grid.points, window.document.experiment.split.train.x
    distance = np.min(np.hypot(grid[:, None, 0] - train[None, :, 0], grid[:, None, 1] - train[None, :, 1]), axis=1)
    return grid[int(np.argmax(distance))]


def _go_to(qtbot, dialog, title_part):
    """Press Next until the step's title holds ``title_part``."""
    for _ in range(len(dialog.steps)):
        if title_part in dialog.steps[dialog.position].title:
            return
        _click(qtbot, dialog, "backpropNextButton")
    raise AssertionError(f"no step {title_part!r}")


def _column(view, header):
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    return headers.index(header)


def test_opening_pauses_training_and_traces_the_runs_next_batch(qtbot, window):
    window.play()
    qtbot.waitUntil(lambda: window.boundary.draws >= 2, timeout=WAIT)
    dialog = _open(window)
    assert not window.training  # paused, as the pause button does
    trainer = window.document.experiment.trainer
    assert dialog.trace.batch.kind == "next" and dialog.trace.is_current(trainer)
    label = dialog.findChild(QLabel, "backpropBatchLabel")
    batch = dialog.trace.batch
    # paused after an epoch's last update, the run evaluates that epoch before its next update
    first = f"after the run evaluates epoch {batch.epoch}, " if batch.ends_epoch_first else ""
    assert label.text().startswith(f"The run's next update: {first}epoch {batch.epoch + 1}, update {batch.update + 1} of ")
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert dialog.findChild(QLabel, "backpropStepTitle").text().startswith("Step 1 of")
    assert not dialog.findChild(QPushButton, "backpropBackButton").isEnabled()
    assert len(window.boundary.marks.data) == len(dialog.trace.batch)  # the batch's points are ringed


def test_clicking_a_training_point_picks_it_and_adds_none(qtbot, window):
    experiment = _use(window, [DenseConfig(3, "tanh"), DenseConfig(1, "sigmoid")])
    dialog = _open(window)
    n = len(experiment.dataset)
    x, y = experiment.split.train.x[5]
    _click_plot(qtbot, window, x, y)
    assert dialog.point_radio.isChecked() and dialog.point_spin.value() == 6
    assert list(dialog.trace.batch.indices) == [5]
    assert len(window.document.experiment.dataset) == n  # picking adds no point
    assert np.allclose(window.boundary.marks.data["x"], [x]) and np.allclose(window.boundary.marks.data["y"], [y])
    _click_plot(qtbot, window, *_far_from_points(window))
    assert "No training point there" in dialog.status.text() and list(dialog.trace.batch.indices) == [5]
    assert len(window.document.experiment.dataset) == n
    dialog.close()
    assert not window.boundary.picking and len(window.boundary.marks.data) == 0
    _click_plot(qtbot, window, 0.5, 0.5)  # with the dialog closed a click adds a point again
    assert len(window.document.experiment.dataset) == n + 1


def test_next_and_back_fill_in_the_engines_numbers_in_the_chapters_order(qtbot, window):
    experiment = _use(window, [DenseConfig(3, "tanh"), DenseConfig(1, "sigmoid")])
    dialog = _open(window)
    x, y = experiment.split.train.x[7]
    _click_plot(qtbot, window, x, y)
    view, diagram = dialog.step_view, dialog.diagram
    # the engine on that point, on its own copy of the network
    net = copy.deepcopy(experiment.network)
    features, target = experiment.trainer.data.x_train[[7]], experiment.trainer.data.y_train[[7]]
    net.forward(features, True)
    z1 = net.layers[0].trace_values()["z"][0]
    net.backward(target)
    grads = {key: g.copy() for key, _, g in net.parameters_and_grads()}

    _go_to(qtbot, dialog, "Layer 1 (3 tanh): weighted sums z")
    assert [view.cell(r, _column(view, "z")) for r in range(3)] == [number(v) for v in z1]
    assert "layer0.z" in diagram.revealed and "layer0.a" not in diagram.revealed
    assert "layer0.z" in diagram.current
    titles = []
    while "∂J/∂W" not in dialog.steps[dialog.position].title or dialog.steps[dialog.position].layer != 0:
        titles.append(dialog.steps[dialog.position].title)
        _click(qtbot, dialog, "backpropNextButton")
    assert titles == ["Layer 1 (3 tanh): weighted sums z", "Layer 1 (3 tanh): activations a = f(z)",
                      "Layer 2 (1 sigmoid): weighted sums z", "Layer 2 (1 sigmoid): activations a = f(z)",
                      "The loss J", "Backward: δ of the output layer from the loss",
                      "Layer 2 (1 sigmoid): ∂J/∂W and ∂J/∂b", "Layer 2 (1 sigmoid): ∂J/∂a1 passed down",
                      "Layer 1 (3 tanh): δ = ∂J/∂z"]
    # every gradient shown is the engine's, with its finite difference beside it and a ✓
    shown = [view.cell(r, _column(view, "∂J/∂w")) for r in range(view.table.rowCount())]
    expected = [number(grads["layer0.W"][k, j]) for j in range(3) for k in range(2)]
    assert shown == expected + [number(g) for g in grads["layer0.b"]]
    assert {view.cell(r, _column(view, "check")) for r in range(view.table.rowCount())} == {"✓"}
    dialog.precise_check.setChecked(True)  # every digit: the worked line's result is the engine's float
    assert f"<b>{repr(float(grads['layer0.W'][0, 0]))}</b>" in view.worked.text()
    # Back steps back, and the gradients are blank again
    _click(qtbot, dialog, "backpropBackButton")
    assert "δ = ∂J/∂z" in dialog.steps[dialog.position].title
    assert "layer0.dW" not in diagram.revealed and "layer0.delta" in diagram.revealed
    dialog.grab()  # the diagram paints every number it has
    # the keys the README promises, and the list jumps to any step
    position = dialog.position
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(dialog, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # a mnemonic clicks a moment later
    qtbot.waitUntil(lambda: dialog.position == position + 1, timeout=WAIT)
    qtbot.keyClick(dialog, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.position == position, timeout=WAIT)
    dialog.step_list.setFocus()
    qtbot.keyClick(dialog.step_list, Qt.Key.Key_Return)  # Enter presses Next, the default button
    assert dialog.position == position + 1
    last = dialog.step_list.count() - 1
    rect = dialog.step_list.visualItemRect(dialog.step_list.item(last))
    qtbot.mouseClick(dialog.step_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.position == len(dialog.steps) - 1 and "Update layer 2" in dialog.steps[-1].title
    assert "layer1.W.new" in diagram.revealed and not dialog.findChild(QPushButton, "backpropNextButton").isEnabled()


def _reference(experiment) -> Experiment:
    return Experiment(experiment.to_config())


def _one_update(experiment) -> None:
    experiment.trainer.run(experiment.trainer.epoch + 2, on_update=lambda t: t.request_stop())


def test_apply_is_a_training_step_that_undo_takes_back_and_play_goes_on_from(qtbot, window):
    experiment = window.document.experiment
    dialog = _open(window)
    reference = _reference(experiment)
    before = experiment.network.get_weights()
    _go_to(qtbot, dialog, "Update layer 3")
    draws = window.boundary.draws
    _click(qtbot, dialog, "backpropApplyButton")
    _one_update(reference)
    assert_bit_identical(experiment.network, reference.network)
    assert "Applied" in dialog.status.text() and dialog.position == 0  # the next update, from its input
    assert window.boundary.draws > draws and window.isWindowModified()  # the plots show the new weights
    assert experiment.trainer.update_in_epoch == 1
    window.file_actions.undo_action.trigger()  # the whole state before it, as a file resumes it
    after_undo = window.document.experiment
    assert all(np.array_equal(a[k], b[k]) for a, b in zip(after_undo.network.get_weights(), before) for k in a)
    assert after_undo.trainer.update_in_epoch == 0
    assert dialog.trace.is_current(after_undo.trainer)  # the dialog followed
    window.file_actions.redo_action.trigger()
    assert_bit_identical(window.document.experiment.network, reference.network)
    # paused training goes on from the applied update: the rest of the epoch
    qtbot.mouseClick(button(window, "stepButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    reference.trainer.run(1)
    assert_bit_identical(window.document.experiment.network, reference.network)
    assert window.document.experiment.trainer.history.to_dict() == reference.trainer.history.to_dict()


@pytest.mark.parametrize("optimizer", [("adam", {"lr": 0.01}), ("momentum", {"lr": 0.05, "gamma": 0.9})])
def test_apply_with_optimizer_state_twice_equals_two_training_steps(qtbot, window, optimizer):
    experiment = _use(window, [DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")], optimizer)
    experiment.trainer.run(1)  # the optimizer has state: Adam's m and v, momentum's v
    dialog = _open(window)
    reference = _reference(experiment)
    for _ in range(2):
        _click(qtbot, dialog, "backpropApplyButton")
        _one_update(reference)
    assert_bit_identical(experiment.network, reference.network)
    for key, slot in reference.optimizer.state.items():
        for name, value in slot.items():
            assert np.array_equal(experiment.optimizer.state[key][name], value)
    # a point's update: the optimizer's step on that point alone, the run's place unchanged
    x, y = experiment.split.train.x[3]
    _click_plot(qtbot, window, x, y)
    trace, position = dialog.trace, (experiment.trainer.epoch, experiment.trainer.update_in_epoch)
    _click(qtbot, dialog, "backpropApplyButton")
    for got, predicted in zip(experiment.network.get_weights(), trace.new_weights()):
        assert all(np.array_equal(got[k], predicted[k]) for k in got)
    assert (experiment.trainer.epoch, experiment.trainer.update_in_epoch) == position
    assert "J on this point went from" in dialog.status.text()


def test_the_dialog_follows_the_network_and_says_when_training_runs(qtbot, window):
    dialog = _open(window)
    apply_button = dialog.findChild(QPushButton, "backpropApplyButton")
    _go_to(qtbot, dialog, "The loss J")
    position = dialog.position
    window.document.edit("Learning rate", lambda c: c.optimizer.settings.__setitem__("lr", 0.05))  # live
    assert dialog.trace.lr == 0.05 and dialog.position == position  # traced again, at the same step
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))  # still running when checked
    window.play()
    qtbot.waitUntil(lambda: window.boundary.draws >= 2, timeout=WAIT)
    assert "Training is running" in dialog.status.text() and not apply_button.isEnabled()
    window.stop_training()
    assert dialog.trace.is_current(window.document.experiment.trainer) and apply_button.isEnabled()
    window.document.edit("Add a layer", lambda c: c.layers.insert(0, DenseConfig(3, "relu")))  # the shape
    assert dialog.position == 0 and "changed shape" in dialog.status.text()
    assert dialog.trace.network.layers[0].n_outputs == 3


def test_a_larger_network_follows_the_unit_the_user_clicks(qtbot, window):
    dialog = _open(window)  # File ▸ New's net: 8 and 8 tanh units
    diagram = dialog.diagram
    assert not diagram.small
    _go_to(qtbot, dialog, "Layer 2 (8 tanh): ∂J/∂W")
    dialog.grab()
    centre = diagram.unit_centre(1, 2)  # layer 2 (index 1), unit 3
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    assert diagram.followed == (1, 2)
    labels = [dialog.step_view.cell(r, 0) for r in range(dialog.step_view.table.rowCount())]
    assert labels == [f"W {k}→3" for k in range(1, 9)] + ["b 3"]
    assert "unit 3" in dialog.findChild(QLabel, "backpropTableNote").text()
    tip = diagram.tooltip_for(("unit", 1, 2))
    assert tip.startswith("layer 2, unit 3") and "δ = " in tip and "z = " in tip
    trace = dialog.trace
    assert f"∂J/∂b = {repr(float(trace.gradients['layer1.b'][2]))}" in tip  # every digit
    link = diagram.tooltip_for(("link", 1, 4, 2))
    check = trace.finite_difference("layer1.W", 4 * 8 + 2)
    assert link.startswith("link from input 5 to unit 3 of layer 2")
    assert f"∂J/∂w = {repr(float(trace.gradients['layer1.W'][4, 2]))}" in link
    assert f"finite difference = {repr(check.numeric)}" in link and "agrees" in link


def test_the_windows_title_shows_the_networks_name_as_it_is(qtbot, window):
    window.document.experiment.config.name = "<b>draft</b> [*]"
    dialog = _open(window)
    assert dialog.windowTitle() == "Step through back-propagation — <b>draft</b> [*][*]"
    for name in ("backpropStatus", "backpropBatchLabel", "backpropTableNote"):
        assert dialog.findChild(QLabel, name).textFormat() == Qt.TextFormat.PlainText


def _examples():
    from nnplay.gui.file_actions import examples_dir

    return sorted(examples_dir().glob("*.nnp"))


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.stem)
def test_every_step_of_every_example_shows_and_paints(qtbot, window, path):
    """Each shipped example, every step, painted: softmax outputs, one input, batch norm and
    dropout, pre-training still to run (the dialog then traces a point and says why)."""
    assert window.file_actions.open_path(path, ask=False)
    dialog = _open(window)
    if "pretraining" in path.stem:
        assert dialog.point_radio.isChecked() and "Pre-training comes first" in dialog.status.text()
        assert not dialog.findChild(QPushButton, "backpropApplyButton").isEnabled()
    for position in range(len(dialog.steps)):
        dialog.go(position)
        dialog.grab()
        view = dialog.step_view
        assert view.table.rowCount() > 0 and dialog.findChild(QLabel, "backpropFormula").text()
    dialog.close()

"""The network diagram as a user meets it: every unit's map is what the network computes
there, links and biases tell their values live and take typed ones (undoably, and the
training goes on from them exactly), a node hovered or pinned fills the boundary plot,
wide layers collapse and expand, and a hidden dock costs nothing."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from nnplay.core.config import BatchNormConfig, DenseConfig, DropoutConfig
from nnplay.core.experiment import Experiment
from nnplay.core.unit_maps import lut_indices, number, scale_for, stride_for, unit_image
from nnplay.gui.diagram.feed import MAP_PIXELS
from nnplay.gui.file_actions import example_files
from tests.gui.diagram_helpers import (WAIT, all_arrays, bias_point, click, diagram_on_screen, engine_outputs,
                                       link_point, move_to, node_point, type_value)


def _open_example(window, stem: str) -> None:
    path = next(p for p, _n, _d in example_files() if p.stem == stem)
    assert window.file_actions.open_path(path, ask=False)


def _set_layers(window, layers) -> None:
    window.document.edit("Layers", lambda c: setattr(c, "layers", layers))


def _check_maps_against_the_network(window, diagram) -> None:
    """Each shown unit's map: the network's own output for that unit on the boundary's grid."""
    picture, grid = diagram.picture, window.grid
    features, outputs = engine_outputs(window, grid.points)
    stride = stride_for(grid.shape, MAP_PIXELS)
    for c, column in enumerate(picture.plan.diagram.columns):
        every_unit = features if column.layer is None else outputs[column.layer]
        for k, unit in enumerate(picture.plan.shown[c]):
            expected = unit_image(every_unit[:, unit], grid.shape, stride)
            np.testing.assert_allclose(picture.columns[c].values[k], expected, rtol=1e-5, atol=1e-5)
            scale = picture.columns[c].scales[k]
            lut = picture.plan.luts.diverging if scale.kind == "diverging" else picture.plan.luts.sequential
            if column.kind != "output":  # coloured on the scale its activation (or feature) declares
                assert scale == scale_for(column.value_ranges[unit], picture.columns[c].values[k])
                np.testing.assert_array_equal(picture.columns[c].rgba[k],
                                              lut[lut_indices(picture.columns[c].values[k], scale)])
            # and the node on screen holds exactly those pixels
            node = diagram.nodes[c][k]
            np.testing.assert_array_equal(node._buffer, picture.columns[c].rgba[k])


def test_node_maps_are_the_network_s_own_outputs_on_the_grid(qtbot, window):
    diagram = diagram_on_screen(qtbot, window)
    columns = diagram.picture.plan.diagram.columns
    assert [c.units for c in columns] == [2, 8, 8, 1] and [len(n) for n in diagram.nodes] == [2, 8, 8, 1]
    _check_maps_against_the_network(window, diagram)
    # tanh units on their declared scale, the output on the boundary's
    tanh, output = diagram.picture.columns[1].scales[0], diagram.picture.columns[3].scales[0]
    assert (tanh.lo, tanh.hi) == (-1.0, 1.0) and (output.lo, output.hi) == window.boundary.feed.palette.levels
    # live: after training, the last frame's maps are the trained network's
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    draws = diagram.draws
    window.play()
    qtbot.waitUntil(lambda: diagram.draws >= draws + 3, timeout=WAIT)
    window.stop_training()
    assert window.document.experiment.trainer.epoch > 0
    _check_maps_against_the_network(window, diagram)


def test_hovering_a_link_shows_its_value_live_and_a_click_sets_it_undoably(qtbot, window):
    diagram = diagram_on_screen(qtbot, window)
    network = window.document.experiment.network
    move_to(qtbot, diagram, link_point(diagram, 2, 3, 5))
    assert diagram.hovered.kind == "link" and (diagram.hovered.source, diagram.hovered.unit) == (3, 5)
    assert diagram.card.isVisible()
    assert diagram.card.text.startswith("The weight from unit 4 of layer 1 to unit 6 of layer 2: ")
    assert number(network.layers[1].params["W"][3, 5]) in diagram.card.text
    # live: training changes the weight, the card follows
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    before = diagram.card.text
    window.play()
    qtbot.waitUntil(lambda: diagram.card.text != before, timeout=WAIT)
    window.stop_training()
    network = window.document.experiment.network  # the edit of the epochs built it afresh
    assert number(float(network.layers[1].params["W"][3, 5])) in diagram.card.text

    arrays = all_arrays(window)
    trainer = window.document.experiment.trainer
    position = (trainer.epoch, trainer.update_in_epoch, list(trainer.history["train_loss"]))
    click(qtbot, diagram, link_point(diagram, 2, 3, 5))
    type_value(qtbot, diagram, "-0.75")
    assert not diagram.editor.isVisible()
    assert network.layers[1].params["W"][3, 5] == -0.75
    changed = [(k, a) for (k, a), (_, b) in zip(arrays, all_arrays(window)) if not np.array_equal(a, b)]
    assert [k for k, _ in changed] == ["layer1.W"]  # one array, and in it one number
    after = dict(all_arrays(window))["layer1.W"]
    assert np.count_nonzero(after != dict(arrays)["layer1.W"]) == 1
    assert (trainer.epoch, trainer.update_in_epoch, list(trainer.history["train_loss"])) == position
    assert "−0.75" in diagram.card_text(diagram.hovered) or diagram.value(1, "W", (3, 5)) == -0.75
    assert window.isWindowModified()

    window.document.undo_stack.undo()
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(arrays, all_arrays(window)))
    window.document.undo_stack.redo()
    assert network.layers[1].params["W"][3, 5] == -0.75


def test_a_bias_is_set_by_clicking_it_and_a_wrong_value_is_refused(qtbot, window):
    diagram = diagram_on_screen(qtbot, window)
    bias = window.document.experiment.network.layers[0].params["b"]
    move_to(qtbot, diagram, bias_point(diagram, 1, 2))
    assert diagram.card.text.startswith("The bias of unit 3 of layer 1: ")
    click(qtbot, diagram, bias_point(diagram, 1, 2))
    type_value(qtbot, diagram, "abc")
    assert diagram.editor.isVisible() and "not a number" in diagram.editor.error
    assert window.document.undo_stack.count() == 0
    type_value(qtbot, diagram, "1,5")  # a decimal comma is a decimal point
    assert bias[2] == 1.5 and not diagram.editor.isVisible()
    assert window.document.undo_stack.undoText().startswith("Set the bias of unit 3 of layer 1")


def test_training_goes_on_from_an_edited_weight_exactly(qtbot, window):
    """Step, set a weight in the diagram, step again: the same bits as a run that had that
    weight set by hand at that point; and a run that was playing plays on after the edit."""
    reference = Experiment(window.document.experiment.to_config())
    diagram = diagram_on_screen(qtbot, window)
    window.step_epoch()
    qtbot.waitUntil(lambda: not window.runner.busy and window.document.experiment.trainer.epoch == 1, timeout=WAIT)
    click(qtbot, diagram, link_point(diagram, 1, 0, 4))
    type_value(qtbot, diagram, "2.5")
    window.step_epoch()
    qtbot.waitUntil(lambda: not window.runner.busy and window.document.experiment.trainer.epoch == 2, timeout=WAIT)

    reference.trainer.run(1)
    reference.network.layers[0].params["W"][0, 4] = 2.5
    reference.trainer.run(2)
    mine = window.document.experiment
    assert mine.trainer.history.to_dict() == reference.trainer.history.to_dict()
    for a, b in zip(mine.network.get_weights(), reference.network.get_weights()):
        assert all(np.array_equal(a[k], b[k]) for k in a)

    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    window.play()
    qtbot.waitUntil(lambda: diagram.draws > 0 and window.training, timeout=WAIT)
    click(qtbot, diagram, bias_point(diagram, 3, 0))
    type_value(qtbot, diagram, "0.125")
    assert window.training  # it paused for the edit and plays on from it
    window.stop_training()


def test_hovering_a_node_shows_its_map_on_the_boundary_and_a_click_pins_it(qtbot, window):
    diagram = diagram_on_screen(qtbot, window)
    boundary, overlay = window.boundary, window.inside.overlay
    label = boundary.color_bar.axis.labelText
    move_to(qtbot, diagram, node_point(diagram, 1, 2))
    assert overlay.shown and overlay.image.isVisible() and overlay.caption.isVisible()
    assert overlay.caption.text().startswith("<b>Unit 3 of layer 1 (tanh)</b>")
    assert "blue −1 · white 0 · orange 1" in overlay.caption.text()
    assert boundary.color_bar.axis.labelText == "Unit 3 of layer 1 (tanh)"
    # the whole grid, in the unit's colours: the network's own tanh(z) there
    grid = window.grid
    _features, outputs = engine_outputs(window, grid.points)
    expected = diagram.luts.diverging[lut_indices(outputs[0][:, 2].reshape(grid.shape),
                                                  diagram.picture.columns[1].scales[2])]
    shown = overlay.image.image
    assert shown.shape == expected.shape
    assert np.abs(shown.astype(int) - expected.astype(int)).max() <= 3  # float32 against float64: a step at most

    move_to(qtbot, diagram, None)  # the mouse leaves the node: the output again
    assert not overlay.shown and not overlay.image.isVisible() and boundary.color_bar.axis.labelText == label
    click(qtbot, diagram, node_point(diagram, 2, 0))
    move_to(qtbot, diagram, None)
    assert overlay.shown and overlay.focus.title == "Unit 1 of layer 2 (tanh)" and diagram.nodes[2][0].pinned
    move_to(qtbot, diagram, node_point(diagram, 0, 1))  # another node, while one is pinned
    assert overlay.focus.title == "x₂"
    move_to(qtbot, diagram, None)
    assert overlay.focus.title == "Unit 1 of layer 2 (tanh)"
    click(qtbot, diagram, node_point(diagram, 2, 0))  # unpinned
    move_to(qtbot, diagram, None)
    assert not overlay.shown and not diagram.nodes[2][0].pinned


def test_a_pinned_unit_follows_the_training_frame_by_frame_with_the_boundary(qtbot, window):
    diagram = diagram_on_screen(qtbot, window)
    overlay = window.inside.overlay
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    frames = []
    window.runner.frame.connect(frames.append)
    window.play()
    qtbot.waitUntil(lambda: len(frames) >= 3, timeout=WAIT)
    assert all(f.pictures.get("unit-focus") is None for f in frames)  # nothing hovered or pinned: nothing made
    click(qtbot, diagram, node_point(diagram, 1, 5))
    qtbot.waitUntil(lambda: sum(f.pictures.get("unit-focus") is not None for f in frames) >= 5, timeout=WAIT)
    window.stop_training()
    with_boundary = [f for f in frames[3:] if "boundary" in f.pictures and f.pictures.get("unit-focus") is not None]
    assert len(with_boundary) >= 5  # made with the boundary's own frames, at its pace
    assert overlay.focus.title == "Unit 6 of layer 1 (tanh)" and overlay.focus.pinned
    assert "pinned" in overlay.caption.text()
    grid = window.grid
    _features, outputs = engine_outputs(window, grid.points)
    expected = diagram.luts.diverging[lut_indices(outputs[0][:, 5].reshape(grid.shape), overlay.focus.scale)]
    assert np.abs(overlay.image.image.astype(int) - expected.astype(int)).max() <= 3  # the trained unit


def test_a_wide_layer_collapses_to_what_fits_and_expands_on_click(qtbot, window):
    block = [DenseConfig(64, "relu", "he_normal"), BatchNormConfig(), DropoutConfig(0.3)]
    _set_layers(window, block + [DenseConfig(64, "relu", "he_normal"), BatchNormConfig(), DropoutConfig(0.3),
                                 DenseConfig(1, "sigmoid")])
    diagram = diagram_on_screen(qtbot, window)
    shown = len(diagram.nodes[1])
    assert 3 <= shown < 64 and diagram.more[1].text == f"+{64 - shown} more"
    assert [band.label for _item, band in diagram.bands] == ["BN", "drop 0.3", "BN", "drop 0.3"]
    assert diagram.feed.plan.shown[1] == tuple(range(shown))  # only what is shown is computed
    assert diagram.picture.columns[1].values.shape[0] == shown
    more = diagram.more[1]
    click(qtbot, diagram, more.pos() + more.boundingRect().center())
    assert len(diagram.nodes[1]) == 64 and diagram.more[1].text == "fewer"
    assert diagram.view.verticalScrollBar().maximum() > 0  # taller than the view: it scrolls
    qtbot.waitUntil(lambda: diagram.picture.columns[1].values.shape[0] == 64, timeout=WAIT)
    _check_maps_against_the_network(window, diagram)
    more = diagram.more[1]
    diagram.view.ensureVisible(more)
    click(qtbot, diagram, more.pos() + more.boundingRect().center())
    assert len(diagram.nodes[1]) < 64
    qtbot.waitUntil(lambda: diagram.settled and len(diagram.nodes[1]) == shown, timeout=WAIT)  # the scroll bars gone


def test_a_deep_network_scrolls_sideways(qtbot, window):
    _set_layers(window, [DenseConfig(4, "tanh") for _ in range(9)] + [DenseConfig(1, "sigmoid")])
    diagram = diagram_on_screen(qtbot, window)
    assert len(diagram.nodes) == 11
    assert diagram.view.horizontalScrollBar().maximum() > 0


def test_one_input_nodes_are_curves_and_the_output_is_the_sum_of_its_parts(qtbot, window):
    _open_example(window, "sine")
    diagram = diagram_on_screen(qtbot, window)
    grid = window.grid
    features, outputs = engine_outputs(window, grid.points)
    picture = diagram.picture
    assert all(node.curve is not None and node.image is None for nodes in diagram.nodes for node in nodes)
    np.testing.assert_allclose(picture.columns[1].values, outputs[0][:, list(picture.plan.shown[1])].T,
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(picture.columns[0].values[0], features[:, 0], rtol=1e-6)

    overlay = window.inside.overlay
    move_to(qtbot, diagram, node_point(diagram, 2, 0))
    focus = overlay.focus
    out = window.document.experiment.network.layers[-1]
    hidden = out.n_inputs
    assert focus.parts.shape == (grid.nx, hidden + 1)
    np.testing.assert_allclose(focus.parts[:, 0], out.params["b"][0], rtol=1e-6)  # the bias first
    np.testing.assert_allclose(focus.parts[:, -1], outputs[-1][:, 0], rtol=1e-4, atol=1e-5)  # adding up to the fit
    assert sum(edge.isVisible() for edge in overlay.edges) == hidden + 1
    assert sum(fill.isVisible() for fill in overlay.fills) == hidden
    assert "z = b + Σ" in overlay.caption.text()
    move_to(qtbot, diagram, node_point(diagram, 1, 0))  # a hidden unit: its curve
    assert overlay.focus.parts is None and overlay.curve.isVisible()
    assert not any(fill.isVisible() for fill in overlay.fills)
    move_to(qtbot, diagram, None)
    assert not overlay.curve.isVisible()


def _count_prepares(feed) -> list:
    calls = []
    original = feed.prepare
    feed.prepare = lambda *args: calls.append(1) or original(*args)
    return calls


@pytest.mark.parametrize("closed", [(), ("network_dock",), ("network_dock", "hidden_space_dock")])
def test_hidden_docks_ask_the_worker_for_nothing(qtbot, window, closed):
    """By default the hidden space is a tab behind the diagram: off screen, it costs
    nothing (and no pass over the data is made); a closed dock neither."""
    inside = window.inside
    for name in closed:
        getattr(inside, name).close()
    on_screen = {"network_dock", "hidden_space_dock"}.difference(closed)
    on_screen = {"network_dock"} if not closed else on_screen  # the diagram's tab is in front
    feeds = {"network_dock": inside.diagram.feed, "hidden_space_dock": inside.hidden_space.feed}
    calls = {name: _count_prepares(feed) for name, feed in feeds.items()}
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 10**6))
    window.play()
    qtbot.waitUntil(lambda: window.boundary.draws >= 5, timeout=WAIT)
    watched = {name for name, feed in feeds.items() if feed in window.runner.watch.views}
    assert watched == on_screen
    assert ("data" in window.runner.watch.needs) == ("hidden_space_dock" in on_screen)
    qtbot.waitUntil(lambda: all(calls[name] for name in on_screen), timeout=WAIT)
    window.stop_training()
    assert all(not calls[name] for name in feeds if name not in on_screen)


def test_the_band_and_more_cards_explain_themselves(qtbot, window):
    _open_example(window, "moons_dropout_batchnorm")
    diagram = diagram_on_screen(qtbot, window)
    item, band = diagram.bands[0]
    move_to(qtbot, diagram, item.pos() + QPointF(0, 10))
    assert diagram.hovered.kind == "band" and diagram.card.text.startswith("BN: Batch normalization")

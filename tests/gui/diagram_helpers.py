"""Driving the network diagram and the hidden space as a user: the mouse over a node, a
link or a bias, clicks, typing a value; and what the network itself computes, to check
the pictures against."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

WAIT = 20_000


def diagram_on_screen(qtbot, window):
    """The network dock on screen, its first picture shown."""
    inside = window.inside
    inside.network_dock.show()
    inside.network_dock.raise_()
    qtbot.waitUntil(lambda: window.dock_on_screen(inside.network_dock), timeout=WAIT)
    qtbot.waitUntil(lambda: inside.diagram.settled, timeout=WAIT)
    # the boundary's grid follows the plot's shape once it has rested: the maps are on it then
    qtbot.waitUntil(lambda: not window._reshape_timer.isActive(), timeout=WAIT)
    return inside.diagram


def viewport_point(diagram, scene_point: QPointF):
    return diagram.view.mapFromScene(scene_point)


def node_point(diagram, column: int, unit: int) -> QPointF:
    node = next(n for n in diagram.nodes[column] if n.unit == unit)
    return node.pos() + node.node_rect().center()


def bias_point(diagram, column: int, unit: int) -> QPointF:
    node = next(n for n in diagram.nodes[column] if n.unit == unit)
    return node.pos() + node.bias_rect().center()


def link_point(diagram, column: int, source: int, unit: int) -> QPointF:
    """A point of the link from ``source`` (column − 1) to ``unit`` that no other link is nearer to."""
    links = diagram.links[column]
    i = [n.unit for n in diagram.nodes[column - 1]].index(source)
    j = [n.unit for n in diagram.nodes[column]].index(unit)
    for x, y in links.curve(i, j)[1:-1]:
        point = QPointF(x, y)
        if links.nearest(point, 1.0) == (i, j):
            return point
    raise AssertionError(f"link {source} → {unit} is hidden under others everywhere")


def move_to(qtbot, diagram, scene_point: QPointF | None) -> None:
    """The mouse to ``scene_point`` (None: to an empty corner of the view)."""
    qtbot.wait(1)
    # (QTest takes the null point (0, 0) for the widget's centre)
    point = viewport_point(diagram, scene_point) if scene_point is not None else QPoint(2, 2)
    QTest.mouseMove(diagram.view.viewport(), point)
    qtbot.wait(10)


def click(qtbot, diagram, scene_point: QPointF) -> None:
    qtbot.wait(20)  # a scroll asked for settles first
    point = viewport_point(diagram, scene_point)
    QTest.mouseMove(diagram.view.viewport(), point)
    QTest.mouseClick(diagram.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.wait(10)


def type_value(qtbot, diagram, text: str) -> None:
    editor = diagram.editor
    assert editor.isVisible(), "no box to type in"
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def engine_outputs(window, points: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The network's own features and per-layer outputs (float64) for raw ``points``."""
    experiment = window.document.experiment
    features = experiment.features(points)
    return features, experiment.network.outputs_by_layer(features)


def all_arrays(window) -> list[tuple[str, np.ndarray]]:
    """Every array of the engine: weights, running statistics and the optimizer's state."""
    experiment = window.document.experiment
    out = [(f"layer{i}.{k}", v.copy()) for i, layer in enumerate(experiment.network.get_weights())
           for k, v in layer.items()]
    state = experiment.optimizer.state_dict()
    out += [(f"{key}.{name}", np.array(v)) for key, slot in state["slots"].items() for name, v in slot.items()]
    return out

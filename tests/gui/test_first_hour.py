"""What a new user meets in the first hour (issue 13), in the window: clicked points keep
the validation split, ..."""

from __future__ import annotations

import numpy as np

from tests.gui.window_fixtures import button  # noqa: F401  (the window fixtures)


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

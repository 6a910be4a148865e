"""Click-to-add and right-click-to-remove, as edits of the settings."""

import numpy as np
import pytest

from nnplay.core.datasets import from_points
from nnplay.core.errors import ConfigError
from nnplay.core.point_edits import add_point, remove_nearest_point

from .helpers import config


def test_a_click_adds_an_inline_point_of_the_chosen_class():
    data = from_points([[0.0, 0.0], [1.0, 1.0]], [0, 1], "binary")
    text, change = add_point(data, "binary", 0.5, -0.5, 1)
    cfg = config()
    change(cfg)
    assert text == "Add point" and cfg.data.source == "inline"
    assert cfg.data.x == [[0.0, 0.0], [1.0, 1.0], [0.5, -0.5]] and cfg.data.y == [0, 1, 1]
    with pytest.raises(ConfigError, match="classes 0 to 1"):
        add_point(data, "binary", 0.5, 0.5, 2)


def test_on_one_input_the_click_height_is_the_target():
    data = from_points([[0.0], [1.0]], [0.5, 0.7], "regression")
    _, change = add_point(data, "regression", 2.0, -1.25, label=None)
    cfg = config()
    change(cfg)
    assert cfg.data.x[-1] == [2.0] and cfg.data.y[-1] == -1.25


def test_a_right_click_removes_the_nearest_point_within_reach():
    data = from_points(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]), [0, 1, 0], "binary")
    _, change = remove_nearest_point(data, "binary", 1.02, 0.98, radius=0.1)
    cfg = config()
    change(cfg)
    assert cfg.data.x == [[0.0, 0.0], [2.0, 2.0]]
    with pytest.raises(ConfigError, match="No point near the click"):
        remove_nearest_point(data, "binary", 5.0, 5.0, radius=0.1)
    with pytest.raises(ConfigError, match="at least two points"):
        remove_nearest_point(from_points([[0.0, 0.0], [1.0, 1.0]], [0, 1], "binary"), "binary", 0, 0, radius=1)

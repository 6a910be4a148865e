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


# ---------------------------------------------------------------- the validation split survives edits
def _split_of(cfg):
    from nnplay.core import Experiment

    exp = Experiment(cfg)
    return exp, [tuple(p) for p in exp.split.train.x], [tuple(p) for p in exp.split.validation.x]


def test_points_keep_their_role_when_a_point_is_added_or_removed():
    from nnplay.core.config import DataConfig

    cfg = config(data=DataConfig(name="spiral", n=60, noise=0.1, seed=3, validation_fraction=0.25))
    exp, train, val = _split_of(cfg)
    assert len(val) == 15
    for _ in range(5):  # five clicks in a row: every point that was there keeps its role
        text, change = add_point(exp.dataset, "binary", 0.1 * len(train), 0.2, 1, held_out=exp.split.held_out,
                                 share=cfg.data.validation_fraction)
        change(cfg)
        exp, new_train, new_val = _split_of(cfg)
        assert set(train) <= set(new_train) and set(val) <= set(new_val)
        assert len(new_val) == round(len(exp.dataset) * 0.25)  # the new point's role keeps the share
        train, val = new_train, new_val
    victim = val[3]
    _, change = remove_nearest_point(exp.dataset, "binary", *victim, radius=1e-9, held_out=exp.split.held_out)
    change(cfg)
    _, new_train, new_val = _split_of(cfg)
    assert new_train == train and new_val == [p for p in val if p != victim]


def test_a_new_point_is_held_out_when_the_validation_set_is_short_of_its_share():
    from nnplay.core.point_edits import new_point_held_out

    # 20 %: of 1 … 10 points, round(n · 0.2) are held out; adding one at a time keeps that count
    roles, held = [], 0
    for n in range(10):
        out = new_point_held_out(held, n, 0.2)
        roles.append(out)
        held += out
    assert roles == [False, False, True, False, False, False, False, True, False, False]
    assert not new_point_held_out(0, 100, 0.0)  # with no validation share every new point trains


def test_the_roles_are_in_the_file_and_read_back_the_same(tmp_path):
    from nnplay.core.config import DataConfig
    from nnplay.io import read_network, write_network

    cfg = config(data=DataConfig(name="moons", n=30, seed=2, validation_fraction=0.3))
    exp, _, _ = _split_of(cfg)
    add_point(exp.dataset, "binary", 0.0, 0.0, 0, held_out=exp.split.held_out, share=0.3)[1](cfg)
    assert cfg.data.validation == sorted(exp.split.held_out.tolist())  # the 9 held out; the new one trains
    write_network(cfg, tmp_path / "points.nnp")
    text = (tmp_path / "points.nnp").read_text()
    assert '"validation": [' in text
    again = read_network(tmp_path / "points.nnp")
    assert again.data.validation == cfg.data.validation
    assert _split_of(again)[1:] == _split_of(cfg)[1:]


def test_another_share_or_seed_draws_the_split_afresh():
    from nnplay.core.config import DataConfig
    from nnplay.core.point_edits import with_data_seed, with_validation_share

    cfg = config(data=DataConfig("inline", x=[[0, 0], [1, 1], [2, 2], [3, 3]], y=[0, 1, 0, 1],
                                 validation_fraction=0.25, validation=[2]))
    assert _split_of(cfg)[2] == [(2.0, 2.0)]
    with_validation_share(cfg, 0.5)
    assert cfg.data.validation is None and len(_split_of(cfg)[2]) == 2
    cfg.data.validation = [0]
    with_data_seed(cfg, 7)
    assert cfg.data.validation is None and cfg.data.seed == 7


def test_the_last_training_point_cannot_be_removed():
    data = from_points([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]], [0, 1, 0], "binary")
    with pytest.raises(ConfigError, match="last training point"):
        remove_nearest_point(data, "binary", 0.0, 0.0, radius=0.1, held_out=[1, 2])

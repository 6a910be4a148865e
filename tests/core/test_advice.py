"""The chapters' rules about combining settings, and the edits that follow them."""

from __future__ import annotations

from nnplay.core.advice import (
    choose_dataset, choose_loss, fit_output_layer, loss_choice_text, pairing_notice, set_task, step_notice,
    use_points, zeros_notice,
)
from nnplay.core.config import DataConfig, DenseConfig, DropoutConfig
from nnplay.core.datasets import input_dims
from nnplay.core.losses import LOSSES

from .helpers import config


def test_input_dims_is_one_rule_for_every_kind_of_data():
    assert input_dims(DataConfig("generated", "sine")) == 1
    assert input_dims(DataConfig("generated", "spiral")) == 2
    assert input_dims(DataConfig("inline", x=[[0.5], [1.0]], y=[0, 1])) == 1
    assert input_dims(DataConfig("inline", x=[[0.5, 1.0]], y=[0])) == 2
    # no points yet: the plane, as the file checks have always read it (the data panel said 1)
    assert input_dims(DataConfig("inline", x=[], y=[])) == 2


def test_squared_loss_with_a_softmax_output():
    cfg = config(loss="squared", layers=[DenseConfig(4), DenseConfig(1, "softmax")])
    notice = pairing_notice(cfg)
    assert "softmax over a single unit always outputs 1" in notice.text and notice.fix_text == "Use nll"
    notice.fix(cfg)
    assert (cfg.loss, cfg.layers[-1].activation) == ("nll", "sigmoid") and pairing_notice(cfg) is None
    regression = config(task="regression", loss="squared", data=DataConfig(name="plane"),
                        layers=[DenseConfig(4), DenseConfig(1, "softmax")])
    assert "a softmax output can produce only probabilities that sum to 1" in pairing_notice(regression).text
    # K softmax units under squared loss: the textbook's warning (the softmax saturates)
    classes = config(task="multiclass", loss="squared", data=DataConfig(name="blobs"),
                     layers=[DenseConfig(4), DenseConfig(4, "softmax")])
    notice = pairing_notice(classes)
    assert "saturates" in notice.text and "<b>nllm</b>" in notice.text and notice.fix_text == "Use nllm"
    notice.fix(classes)
    assert (classes.loss, classes.layers[-1].activation) == ("nllm", "softmax")


def test_squared_loss_for_classes_is_flagged_unless_the_output_is_linear():
    sigmoid = config(loss="squared")
    notice = pairing_notice(sigmoid)
    assert "saturates" in notice.text and "<b>nll</b>" in notice.text and notice.fix_text == "Use nll"
    tanh = config(loss="squared", layers=[DenseConfig(4), DenseConfig(1, "tanh")])
    assert pairing_notice(tanh).fix_text == "Use identity"
    # the chapters' XOR example: squared loss on a linear output
    assert pairing_notice(config(loss="squared", layers=[DenseConfig(4), DenseConfig(1, "identity")])) is None


def test_every_pairing_the_loss_list_promises_is_one_the_advice_accepts():
    """Picking a loss brings the output its entry names, and that pairing is never flagged."""
    for task, data in (("binary", DataConfig(name="xor")), ("multiclass", DataConfig(name="blobs")),
                       ("regression", DataConfig(name="plane"))):
        for loss in LOSSES.entries():
            if task not in loss.tasks:
                continue
            cfg = config(task=task, data=data, layers=[DenseConfig(4), DenseConfig(4 if task == "multiclass" else 1)])
            choose_loss(cfg, loss.name)
            assert loss_choice_text(loss.name, cfg).endswith(f"→ {cfg.layers[-1].activation} output")
            assert pairing_notice(cfg) is None, (task, loss.name)


def test_a_loss_for_another_task_is_fixed_with_the_tasks_own():
    cfg = config(task="regression", loss="nll", data=DataConfig(name="ripple"))
    notice = pairing_notice(cfg)
    assert "regression" in notice.text and notice.fix_text == "Use squared"
    notice.fix(cfg)
    assert (cfg.loss, cfg.layers[-1].activation) == ("squared", "identity")


def test_step_units_and_zero_weights_get_notes_and_fixes():
    cfg = config(layers=[DenseConfig(4, "step", "zeros"), DropoutConfig(0.1), DenseConfig(1, "step", "zeros")])
    step, zeros = step_notice(cfg), zeros_notice(cfg)
    assert "derivative" in step.text and "symmetry" in zeros.text and "all layers" in zeros.text
    step.fix(cfg)
    zeros.fix(cfg)
    assert [(l.activation, l.init) for l in (cfg.layers[0], cfg.layers[2])] == [
        ("tanh", "xavier_uniform"), ("sigmoid", "xavier_uniform")]
    assert step_notice(cfg) is None and zeros_notice(cfg) is None


def test_choosing_a_data_set_brings_its_task_loss_and_features():
    cfg = config(features=("x1", "x2", "x1*x2"))
    choose_dataset(cfg, "blobs")
    assert (cfg.task, cfg.loss, cfg.layers[-1].activation, cfg.data.classes) == ("multiclass", "nllm", "softmax", 4)
    fit_output_layer(cfg, 4)
    assert cfg.layers[-1].units == 4
    choose_dataset(cfg, "sine")
    assert (cfg.task, cfg.loss, cfg.features) == ("regression", "squared", ["x1"])
    choose_dataset(cfg, "plane")
    assert cfg.features == ["x1", "x2"]  # back on 2-D data x₂ returns


def test_points_of_ones_own_bring_their_task():
    cfg = config()
    use_points(cfg, DataConfig("inline", x=[[0.1], [0.2], [0.3]], y=[0, 1, 2]), "multiclass", 1, 3)
    assert (cfg.task, cfg.loss, cfg.features, cfg.layers[-1].units) == ("multiclass", "nllm", ["x1"], 3)
    set_task(cfg, "multiclass")  # the same task keeps the loss the user chose
    assert cfg.loss == "nllm"


def test_the_textbooks_xor_points_and_the_next_seeds():
    from nnplay.core.advice import choose_point_set, new_data, new_start
    from nnplay.core.datasets import next_seed, point_set_of

    cfg = config(data=DataConfig(name="spiral", n=400, seed=4))
    choose_point_set(cfg, "xor4")
    assert (cfg.task, cfg.loss, cfg.data.x, cfg.data.y, cfg.data.validation_fraction) == (
        "binary", "nll", [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0], 0.0)
    assert point_set_of(cfg.data).name == "xor4"
    cfg.data.y = [0, 1, 1, 1]
    assert point_set_of(cfg.data) is None  # edited: the user's own points now
    assert next_seed(0) == 1 and next_seed(2**31 - 1) == 0
    new_start(cfg)
    new_data(cfg)
    assert (cfg.training.seed, cfg.data.seed) == (1, 5)

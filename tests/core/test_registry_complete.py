"""Every registry entry, data set and setting declares what its consumers read: the
app (title, formula, help, a control for each setting), the file checks (a range the
default lies in), the ONNX export (a lowering), the advice and the plots."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from nnplay.core import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, SCHEDULES
from nnplay.core.activations import Activation
from nnplay.core.config import (
    TASKS, DataConfig, EarlyStoppingConfig, NetworkConfig, OptimizerConfig, PretrainingConfig, ScheduleConfig,
    TrainingConfig,
)
from nnplay.core.datasets import GENERATORS, generate
from nnplay.core.layers import LAYERS, Layer
from nnplay.core.losses import default_loss
from nnplay.core.settings import KINDS, REQUIRED, Setting, settings_of

REGISTRIES = {"activation": ACTIVATIONS, "loss": LOSSES, "optimizer": OPTIMIZERS, "schedule": SCHEDULES,
              "initializer": INITIALIZERS, "layer type": LAYERS}
ENTRIES = [(kind, cls) for kind, registry in REGISTRIES.items() for cls in registry.entries()]
CONFIG_TYPES = [NetworkConfig, TrainingConfig, EarlyStoppingConfig, PretrainingConfig, DataConfig, OptimizerConfig,
                ScheduleConfig, *(cls.config for cls in LAYERS.entries())]
SETTINGS = ([(f"{cls.name}.{s.name}", s) for _, cls in ENTRIES for s in cls.settings]
            + [(f"{c.__name__}.{s.name}", s) for c in CONFIG_TYPES for s in settings_of(c).values()])


@pytest.mark.parametrize("kind, cls", ENTRIES, ids=[f"{k}:{c.name}" for k, c in ENTRIES])
def test_every_entry_is_named_explained_and_has_a_formula(kind, cls):
    assert cls.kind == kind and cls.name
    assert cls.title.strip() and cls.help.strip() and cls.formula.strip()
    names = [s.name for s in cls.settings]
    assert len(names) == len(set(names))
    assert cls.defaults == {s.name: s.default for s in cls.settings}


@pytest.mark.parametrize("name, spec", SETTINGS, ids=[n for n, _ in SETTINGS])
def test_every_setting_can_be_shown_checked_and_explained(name, spec: Setting):
    assert spec.kind in KINDS and spec.label.strip()
    assert spec.requirement()
    if spec.kind == "choice":
        assert spec.names() and (spec.default is None or spec.default in spec.choices)
        return
    if spec.name not in ("version", "epoch", "source", "task"):  # what the app shows has a tooltip
        assert spec.help.strip(), name
    if spec.kind == "bool":
        assert isinstance(spec.default, bool)
        return
    lo, hi = spec.control_range
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi, "a control needs a finite range"
    assert spec.low is None or lo >= spec.low, "the control offers only what a file may hold"
    assert spec.high is None or hi <= spec.high
    if spec.default not in (None, REQUIRED):
        assert lo <= spec.default <= hi, "the default is within the control's range"
    if spec.kind == "log":
        assert spec.step and spec.step > 0, "where stepping up from 0 lands"


@pytest.mark.parametrize("cls", ACTIVATIONS.entries(), ids=ACTIVATIONS.names())
def test_every_activation_has_an_onnx_form_and_an_output_range(cls):
    assert cls.to_onnx is not Activation.to_onnx
    assert cls.output_range.strip()
    assert cls.derivative.strip()  # the back-propagation dialog's δ = f′(z) ⊙ ∂J/∂a
    low, high = cls.value_range
    assert low is None or high is None or low < high


@pytest.mark.parametrize("cls", LOSSES.entries(), ids=LOSSES.names())
def test_every_loss_declares_its_gradient(cls):
    assert cls.gradient.strip()
    assert bool(cls.logit_gradient.strip()) == cls.from_logits


@pytest.mark.parametrize("cls", LAYERS.entries(), ids=LAYERS.names())
def test_every_layer_type_declares_its_backward_pass(cls):
    assert cls.backward_formula.strip()


@pytest.mark.parametrize("cls", LOSSES.entries(), ids=LOSSES.names())
def test_every_loss_pairs_with_an_output_and_reads_a_plot(cls):
    assert cls.output in ACTIVATIONS and cls.tasks and set(cls.tasks) <= set(TASKS)
    assert cls.why_output.strip()
    assert set(cls.default_for) <= set(cls.tasks)
    assert cls.plot_half_range > 0 and math.isfinite(cls.threshold)


def test_every_task_has_one_default_loss():
    for task in TASKS:
        assert [loss.name for loss in LOSSES.entries() if task in loss.default_for] == [default_loss(task)]


@pytest.mark.parametrize("cls", OPTIMIZERS.entries(), ids=OPTIMIZERS.names())
def test_every_optimizer_declares_its_state(cls):
    assert set(cls.nonnegative_slots) <= set(cls.slots)
    assert "lr" in cls.defaults
    assert all(s.symbol for s in cls.settings), "the tooltip's 'Starts from' names each by its symbol"


@pytest.mark.parametrize("cls", LAYERS.entries(), ids=LAYERS.names())
def test_every_layer_type_declares_its_config_arrays_and_forms(cls):
    assert cls.config.type == cls.name and dataclasses.is_dataclass(cls.config)
    assert set(cls.trainable) <= set(cls.arrays) and set(cls.nonnegative_arrays) <= set(cls.arrays)
    assert cls.to_onnx.__func__ is not Layer.to_onnx.__func__
    config = cls.new_config([])
    assert config.to_dict()["type"] == cls.name
    shapes = cls.array_shapes(config, 3)
    assert set(shapes) == set(cls.arrays)
    layer = cls.from_config(config, 3)
    assert layer.n_outputs == cls.output_width(config, 3)
    assert set(layer.weights()) == set(cls.arrays)
    assert {k: v.shape for k, v in layer.weights().items()} == shapes
    assert layer.parameter_count == cls.count_parameters(config, 3)
    assert cls.summary(config)
    assert len(settings_of(cls.config)) >= 3 or cls.note, "a row with room to spare shows a note"


@pytest.mark.parametrize("name", list(GENERATORS))
def test_every_data_set_is_explained_and_draws_what_it_says(name):
    spec = GENERATORS[name]
    assert spec.title.strip() and spec.help.strip() and spec.task in TASKS and spec.dims in (1, 2)
    data = generate(name, 30, 0.1, seed=0)
    assert data.task == spec.task and data.dims == spec.dims
    assert np.isfinite(data.x).all()

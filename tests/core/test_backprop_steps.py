"""The chapters' steps of back-propagation: their order, that together they show every
number of the trace, and that every number they show — in a worked line or a table —
is the engine's."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nnplay.core import Experiment
from nnplay.core.backprop import Trace, next_batch, point_batch
from nnplay.core.backprop.notation import columns, number
from nnplay.core.backprop.step import BACKWARD, FORWARD, LOSS, UPDATE, Focus, is_small
from nnplay.core.backprop.steps import build_steps, revealed
from nnplay.core.backprop.update import worked_line
from nnplay.core.config import DenseConfig

from .test_backprop_trace import CASES, _experiment

BOLD = re.compile(r"<b>([^<]+)</b>")


def _steps(name: str, point: bool = False):
    exp = _experiment(name)
    batch = point_batch(exp.trainer, 2) if point else next_batch(exp.trainer)
    trace = Trace(exp.trainer, batch)
    return exp, trace, build_steps(exp, trace)


@pytest.mark.parametrize("name", CASES)
def test_steps_follow_the_chapters_order(name):
    exp, trace, steps = _steps(name)
    phases = [step.phase for step in steps]
    assert phases == sorted(phases, key=[FORWARD, LOSS, BACKWARD, UPDATE].index)
    assert phases.count(LOSS) == 1 and steps[0].title == "The input x"
    forward = [step.layer for step in steps if step.phase == FORWARD and step.layer is not None]
    assert forward == sorted(forward)  # first layer to last …
    backward = [step.layer for step in steps if step.phase == BACKWARD]
    assert backward == sorted(backward, reverse=True)  # … then back from the output to layer 1
    for i, layer in enumerate(exp.network.layers):
        if layer.type != "dense":
            continue
        titles = [step.title for step in steps if step.layer == i]
        assert titles.index(next(t for t in titles if "weighted sums" in t)) < titles.index(
            next(t for t in titles if "activations" in t))  # z, then a
        grads = next(t for t in titles if "∂J/∂W" in t)
        if any("δ = ∂J/∂z" in t for t in titles):
            assert titles.index(next(t for t in titles if "δ = ∂J/∂z" in t)) < titles.index(grads)
        if i:
            assert titles.index(grads) < titles.index(next(t for t in titles if "passed down" in t))


@pytest.mark.parametrize("name", CASES)
def test_every_number_of_the_trace_is_shown_by_some_step(name):
    exp, trace, steps = _steps(name)
    shown = revealed(steps, len(steps) - 1)
    hidden = {key for key in trace.values if key not in shown}
    # a layer's input is the output of the one before it, shown there
    hidden -= {f"layer{i}.in" for i in range(1, len(exp.network.layers))}
    assert hidden == set()
    assert revealed(steps, -1) == set()


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("point", [False, True])
def test_every_worked_result_and_table_number_is_the_engines(name, point):
    """With every digit shown, the bold result of each worked line reads back as the very
    float the trace holds, and each table's gradient rows are back-propagation's."""
    exp, trace, steps = _steps(name, point)
    focus = Focus(example=len(trace.batch) - 1, precise=True)
    shown_values = {repr(float(v)) for v in _all_numbers(trace)}
    for step in steps:
        numbers = step.show(focus)
        for line in numbers.worked:
            for result in BOLD.findall(line):
                assert result in shown_values, (step.title, line)
        for row in numbers.table.rows:
            if row.check is not None:
                assert row.check.agrees, (step.title, row.label, row.check)
                assert row.cells[1] == row.check.analytic
        assert all(isinstance(c, (float, str, np.floating)) for row in numbers.table.rows for c in row.cells)


def _all_numbers(trace):
    for value in trace.values.values():
        yield from np.ravel(value)
    for steps in trace.updates.values():
        for step in steps:
            yield from np.ravel(step.result)


def test_the_focus_picks_the_example_and_the_unit_of_the_worked_lines():
    exp, trace, steps = _steps("squared-dropout-batchnorm")
    z_step = next(step for step in steps if "weighted sums" in step.title and step.layer == 0)
    focus = Focus(example=3, units={0: 4}, precise=True)
    line = z_step.show(focus).worked[0]
    assert line.startswith("z<sub>5</sub>")
    assert BOLD.findall(line) == [repr(float(trace.values["layer0.z"][3, 4]))]
    grads = next(step for step in steps if "∂J/∂W" in step.title and step.layer == 0)
    table = grads.show(focus).table
    assert not is_small(exp.network)  # 6 units: the tables follow the chosen unit, 5
    assert [row.label for row in table.rows] == ["W 1→5", "b 5"]


def test_a_large_network_lists_the_chosen_units_weights_only():
    exp = Experiment(_wide())
    exp.trainer.run(1)
    trace = Trace(exp.trainer, next_batch(exp.trainer))
    steps = build_steps(exp, trace)
    assert not is_small(exp.network)
    grads = next(step for step in steps if "∂J/∂W" in step.title and step.layer == 1)
    numbers = grads.show(Focus(units={1: 7, 0: 2}))
    labels = [row.label for row in numbers.table.rows]
    assert labels == [f"W {k}→8" for k in range(1, 11)] + ["b 8"] and "unit 8" in numbers.table.note
    assert "W<sub>3,8</sub>" in numbers.worked[0]  # the link from the chosen unit below
    update = next(step for step in steps if step.phase == UPDATE and step.layer == 1)
    assert [row.label for row in update.show(Focus(units={1: 7})).table.rows][-1] == "b 8"


def _wide():
    from .helpers import config

    return config([DenseConfig(10, "relu"), DenseConfig(12, "tanh"), DenseConfig(1, "sigmoid")], batch_size=5)


def test_columns_group_modules_with_the_dense_layer_before_them():
    exp = _experiment("squared-dropout-batchnorm")
    cols = columns(exp.network)
    assert [(c.layer, c.number, c.width, c.modules) for c in cols] == [
        (-1, 0, 1, ()), (0, 1, 6, (1, 2)), (3, 2, 4, ()), (4, 3, 1, ())]


def test_update_lines_put_the_numbers_into_the_optimizers_formula():
    exp, trace, steps = _steps("nllm-softmax")  # momentum
    momentum = trace.updates["layer0.W"]
    assert worked_line(momentum[0], (1, 2)).startswith("v ← γ·v + η·g = 0.9·")
    line = worked_line(momentum[1], (1, 2), precise=True)
    assert line.startswith("w ← w − v = ")
    assert BOLD.findall(line) == [repr(float(trace.new_weights()[0]["W"][1, 2]))]
    assert number(0.000123456) == "0.0001235" and number(-2.5, precise=True) == "-2.5"


def test_a_full_batch_of_many_points_lists_the_first_examples():
    from nnplay.core.backprop.notation import MAX_EXAMPLE_ROWS
    from nnplay.core.config import DataConfig

    from .helpers import config

    exp = Experiment(config(batch_size=0, data=DataConfig(name="moons", n=600, noise=0.1, seed=1,
                                                          validation_fraction=0.0)))
    trace = Trace(exp.trainer, next_batch(exp.trainer))
    steps = build_steps(exp, trace)
    for step in (steps[0], next(s for s in steps if s.title == "The loss J")):
        table = step.show(Focus()).table
        assert len(table.rows) == MAX_EXAMPLE_ROWS and table.note == "the first 200 of the batch's 600 examples"
    per = trace.values["loss.per_example"]
    assert len(per) == 600 and per.sum() / 600 == trace.values["loss.data"]  # the engine's mean, to the bit

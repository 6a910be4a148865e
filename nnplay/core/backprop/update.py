"""The update, step by step: the schedule's η for this epoch, then each layer's weights
through the optimizer's own lines (``Optimizer.worked_update``) with the numbers put in."""

from __future__ import annotations

import re

import numpy as np

from nnplay.core.backprop.notation import column_of, entry_label, layer_number, number, operand, place
from nnplay.core.backprop.step import UPDATE, Context, Focus, Numbers, Row, Step, Table
from nnplay.core.optimizers import UpdateStep

_BRACES = re.compile(r"\{([^}]+)\}")
_POWER = re.compile(r"\^\{([^}]+)\}")


def schedule_step(ctx: Context) -> Step:
    schedule, trace = ctx.schedule, ctx.trace
    where = (f"epoch e = {trace.schedule_epoch}" if not trace.batch.ends_epoch_first else
             f"epoch e = {trace.schedule_epoch} (the run ends epoch {trace.schedule_epoch} first)")
    text = (f"The step size η for this update: the learning-rate schedule ({schedule.title}) at {where}, from "
            f"the optimizer's η = {number(trace.base_lr)}. ({schedule.help})")

    specs = type(schedule).settings  # the instance's ``settings`` are their values

    def show(focus: Focus) -> Numbers:
        p = focus.precise
        given = [f"η = {number(trace.base_lr, p)}"] + [
            f"{spec.symbol or spec.name} = {number(schedule.settings[spec.name], p)}" for spec in specs]
        e = trace.schedule_epoch
        line = f"{', '.join(given)}, e = {e} → η({e}) = <b>{number(trace.lr, p)}</b>"
        rows = [Row("η (the optimizer's)", (trace.base_lr,))]
        rows += [Row(spec.label, (float(schedule.settings[spec.name]),)) for spec in specs]
        rows += [Row("epoch e", (float(trace.schedule_epoch),)), Row("η(e)", (trace.lr,))]
        return Numbers([line], Table(("value",), rows))

    return Step(UPDATE, "The learning rate η for this epoch", schedule.formula, text, ("update.lr",), None, show)


def update_steps(ctx: Context, i: int) -> list[Step]:
    layer = ctx.network.layers[i]
    if not layer.params:
        return []
    opt = ctx.optimizer
    l = layer_number(ctx.network, i)
    what = (f"layer {l} ({layer.n_outputs} {layer.activation_name})" if layer.type == "dense"
            else f"the {layer.title} {place(ctx.network, i)}")
    text = (f"The optimizer ({opt.title}) turns each gradient g = ∂J/∂w into a step. {opt.help} "
            + (f"This is update t = {ctx.trace.t} of the run." if "t" in _operands(ctx, i) else ""))
    keys = tuple(f"layer{i}.{name}.new" for name in layer.params)
    return [Step(UPDATE, f"Update {what}", opt.formula, text, keys, i, lambda focus: _update_numbers(ctx, i, focus))]


def _operands(ctx: Context, i: int) -> set[str]:
    layer = ctx.network.layers[i]
    steps = ctx.trace.updates[f"layer{i}.{next(iter(layer.params))}"]
    return {name for step in steps for name in step.operands}


def _entries(ctx: Context, i: int, focus: Focus) -> list[tuple[str, tuple[int, ...], int]]:
    """(parameter name, index, unit) of the entries a table lists: every one of a small
    network's, else the chosen unit's."""
    layer = ctx.network.layers[i]
    width = layer.n_outputs
    units = list(range(width)) if not ctx.large else [focus.unit(column_of(ctx.network, i), width)]
    out = []
    for name, value in layer.params.items():
        if value.ndim == 2:
            out += [(name, (k, j), j) for j in units for k in range(value.shape[0])]
        else:
            out += [(name, (j,), j) for j in units]
    return out


def _update_numbers(ctx: Context, i: int, focus: Focus) -> Numbers:
    p = focus.precise
    entries = _entries(ctx, i, focus)
    first = ctx.trace.updates[f"layer{i}.{entries[0][0]}"]
    targets = [step.target for step in first]
    header = ("w", "g = ∂J/∂w", *[f"new {t}" for t in targets[:-1]], "new w")
    rows = []
    for name, index, unit in entries:
        steps = ctx.trace.updates[f"layer{i}.{name}"]
        w = ctx.values[f"layer{i}.{name}"][index]
        g = ctx.trace.gradients[f"layer{i}.{name}"][index]
        rows.append(Row(entry_label(name, index), (w, g, *[step.result[index] for step in steps]), unit=unit))
    name, index = _focused_entry(ctx, i, focus)
    lines = [f"{entry_label(name, index)}:"]
    lines += [worked_line(step, index, p) for step in ctx.trace.updates[f"layer{i}.{name}"]]
    note = "" if not ctx.large else "the chosen unit's weights: pick another unit on the diagram to see its own"
    return Numbers(lines, Table(header, rows, note))


def _focused_entry(ctx: Context, i: int, focus: Focus) -> tuple[str, tuple[int, ...]]:
    layer = ctx.network.layers[i]
    j = focus.unit(column_of(ctx.network, i), layer.n_outputs)
    name, value = next(iter(layer.params.items()))
    if value.ndim == 2:
        k = focus.unit(column_of(ctx.network, i - 1) if i else -1, value.shape[0])
        return name, (k, j)
    return name, (j,)


def worked_line(step: UpdateStep, index: tuple[int, ...], precise: bool = False) -> str:
    """``v ← γ·v + η·g = 0.9·0.01 + 0.01·0.5 = 0.014`` for the entry at ``index``."""
    expression = _POWER.sub(lambda m: "<sup>{" + m.group(1) + "}</sup>", step.expression)
    symbols = _BRACES.sub(lambda m: m.group(1), expression)
    numbers = _BRACES.sub(lambda m: _value(step.operands[m.group(1)], index, precise), expression)
    return f"{step.target} ← {symbols} = {numbers} = <b>{number(step.result[index], precise)}</b>"


def _value(value, index: tuple[int, ...], precise: bool) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, np.ndarray):
        value = value[index]
    return operand(value, precise)


__all__ = ["schedule_step", "update_steps", "worked_line"]

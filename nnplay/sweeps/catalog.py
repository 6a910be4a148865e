"""What a network offers to vary in a race or a search: one ``Choice`` per setting,
read from the ``Setting``s the config types and registry entries declare.

``choices_for(base)`` walks the network file's sections: the optimizer (its name and
the settings of every optimizer), the schedule, every field of ``training`` and
``data`` that declares a ``Setting`` (a new field shows up here by itself; an
optional section such as ``training.early_stopping`` becomes an on/off choice), the
loss, each layer's settings, and, for every layer type besides dense, "with and
without" such layers. Each choice carries the base's value and a few values to
start from (``suggestions``): every name of a list, both states of a switch, or a
few numbers around the current one along the setting's kind (a learning rate by
factors of ten, units by factors of two).

No Qt: the app's parameter pickers show these; ``nnplay.sweeps.picks`` turns what the
user picked into race variants or a sweep file's parameters.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import typing
from dataclasses import dataclass, field
from typing import Any

from nnplay.core.config import DataConfig, NetworkConfig, TrainingConfig
from nnplay.core.layers import LAYERS, DenseConfig
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.schedules import SCHEDULES
from nnplay.core.settings import REQUIRED, Setting, settings_of, setting_at
from nnplay.io.schema import network_to_dict, parse_network
from nnplay.sweeps.paths import PathError, check_path, parse_path

#: settings no run varies: where the points come from is not a hyper-parameter
#: (inline points need their coordinates), and the task and features are the network itself
_NOT_VARIED = {"data.source"}
#: choice kinds that are not a ``Setting``'s: a layer type switched on and off, and a
#: path the user typed ("any setting")
LAYER_TYPE, ANY = "layer_type", "any"


@dataclass(frozen=True)
class Choice:
    """One thing a race or a search may vary.

    ``path`` is where its value goes in the network file; ``key`` tells choices with
    the same path apart (every layer type's switch sets ``layers``). ``kind`` is the
    setting's (``int``, ``log``, ``choice``, ``bool``, …), ``switch`` for an optional
    section (values None and ``suggestions[1]``), ``layer_type`` for "with and without
    <type> layers" (values False and True), ``any`` for a path the user typed."""

    key: str
    path: str
    group: str
    label: str
    kind: str
    current: Any = None
    suggestions: tuple = ()
    setting: Setting | None = field(default=None, compare=False, repr=False)
    #: the names a ``choice`` offers, and their titles
    names: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    #: a layer-type switch: the type's name
    layer_type: str = ""
    note: str = ""  #: what else to know (which optimizers have this setting)
    short: str = ""  #: how a run's label names it, when its symbol or label would not say enough

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float", "log", "decay", "percent")

    @property
    def symbol(self) -> str:
        """How a run's label names it: the setting's symbol, or its label."""
        if self.short:
            return self.short
        if self.setting is not None and self.setting.symbol:
            return self.setting.symbol
        return self.label

    def describe(self, value: Any) -> str:
        """A value as a run's label shows it: ``Adam``, ``η 0.003``, ``with Dropout``."""
        if self.kind == LAYER_TYPE:
            return f"{'with' if value else 'without'} {self.label.removesuffix(' layers')}"
        if self.kind == "choice" and value in self.names:
            title = self.titles[self.names.index(value)]
            return f"{self.short} {title}" if self.short else title
        if self.kind in ("bool", "switch"):
            return f"{self.label} {'on' if value else 'off'}"
        if isinstance(value, float):
            value = f"{value:.6g}"
        return f"{self.symbol} {value}"


def choices_for(base: dict | NetworkConfig) -> list[Choice]:
    """Everything the network ``base`` (a network file's object, or its config) offers
    to vary, grouped as the app lists them."""
    cfg = base if isinstance(base, NetworkConfig) else parse_network(base)
    validated = network_to_dict(cfg, complete=True)  # a setting that is off (pretraining) has its path
    found = [*_entry_choices("optimizer", OPTIMIZERS, cfg), *_entry_choices("schedule", SCHEDULES, cfg),
             *_section_choices(TrainingConfig, "training", cfg.training, "Training", cfg),
             *_layer_choices(cfg), _loss_choice(cfg),
             *_section_choices(DataConfig, "data", cfg.data, "Data", cfg)]
    return [choice for choice in found if _exists(validated, choice)]


def any_choice(path: str, base: dict | None = None) -> Choice:
    """A path the user typed: whatever it holds in ``base`` is its current value."""
    current = None
    if base is not None:
        try:
            current = value_at(base, path)
        except PathError:
            pass
    return Choice(path, path, "Other", path, ANY, current, (current,) if current is not None else ())


def value_at(obj: dict, path: str) -> Any:
    """The value at ``path`` of a network file's object; raises ``PathError``."""
    node: Any = obj
    for token in parse_path(path):
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            raise PathError(f"{path}: the network file has no such setting") from None
    return node


def _exists(validated: dict, choice: Choice) -> bool:
    if choice.kind == LAYER_TYPE or choice.path.startswith(("optimizer.", "schedule.")):
        return True  # another optimizer's setting exists once the run picks that optimizer
    try:
        check_path(validated, choice.path)
    except PathError:
        return False
    return True


# ---------------------------------------------------------------- the sections
def _setting_choice(path: str, spec: Setting, group: str, current: Any, label: str | None = None,
                    note: str = "", context: NetworkConfig | None = None) -> Choice:
    names, titles = (), ()
    if spec.kind == "choice":
        names = tuple(_fitting_names(spec, context))
        titles = tuple(_title(spec, name) for name in names)
    return Choice(path, path, group, label or spec.label.strip(), spec.kind, current,
                  suggestions(spec, current, names), spec, names, titles, note=note)


def _entry_choices(section: str, registry, cfg: NetworkConfig) -> list[Choice]:
    """The entry's name, then every setting any entry of the registry has (by name, in
    the order the registry lists them), with the base's value where its entry has it."""
    chosen = getattr(cfg, section)
    current_cls = registry.get(chosen.name)
    resolved = current_cls.resolve(chosen.settings)
    group = section.title()
    out = [_setting_choice(f"{section}.name", setting_at(NetworkConfig, f"{section}.name"), group, chosen.name)]
    seen: dict[str, list] = {}
    for cls in registry.entries():
        for spec in cls.settings:
            seen.setdefault(spec.name, []).append((cls, spec))
    everyone = len(registry.entries())
    for name, owners in seen.items():
        cls, spec = next(((c, s) for c, s in owners if c is current_cls), owners[0])
        current = resolved.get(name, spec.default)
        note = "" if len(owners) == everyone else "only " + ", ".join(c.title for c, _ in owners)
        out.append(_setting_choice(f"{section}.{name}", spec, group, current, note=note))
    return out


def _section_choices(cls, prefix: str, value: Any, group: str, cfg: NetworkConfig) -> list[Choice]:
    """Every field of the config dataclass ``cls`` that declares a ``Setting``; the
    settings of a section it always has; an optional section (``X | None``) as an
    on/off switch, and its own settings when on."""
    out = []
    declared = settings_of(cls)
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        path = f"{prefix}.{f.name}"
        current = getattr(value, f.name)
        if path in _NOT_VARIED:
            continue
        if f.name in declared:
            spec = declared[f.name]
            if spec.kind == "choice" or isinstance(current, (int, float)) or current is None:
                out.append(_setting_choice(path, spec, group, current, context=cfg))
            continue
        if dataclasses.is_dataclass(hints[f.name]) and current is not None:  # a section always there
            out += _section_choices(hints[f.name], path, current, group, cfg)
            continue
        section = _optional_section(hints[f.name])
        if section is None:
            continue
        on = _switched_on(section, current)
        if on is not None:
            title = getattr(section, "title", None) or f.name.replace("_", " ").capitalize()
            out.append(Choice(path, path, group, title, "switch", None if current is None else on,
                              (None, on), note=getattr(section, "help", "")))
        if current is not None:
            out += _section_choices(section, path, current, group, cfg)
    return out


def _optional_section(hint) -> type | None:
    args = typing.get_args(hint)
    if type(None) not in args:
        return None
    return next((a for a in args if dataclasses.is_dataclass(a)), None)


def _switched_on(section, current) -> dict | None:
    """The value that switches an optional section on: the base's own when it is on,
    else the section's ``switched_on()`` or its settings' defaults (None when one has none)."""
    if current is None and hasattr(section, "switched_on"):
        current = section.switched_on()
    if current is None:
        defaults = {name: spec.default for name, spec in settings_of(section).items()}
        if any(value is REQUIRED for value in defaults.values()):
            return None
        current = section(**defaults)
    return current.to_dict() if hasattr(current, "to_dict") else dataclasses.asdict(current)


def _loss_choice(cfg: NetworkConfig) -> Choice:
    return _setting_choice("loss", setting_at(NetworkConfig, "loss"), "Loss", cfg.loss, context=cfg)


def _layer_choices(cfg: NetworkConfig) -> list[Choice]:
    out = []
    dense = [i for i, layer in enumerate(cfg.layers) if isinstance(layer, DenseConfig)]
    output = dense[-1] if dense else None
    for i, layer in enumerate(cfg.layers):
        cls = LAYERS.get(layer.type)
        for name, spec in settings_of(type(layer)).items():
            if i == output and name == "units":
                continue  # the task and the data fix the output layer's width
            where = "output layer" if i == output else f"layer {i + 1}"
            choice = _setting_choice(f"layers[{i}].{name}", spec, "Layers", getattr(layer, name),
                                     label=f"{spec.label.strip()} ({where}, {cls.title.lower()})")
            choice = dataclasses.replace(choice, short=f"{where} {spec.label.strip().lower()}")
            if i == output and spec.kind == "choice":  # the loss pairs with one output activation
                choice = dataclasses.replace(choice, suggestions=(choice.current,))
            out.append(choice)
    hidden = [i for i in dense if i != output]
    if hidden:
        for cls in LAYERS.entries():
            if cls.config is DenseConfig:
                continue
            has = any(layer.type == cls.name for layer in cfg.layers)
            out.append(Choice(f"layers:{cls.name}", "layers", "Layers", f"{cls.title} layers", LAYER_TYPE,
                              has, (False, True), layer_type=cls.name,
                              note=f"after each hidden dense layer; {cls.help}"))
    return out


# ---------------------------------------------------------------- layer-type switches
def with_layer_type(layers: list[dict], layer_type: str) -> list[dict]:
    """``layers`` (a network file's list) with a layer of ``layer_type`` after each hidden
    dense layer, as the app's "+" button makes it; unchanged if it has such layers."""
    if any(layer.get("type") == layer_type for layer in layers):
        return copy.deepcopy(layers)
    cls = LAYERS.get(layer_type)
    dense = [i for i, layer in enumerate(layers) if layer.get("type") == "dense"]
    out = []
    for i, layer in enumerate(layers):
        out.append(copy.deepcopy(layer))
        if dense and i in dense[:-1]:
            out.append(cls.new_config([]).to_dict())
    return out


def without_layer_type(layers: list[dict], layer_type: str) -> list[dict]:
    return [copy.deepcopy(layer) for layer in layers if layer.get("type") != layer_type]


# ---------------------------------------------------------------- suggestions
def _fitting_names(spec: Setting, context: NetworkConfig | None) -> list[str]:
    """A choice's names; a loss or a data set only when it suits the network's task."""
    names = spec.names()
    entries = spec.choices
    if context is None or not hasattr(entries, "get"):
        return names
    return [n for n in names if context.task in getattr(entries.get(n), "tasks", (context.task,))
            and getattr(entries.get(n), "task", context.task) == context.task]


def _title(spec: Setting, name: str) -> str:
    """A registry entry's title; a name of a plain list or dict of descriptions is its own title."""
    choices = spec.choices
    entry = choices.get(name) if hasattr(choices, "get") else None
    title = getattr(entry, "title", "") if not isinstance(entry, str) else ""  # str.title is a method
    return title or name


def suggestions(spec: Setting, current: Any, names: tuple = ()) -> tuple:
    """A few values to start from: every name of a list, both states of a switch, or
    numbers around ``current`` along the setting's kind, inside its range."""
    if spec.kind == "choice":
        return tuple(names)
    if spec.kind == "bool":
        return (False, True)
    if current is None or isinstance(current, bool) or not isinstance(current, (int, float)):
        current = spec.default if isinstance(spec.default, (int, float)) else None
    if current is None:
        return ()
    if spec.kind == "int":
        c = int(current)
        candidates = [c, c + 1, c + 2] if c <= 1 else [c // 2, c, 2 * c]
    elif spec.kind == "log":
        zero_allowed = spec.low == 0 and not spec.low_open
        if zero_allowed:  # a penalty: with and without it
            candidates = [0.0, current or 10 * (spec.step or 1e-4)]
        else:
            candidates = [current / 10, current, current * 10]
    elif spec.kind == "decay":
        gap = 1.0 - current
        candidates = [1 - 2 * gap, current, 1 - gap / 2]
    else:
        step = spec.step or 0.1
        candidates = [current - step, current, current + step]
    return tuple(dict.fromkeys(v for v in (_tidy(v, spec) for v in candidates) if _inside(v, spec)))


def _tidy(value: float, spec: Setting) -> float | int:
    if spec.kind == "int":
        return int(value)
    return float(f"{value:.6g}")  # 0.30000000000000004 → 0.3


def _inside(value: float, spec: Setting) -> bool:
    lo, hi = spec.control_range
    if spec.low is not None:
        lo = max(lo, spec.low)
    if spec.high is not None:
        hi = min(hi, spec.high)
    if not (math.isfinite(value) and lo <= value <= hi):
        return False
    if spec.low_open and value == spec.low or spec.high_open and value == spec.high:
        return False
    return True


# ---------------------------------------------------------------- showing values
def describe_layers(layers: list[dict]) -> str:
    """A ``layers`` value in a line, as ``nnplay info`` reads each: ``8 tanh · dropout 0.2 · 1 sigmoid``."""
    parts = []
    for layer in layers:
        try:
            cls = LAYERS.get(layer.get("type"))
            fields = {k: v for k, v in layer.items() if k != "type"}
            parts.append(cls.summary(cls.config(**fields)))
        except (TypeError, ValueError, KeyError, AttributeError):
            parts.append(str(layer.get("type", "?")) if isinstance(layer, dict) else "?")
    return " · ".join(parts)

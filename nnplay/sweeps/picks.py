"""What the user picked to vary, as race variants or a sweep file's parameters.

A ``Pick`` is a ``catalog.Choice`` with its values (a race, a grid, or a random
search's ``values``) or, in a random search, a distribution between two bounds.
``race_variants`` makes every combination, first pick varying slowest, each with a
label a person reads (``Adam, η 0.01, with Dropout``); ``sweep_object`` writes a
sweep file's object (SPEC §4) that ``parse_sweep`` then checks.

Switching a layer type on inserts layers, which shifts the index of every layer
after it; so a pick of a layer's setting (``layers[2].activation``) is applied
first, to the base's layers, and the switches after it, and together they become
one ``layers`` value per combination. Every problem raises ``PickError``, one line
naming the path.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

from nnplay.sweeps.catalog import ANY, LAYER_TYPE, Choice, with_layer_type, without_layer_type
from nnplay.sweeps.paths import PathError, set_value

#: a random search's ways of drawing a value (SPEC §4), by the words the app shows
DISTRIBUTIONS = {"values": "choice of values", "uniform": "uniform", "log_uniform": "log-uniform",
                 "int_uniform": "integer"}
_SEPARATORS = re.compile(r"[,;\s]+")


class PickError(ValueError):
    """Picks that make no race or sweep; the message is one line naming the path."""


@dataclass(frozen=True)
class Pick:
    choice: Choice
    values: tuple = ()
    distribution: str = "values"  #: a random search's: one of ``DISTRIBUTIONS``
    low: float | None = None
    high: float | None = None

    @property
    def path(self) -> str:
        return self.choice.path

    @property
    def touches_layers(self) -> bool:
        return self.path == "layers" or self.path.startswith("layers[")

    def spec(self, search: str) -> dict[str, Any]:
        """The sweep file's value of this parameter."""
        if search == "grid" or self.distribution == "values":
            return {"values": copy.deepcopy(list(self.values))}
        return {self.distribution: [self.low, self.high]}


# ---------------------------------------------------------------- text the user typed
def parse_values(text: str, choice: Choice) -> tuple:
    """The values in ``text``: numbers for a numeric setting (``0.001, 0.01``; ``20 %``
    for a share), JSON values or bare names for a path typed by hand."""
    if not text.strip():
        raise PickError(f"{choice.path}: give at least one value")
    if choice.kind == ANY or not choice.numeric:
        return tuple(_parse_any(text))
    return tuple(_number(token, choice) for token in _tokens(text))


def parse_bound(text: str, choice: Choice, which: str) -> float:
    tokens = _tokens(text)
    if len(tokens) != 1:
        raise PickError(f"{choice.path}: the {which} bound must be one number, got '{text.strip()}'")
    return _number(tokens[0], choice, whole=False)


def format_values(values, choice: Choice) -> str:
    """Values as ``parse_values`` reads them back."""
    if choice.kind == ANY or not choice.numeric:
        return ", ".join(json.dumps(v, ensure_ascii=False) for v in values)
    return ", ".join(format_number(v) for v in values)


def format_number(value: float | int) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _tokens(text: str) -> list[str]:
    text = re.sub(r"\s*%", "%", text)  # "20 %" is one token
    return [t for t in _SEPARATORS.split(text.strip()) if t]


def _number(token: str, choice: Choice, whole: bool | None = None) -> float | int:
    try:
        value = float(token[:-1]) / 100 if token.endswith("%") else float(token)
    except ValueError:
        raise PickError(f"{choice.path}: '{token}' is not a number") from None
    if whole is None:
        whole = choice.kind == "int"
    if whole:
        if not value.is_integer():
            raise PickError(f"{choice.path}: '{token}' is not a whole number")
        return int(value)
    return value


def _parse_any(text: str) -> list:
    try:
        values = json.loads(f"[{text}]")
    except ValueError:
        values = [_json_or_name(token.strip()) for token in text.split(",") if token.strip()]
    return values


def _json_or_name(token: str) -> Any:
    try:
        return json.loads(token)
    except ValueError:
        return token


# ---------------------------------------------------------------- a race
def check_picks(picks: list[Pick]) -> None:
    seen: set[str] = set()
    for pick in picks:
        if pick.choice.key in seen or (pick.choice.kind != LAYER_TYPE and pick.path in seen):
            raise PickError(f"{pick.path}: picked twice; give all its values in one row")
        seen.update({pick.choice.key, pick.path})
        if not pick.values and pick.distribution == "values":
            raise PickError(f"{pick.path}: pick at least one value")


def race_variants(picks: list[Pick], base: dict) -> list[tuple[dict[str, Any], str]]:
    """Every combination of the picks' values, the first pick varying slowest: each
    run's ``{path: value}`` (as ``race_plans`` takes them) and its label."""
    check_picks(picks)
    out = []
    for combination in itertools.product(*(pick.values for pick in picks)):
        values = _assemble(picks, combination, base)
        label = ", ".join(pick.choice.describe(value) for pick, value in zip(picks, combination))
        out.append((values, label or "the network as it is"))
    return out


def _assemble(picks: list[Pick], combination: tuple, base: dict) -> dict[str, Any]:
    if not any(pick.choice.kind == LAYER_TYPE for pick in picks):
        return {pick.path: copy.deepcopy(value) for pick, value in zip(picks, combination)}
    out: dict[str, Any] = {}
    holder = {"layers": copy.deepcopy(base["layers"])}
    switches = []
    for pick, value in zip(picks, combination):
        if pick.choice.kind == LAYER_TYPE:
            switches.append((pick.choice.layer_type, value))
        elif pick.touches_layers:
            try:
                set_value(holder, pick.path, value)
            except PathError as exc:
                raise PickError(str(exc)) from None
        else:
            out[pick.path] = copy.deepcopy(value)
            continue
        out.setdefault("layers", None)  # where the layer picks come, in the picks' order
    for layer_type, on in switches:
        holder["layers"] = (with_layer_type if on else without_layer_type)(holder["layers"], layer_type)
    out["layers"] = holder["layers"]
    return out


# ---------------------------------------------------------------- a sweep file
def sweep_parameters(picks: list[Pick], search: str, base: dict) -> dict[str, dict]:
    """The sweep file's ``parameters``: one per pick, or, with a layer type switched,
    one ``layers`` parameter whose values are the layer picks' combinations."""
    check_picks(picks)
    if not any(pick.choice.kind == LAYER_TYPE for pick in picks):
        return {pick.path: pick.spec(search) for pick in picks}
    layer_picks = [pick for pick in picks if pick.touches_layers or pick.choice.kind == LAYER_TYPE]
    for pick in layer_picks:
        if search == "random" and pick.distribution != "values":
            raise PickError(f"{pick.path}: with layers switched on and off, a layer's setting takes a "
                            f"list of values, not a {DISTRIBUTIONS[pick.distribution]} distribution")
    combos = []
    for combination in itertools.product(*(pick.values for pick in layer_picks)):
        layers = _assemble(layer_picks, combination, base)["layers"]
        if layers not in combos:
            combos.append(layers)
    out: dict[str, dict] = {}
    for pick in picks:
        if pick in layer_picks:
            out.setdefault("layers", {"values": combos})
        else:
            out[pick.path] = pick.spec(search)
    return out


def sweep_object(base: dict, picks: list[Pick], search: str, epochs: int, metric: str,
                 runs: int | None = None, seed: int = 0) -> dict[str, Any]:
    """A sweep file's object: the base written inline, the picks as its parameters."""
    obj: dict[str, Any] = {"format": "nnplay-sweep", "version": 1, "base": copy.deepcopy(base), "search": search}
    if search == "random":
        obj["runs"], obj["seed"] = runs, seed
    obj["epochs"] = epochs
    obj["metric"] = metric
    obj["parameters"] = sweep_parameters(picks, search, base)
    return obj

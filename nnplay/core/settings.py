"""One setting of a concept, declared once: what the file accepts, what the app shows.

A ``Setting`` carries everything a consumer needs: the key a network file uses (and
the other spellings it accepts), the symbol and label the app shows, the default, the
range a file may hold, the range the app's control offers, how the control steps
(``kind``) and a one-line help. The file checks, the panels and the reports read it;
none keeps its own table.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass
from typing import Any

#: the default of a setting a network file must give
REQUIRED = dataclasses.MISSING

#: how a control edits the setting:
#: ``int`` a whole number; ``float`` a number stepped evenly by ``step``;
#: ``log`` a number that spans magnitudes (arrows walk 1-2-5, ``step`` is where stepping up from 0 lands);
#: ``decay`` a factor just under 1 (arrows walk 1 - value along 1-2-5);
#: ``percent`` a fraction shown as a whole percentage; ``bool`` a check box;
#: ``choice`` one of the names in ``choices`` (a registry, a dict or a sequence)
KINDS = ("int", "float", "log", "decay", "percent", "bool", "choice")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: each is declared once
class Setting:
    name: str  #: the key in a network file
    label: str  #: what the app writes beside the control
    default: Any
    kind: str = "float"
    help: str = ""  #: the control's tooltip
    symbol: str = ""  #: the letter a formula uses (η, γ, …)
    low: float | None = None  #: a file's values must be ≥ low (> low when ``low_open``)
    high: float | None = None  #: … and ≤ high (< high when ``high_open``)
    low_open: bool = False
    high_open: bool = False
    #: the range the app's control offers, when narrower than what a file may hold
    control: tuple[float, float] | None = None
    #: a ``float`` control's step; a ``log`` control's first rung above 0
    step: float | None = None
    decimals: int = 2  #: a ``float`` control's decimals
    aliases: tuple[str, ...] = ()  #: other keys a file may use for it
    #: a ``choice`` setting's names: a ``Registry`` (read when asked, so later entries count),
    #: a dict or a sequence
    choices: Any = None

    def with_default(self, default: Any) -> "Setting":
        """The same setting with another default (an optimizer whose η starts elsewhere)."""
        return dataclasses.replace(self, default=default)

    # ---- what a value must be (nnplay.io.validation checks it)
    def requirement(self) -> str:
        """What a valid value is, in words: ``a whole number from 1 to 4,096``."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(f"'{name}'" for name in self.names())
        if self.kind == "int":
            if self.high is not None:
                return f"a whole number from {self.low:,} to {self.high:,}"
            return f"a whole number ≥ {self.low}"
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '≥'} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_open else '≤'} {self.high:g}")
        return "a number" + (" " + " and ".join(parts) if parts else "")

    def names(self) -> list[str]:
        """A ``choice`` setting's names, in order."""
        choices = self.choices
        return choices.names() if hasattr(choices, "names") else list(choices)

    # ---- what the app's control offers
    @property
    def control_range(self) -> tuple[float, float]:
        if self.control is not None:
            return self.control
        return (self.low if self.low is not None else -math.inf,
                self.high if self.high is not None else math.inf)


def setting(spec: Setting) -> Any:
    """A dataclass field whose default and metadata come from ``spec``."""
    return dataclasses.field(default=spec.default, metadata={"setting": spec})


def settings_of(cls) -> dict[str, Setting]:
    """The ``Setting`` of each field of the dataclass ``cls`` that declares one."""
    return {f.name: f.metadata["setting"] for f in dataclasses.fields(cls) if "setting" in f.metadata}


def setting_at(cls, path: str) -> Setting:
    """The ``Setting`` of the field at a dotted ``path`` below the dataclass ``cls``
    (``training.early_stopping.patience`` below ``NetworkConfig``)."""
    *parents, last = path.split(".")
    for name in parents:
        cls = _field_class(cls, name)
    return settings_of(cls)[last]


def _field_class(cls, name: str):
    """The dataclass a field of ``cls`` holds (``X | None`` read as ``X``)."""
    hint = typing.get_type_hints(cls)[name]
    for candidate in (hint, *typing.get_args(hint)):
        if dataclasses.is_dataclass(candidate):
            return candidate
    raise TypeError(f"{cls.__name__}.{name} holds no dataclass")


def get_path(obj: Any, path: str) -> Any:
    """The value at a dotted ``path`` below ``obj`` (``training.epochs``)."""
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


def set_path(obj: Any, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for name in parents:
        obj = getattr(obj, name)
    setattr(obj, last, value)

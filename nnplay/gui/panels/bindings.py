"""Controls bound to settings in one line each, in the manner of Orange's ``gui.spin``.

``Bindings.add(form, "training.epochs", "epochsSpin")`` makes the control the field's
``Setting`` asks for (its ``kind``: a spin box, a log or decay spin box, a percentage,
a check box, a list of choices), with its label, range, step and tooltip, adds it to the form, turns
each change into one undoable ``Panel.edit`` and, on ``refresh``, shows the setting's
value without the control's signals firing back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QSpinBox, QWidget

from nnplay.core.config import NetworkConfig
from nnplay.core.settings import Setting, get_path, set_path, setting_at
from nnplay.gui.panels.widgets import DecaySpinBox, LogSpinBox, blocked, select_data

#: the largest value a QSpinBox holds
_INT_MAX = 2**31 - 1


def plain(rich: str) -> str:
    """A formula for a plain-text tooltip: E<sub>g</sub> → E_g, e<sup>z</sup> → e^z, line breaks → "; "."""
    text = re.sub(r"<sub>(.*?)</sub>", r"_\1", rich)
    text = re.sub(r"<sup>(.*?)</sup>", r"^\1", text)
    return text.replace("<br>", ";  ")


def label(text: str, tooltip: str) -> QLabel:
    widget = QLabel(text)
    widget.setToolTip(tooltip)
    return widget


def control(spec: Setting, name: str) -> QWidget:
    """The control ``spec.kind`` asks for, with its range, step and tooltip; not yet connected."""
    lo, hi = spec.control_range
    if spec.kind == "bool":
        widget: QWidget = QCheckBox(spec.label)
    elif spec.kind == "log":
        widget = LogSpinBox(lo, hi, spec.step or 1e-4)
    elif spec.kind == "decay":
        widget = DecaySpinBox(lo, hi)
    elif spec.kind in ("int", "percent"):
        widget = QSpinBox()
        scale = 100 if spec.kind == "percent" else 1
        widget.setRange(int(round(lo * scale)), int(min(round(hi * scale), _INT_MAX)))
        widget.setSingleStep(int(round((spec.step or 1) * scale)))
        widget.setSuffix(" %" if spec.kind == "percent" else "")
        widget.setKeyboardTracking(False)  # one edit when typing ends, not one per key
    elif spec.kind == "float":
        widget = QDoubleSpinBox()
        widget.setRange(lo, hi)
        widget.setSingleStep(spec.step or 0.1)
        widget.setDecimals(spec.decimals)
        widget.setKeyboardTracking(False)
    elif spec.kind == "choice":
        widget = _choice_combo(spec)
    else:
        raise ValueError(f"no control for a {spec.kind!r} setting ({spec.name})")
    widget.setObjectName(name)
    widget.setToolTip(spec.help)
    return widget


def _choice_combo(spec: Setting) -> QComboBox:
    """One item per name; a registry entry shows its title with its help as the item's
    tooltip, a dict of choices maps each name to its tooltip."""
    widget = QComboBox()
    described = spec.choices if isinstance(spec.choices, dict) else {}
    for name in spec.names():
        entry = spec.choices.get(name) if hasattr(spec.choices, "entries") else None
        widget.addItem(getattr(entry, "title", "") or name, name)
        tip = getattr(entry, "help", "") or described.get(name, "")
        if tip:
            widget.setItemData(widget.count() - 1, tip, Qt.ToolTipRole)
    return widget


def _changed_signal(widget: QWidget):
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    return widget.toggled if isinstance(widget, QCheckBox) else widget.valueChanged


def show_value(widget: QWidget, spec: Setting, value: Any) -> None:
    """Put ``value`` into a control made by ``control`` (callers block its signals)."""
    if isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QComboBox):
        canonical = getattr(spec.choices, "canonical", None)
        select_data(widget, canonical(value) if canonical is not None and value in spec.choices else value)
    elif spec.kind == "percent":
        widget.setValue(round(value * 100))
    else:
        widget.setValue(value)


def _from_widget(widget: QWidget, spec: Setting, value: Any) -> Any:
    if isinstance(widget, QComboBox):
        return widget.itemData(value)
    return value / 100 if spec.kind == "percent" else value


@dataclass
class Binding:
    widget: QWidget
    setting: Setting
    read: Callable[[NetworkConfig], Any]  #: the value to show, from the settings

    def refresh(self, config: NetworkConfig) -> None:
        with blocked(self.widget):
            show_value(self.widget, self.setting, self.read(config))


class Bindings:
    """The controls of one panel bound to its document's settings."""

    def __init__(self, panel):
        self.panel = panel
        self.items: list[Binding] = []

    def add(self, form: QFormLayout | None, path: str, name: str, *, undo_text: str | None = None,
            read: Callable[[NetworkConfig], Any] | None = None,
            write: Callable[[NetworkConfig, Any], None] | None = None) -> QWidget:
        """Bind a control to the setting at ``path`` below ``NetworkConfig`` and add it to
        ``form`` (with its label; a check box labels itself). ``read``/``write`` replace
        reading and setting the value at ``path`` where the shown value is derived."""
        spec = setting_at(NetworkConfig, path)
        read = read or (lambda config: get_path(config, path))
        write = write or (lambda config, value: set_path(config, path, value))
        return self.bind(form, spec, name, read, write, undo_text or spec.label.strip())

    def bind(self, form: QFormLayout | None, spec: Setting, name: str, read: Callable, write: Callable,
             undo_text: str) -> QWidget:
        """Bind a control for ``spec`` to any ``read``/``write`` pair (an optimizer's settings)."""
        widget = control(spec, name)

        def changed(value):
            value = _from_widget(widget, spec, value)
            # the same text every time, so the Document merges a run of steps into one undo step
            self.panel.edit(undo_text, lambda config: write(config, value))

        _changed_signal(widget).connect(changed)
        if form is not None:
            if isinstance(widget, QCheckBox):
                form.addRow(widget)
            else:
                form.addRow(label(spec.label, spec.help), widget)
        self.items.append(Binding(widget, spec, read))
        return widget

    def refresh(self, config: NetworkConfig) -> None:
        for binding in self.items:
            binding.refresh(config)

    def forget(self, widgets) -> None:
        """Stop refreshing controls that are gone (rows rebuilt for another optimizer)."""
        gone = set(map(id, widgets))
        self.items = [b for b in self.items if id(b.widget) not in gone]

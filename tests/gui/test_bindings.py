"""Every declared setting gets the control its kind asks for, with its range and help,
and shows its default as it is."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QSpinBox

from nnplay.core.settings import REQUIRED
from nnplay.gui.panels.bindings import control, plain, show_value
from nnplay.gui.panels.widgets import DecaySpinBox, LogSpinBox
from tests.core.test_registry_complete import SETTINGS

SHOWN = [(name, spec) for name, spec in SETTINGS if spec.kind != "choice"]
WIDGETS = {"int": QSpinBox, "percent": QSpinBox, "float": QDoubleSpinBox, "log": LogSpinBox,
           "decay": DecaySpinBox, "bool": QCheckBox}


@pytest.mark.parametrize("name, spec", SHOWN, ids=[n for n, _ in SHOWN])
def test_the_kind_chooses_the_control(qtbot, name, spec):
    widget = control(spec, "x")
    qtbot.addWidget(widget)
    assert type(widget) is WIDGETS[spec.kind] and widget.toolTip() == spec.help
    if spec.default in (None, REQUIRED):
        return
    show_value(widget, spec, spec.default)
    if spec.kind == "bool":
        assert widget.isChecked() is spec.default
    elif spec.kind == "percent":
        assert widget.value() == round(100 * spec.default) and widget.suffix() == " %"
    else:
        assert widget.value() == pytest.approx(spec.default)
        lo, hi = spec.control_range
        assert (widget.minimum(), widget.maximum()) == pytest.approx((lo, hi))


def test_formulas_read_as_plain_text_in_tooltips():
    assert plain("E<sub>g</sub> ← ρE<sub>g</sub><br>e<sup>z</sup>") == "E_g ← ρE_g;  e^z"


CHOICES = [(name, spec) for name, spec in SETTINGS if spec.kind == "choice"]


@pytest.mark.parametrize("name, spec", CHOICES, ids=[n for n, _ in CHOICES])
def test_a_choice_is_a_list_of_its_names(qtbot, name, spec):
    from PySide6.QtWidgets import QComboBox

    widget = control(spec, "x")
    qtbot.addWidget(widget)
    assert type(widget) is QComboBox and widget.toolTip() == spec.help
    assert [widget.itemData(i) for i in range(widget.count())] == spec.names()
    if spec.default is not None:
        show_value(widget, spec, spec.default)
        assert widget.currentData() == spec.default

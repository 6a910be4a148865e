"""Small widgets and helpers the settings panels share."""

from __future__ import annotations

import math
import re
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSignalBlocker, Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QWidget,
)

@contextmanager
def blocked(*widgets: QWidget):
    """Update widgets from the model without their signals firing back into it."""
    blockers = [QSignalBlocker(w) for w in widgets]
    try:
        yield
    finally:
        for b in blockers:
            b.unblock()


def select_data(combo: QComboBox, data) -> None:
    """Show the item whose user data is ``data`` (without emitting; callers block)."""
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


def group(title: str, tooltip: str = "", name: str = "") -> QGroupBox:
    box = QGroupBox(title)
    if tooltip:
        box.setToolTip(tooltip)
    if name:
        box.setObjectName(name)
    return box


_NUMBER_CHARS = re.compile(r"[0-9.eE+\-]*")
# 1-2-5 steps per decade: the magnitudes a learning rate or a penalty usually takes
_MANTISSAS = (1.0, 2.0, 5.0)


def _ladder_step(value: float, steps: int, smallest: float) -> float:
    """Move ``steps`` rungs on the 1-2-5 ladder (…, 0.001, 0.002, 0.005, 0.01, …)."""
    for _ in range(abs(steps)):
        if value <= 0:
            value = smallest if steps > 0 else 0.0
            continue
        exponent = math.floor(math.log10(value) + 1e-9)
        rungs = [m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in _MANTISSAS]
        if steps > 0:
            value = min((r for r in rungs if r > value * (1 + 1e-9)), default=value * 2)
        else:
            below = [r for r in rungs if r < value * (1 - 1e-9)]
            value = max(below) if below else value / 2
            if value < smallest * (1 - 1e-9):
                value = 0.0
    return value


class LogSpinBox(QDoubleSpinBox):
    """A spin box for values that span magnitudes (learning rate, ε, L1, L2).

    The arrows walk the 1-2-5 ladder (0.001 → 0.002 → 0.005 → 0.01 …); typing
    accepts any number, ``1e-5`` included; values show with up to 6 significant digits.
    ``smallest`` is where stepping up from 0 lands (and stepping down below it gives 0,
    when 0 is in range).
    """

    def __init__(self, minimum: float, maximum: float, smallest: float = 1e-4, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(15)
        self.setRange(minimum, maximum)
        self._smallest = smallest
        self.setKeyboardTracking(False)  # one edit when typing ends, not one per key
        self.setAccelerated(True)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        stripped = text.strip().replace(",", ".")
        try:
            value = float(stripped)
        except ValueError:
            state = QValidator.Intermediate if _NUMBER_CHARS.fullmatch(stripped) else QValidator.Invalid
            return state, text, pos
        ok = self.minimum() <= value <= self.maximum()
        return (QValidator.Acceptable if ok else QValidator.Intermediate), text, pos

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())

    def stepBy(self, steps: int) -> None:
        value = _ladder_step(self.value(), steps, self._smallest)
        value = min(max(value, self.minimum()), self.maximum())
        if value == 0.0 and self.minimum() > 0:
            value = self.minimum()
        self.setValue(value)

    def stepEnabled(self):
        flags = QDoubleSpinBox.StepNone
        if self.value() < self.maximum():
            flags |= QDoubleSpinBox.StepUpEnabled
        if self.value() > self.minimum():
            flags |= QDoubleSpinBox.StepDownEnabled
        return flags


class DecaySpinBox(LogSpinBox):
    """For decay rates just under 1 (γ, ρ, β₁, β₂): the arrows walk 1 − value along the
    1-2-5 ladder, so 0.9 → 0.95 → 0.98 → 0.99 → 0.995 …, the values people try."""

    def __init__(self, minimum: float, maximum: float, parent: QWidget | None = None):
        super().__init__(minimum, maximum, 1e-6, parent)

    def stepBy(self, steps: int) -> None:
        gap = _ladder_step(1.0 - self.value(), -steps, 1e-6)
        self.setValue(min(max(1.0 - gap, self.minimum()), self.maximum()))


class NoticeRow(QFrame):
    """A coloured note with a one-click fix: the pairing warning, the step/zeros notes."""

    STYLES = {
        "warning": "background:#fff3bf; border:1px solid #e0b400; border-radius:4px;",
        "info": "background:#e7f1fb; border:1px solid #8fb3d9; border-radius:4px;",
    }

    def __init__(self, name: str, kind: str = "warning", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setStyleSheet(f"#{name} {{{self.STYLES[kind]}}} QLabel {{ background: transparent; border: none; }}")
        layout = QGridLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setVerticalSpacing(2)
        icon = QLabel("⚠" if kind == "warning" else "ℹ", self)
        icon.setAlignment(Qt.AlignTop)
        self.label = QLabel(self)
        self.label.setObjectName(name + "Label")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.RichText)
        self.fix_button = QPushButton("Fix", self)
        self.fix_button.setObjectName(name.removesuffix("Warning").removesuffix("Note") + "FixButton")
        self.fix_button.setToolTip("Apply the suggested fix (one step; Undo takes it back).")
        layout.addWidget(icon, 0, 0)
        layout.addWidget(self.label, 0, 1)
        layout.addWidget(self.fix_button, 1, 1, Qt.AlignRight)  # under the text, which gets the full width
        layout.setColumnStretch(1, 1)
        self._fix = None
        self.fix_button.clicked.connect(self._on_fix)
        self.hide()

    def show_notice(self, text: str, fix_text: str, fix_tooltip: str, fix) -> None:
        self.label.setText(text)
        self.fix_button.setText(fix_text)
        self.fix_button.setToolTip(fix_tooltip)
        self._fix = fix
        self.show()

    def present(self, notice, document) -> None:
        """Show an ``advice.Notice`` (or hide the row for None); Fix edits ``document``."""
        if notice is None:
            self.clear()
            return
        self.show_notice(notice.text, notice.fix_text, notice.fix_tooltip,
                         lambda: document.edit(notice.undo_text, notice.fix))

    def clear(self) -> None:
        self._fix = None
        self.hide()

    def _on_fix(self) -> None:
        if self._fix is not None:
            self._fix()


class _WheelGuard(QObject):
    """A spin box or combo box changes with the mouse wheel only once it has focus; until
    then the wheel scrolls the settings column (so scrolling never edits a setting)."""

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Wheel and isinstance(obj, QWidget) and not obj.hasFocus():
            area = obj.parentWidget()
            while area is not None and not isinstance(area, QAbstractScrollArea):
                area = area.parentWidget()
            if area is not None:
                QCoreApplication.sendEvent(area.verticalScrollBar(), event)
            return True
        return False


_WHEEL_GUARD: _WheelGuard | None = None


def guard_wheel(root: QWidget) -> None:
    """Install the wheel guard on every spin box and combo box under ``root``."""
    global _WHEEL_GUARD
    if _WHEEL_GUARD is None:
        _WHEEL_GUARD = _WheelGuard(QCoreApplication.instance())
    for widget in root.findChildren(QAbstractSpinBox) + root.findChildren(QComboBox):
        if not widget.property("wheelGuarded"):
            widget.setFocusPolicy(Qt.StrongFocus)
            widget.installEventFilter(_WHEEL_GUARD)
            widget.setProperty("wheelGuarded", True)

"""The parameter picker of the Race and Search windows: what varies, and its values.

"Vary another setting" lists what the network offers (``nnplay.sweeps.catalog``: read
from the declared Settings, so a new optimizer, layer type or training setting
appears by itself), grouped as the settings panels are, plus any setting by its
dotted path. Each picked setting gets a row: check boxes for a list of names or
for on/off, a line of numbers for a numeric setting, and, in a random search, a
distribution (uniform, log-uniform, integer) between two bounds instead.
``picks()`` reads the rows back as ``Pick``s or raises ``PickError`` naming the path.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QMenu, QSizePolicy,
    QToolButton, QVBoxLayout, QWidget,
)

from nnplay.gui.messages import menu_text, plain_label as plain, tooltip
from nnplay.sweeps.catalog import ANY, Choice, any_choice, choices_for
from nnplay.sweeps.picks import DISTRIBUTIONS, Pick, PickError, format_number, format_values, parse_bound, \
    parse_values
from nnplay.sweeps.sweepfile import Parameter

#: the check boxes' words for the two states of a switch
_STATES = {"bool": ("off", "on"), "switch": ("off", "on"), "layer_type": ("without", "with")}
#: distributions that fit a numeric setting's kind in a random search
_NUMERIC_DISTRIBUTIONS = ("values", "uniform", "log_uniform", "int_uniform")


def _object_name(key: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in key)


class PickRow(QFrame):
    """One varied setting: its name, its values (or distribution) and a remove button."""

    changed = Signal()
    removeRequested = Signal(object)

    def __init__(self, choice: Choice, search: str, base: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.choice = choice
        self.base = base
        self.search = search
        self.setObjectName(f"pick_{_object_name(choice.key)}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(3)
        layout.addLayout(self._header())
        self.checks: list[tuple[QCheckBox, object]] = []
        self.path_edit = self.values_edit = self.low_edit = self.high_edit = None
        self.distribution = None
        if choice.kind == ANY:
            layout.addLayout(self._path_editor())
        elif choice.numeric:
            layout.addLayout(self._numeric_editor())
        else:
            layout.addLayout(self._check_editor())
        self.set_search(search)

    # ---- building
    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        title = plain(QLabel(self.choice.label if self.choice.kind != ANY else "Any setting, by its path"))
        title.setStyleSheet("font-weight: bold;")
        help_text = self.choice.setting.help if self.choice.setting is not None else self.choice.note
        if self.choice.note and self.choice.setting is not None:
            help_text += f"\n({self.choice.note})"
        title.setToolTip(tooltip(help_text or self.choice.path))
        row.addWidget(title, 1)
        if self.choice.kind != ANY:
            path = plain(QLabel(self.choice.path if self.choice.kind != "layer_type" else ""))
            path.setStyleSheet("color: #666;")
            row.addWidget(path)
        remove = QToolButton()
        remove.setText("✕")
        remove.setObjectName("removePickButton")
        remove.setToolTip("Stop varying this setting.")
        remove.clicked.connect(lambda: self.removeRequested.emit(self))
        row.addWidget(remove)
        return row

    def _line(self, name: str, text: str, tip: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setObjectName(name)
        edit.setToolTip(tip)
        edit.textChanged.connect(self.changed)
        return edit

    def _check_editor(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        choice = self.choice
        if choice.kind == "choice":
            options = list(zip(choice.names, choice.titles))
        else:
            words = _STATES.get(choice.kind, ("off", "on"))
            first, second = (None, choice.suggestions[1]) if choice.kind == "switch" else (False, True)
            options = [(first, words[0]), (second, words[1])]
        columns = 2 if max(len(text) for _, text in options) <= 18 else 1
        for i, (value, text) in enumerate(options):
            box = QCheckBox(text)
            box.setObjectName(f"value_{_object_name(str(text))}")
            box.setChecked(value in choice.suggestions or value == choice.current and choice.kind == "choice")
            box.toggled.connect(self.changed)
            grid.addWidget(box, i // columns, i % columns)
            self.checks.append((box, value))
        return grid

    def _numeric_editor(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        suggestions = self.choice.suggestions or ((self.choice.current,) if self.choice.current is not None else ())
        self.distribution = QComboBox()
        self.distribution.setObjectName("distributionCombo")
        self.distribution.setToolTip("How a random search draws this setting's value for each run.")
        for kind in _NUMERIC_DISTRIBUTIONS:
            if kind == "int_uniform" and self.choice.kind != "int":
                continue
            self.distribution.addItem(DISTRIBUTIONS[kind], kind)
        self.values_edit = self._line("valuesEdit", format_values(suggestions, self.choice),
                                      "The values, separated by commas: 0.001, 0.01, 0.1")
        numbers = [v for v in suggestions if isinstance(v, (int, float))]
        low, high = (min(numbers), max(numbers)) if numbers else (0, 1)
        if self.choice.kind == "log" and low == 0:
            low = high / 100 if high else 1e-4
        self.low_edit = self._line("lowEdit", format_number(low), "The lowest value a run may draw.")
        self.high_edit = self._line("highEdit", format_number(high), "The highest value a run may draw.")
        default = {"log": "log_uniform", "int": "int_uniform"}.get(self.choice.kind, "uniform")
        self.distribution.setCurrentIndex(max(0, self.distribution.findData(default)))
        self.distribution.currentIndexChanged.connect(self._show_distribution)
        self.distribution.currentIndexChanged.connect(self.changed)
        grid.addWidget(self.distribution, 0, 0)
        grid.addWidget(self.values_edit, 0, 1, 1, 3)
        self.bounds_label = QLabel("from")
        self.to_label = QLabel("to")
        grid.addWidget(self.bounds_label, 1, 0, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.low_edit, 1, 1)
        grid.addWidget(self.to_label, 1, 2)
        grid.addWidget(self.high_edit, 1, 3)
        return grid

    def _path_editor(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        self.path_edit = self._line("pathEdit", self.choice.path,
                                    "A dotted path into the network file: optimizer.lr, layers[0].units, "
                                    "training.batch_size, data.noise, …")
        self.path_edit.setPlaceholderText("layers[0].units")
        self.values_edit = self._line("valuesEdit", format_values(self.choice.suggestions, self.choice),
                                      "The values, separated by commas: numbers, names (relu, adam), "
                                      "true, false, null, or JSON objects")
        self.values_edit.setPlaceholderText("4, 8, 16")
        grid.addWidget(QLabel("path"), 0, 0)
        grid.addWidget(self.path_edit, 0, 1)
        grid.addWidget(QLabel("values"), 1, 0)
        grid.addWidget(self.values_edit, 1, 1)
        return grid

    # ---- random or grid
    def set_search(self, search: str) -> None:
        self.search = search
        if self.distribution is not None:
            self.distribution.setVisible(search == "random")
            if search != "random":
                self._show_distribution(values_only=True)
            else:
                self._show_distribution()

    def _show_distribution(self, *_args, values_only: bool = False) -> None:
        drawn = not values_only and self.distribution.currentData() != "values"
        self.values_edit.setVisible(not drawn)
        for widget in (self.bounds_label, self.low_edit, self.to_label, self.high_edit):
            widget.setVisible(drawn)

    # ---- reading
    def pick(self) -> Pick:
        choice = self.choice
        if choice.kind == ANY:
            path = self.path_edit.text().strip()
            if not path:
                raise PickError("any setting: type the dotted path of the setting to vary, like layers[0].units")
            choice = any_choice(path, self.base)
            return Pick(choice, parse_values(self.values_edit.text(), choice))
        if self.checks:
            return Pick(choice, tuple(value for box, value in self.checks if box.isChecked()))
        kind = self.distribution.currentData() if self.search == "random" else "values"
        if kind == "values":
            return Pick(choice, parse_values(self.values_edit.text(), choice))
        whole = kind == "int_uniform"
        low, high = (parse_bound(edit.text(), choice, which) for edit, which in
                     ((self.low_edit, "low"), (self.high_edit, "high")))
        if whole:
            low, high = (int(v) if float(v).is_integer() else v for v in (low, high))
        return Pick(choice, (), kind, low, high)

    def load(self, parameter: Parameter) -> None:
        """Show a sweep file's parameter."""
        if self.checks:
            for box, value in self.checks:
                box.setChecked(value in parameter.values)
            return
        if parameter.kind == "values":
            self.values_edit.setText(format_values(parameter.values, self.choice))
        else:
            self.low_edit.setText(format_number(parameter.low))
            self.high_edit.setText(format_number(parameter.high))
        if self.distribution is not None:
            self.distribution.setCurrentIndex(max(0, self.distribution.findData(parameter.kind)))


class ParameterPicker(QWidget):
    """The rows of what varies, and the menu that adds one."""

    changed = Signal()

    def __init__(self, search: str = "grid", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("parameterPicker")
        self.search = search
        self.base: dict | None = None
        self.choices: dict[str, Choice] = {}
        self.rows: list[PickRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setSpacing(4)
        layout.addLayout(self.rows_layout)
        self.add_button = QToolButton()
        self.add_button.setObjectName("addPickButton")
        self.add_button.setText("Vary another setting ▾")
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.add_button.setToolTip("Pick a setting of the network to vary: the optimizer, the learning rate, "
                                   "regularization, a layer's units or activation, dropout or batch-norm "
                                   "layers, the data, or any setting by its path.")
        self.menu = QMenu(self)
        self.menu.setObjectName("addPickMenu")
        self.menu.setToolTipsVisible(True)
        self.add_button.setMenu(self.menu)
        layout.addWidget(self.add_button)

    # ---- the network
    def set_base(self, base: dict) -> None:
        """What the network offers: rebuild the menu (the rows stay)."""
        self.base = base
        self.choices = {choice.key: choice for choice in choices_for(base)}
        for row in self.rows:
            row.base = base
        self._fill_menu()

    def _fill_menu(self) -> None:
        self.menu.clear()
        for submenu in self.menu.findChildren(QMenu):  # clear() leaves the group menus behind
            submenu.setParent(None)
            submenu.deleteLater()
        picked = {row.choice.key for row in self.rows}
        groups: dict[str, QMenu] = {}
        for choice in self.choices.values():
            if choice.group not in groups:
                groups[choice.group] = self.menu.addMenu(choice.group)
                groups[choice.group].setToolTipsVisible(True)
            text = choice.label
            if choice.current is not None and choice.kind not in ("layer_type", "switch"):
                text += f"  (now {choice.describe(choice.current).removeprefix(choice.symbol).strip()})"
            action = groups[choice.group].addAction(menu_text(text))
            action.setObjectName(f"vary_{_object_name(choice.key)}")
            action.setData(choice.key)
            action.setEnabled(choice.key not in picked)
            if choice.setting is not None or choice.note:
                action.setToolTip(tooltip(choice.setting.help if choice.setting is not None else choice.note))
            action.triggered.connect(lambda _checked=False, key=choice.key: self.add(key))
        self.menu.addSeparator()
        other = self.menu.addAction("Any setting, by its path…")
        other.setObjectName("vary_any")
        other.triggered.connect(lambda: self.add_path(""))

    def action(self, key: str) -> QAction:
        """The menu entry that adds ``key`` (tests trigger it as a user would)."""
        for action in self.menu.findChildren(QAction):
            if action.data() == key or (key == ANY and action.objectName() == "vary_any"):
                return action
        raise KeyError(key)

    # ---- rows
    def add(self, key: str) -> PickRow:
        return self._add_row(PickRow(self.choices[key], self.search, self.base))

    def add_path(self, path: str, values_text: str = "") -> PickRow:
        choice = any_choice(path, self.base) if path else Choice("", "", "Other", "", ANY)
        row = PickRow(choice, self.search, self.base)
        if values_text:
            row.values_edit.setText(values_text)
        return self._add_row(row)

    def _add_row(self, row: PickRow) -> PickRow:
        row.changed.connect(self.changed)
        row.removeRequested.connect(self.remove)
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        self._fill_menu()
        self.changed.emit()
        return row

    def remove(self, row: PickRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self._fill_menu()
        self.changed.emit()

    def clear(self) -> None:
        for row in list(self.rows):
            self.remove(row)

    def row(self, key: str) -> PickRow:
        return next(row for row in self.rows if row.choice.key == key)

    def set_search(self, search: str) -> None:
        self.search = search
        for row in self.rows:
            row.set_search(search)
        self.changed.emit()

    def picks(self) -> list[Pick]:
        if not self.rows:
            raise PickError("parameters: pick at least one setting to vary")
        return [row.pick() for row in self.rows]

    def load(self, parameters: list[Parameter]) -> None:
        """Show a sweep's parameters (a path the menu does not list becomes an "any setting" row)."""
        self.clear()
        for parameter in parameters:
            if parameter.path in self.choices:
                self.add(parameter.path).load(parameter)
            else:
                choice = any_choice(parameter.path, self.base)
                self.add_path(parameter.path, format_values(parameter.values, choice))

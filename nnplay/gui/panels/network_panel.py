"""The Network panel: input features, the layer builder, the output layer, the
pairing warning and the parameter count.

A layer's row is made from its type's declaration: one control per setting of its
config (a spin box for a number, a list for a registry name), then its note; the
"+" buttons are one per registered layer type."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QVBoxLayout,
    QWidget,
)

from nnplay.core.advice import canonical_activation, pairing_notice, step_notice, zeros_notice
from nnplay.core.architecture import diagram, layer_number
from nnplay.core.config import NetworkConfig
from nnplay.core.datasets import input_dims
from nnplay.core.features import FEATURE_TABLE, FEATURES, LABELS
from nnplay.core.layers import LAYERS
from nnplay.core.settings import Setting, setting_at, settings_of
from nnplay.gui.panels.bindings import control, plain
from nnplay.gui.panels.panel import Panel
from nnplay.gui.panels.widgets import NoticeRow, blocked, group, guard_wheel, select_data

FEATURE_OBJECT_NAMES = {
    "x1": "featureX1Check",
    "x2": "featureX2Check",
    "x1^2": "featureX1SqCheck",
    "x2^2": "featureX2SqCheck",
    "x1*x2": "featureX1X2Check",
    "sin(x1)": "featureSinX1Check",
    "sin(x2)": "featureSinX2Check",
}

COLUMN_TITLES = (
    ("layer", "Layers are numbered from 1, input to output, every layer counted, as nnplay info, the "
              "gradient check and the messages number them; “out” is the last, the output layer."),
    ("units", "How many units (neurons) a dense layer has."),
    ("activation", "The activation function f of a dense layer's units."),
    ("init", "How a dense layer's weights start."),
)
#: the settings columns of a row (units, activation, init)
SETTING_COLUMNS = 3
#: characters a list shows whole ("sigmoid", "softmax")
COMBO_LENGTH = {"activation": 7}

OUTPUT_UNITS_HELP = (
    "The output layer's width follows the task: one unit for two-class classification "
    "(the probability of class 1) and for regression (the predicted value), one unit per "
    "class for multi-class (softmax over K classes). Change the data set to change it."
)
OUTPUT_ACTIVATION_HELP = (
    "The output unit's activation. It has to suit the loss: sigmoid for nll, softmax "
    "for nllm, identity (linear) for squared, mae and hinge. Hover an entry for details."
)


def _registry_combo(spec: Setting, name: str) -> QComboBox:
    combo = QComboBox(objectName=name)
    for cls in spec.choices.entries():
        combo.addItem(cls.title or cls.name, cls.name)
        tip = cls.help + (f"\n\n{plain(cls.formula)}" if cls.formula else "")
        combo.setItemData(combo.count() - 1, tip, Qt.ToolTipRole)
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setIconSize(QSize(0, 0))  # no icons: narrower
    combo.setMinimumContentsLength(COMBO_LENGTH.get(spec.name, 4))
    combo.setToolTip(spec.help)
    return combo


def _tool_button(text: str, name: str, tooltip: str) -> QToolButton:
    button = QToolButton(objectName=name)
    button.setText(text)
    button.setToolTip(tooltip)
    button.setAutoRaise(True)
    button.setFixedWidth(16)
    return button


def _note_label(text: str, name: str) -> QLabel:
    """Grey text in a layer row; never widens the panel (it wraps instead)."""
    label = QLabel(text, objectName=name)
    label.setStyleSheet("color: #555;")
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
    return label


class NetworkPanel(Panel):
    """Features, hidden layers (add, remove, reorder, edit), the output layer and checks."""

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.setObjectName("networkPanel")
        self._shape: tuple | None = None  # the layer types the rows were built for
        self._rows: list[dict[str, QWidget]] = []
        self._old_rows: list[QWidget] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._build_features())
        outer.addWidget(self._build_layers())
        document.settingsChanged.connect(self.refresh)
        self.refresh()

    # ---- building
    def _build_features(self) -> QWidget:
        box = group("Input features", setting_at(NetworkConfig, "features").help, "featuresGroup")
        grid = QGridLayout(box)
        grid.setContentsMargins(6, 4, 6, 4)
        self.feature_checks: dict[str, QCheckBox] = {}
        for i, feature in enumerate(FEATURES):
            check = QCheckBox(LABELS[feature], objectName=FEATURE_OBJECT_NAMES[feature])
            check.setToolTip(FEATURE_TABLE[feature].help)
            check.toggled.connect(self._on_features)
            self.feature_checks[feature] = check
            grid.addWidget(check, i // 4, i % 4)
        return box

    def _build_layers(self) -> QWidget:
        box = group("Layers", "The network, input to output: each dense layer computes "
                    "A' = f(A·W + b).", "layersGroup")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.input_label = QLabel(objectName="inputLabel")
        self.input_label.setToolTip("The input layer has one unit per checked feature.")
        layout.addWidget(self.input_label)
        self.rows_widget = QWidget(objectName="layerRows")
        self.rows = QGridLayout(self.rows_widget)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setHorizontalSpacing(2)
        self.rows.setVerticalSpacing(2)
        self.rows.setColumnStretch(2, 1)
        self.rows.setColumnStretch(3, 1)
        layout.addWidget(self.rows_widget)
        layout.addLayout(self._add_buttons())
        self.pairing_warning = NoticeRow("pairingWarning", "warning")
        self.step_note = NoticeRow("stepNote", "info")
        self.zeros_note = NoticeRow("zerosNote", "info")
        for row in (self.pairing_warning, self.step_note, self.zeros_note):
            layout.addWidget(row)
        self.diagram_label = QLabel(objectName="diagramLabel")
        self.diagram_label.setWordWrap(True)
        self.diagram_label.setToolTip("The network at a glance: units per layer, input to output.")
        self.diagram_label.setStyleSheet("color: #444;")
        layout.addWidget(self.diagram_label)
        self.parameter_label = QLabel(objectName="parameterCountLabel")
        self.parameter_label.setToolTip("How many numbers training adjusts: every weight and bias of the dense "
                                        "layers, and γ, β of batch-norm layers. More parameters fit more "
                                        "complex boundaries, and can overfit more easily.")
        layout.addWidget(self.parameter_label)
        return box

    def _add_buttons(self) -> QHBoxLayout:
        """``+ Dense``, ``+ Dropout``, … : one button per registered layer type."""
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.add_buttons: dict[str, QPushButton] = {}
        for cls in LAYERS.entries():
            button = QPushButton(f"+ {cls.title}", objectName=f"add{cls.title}Button")
            button.setToolTip(f"Add a {cls.title} layer before the output. {cls.help}")
            button.clicked.connect(lambda _=False, kind=cls.name: self.add_layer(kind))
            buttons.addWidget(button)
            self.add_buttons[cls.name] = button
        return buttons

    # ---- model → widgets
    def refresh(self) -> None:
        config = self.document.config
        self._refresh_features(config)
        shape = tuple(layer.type for layer in config.layers)
        if shape != self._shape:
            self._build_rows(config)
            self._shape = shape
        self._fill_rows(config)
        n = len(config.features)
        self.input_label.setText(f"Input: {n} {'unit' if n == 1 else 'units'} "
                                 f"({', '.join(LABELS[f] for f in config.features)})")
        self.pairing_warning.present(pairing_notice(config), self.document)
        self.step_note.present(step_notice(config), self.document)
        self.zeros_note.present(zeros_notice(config), self.document)
        self.diagram_label.setText(diagram(config))
        count = self.document.experiment.network.parameter_count
        self.parameter_label.setText(f"<b>{count:,}</b> parameters (weights and biases)")
        guard_wheel(self)  # rows may be new

    def _refresh_features(self, config: NetworkConfig) -> None:
        one_d = input_dims(config.data) == 1
        checked = set(config.features)
        with blocked(*self.feature_checks.values()):
            for feature, check in self.feature_checks.items():
                check.setChecked(feature in checked)
                allowed = not one_d or not FEATURE_TABLE[feature].uses_x2
                # the last checked feature cannot go: the network needs an input
                check.setEnabled(allowed and not (checked == {feature}))
                tip = FEATURE_TABLE[feature].help
                if not allowed:
                    tip += "\n\nThis data set has a single input x₁, so there is no x₂."
                elif checked == {feature}:
                    tip += "\n\nThe network needs at least one input: check another feature first."
                check.setToolTip(tip)

    def _clear_rows(self) -> None:
        # Out of the widget tree at once (so findChild and layouts never see stale rows),
        # deleted later: one of them may be the button whose click got us here.
        self._old_rows = []
        while self.rows.count():
            widget = self.rows.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
                self._old_rows.append(widget)
        self._rows = []

    def _build_rows(self, config: NetworkConfig) -> None:
        self._clear_rows()
        for column, (title, tip) in enumerate(COLUMN_TITLES):
            header = QLabel(title)
            header.setStyleSheet("color: #666; font-size: small;")
            header.setToolTip(tip)
            self.rows.addWidget(header, 0, column)
        hidden = len(config.layers) - 1
        for i, layer in enumerate(config.layers):
            self._rows.append(self._build_row(i, layer, output=i == hidden, hidden=hidden))

    def _build_row(self, i: int, layer, output: bool, hidden: int) -> dict[str, QWidget]:
        """Grid row ``i + 1`` (row 0 holds the column titles): the type, its settings, a note
        where they leave room, and (for a hidden layer) the move and remove buttons."""
        cls = LAYERS.get(layer.type)
        prefix = "output" if output else f"layer{i}"
        row = i + 1
        title = QLabel("out" if output else f"{layer_number(i)}", objectName=f"{prefix}TypeLabel")
        title.setAlignment(Qt.AlignCenter)
        where = f"Layer {layer_number(i)}, the output layer" if output else f"Layer {layer_number(i)}"
        title.setToolTip(f"{where}: {cls.title}. {cls.help}")
        self.rows.addWidget(title, row, 0)
        widgets = self._setting_controls(i, cls, prefix, output)
        for column, widget in enumerate(widgets.values(), start=1):
            self.rows.addWidget(widget, row, column)
        if len(widgets) < SETTING_COLUMNS:
            note = _note_label(cls.note, f"{prefix}Note")
            note.setToolTip(cls.help)
            self.rows.addWidget(note, row, 1 + len(widgets), 1, SETTING_COLUMNS - len(widgets))
        if not output:
            widgets.update(self._move_buttons(i, prefix, row, hidden))
        return widgets

    def _setting_controls(self, i: int, cls, prefix: str, output: bool) -> dict[str, QWidget]:
        widgets: dict[str, QWidget] = {}
        for name, spec in settings_of(cls.config).items():
            if spec.kind == "choice":
                widget = _registry_combo(spec, f"{prefix}{name.title()}Combo")
                widget.currentIndexChanged.connect(
                    lambda _, i=i, name=name, c=widget, spec=spec: self._set_layer(i, name, c.currentData(), spec))
            else:
                widget = control(spec, f"{prefix}{name.title()}Spin")
                widget.valueChanged.connect(lambda v, i=i, name=name, spec=spec: self._set_layer(i, name, v, spec))
            widgets[name] = widget
        if "units" in widgets:
            widgets["units"].setFixedWidth(40)
        if output and "units" in widgets:  # the task sets the output's width
            widgets["units"].setEnabled(False)
            widgets["units"].setToolTip(OUTPUT_UNITS_HELP)
        if output and "activation" in widgets:
            widgets["activation"].setToolTip(OUTPUT_ACTIVATION_HELP)
        return widgets

    def _move_buttons(self, i: int, prefix: str, row: int, hidden: int) -> dict[str, QWidget]:
        up = _tool_button("↑", f"{prefix}UpButton", "Move this layer one place towards the input.")
        down = _tool_button("↓", f"{prefix}DownButton", "Move this layer one place towards the output.")
        remove = _tool_button("✕", f"{prefix}RemoveButton", "Remove this layer.")
        up.setEnabled(i > 0)
        down.setEnabled(i < hidden - 1)
        up.clicked.connect(lambda _=False: self.move_layer(i, -1))
        down.clicked.connect(lambda _=False: self.move_layer(i, +1))
        remove.clicked.connect(lambda _=False: self.remove_layer(i))
        for column, button in enumerate((up, down, remove), start=SETTING_COLUMNS + 1):
            self.rows.addWidget(button, row, column)
        return {"up": up, "down": down, "remove": remove}

    def _fill_rows(self, config: NetworkConfig) -> None:
        for layer, widgets in zip(config.layers, self._rows):
            with blocked(*widgets.values()):
                for field in dataclasses.fields(layer):
                    widget = widgets.get(field.name)
                    value = getattr(layer, field.name)
                    if isinstance(widget, QComboBox):
                        select_data(widget, canonical_activation(value) if field.name == "activation" else value)
                    elif widget is not None:
                        widget.setValue(value)

    # ---- widgets → model
    def _on_features(self) -> None:
        chosen = [f for f in FEATURES if self.feature_checks[f].isChecked()]
        if not chosen:
            self.refresh()
            return
        self.edit("Input features", lambda c: setattr(c, "features", chosen))

    def _set_layer(self, index: int, attribute: str, value, spec: Setting) -> None:
        hidden = len(self.document.config.layers) - 1
        where = "Output" if index == hidden else f"Layer {index + 1}"
        self.edit(f"{where} {spec.label.lower()}", lambda c: setattr(c.layers[index], attribute, value))

    def add_layer(self, kind: str) -> bool:
        """A layer of type ``kind`` before the output, set up as its type suggests."""
        cls = LAYERS.get(kind)
        layer = cls.new_config(self.document.config.layers[:-1])
        return self.edit(f"Add {cls.title} layer", lambda c: c.layers.insert(len(c.layers) - 1, layer))

    def move_layer(self, index: int, step: int) -> bool:
        def change(c: NetworkConfig) -> None:
            j = index + step
            if 0 <= j < len(c.layers) - 1:
                c.layers[index], c.layers[j] = c.layers[j], c.layers[index]

        return self.edit(f"Move layer {index + 1} {'up' if step < 0 else 'down'}", change)

    def remove_layer(self, index: int) -> bool:
        return self.edit(f"Remove layer {index + 1}", lambda c: c.layers.pop(index))

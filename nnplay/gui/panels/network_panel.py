"""The Network panel: input features, the layer builder, the output layer, the
pairing warning and the parameter count."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnplay.core.activations import ACTIVATIONS
from nnplay.core.config import FEATURES, BatchNormConfig, DenseConfig, DropoutConfig, NetworkConfig
from nnplay.core.features import LABELS
from nnplay.core.initializers import INITIALIZERS
from nnplay.gui.panels import notes
from nnplay.gui.panels.data_panel import NO_X2, dims_of
from nnplay.gui.panels.widgets import NoticeRow, Panel, blocked, group, guard_wheel, select_data

FEATURE_OBJECT_NAMES = {
    "x1": "featureX1Check",
    "x2": "featureX2Check",
    "x1^2": "featureX1SqCheck",
    "x2^2": "featureX2SqCheck",
    "x1*x2": "featureX1X2Check",
    "sin(x1)": "featureSinX1Check",
    "sin(x2)": "featureSinX2Check",
}

TYPE_NAMES = {"dense": "Dense", "dropout": "Dropout", "batchnorm": "BatchNorm"}
MAX_UNITS = 256
COLUMN_TITLES = (
    ("layer", "Hidden layers are numbered from the input; “out” is the output layer."),
    ("units", "How many units (neurons) a dense layer has."),
    ("activation", "The activation function f of a dense layer's units."),
    ("init", "How a dense layer's weights start."),
)


def _activation_combo(name: str, names: list[str]) -> QComboBox:
    combo = QComboBox(objectName=name)
    for act in names:
        combo.addItem(notes.ACTIVATION_NAMES.get(act, act), act)
        combo.setItemData(combo.count() - 1, ACTIVATIONS.get(act).help, Qt.ToolTipRole)
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setIconSize(QSize(0, 0))  # no icons: narrower
    combo.setMinimumContentsLength(7)  # "sigmoid", "softmax" whole
    combo.setToolTip("The activation f applied to each unit's weighted sum z. Hover an entry for what it does.")
    return combo


def _init_combo(name: str) -> QComboBox:
    combo = QComboBox(objectName=name)
    for init in INITIALIZERS.names():
        combo.addItem(notes.INITIALIZER_NAMES.get(init, init), init)
        combo.setItemData(combo.count() - 1, INITIALIZERS.get(init).help, Qt.ToolTipRole)
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setIconSize(QSize(0, 0))  # no icons: narrower
    combo.setMinimumContentsLength(4)
    combo.setToolTip("How this layer's weights start (biases start at 0). The chapters: start from small "
                     "random values, so units differ and gradients are not zero.")
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

        # ---- features
        features = group("Input features", "What the first layer sees: the point's coordinates, or "
                         "transforms of them (feature engineering).", "featuresGroup")
        grid = QGridLayout(features)
        grid.setContentsMargins(6, 4, 6, 4)
        self.feature_checks: dict[str, QCheckBox] = {}
        for i, feature in enumerate(FEATURES):
            check = QCheckBox(LABELS[feature], objectName=FEATURE_OBJECT_NAMES[feature])
            check.setToolTip(notes.FEATURE_HELP[feature])
            check.toggled.connect(self._on_features)
            self.feature_checks[feature] = check
            grid.addWidget(check, i // 4, i % 4)
        outer.addWidget(features)

        # ---- layers
        layers = group("Layers", "The network, input to output: each dense layer computes "
                       "A' = f(A·W + b).", "layersGroup")
        box = QVBoxLayout(layers)
        box.setContentsMargins(4, 4, 4, 4)
        box.setSpacing(4)
        self.input_label = QLabel(objectName="inputLabel")
        self.input_label.setToolTip("The input layer has one unit per checked feature.")
        box.addWidget(self.input_label)
        self.rows_widget = QWidget(objectName="layerRows")
        self.rows = QGridLayout(self.rows_widget)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setHorizontalSpacing(2)
        self.rows.setVerticalSpacing(2)
        self.rows.setColumnStretch(2, 1)
        self.rows.setColumnStretch(3, 1)
        box.addWidget(self.rows_widget)

        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.add_dense_button = QPushButton("+ Dense", objectName="addDenseButton")
        self.add_dense_button.setToolTip("Add a hidden dense layer before the output. " + notes.LAYER_HELP["dense"])
        self.add_dropout_button = QPushButton("+ Dropout", objectName="addDropoutButton")
        self.add_dropout_button.setToolTip("Add a dropout layer before the output. " + notes.LAYER_HELP["dropout"])
        self.add_batchnorm_button = QPushButton("+ BatchNorm", objectName="addBatchNormButton")
        self.add_batchnorm_button.setToolTip("Add a batch-normalization layer before the output. "
                                             + notes.LAYER_HELP["batchnorm"])
        for button in (self.add_dense_button, self.add_dropout_button, self.add_batchnorm_button):
            buttons.addWidget(button)
        box.addLayout(buttons)
        self.add_dense_button.clicked.connect(self.add_dense)
        self.add_dropout_button.clicked.connect(
            lambda: self._insert("Add dropout layer", DropoutConfig(0.2)))
        self.add_batchnorm_button.clicked.connect(
            lambda: self._insert("Add batch-norm layer", BatchNormConfig()))

        self.pairing_warning = NoticeRow("pairingWarning", "warning")
        self.step_note = NoticeRow("stepNote", "info")
        self.zeros_note = NoticeRow("zerosNote", "info")
        for row in (self.pairing_warning, self.step_note, self.zeros_note):
            box.addWidget(row)

        self.diagram_label = QLabel(objectName="diagramLabel")
        self.diagram_label.setWordWrap(True)
        self.diagram_label.setToolTip("The network at a glance: units per layer, input to output.")
        self.diagram_label.setStyleSheet("color: #444;")
        box.addWidget(self.diagram_label)
        self.parameter_label = QLabel(objectName="parameterCountLabel")
        self.parameter_label.setToolTip("How many numbers training adjusts: every weight and bias of the dense "
                                        "layers, and γ, β of batch-norm layers. More parameters fit more "
                                        "complex boundaries, and can overfit more easily.")
        box.addWidget(self.parameter_label)
        outer.addWidget(layers)

        document.settingsChanged.connect(self.refresh)
        self.refresh()

    # ---- model → widgets
    def refresh(self) -> None:
        config = self.document.config
        self._refresh_features(config)
        shape = tuple(layer.type for layer in config.layers)
        if shape != self._shape:
            self._build_rows(config)
            self._shape = shape
        self._fill_rows(config)
        self.input_label.setText(
            f"Input: {len(config.features)} "
            + ("unit" if len(config.features) == 1 else "units")
            + f" ({', '.join(LABELS[f] for f in config.features)})"
        )
        self.pairing_warning.present(notes.pairing_notice(config), self.document)
        self.step_note.present(notes.step_notice(config), self.document)
        self.zeros_note.present(notes.zeros_notice(config), self.document)
        self.diagram_label.setText(notes.diagram(config))
        count = self.document.experiment.network.parameter_count
        self.parameter_label.setText(f"<b>{count:,}</b> parameters (weights and biases)")
        guard_wheel(self)  # rows may be new

    def _refresh_features(self, config: NetworkConfig) -> None:
        one_d = dims_of(config) == 1
        checked = set(config.features)
        with blocked(*self.feature_checks.values()):
            for feature, check in self.feature_checks.items():
                check.setChecked(feature in checked)
                allowed = not one_d or feature in NO_X2
                # the last checked feature cannot go: the network needs an input
                check.setEnabled(allowed and not (checked == {feature}))
                tip = notes.FEATURE_HELP[feature]
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
        hidden = len(config.layers) - 1
        for column, (title, tip) in enumerate(COLUMN_TITLES):
            header = QLabel(title)
            header.setStyleSheet("color: #666; font-size: small;")
            header.setToolTip(tip)
            self.rows.addWidget(header, 0, column)
        for i, layer in enumerate(config.layers):
            output = i == hidden
            prefix = "output" if output else f"layer{i}"
            widgets: dict[str, QWidget] = {}
            title = "out" if output else f"{i + 1}"
            label = QLabel(title, objectName=f"{prefix}TypeLabel")
            label.setAlignment(Qt.AlignCenter)
            where = "The output layer" if output else f"Hidden layer {i + 1}"
            label.setToolTip(f"{where}: {TYPE_NAMES[layer.type]}. {notes.LAYER_HELP[layer.type]}")
            row = i + 1  # grid row 0 holds the column titles
            self.rows.addWidget(label, row, 0)
            if isinstance(layer, DenseConfig):
                units = QSpinBox(objectName=f"{prefix}UnitsSpin")
                units.setRange(1, MAX_UNITS)
                units.setKeyboardTracking(False)
                units.setFixedWidth(40)
                activation = _activation_combo(f"{prefix}ActivationCombo", ACTIVATIONS.names())
                init = _init_combo(f"{prefix}InitCombo")
                if output:
                    units.setEnabled(False)
                    units.setToolTip(notes.OUTPUT_UNITS_HELP)
                    activation.setToolTip(
                        "The output unit's activation. It has to suit the loss: sigmoid for nll, softmax "
                        "for nllm, identity (linear) for squared, mae and hinge. Hover an entry for details.")
                else:
                    units.setToolTip("How many units (neurons) this layer has. More units can draw a more "
                                     "complex boundary. Changing it starts the weights afresh.")
                    units.valueChanged.connect(lambda v, i=i: self._set_layer(i, "units", v, "units"))
                activation.currentIndexChanged.connect(
                    lambda _, i=i, c=activation: self._set_layer(i, "activation", c.currentData(), "activation"))
                init.currentIndexChanged.connect(
                    lambda _, i=i, c=init: self._set_layer(i, "init", c.currentData(), "initialization"))
                self.rows.addWidget(units, row, 1)
                self.rows.addWidget(activation, row, 2)
                self.rows.addWidget(init, row, 3)
                widgets.update(units=units, activation=activation, init=init)
            elif isinstance(layer, DropoutConfig):
                rate = QDoubleSpinBox(objectName=f"{prefix}RateSpin")
                rate.setRange(0.0, 0.95)
                rate.setSingleStep(0.05)
                rate.setDecimals(2)
                rate.setKeyboardTracking(False)
                rate.setToolTip("p, the probability that a unit is dropped on a training step. "
                                "The chapters: 0.5 is common; 0 turns dropout off.")
                rate.valueChanged.connect(lambda v, i=i: self._set_layer(i, "rate", v, "dropout rate"))
                note = _note_label("Dropout, p = chance to drop", f"{prefix}Note")
                note.setToolTip(notes.LAYER_HELP["dropout"])
                self.rows.addWidget(rate, row, 1)
                self.rows.addWidget(note, row, 2, 1, 2)
                widgets.update(rate=rate)
            else:
                note = _note_label("BatchNorm: standardize over the batch", f"{prefix}Note")
                note.setToolTip(notes.LAYER_HELP["batchnorm"])
                self.rows.addWidget(note, row, 1, 1, 3)
            if not output:
                up = _tool_button("↑", f"{prefix}UpButton", "Move this layer one place towards the input.")
                down = _tool_button("↓", f"{prefix}DownButton", "Move this layer one place towards the output.")
                remove = _tool_button("✕", f"{prefix}RemoveButton", "Remove this layer.")
                up.setEnabled(i > 0)
                down.setEnabled(i < hidden - 1)
                up.clicked.connect(lambda _=False, i=i: self.move_layer(i, -1))
                down.clicked.connect(lambda _=False, i=i: self.move_layer(i, +1))
                remove.clicked.connect(lambda _=False, i=i: self.remove_layer(i))
                self.rows.addWidget(up, row, 4)
                self.rows.addWidget(down, row, 5)
                self.rows.addWidget(remove, row, 6)
                widgets.update(up=up, down=down, remove=remove)
            self._rows.append(widgets)

    def _fill_rows(self, config: NetworkConfig) -> None:
        for layer, widgets in zip(config.layers, self._rows):
            with blocked(*widgets.values()):
                if isinstance(layer, DenseConfig):
                    widgets["units"].setValue(layer.units)
                    select_data(widgets["activation"], notes.canonical_activation(layer.activation))
                    select_data(widgets["init"], layer.init)
                elif isinstance(layer, DropoutConfig):
                    widgets["rate"].setValue(layer.rate)

    # ---- widgets → model
    def _on_features(self) -> None:
        chosen = [f for f in FEATURES if self.feature_checks[f].isChecked()]
        if not chosen:
            self.refresh()
            return
        self.edit("Input features", lambda c: setattr(c, "features", chosen))

    def _set_layer(self, index: int, attribute: str, value, what: str) -> None:
        hidden = len(self.document.config.layers) - 1
        where = "Output" if index == hidden else f"Layer {index + 1}"
        self.edit(f"{where} {what}", lambda c: setattr(c.layers[index], attribute, value))

    def _insert(self, text: str, layer) -> bool:
        return self.edit(text, lambda c: c.layers.insert(len(c.layers) - 1, layer))

    def add_dense(self) -> bool:
        """A hidden dense layer like the last hidden one (8 tanh units when there is none)."""
        hidden = [l for l in self.document.config.layers[:-1] if isinstance(l, DenseConfig)]
        like = hidden[-1] if hidden else DenseConfig(8, "tanh", "xavier_uniform")
        return self._insert("Add dense layer", DenseConfig(like.units, like.activation, like.init))

    def move_layer(self, index: int, step: int) -> bool:
        def change(c: NetworkConfig) -> None:
            j = index + step
            if 0 <= j < len(c.layers) - 1:
                c.layers[index], c.layers[j] = c.layers[j], c.layers[index]

        return self.edit(f"Move layer {index + 1} {'up' if step < 0 else 'down'}", change)

    def remove_layer(self, index: int) -> bool:
        return self.edit(f"Remove layer {index + 1}", lambda c: c.layers.pop(index))


"""The Data panel: which data set, how many points, how noisy, how much is held out for
validation, CSV import, and which class (or value) a click on the plot adds."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnplay.core import datasets
from nnplay.core.config import DataConfig, NetworkConfig
from nnplay.core.features import raw_inputs_needed
from nnplay.gui import messages
from nnplay.gui.panels.notes import DATASET_GROUPS, DATASET_HELP, DATASET_NAMES, TASK_WORDS, use_default_loss
from nnplay.gui.panels.widgets import Panel, blocked, group, guard_wheel, select_data
from nnplay.gui.plots.colors import CLASS_COLORS  # the boundary plot's colours

INLINE = "__inline__"  # the combo entry for imported or clicked-in points
NO_X2 = ("x1", "x1^2", "sin(x1)")  # the features a 1-D set can feed


def dims_of(config: NetworkConfig) -> int:
    """How many raw coordinates the data has (1 for the 1-D sets)."""
    data = config.data
    if data.source == "inline":
        return len(data.x[0]) if data.x and isinstance(data.x[0], (list, tuple)) else 1
    return 1 if data.name in datasets.REGRESSION_1D else 2


def fit_features(config: NetworkConfig, dims: int) -> None:
    """1-D data keeps only the x₁-based features (x₁ at least); back on 2-D data x₂ returns."""
    if dims == 1:
        config.features = [f for f in config.features if f in NO_X2] or ["x1"]
    elif raw_inputs_needed(config.features) == 1 and "x2" not in config.features:
        wanted = set(config.features) | {"x1", "x2"}
        config.features = [f for f in ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)") if f in wanted]


def set_task(config: NetworkConfig, task: str) -> None:
    """A new task brings the chapters' loss for it and its output activation."""
    if task != config.task:
        config.task = task
        use_default_loss(config)


class DataPanel(Panel):
    """Data set chooser and the class (or value) for click-to-add points.

    ``current_class`` (int) and ``current_value`` (float) are what a click on the boundary
    plot should add; ``currentClassChanged`` fires when the user picks another class.
    """

    currentClassChanged = Signal(int)
    currentValueChanged = Signal(float)

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.setObjectName("dataPanel")
        self.current_class = 0
        self.current_value = 1.0

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        box = group("Data", "The points the network learns from.", "dataGroup")
        outer.addWidget(box)
        form = self.form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)

        self.dataset_combo = QComboBox(objectName="datasetCombo")
        self.dataset_combo.setModel(self._dataset_model())
        self.dataset_combo.setToolTip("Which toy data set to learn. Hover an entry for what it shows.")
        self.dataset_combo.setMaxVisibleItems(20)
        self.dataset_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.dataset_combo.setIconSize(QSize(0, 0))  # no icons: narrower
        self.dataset_combo.setMinimumContentsLength(10)
        form.addRow("Data set", self.dataset_combo)

        self.task_label = QLabel(objectName="taskLabel")
        self.task_label.setWordWrap(True)
        self.task_label.setToolTip("The task follows the data: labels 0/1 → two-class, labels 0..K−1 → "
                                   "multi-class, numbers → regression.")
        form.addRow("Task", self.task_label)

        self.classes_spin = QSpinBox(objectName="classesSpin")
        self.classes_spin.setRange(datasets.MIN_CLASSES, datasets.MAX_CLASSES)
        self.classes_spin.setToolTip("How many classes (blobs) the blobs set has; the output layer gets "
                                     "one softmax unit per class.")
        form.addRow("Classes", self.classes_spin)

        self.n_spin = QSpinBox(objectName="sizeSpin")
        self.n_spin.setRange(10, 5000)
        self.n_spin.setSingleStep(50)
        self.n_spin.setKeyboardTracking(False)
        self.n_spin.setToolTip("How many points to generate (training and validation together).")
        form.addRow("Points", self.n_spin)

        self.noise_spin = QDoubleSpinBox(objectName="noiseSpin")
        self.noise_spin.setRange(0.0, 2.0)
        self.noise_spin.setSingleStep(0.05)
        self.noise_spin.setDecimals(2)
        self.noise_spin.setKeyboardTracking(False)
        self.noise_spin.setToolTip("Standard deviation of the Gaussian jitter on the points (classification) "
                                   "or on the targets (regression). More noise, more overlap: a perfect "
                                   "training score then means overfitting.")
        form.addRow("Noise", self.noise_spin)

        self.validation_spin = QSpinBox(objectName="validationSpin")
        self.validation_spin.setRange(0, 90)
        self.validation_spin.setSingleStep(5)
        self.validation_spin.setSuffix(" %")
        self.validation_spin.setKeyboardTracking(False)
        self.validation_spin.setToolTip("The share of points held out as a validation set: never trained on, "
                                        "used to see overfitting (validation loss rising while training loss "
                                        "falls) and by early stopping. 0 % trains on every point.")
        form.addRow("Validation", self.validation_spin)

        self.seed_spin = QSpinBox(objectName="dataSeedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.setToolTip("The seed that draws the points and the validation split: the same seed "
                                  "gives the same data.")
        form.addRow("Data seed", self.seed_spin)

        self.import_button = QPushButton("Import CSV…", objectName="importCsvButton")
        self.import_button.setToolTip("Load your own points from a CSV file with a header row: x1,x2,label "
                                      "(classes 0, 1, …), x1,x2,value (regression), or x1,label / x1,value "
                                      "for one input.")
        form.addRow("", self.import_button)

        # ---- click-to-add
        self.add_label = QLabel("Click adds", objectName="addPointLabel")
        self.class_row = QWidget(objectName="classButtons")
        row = QHBoxLayout(self.class_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(3)
        self.class_group = QButtonGroup(self)
        self.class_group.setExclusive(True)
        self.class_buttons: list[QPushButton] = []
        for k, color in enumerate(CLASS_COLORS):
            button = QPushButton(str(k), objectName=f"classButton{k}")
            button.setCheckable(True)
            button.setFixedSize(26, 22)
            text = "#000" if QColor(color).lightness() > 140 else "#fff"
            button.setStyleSheet(
                f"QPushButton {{ background:{color}; color:{text}; border:1px solid #777; border-radius:3px; }}"
                f"QPushButton:checked {{ border:3px solid #111; font-weight:bold; }}"
            )
            button.setToolTip(f"Click the boundary plot to add a point of class {k}; right-click removes one.")
            self.class_group.addButton(button, k)
            self.class_buttons.append(button)
            row.addWidget(button)
        row.addStretch(1)
        self.value_spin = QDoubleSpinBox(objectName="valueSpin")
        self.value_spin.setRange(-100.0, 100.0)
        self.value_spin.setSingleStep(0.1)
        self.value_spin.setDecimals(2)
        self.value_spin.setPrefix("y = ")
        self.value_spin.setToolTip("The target value a click on the plot adds at that point (regression); "
                                   "right-click removes a point.")
        self.value_spin.setValue(self.current_value)
        row.addWidget(self.value_spin)
        self.click_hint = QLabel("the point under the cursor (x, y)", objectName="clickHintLabel")
        self.click_hint.setToolTip("On one-input data the plot shows x across and the target y up: a click adds "
                                   "the point where you click; right-click removes the nearest one.")
        row.insertWidget(0, self.click_hint)
        form.addRow(self.add_label, self.class_row)

        self.dataset_combo.currentIndexChanged.connect(self._on_dataset)
        self.classes_spin.valueChanged.connect(self._on_classes)
        self.n_spin.valueChanged.connect(lambda v: self.edit("Number of points", lambda c: setattr(c.data, "n", v)))
        self.noise_spin.valueChanged.connect(lambda v: self.edit("Data noise", lambda c: setattr(c.data, "noise", v)))
        self.seed_spin.valueChanged.connect(lambda v: self.edit("Data seed", lambda c: setattr(c.data, "seed", v)))
        self.validation_spin.valueChanged.connect(
            lambda v: self.edit("Validation share", lambda c: setattr(c.data, "validation_fraction", v / 100))
        )
        self.import_button.clicked.connect(self.import_csv)
        self.class_group.idClicked.connect(self._on_class)
        self.value_spin.valueChanged.connect(self._on_value)

        document.settingsChanged.connect(self.refresh)
        self.refresh()

    # ---- building
    def _dataset_model(self) -> QStandardItemModel:
        model = QStandardItemModel(self)
        for title, members in DATASET_GROUPS:
            header = QStandardItem(title)
            header.setFlags(Qt.NoItemFlags)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            model.appendRow(header)
            for name in members:
                item = QStandardItem("   " + DATASET_NAMES.get(name, name))
                item.setData(name, Qt.UserRole)
                item.setToolTip(DATASET_HELP.get(name, ""))
                model.appendRow(item)
        own = QStandardItem("Your points")
        own.setFlags(Qt.NoItemFlags)
        font = own.font()
        font.setBold(True)
        own.setFont(font)
        model.appendRow(own)
        inline = QStandardItem("   Imported / edited points")
        inline.setData(INLINE, Qt.UserRole)
        inline.setToolTip("Points from a CSV file or edited by clicking on the plot; they are saved inside "
                          "the network file.")
        inline.setFlags(Qt.ItemIsEnabled)  # shown when in use, not pickable by hand
        model.appendRow(inline)
        return model

    # ---- model → widgets
    def refresh(self) -> None:
        config = self.document.config
        data = config.data
        inline = data.source == "inline"
        dataset = self.document.experiment.dataset
        widgets = (self.dataset_combo, self.classes_spin, self.n_spin, self.noise_spin, self.seed_spin,
                   self.validation_spin, self.value_spin)
        with blocked(*widgets):
            select_data(self.dataset_combo, INLINE if inline else data.name)
            self.dataset_combo.setToolTip(
                "Which toy data set to learn. Hover an entry for what it shows.\n\n"
                + ("Your own points (imported or edited)." if inline else DATASET_HELP.get(data.name, ""))
            )
            self.classes_spin.setValue(dataset.n_classes if config.task == "multiclass" else 4)
            self.n_spin.setValue(len(dataset) if inline else data.n)
            self.noise_spin.setValue(data.noise)
            self.seed_spin.setValue(data.seed)
            self.validation_spin.setValue(round(data.validation_fraction * 100))
        blobs = not inline and data.name == "blobs"
        self.classes_spin.setEnabled(blobs)
        self.form.setRowVisible(self.classes_spin, blobs)
        for widget in (self.n_spin, self.noise_spin):
            widget.setEnabled(not inline)
        kind = f"{dataset.n_classes} classes" if config.task == "multiclass" else TASK_WORDS[config.task]
        self.task_label.setText(f"{kind}, {dataset.dims}-D input, {len(dataset)} points")
        regression = config.task == "regression"
        one_d = dataset.dims == 1
        self.value_spin.setVisible(regression and not one_d)  # on 1-D data the click's height is the value
        self.click_hint.setVisible(regression and one_d)
        n_classes = 0 if regression else max(dataset.n_classes, 2)
        for k, button in enumerate(self.class_buttons):
            button.setVisible(k < n_classes)
        if not regression and self.current_class >= n_classes:
            self.set_current_class(0)
        if not regression:
            with blocked(self.class_group, *self.class_buttons):
                self.class_buttons[self.current_class].setChecked(True)
        guard_wheel(self)

    # ---- widgets → model
    def _on_dataset(self, index: int) -> None:
        name = self.dataset_combo.itemData(index, Qt.UserRole)
        if not name or name == INLINE:
            self.refresh()
            return
        label = DATASET_NAMES.get(name, name)
        self.edit(f"Data set: {label}", lambda c: self.choose_dataset(c, name))

    @staticmethod
    def choose_dataset(config: NetworkConfig, name: str) -> None:
        """Switch to a generated set: its task, the task's loss, and the features its inputs allow."""
        old = config.data
        generated = old.source == "generated"
        config.data = DataConfig(
            source="generated",
            name=name,
            n=old.n if generated else 400,
            noise=old.noise if generated else 0.1,
            seed=old.seed,
            validation_fraction=old.validation_fraction,
            classes=(old.classes or 4) if name == "blobs" else None,
        )
        set_task(config, datasets.task_of(name))
        fit_features(config, 1 if name in datasets.REGRESSION_1D else 2)

    def _on_classes(self, k: int) -> None:
        self.edit("Number of classes", lambda c: setattr(c.data, "classes", k))

    def _on_class(self, k: int) -> None:
        self.set_current_class(k)

    def set_current_class(self, k: int) -> None:
        """The class a click on the plot adds."""
        if k == self.current_class:
            return
        self.current_class = k
        with blocked(self.class_group, *self.class_buttons):
            self.class_buttons[k].setChecked(True)
        self.currentClassChanged.emit(k)

    def _on_value(self, value: float) -> None:
        self.current_value = value
        self.currentValueChanged.emit(value)

    # ---- CSV
    def import_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import points", "", "CSV files (*.csv);;All files (*)"
        )
        if path:
            self.import_points(path)

    def import_points(self, path: str) -> bool:
        """Read a points CSV; on error say what is wrong and leave the data as it was."""
        from nnplay.gui.background import Cancelled, run_in_background
        from nnplay.io.points_csv import read_points

        try:
            dataset = run_in_background(self, f"Reading {path}…", lambda: read_points(path))
        except Cancelled:
            return False
        except Exception as exc:  # PointsFileError says what is wrong; anything else too
            messages.critical(self, "Cannot import points", f"{path}:\n{exc}")
            return False
        x = dataset.x.tolist()
        y = dataset.y.tolist()

        def change(config: NetworkConfig) -> None:
            config.data = DataConfig(
                source="inline",
                x=x,
                y=y,
                seed=config.data.seed,
                validation_fraction=config.data.validation_fraction,
            )
            set_task(config, dataset.task)
            fit_features(config, dataset.dims)
            if dataset.task == "multiclass" and config.layers:
                config.layers[-1].units = dataset.n_classes

        try:
            return self.document.edit("Import points", change)
        except Exception as exc:  # the engine refused the points: nothing changed
            messages.critical(self, "Cannot import points", f"{path}:\n{exc}")
            return False

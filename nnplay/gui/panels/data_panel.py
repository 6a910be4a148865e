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
    QVBoxLayout,
    QWidget,
)

from nnplay.core.advice import TASK_WORDS, choose_dataset, choose_point_set, new_data, use_points
from nnplay.core.config import DataConfig, NetworkConfig
from nnplay.core.datasets import GENERATORS, POINT_SETS, point_set_of
from nnplay.core.errors import ConfigError
from nnplay.core.point_edits import with_data_seed, with_validation_share
from nnplay.core.settings import setting_at
from nnplay.gui import messages
from nnplay.gui.panels.bindings import label
from nnplay.gui.panels.panel import Panel
from nnplay.gui.panels.widgets import blocked, group, guard_wheel, select_data
from nnplay.gui.plots.colors import CLASS_COLORS  # the boundary plot's colours

INLINE = "__inline__"  # the combo entry for imported or clicked-in points
POINTS = "points:"  # the combo entries of the fixed point sets: "points:xor4"


def _class_button(k: int, color: str) -> QPushButton:
    button = QPushButton(str(k), objectName=f"classButton{k}")
    button.setCheckable(True)
    button.setFixedSize(26, 22)
    text = "#000" if QColor(color).lightness() > 140 else "#fff"
    button.setStyleSheet(
        f"QPushButton {{ background:{color}; color:{text}; border:1px solid #777; border-radius:3px; }}"
        f"QPushButton:checked {{ border:3px solid #111; font-weight:bold; }}"
    )
    button.setToolTip(f"Click the boundary plot to add a point of class {k}; right-click removes one.")
    return button


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
        self._build_data_rows(form)
        click_row = self._build_click_row()
        form.addRow(self.add_label, click_row)
        self.dataset_combo.currentIndexChanged.connect(self._on_dataset)
        self.import_button.clicked.connect(self.import_csv)
        self.class_group.idClicked.connect(self._on_class)
        self.value_spin.valueChanged.connect(self._on_value)
        document.settingsChanged.connect(self.refresh)
        self.refresh()

    # ---- building
    def _build_data_rows(self, form: QFormLayout) -> None:
        self.dataset_combo = QComboBox(objectName="datasetCombo")
        self.dataset_combo.setModel(self._dataset_model())
        self.dataset_combo.setToolTip(setting_at(NetworkConfig, "data.name").help)
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

        bind = self.bindings.add
        self.classes_spin = bind(form, "data.classes", "classesSpin", undo_text="Number of classes",
                                 read=self._classes_shown)
        self.n_spin = bind(form, "data.n", "sizeSpin", undo_text="Number of points", read=self._size_shown)
        self.noise_spin = bind(form, "data.noise", "noiseSpin", undo_text="Data noise")
        self.validation_spin = bind(form, "data.validation_fraction", "validationSpin", undo_text="Validation share",
                                    write=with_validation_share)
        self.seed_spin = bind(None, "data.seed", "dataSeedSpin", write=with_data_seed)
        self.new_data_button = QPushButton("New Data", objectName="newDataButton")
        self.new_data_button.setToolTip("Draw other points of this data set: the next data seed (and so another "
                                        "validation split). The network keeps its weights.")
        self.new_data_button.clicked.connect(lambda: self.edit("New data", new_data))
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed_spin, 1)
        seed_row.addWidget(self.new_data_button)
        seed = setting_at(NetworkConfig, "data.seed")
        form.addRow(label(seed.label, seed.help), seed_row)

        self.import_button = QPushButton("Import CSV…", objectName="importCsvButton")
        self.import_button.setToolTip("Load your own points from a CSV file with a header row: x1,x2,label "
                                      "(classes 0, 1, …), x1,x2,value (regression), or x1,label / x1,value "
                                      "for one input.")
        form.addRow("", self.import_button)

    def _build_click_row(self) -> QWidget:
        """What a click on the plot adds: a class button each, or the value y."""
        self.add_label = QLabel("Click adds", objectName="addPointLabel")
        self.class_row = QWidget(objectName="classButtons")
        row = QHBoxLayout(self.class_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(3)
        self.class_group = QButtonGroup(self)
        self.class_group.setExclusive(True)
        self.class_buttons: list[QPushButton] = []
        for k, color in enumerate(CLASS_COLORS):
            button = _class_button(k, color)
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
        return self.class_row

    def _dataset_model(self) -> QStandardItemModel:
        model = QStandardItemModel(self)
        groups: dict[str, list] = {}
        for spec in (*GENERATORS.values(), *POINT_SETS.values()):  # a point set after its group's sets
            groups.setdefault(spec.group, []).append(spec)
        for title, members in groups.items():
            header = QStandardItem(title)
            header.setFlags(Qt.NoItemFlags)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            model.appendRow(header)
            for spec in members:
                item = QStandardItem("   " + spec.title)
                item.setData(spec.name if spec.name in GENERATORS else POINTS + spec.name, Qt.UserRole)
                item.setToolTip(spec.help)
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
        # one's own points may be fewer than a generated set's least (the textbook's XOR has 4)
        with blocked(self.n_spin):
            self.n_spin.setMinimum(1 if inline else setting_at(NetworkConfig, "data.n").control_range[0])
        self.bindings.refresh(config)
        points = point_set_of(data)
        with blocked(self.dataset_combo, self.value_spin):
            select_data(self.dataset_combo, POINTS + points.name if points else INLINE if inline else data.name)
            shown = points.help if points else "Your own points (imported or edited)." if inline \
                else GENERATORS[data.name].help
            self.dataset_combo.setToolTip(setting_at(NetworkConfig, "data.name").help + "\n\n" + shown)
        blobs = not inline and data.name == "blobs"
        self.classes_spin.setEnabled(blobs)
        self.form.setRowVisible(self.classes_spin, blobs)
        for widget in (self.n_spin, self.noise_spin, self.new_data_button):
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

    def _classes_shown(self, config: NetworkConfig) -> int:
        return self.document.experiment.dataset.n_classes if config.task == "multiclass" else 4

    def _size_shown(self, config: NetworkConfig) -> int:
        return len(self.document.experiment.dataset) if config.data.source == "inline" else config.data.n

    # ---- widgets → model
    def _on_dataset(self, index: int) -> None:
        name = self.dataset_combo.itemData(index, Qt.UserRole)
        if not name or name == INLINE:
            self.refresh()
            return
        if name.startswith(POINTS):
            points = POINT_SETS[name.removeprefix(POINTS)]
            self.edit(f"Data set: {points.title}", lambda c: choose_point_set(c, points.name))
            return
        self.edit(f"Data set: {GENERATORS[name].title}", lambda c: choose_dataset(c, name))

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
        from nnplay.io.points_csv import PointsFileError, read_points

        try:
            dataset = run_in_background(self, f"Reading {path}…", lambda: read_points(path))
        except Cancelled:
            return False
        except PointsFileError as exc:
            messages.critical(self, "Cannot import points", f"{path}:\n{exc}")
            return False
        data = DataConfig("inline", x=dataset.x.tolist(), y=dataset.y.tolist(),
                          seed=self.document.config.data.seed,
                          validation_fraction=self.document.config.data.validation_fraction)
        try:
            return self.document.edit("Import points", lambda config: use_points(
                config, data, dataset.task, dataset.dims, dataset.n_classes))
        except ConfigError as exc:  # the engine refused the points: nothing changed
            messages.critical(self, "Cannot import points", f"{path}:\n{exc}")
            return False

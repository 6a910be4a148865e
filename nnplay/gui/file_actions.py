"""The File and Edit menus: New, Open, Open Example, Open Recent, Save, Save As,
Export Weights, Export Plot, Undo/Redo, Quit.

Every action that would replace the network asks first when there are unsaved
changes; every failure (a broken or hostile file, a write that fails) is a
plain-text error dialog (``messages.critical``) that names the problem and leaves the network as it was.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenuBar, QWidget

from nnplay.core.errors import ConfigError
from nnplay.gui import messages
from nnplay.gui.background import Cancelled, run_in_background
from nnplay.gui.document import Document, default_config
from nnplay.gui.plot_export import export_plot
from nnplay.io import examples as bundled
from nnplay.io.atomic import ReadOnlyTarget
from nnplay.io.export import ExportError
from nnplay.io.networkfile import read_network
from nnplay.io.schema import NetworkFileError

NETWORK_FILTER = "nnplay networks (*.nnp);;All files (*)"
WEIGHTS_FILTER = "NumPy arrays (*.npz);;JSON (*.json);;ONNX model (*.onnx)"
PLOT_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"
MAX_RECENT = 8


def examples_dir() -> Path | None:
    """The shipped examples' folder (``nnplay.io.examples``)."""
    return bundled.examples_dir()


def example_files() -> list[tuple[Path, str, str]]:
    """``(path, name, description)`` of each shipped example, sorted by file name."""
    return bundled.example_files(examples_dir())


def _add_suffix(path: str, chosen_filter: str, default: str) -> str:
    """QFileDialog does not add the suffix on every platform: add the chosen filter's."""
    if Path(path).suffix:
        return path
    for suffix in (".npz", ".json", ".onnx", ".png", ".svg", ".nnp"):
        if suffix in chosen_filter:
            return path + suffix
    return path + default


class FileActions(QObject):
    """The File and Edit menus of ``parent``'s menu bar. They say what they need and what
    happened through signals: ``trainingMustStop`` before the engine is read or replaced
    (connected directly, so training has stopped when the emit returns), ``status``
    with a line for the status bar. ``plots`` are the views Export Plot can write."""

    trainingMustStop = Signal()
    status = Signal(str)

    def __init__(self, document: Document, parent: QWidget, menu_bar: QMenuBar, plots: dict[str, QWidget]):
        super().__init__(parent)
        self.parent_widget = parent
        self.document = document
        self.plots = plots

        def action(name, text, slot, shortcut=None, tip=""):
            act = QAction(text, parent)
            act.setObjectName(name)
            if shortcut is not None:
                act.setShortcut(shortcut)
            act.setStatusTip(tip)
            act.setToolTip(tip)
            if slot is not None:
                act.triggered.connect(slot)
            return act

        self.new_action = action("newAction", "&New", self.new, QKeySequence.StandardKey.New,
                                 "Start over with the default network: two tanh layers on the spiral.")
        self.open_action = action("openAction", "&Open…", self.open_dialog, QKeySequence.StandardKey.Open,
                                  "Open a network file (.nnp) with its settings, data, weights and history.")
        self.save_action = action("saveAction", "&Save", self.save, QKeySequence.StandardKey.Save,
                                  "Save everything, weights, optimizer state and history included, so "
                                  "reopening resumes exactly.")
        self.save_as_action = action("saveAsAction", "Save &As…", self.save_as, QKeySequence.StandardKey.SaveAs,
                                     "Save the network under a new file name.")
        self.export_weights_action = action(
            "exportWeightsAction", "Export &Weights…", self.export_weights, QKeySequence("Ctrl+E"),
            "Write the trained weights as .npz (NumPy arrays), .json or .onnx (runs in onnxruntime, "
            "feature transforms included).")
        self.export_boundary_action = action(
            "exportBoundaryAction", "Export &Boundary Plot…", lambda: self.export_plot("boundary"), None,
            "Save the decision-boundary plot as a PNG image or an SVG drawing.")
        self.export_curves_action = action(
            "exportCurvesAction", "Export &Loss Plot…", lambda: self.export_plot("curves"), None,
            "Save the loss and accuracy curves as a PNG image or an SVG drawing.")
        self.quit_action = action("quitAction", "&Quit", None, QKeySequence.StandardKey.Quit,
                                  "Quit nnplay (asks first if there are unsaved changes).")
        self.undo_action = self.document.undo_stack.createUndoAction(parent, "&Undo")
        self.undo_action.setObjectName("undoAction")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.document.undo_stack.createRedoAction(parent, "&Redo")
        self.redo_action.setObjectName("redoAction")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)

        self._build_menus(menu_bar)
        self._fill_examples()
        self._fill_recent()

    def _build_menus(self, menu_bar: QMenuBar) -> None:
        file_menu = menu_bar.addMenu("&File")
        file_menu.setObjectName("fileMenu")
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        self.examples_menu = file_menu.addMenu("Open &Example")
        self.examples_menu.setObjectName("examplesMenu")
        self.examples_menu.setToolTipsVisible(True)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.setToolTipsVisible(True)
        file_menu.addSeparator()
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_as_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_weights_action)
        export_plot = file_menu.addMenu("Export &Plot")
        export_plot.setObjectName("exportPlotMenu")
        export_plot.addAction(self.export_boundary_action)
        export_plot.addAction(self.export_curves_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menu_bar.addMenu("&Edit")
        edit_menu.setObjectName("editMenu")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        self.file_menu, self.edit_menu = file_menu, edit_menu

    # ---- asking
    def maybe_save(self) -> bool:
        """Before the network is replaced or the window closes: False means the user cancelled."""
        if not self.document.modified:
            return True
        answer = messages.question(
            self.parent_widget, "Unsaved changes",
            f"“{self.document.title}” has changes that are not saved. Save them first?",
            messages.Button.Save | messages.Button.Discard
            | messages.Button.Cancel,
            messages.Button.Save,
        )
        if answer == messages.Button.Save:
            return self.save()
        return answer == messages.Button.Discard

    def _error(self, title: str, message: str) -> None:
        messages.critical(self.parent_widget, title, message)

    def _replace_read_only(self, path: str | Path) -> bool:
        """Whether the user wants a read-only file replaced all the same."""
        answer = messages.question(
            self.parent_widget, "Replace a read-only file?",
            f"{Path(path).name} is read-only. Replace it anyway?",
            messages.Button.Yes | messages.Button.Cancel, messages.Button.Cancel)
        return answer == messages.Button.Yes

    # ---- opening
    def new(self) -> None:
        if not self.maybe_save():
            return
        self.trainingMustStop.emit()
        self.document.replace(default_config(), None)
        self.status.emit("A new network: the default spiral with two tanh layers. Press play (Space).")

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.document.path.parent) if self.document.path else ""
        path, _ = QFileDialog.getOpenFileName(self.parent_widget, "Open network", start, NETWORK_FILTER)
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open ``path``; on any error say what is wrong and keep the current network.

        The file is read and checked in the background (the window keeps drawing; a
        progress dialog with Cancel appears if it takes a while)."""
        if ask and not self.maybe_save():
            return False
        self.trainingMustStop.emit()
        name = Path(path).name
        example = bundled.is_bundled_example(path, examples_dir())
        try:
            config = run_in_background(self.parent_widget, f"Reading {name}…", lambda: read_network(path))
            # an example opens as an untitled copy: saving asks for a name, the example stays as shipped
            self.document.replace(config, None if example else Path(path), example=Path(path) if example else None)
        except Cancelled:
            self.status.emit(f"Opening {name} was cancelled; the network is as it was.")
            return False
        except (NetworkFileError, ConfigError) as error:  # a bad file, or a network the engine refuses
            self._error("Cannot open the file", f"{Path(path).name}: {error}")
            return False
        if not example:
            self.add_recent(path)
        description = self.document.experiment.config.extra.get("description")
        self.status.emit(str(description) if description else f"Opened {Path(path).name}.")
        return True

    def _fill_examples(self) -> None:
        self.examples_menu.clear()
        examples = example_files()
        for path, name, description in examples:
            act = self.examples_menu.addAction(messages.menu_text(name))
            act.setObjectName(f"example_{path.stem}")
            act.setToolTip(messages.tooltip(description))
            act.setStatusTip(description)
            act.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        self.examples_menu.setEnabled(bool(examples))

    # ---- recent files
    def recent_files(self) -> list[str]:
        value = QSettings().value("recentFiles", [])
        if isinstance(value, str):  # QSettings gives a lone entry back as a string
            value = [value]
        return [str(v) for v in value or []]

    def add_recent(self, path: str | Path) -> None:
        if bundled.is_bundled_example(path, examples_dir()):
            return  # examples have their own menu
        path = str(Path(path).resolve())
        recent = [path] + [p for p in self.recent_files() if p != path]
        QSettings().setValue("recentFiles", recent[:MAX_RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for i, path in enumerate(recent):
            act = self.recent_menu.addAction(f"&{i + 1} {messages.menu_text(Path(path).name)}")
            act.setObjectName(f"recent_{i}")
            act.setToolTip(messages.tooltip(path))
            act.setStatusTip(path)
            act.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if recent:
            self.recent_menu.addSeparator()
            clear = self.recent_menu.addAction("Clear the List")
            clear.setObjectName("clearRecentAction")
            clear.triggered.connect(self._clear_recent)
        self.recent_menu.setEnabled(bool(recent))

    def _clear_recent(self) -> None:
        QSettings().setValue("recentFiles", [])
        self._fill_recent()

    # ---- saving
    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        example = self.document.example
        start = str(self.document.path or Path.home() / (example.name if example is not None
                                                          else f"{self.document.experiment.config.name}.nnp"))
        path, chosen = QFileDialog.getSaveFileName(self.parent_widget, "Save network as", start, NETWORK_FILTER)
        if not path:
            return False
        return self.save_to(_add_suffix(path, chosen, ".nnp"))

    def save_to(self, path: str | Path, force: bool = False) -> bool:
        """Write the network, weights and history to ``path`` (training pauses first).

        A read-only file is replaced only when the user confirms (or ``force``); the bundled
        examples never are."""
        if self._bundled(path, "Cannot save"):
            return False
        self.trainingMustStop.emit()
        try:
            target = self.document.save(path, force)
        except ReadOnlyTarget:
            return not force and self._replace_read_only(path) and self.save_to(path, force=True)
        except (NetworkFileError, OSError) as error:
            self._error("Cannot save", f"{Path(path).name}: {error}")
            return False
        self.add_recent(target)
        self.status.emit(f"Saved {target.name}.")
        return True

    def _bundled(self, path: str | Path, title: str) -> bool:
        """Whether ``path`` is in the bundled examples' folder (then say so: nothing is written there)."""
        if not bundled.is_bundled_example(path, examples_dir()):
            return False
        self._error(title, f"{Path(path).name}: {bundled.BundledExample()}; choose another folder.")
        return True

    # ---- exporting
    def export_weights(self) -> None:
        start = str(Path(self.document.path or Path.home() / "network").with_suffix(".npz"))
        path, chosen = QFileDialog.getSaveFileName(self.parent_widget, "Export weights", start, WEIGHTS_FILTER)
        if path:
            self.export_weights_to(_add_suffix(path, chosen, ".npz"))

    def export_weights_to(self, path: str | Path, force: bool = False) -> bool:
        from nnplay.io.export import export

        if self._bundled(path, "Cannot export the weights"):
            return False
        self.trainingMustStop.emit()
        config = self.document.experiment.to_config()
        try:
            export(config, config.weights, path, force)
        except ReadOnlyTarget:
            return not force and self._replace_read_only(path) and self.export_weights_to(path, force=True)
        except (ExportError, NetworkFileError, OSError) as error:
            self._error("Cannot export the weights", f"{Path(path).name}: {error}")
            return False
        self.status.emit(f"Exported the weights to {Path(path).name}.")
        return True

    def export_plot(self, which: str) -> None:
        name = "boundary" if which == "boundary" else "loss"
        start = str(Path(self.document.path.parent if self.document.path else Path.home()) / f"{name}.png")
        path, chosen = QFileDialog.getSaveFileName(self.parent_widget, "Export plot", start, PLOT_FILTER)
        if path:
            self.export_plot_to(which, _add_suffix(path, chosen, ".png"))

    def export_plot_to(self, which: str, path: str | Path, force: bool = False) -> bool:
        """``which``: "boundary" or "curves"; PNG or SVG by ``path``'s suffix."""
        if self._bundled(path, "Cannot export the plot"):
            return False
        try:
            export_plot(self.plots[which], path, force)
        except ReadOnlyTarget:
            return not force and self._replace_read_only(path) and self.export_plot_to(which, path, force=True)
        except (ExportError, OSError) as error:
            self._error("Cannot export the plot", f"{Path(path).name}: {error}")
            return False
        self.status.emit(f"Exported the plot to {Path(path).name}.")
        return True

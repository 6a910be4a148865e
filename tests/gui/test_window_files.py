"""Files from the window: save and reopen to the same state, export weights and load
them back, export plots, broken files, examples, recent files, unsaved-changes prompts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nnplay.gui.file_actions import example_files
from tests.gui.window_fixtures import boundary_settled, button, weights_equal

WAIT = 20_000


def _train_a_little(qtbot, window, epochs=5):
    window.play()
    qtbot.waitUntil(lambda: window.document.experiment.trainer.epoch >= epochs, timeout=WAIT)
    qtbot.mouseClick(button(window, "playButton"), Qt.MouseButton.LeftButton)  # pause, maybe mid-epoch
    assert not window.training


def test_save_and_reopen_resume_exactly(qtbot, make_window, tmp_path):
    window = make_window()
    _train_a_little(qtbot, window)
    path = tmp_path / "spiral run.nnp"
    assert window.file_actions.save_to(path)
    assert not window.document.modified and "spiral run.nnp" in window.windowTitle()
    saved = window.document.experiment

    other = make_window()
    assert other.file_actions.open_path(path)
    opened = other.document.experiment
    assert weights_equal(opened.network.get_weights(), saved.network.get_weights())
    assert opened.trainer.epoch == saved.trainer.epoch
    assert opened.trainer.update_in_epoch == saved.trainer.update_in_epoch
    assert opened.trainer.history.to_dict() == saved.trainer.history.to_dict()
    np.testing.assert_array_equal(other.curves.buffers.column("epoch"), [0, *saved.trainer.history["epoch"]])
    np.testing.assert_array_equal(other.curves.buffers.column("val_loss"), window.curves.buffers.column("val_loss"))
    other.resize(window.size())  # the same plot shape, so the same grid: the same picture, to the bit
    qtbot.waitUntil(lambda: boundary_settled(other) and other.boundary.grid.shape == window.boundary.grid.shape,
                    timeout=WAIT)
    np.testing.assert_array_equal(other.boundary.current_image(), window.boundary.current_image())
    assert str(path.resolve()) in other.file_actions.recent_files()

    # both go on identically: the file held the optimizer state and the epoch's shuffle
    for w in (window, other):
        w.step_epoch()
        qtbot.waitUntil(lambda w=w: not w.training, timeout=WAIT)
    assert weights_equal(opened.network.get_weights(), saved.network.get_weights())


def test_export_weights_and_load_them_back(qtbot, window, tmp_path, dialogs):
    from nnplay.io.export import load_npz

    _train_a_little(qtbot, window, epochs=2)
    experiment = window.document.experiment
    weights = experiment.network.get_weights()
    points = np.random.default_rng(0).uniform(-3, 3, (50, 2))
    expected = experiment.predict(points)

    assert window.file_actions.export_weights_to(tmp_path / "w.npz")
    arch, loaded = load_npz(tmp_path / "w.npz")
    assert arch["features"] == ["x1", "x2"] and weights_equal(loaded, weights)

    assert window.file_actions.export_weights_to(tmp_path / "w.json")
    data = json.loads((tmp_path / "w.json").read_text())
    assert all(np.array_equal(np.array(layer["W"]), w["W"]) for layer, w in zip(data["weights"], weights))

    onnxruntime = pytest.importorskip("onnxruntime")
    assert window.file_actions.export_weights_to(tmp_path / "w.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "w.onnx"))
    name = session.get_inputs()[0].name
    (out,) = session.run(None, {name: points.astype(np.float64)})
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-12)

    assert not window.file_actions.export_weights_to(tmp_path / "w.txt")
    assert dialogs["critical"] and "cannot export" in dialogs["critical"][-1][1]


def test_export_plots(window, tmp_path):
    for which in ("boundary", "curves"):
        for suffix in (".png", ".svg"):
            path = tmp_path / f"{which}{suffix}"
            assert window.file_actions.export_plot_to(which, path)
            assert path.stat().st_size > 1000


@pytest.mark.parametrize("content, words", [
    ("{not json", "JSON"),
    ('{"format": "nnplay-network", "version": 99}', "version"),
    ('{"format": "nnplay-network", "version": 1, "task": "binary", "features": ["x1", "x2"], '
     '"layers": [{"type": "dense", "units": 1e12, "activation": "sigmoid"}], "loss": "nll"}', "units"),
])
def test_broken_file_shows_what_is_wrong_and_keeps_the_network(window, tmp_path, dialogs, content, words):
    before = window.document.experiment
    weights = before.network.get_weights()
    path = tmp_path / "broken.nnp"
    path.write_text(content)
    assert not window.file_actions.open_path(path)
    assert len(dialogs["critical"]) == 1
    title, text = dialogs["critical"][0]
    assert text.startswith("broken.nnp:") and words.lower() in text.lower()
    assert window.document.experiment is before and window.document.path is None
    assert weights_equal(window.document.experiment.network.get_weights(), weights)


def test_app_opens_a_broken_file_with_a_dialog_and_the_default_network(qtbot, settings_dir, dialogs, tmp_path):
    from nnplay.gui.app import open_window

    path = tmp_path / "bad.nnp"
    path.write_text("[]")
    window = open_window(str(path))
    qtbot.addWidget(window)
    assert window.isVisible()
    qtbot.waitUntil(lambda: bool(dialogs["critical"]), timeout=5000)
    assert window.document.experiment.config.data.name == "spiral"


def test_examples_menu_has_every_example_with_its_description(qtbot, window):
    examples = example_files()
    assert len(examples) >= 2
    actions = {a.objectName(): a for a in window.file_actions.examples_menu.actions()}
    for path, name, description in examples:
        action = actions[f"example_{path.stem}"]
        assert action.text() == name and action.toolTip() == description
    blobs = next((p for p, _n, _d in examples if "blobs" in p.stem), None)
    if blobs is not None:
        actions[f"example_{blobs.stem}"].trigger()
        assert window.boundary.mode == "classes"
        assert window.boundary.current_image().shape == (*window.boundary.grid.shape, 4)  # the finest grid
        assert min(window.boundary.grid.shape) == 100
    for stem, mode, label in (("ripple_rmsprop", "value", "predicted value"),
                              ("gaussians_hinge", "binary", "class 1 above 0")):
        if f"example_{stem}" in actions:
            actions[f"example_{stem}"].trigger()
            assert window.boundary.mode == mode
            assert label in window.boundary.color_bar.axis.labelText
    window.boundary.discretize.setChecked(True)  # only the decision: two colours left
    if window.boundary.mode == "binary":
        assert len(np.unique(window.boundary.current_image().reshape(-1, 4), axis=0)) <= 2
    window.boundary.discretize.setChecked(False)
    sine = next((p for p, _n, _d in examples if "sine" in p.stem), None)
    if sine is not None:
        actions[f"example_{sine.stem}"].trigger()
        assert window.boundary.mode == "curve" and not window.curves.accuracy_plot.isVisible()


def test_unsaved_changes_prompt_before_open_and_close(qtbot, window, tmp_path, dialogs):
    path = tmp_path / "a.nnp"
    window.file_actions.save_to(path)
    window.document.edit("Learning rate", lambda c: c.optimizer.settings.update(lr=0.05))
    assert window.isWindowModified()
    dialogs["answers"].append(QMessageBox.StandardButton.Cancel)
    assert not window.file_actions.open_path(path)
    assert window.document.experiment.optimizer.hyper["lr"] == 0.05 and dialogs["question"]
    dialogs["answers"].append(QMessageBox.StandardButton.Cancel)
    assert not window.close()
    window.file_actions.undo_action.trigger()  # Undo puts the saved learning rate back
    assert window.document.experiment.optimizer.hyper["lr"] == 0.01 and not window.isWindowModified()
    asked = len(dialogs["question"])
    assert window.close() and len(dialogs["question"]) == asked


def test_every_control_has_an_object_name_and_the_layout_is_remembered(qtbot, make_window, settings_dir):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit,
                                   QScrollBar, QWidget)

    window = make_window()
    unnamed = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, (QAbstractButton, QAbstractSlider, QComboBox, QAbstractSpinBox, QLineEdit)):
            continue
        if isinstance(widget, QScrollBar) or (isinstance(widget, QLineEdit) and isinstance(
                widget.parent(), (QAbstractSpinBox, QComboBox))):
            continue  # Qt's own parts of a scroll area, spin box or combo box
        if not widget.objectName():
            unnamed.append(f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}")
    for action in window.findChildren(QAction):
        if action.text() and not action.isSeparator() and not action.menu() and not action.objectName():
            if action.text() != "Export...":  # pyqtgraph's own scene menu
                unnamed.append(f"QAction {action.text()!r}")
    assert unnamed == []

    from PySide6.QtCore import QSettings

    window.curves_dock.hide()
    window.resize(900, 590)  # the offscreen screen is small (800x600): restoring clamps larger sizes
    assert window.close()
    assert QSettings().value("window/geometry") is not None
    again = make_window()
    assert not again.curves_dock.isVisible() and again.panels_dock.isVisible()
    assert again.height() == 590  # not the first-run 900 (widths clamp to the 800 px offscreen screen)


def test_settings_column_never_cuts_its_controls_short(qtbot, window):
    from PySide6.QtWidgets import QScrollArea

    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    # what a narrow saved layout or a drag of the splitter asks for
    window.resizeDocks([window.panels_dock], [150], Qt.Orientation.Horizontal)
    qtbot.wait(50)
    scroll = window.findChild(QScrollArea, "panelScroll")
    column = scroll.widget()
    assert column.width() >= column.minimumSizeHint().width()
    assert scroll.width() >= column.minimumSizeHint().width()


def test_no_display_is_one_line_not_a_qt_abort(monkeypatch, capsys):
    from nnplay.gui import app

    monkeypatch.setattr(app.sys, "platform", "linux")
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert app.run(None) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no display" in err[0]
    monkeypatch.setenv("DISPLAY", ":0")
    assert app.missing_display() is None


# ---------------------------------------------------------------- the bundled examples stay as shipped
def _example_bytes() -> dict:
    from nnplay.gui.file_actions import examples_dir

    return {path.name: path.read_bytes() for path in sorted(examples_dir().iterdir())}


@pytest.fixture
def save_dialogs(monkeypatch):
    """Every Save As dialog asked for: its start path; it is cancelled."""
    from PySide6.QtWidgets import QFileDialog

    asked = []

    def get_save_file_name(parent, caption, start, *args, **kwargs):
        asked.append((caption, start))
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save_file_name))
    return asked


def test_an_example_opens_as_an_untitled_copy_whose_save_asks_for_a_name(qtbot, window, dialogs, save_dialogs):
    from nnplay.gui.file_actions import examples_dir

    before = _example_bytes()
    actions = {a.objectName(): a for a in window.file_actions.examples_menu.actions()}
    actions["example_spiral"].trigger()
    document = window.document
    assert document.path is None and document.example == examples_dir() / "spiral.nnp"
    assert document.title == "Two spirals, deep tanh net (example)" and not document.modified
    assert "Two spirals, deep tanh net (example)" in window.windowTitle()
    window.step_epoch()
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert document.modified

    # the unsaved-changes prompt's default button, Save, goes to a Save As dialog
    dialogs["answers"].append(QMessageBox.StandardButton.Save)
    assert not window.close()  # the dialog was cancelled, so the window stays
    assert dialogs["question"][-1][0] == "Unsaved changes" and "(example)" in dialogs["question"][-1][1]
    (caption, start), = save_dialogs
    assert caption == "Save network as" and not start.startswith(str(examples_dir()))
    assert start.endswith("spiral.nnp")
    window.file_actions.save_action.trigger()  # Ctrl+S asks too
    assert len(save_dialogs) == 2
    assert _example_bytes() == before and document.path is None


def test_nothing_is_written_into_the_examples_folder(qtbot, window, dialogs, tmp_path):
    from nnplay.gui.file_actions import examples_dir

    before = _example_bytes()
    folder = examples_dir()
    assert window.file_actions.open_path(folder / "xor.nnp", ask=False)  # as Open… or the command line would
    assert window.document.path is None and window.document.example is not None
    assert str(folder / "xor.nnp") not in window.file_actions.recent_files()
    for write in (lambda: window.file_actions.save_to(folder / "xor.nnp"),
                  lambda: window.file_actions.save_to(folder / "mine.nnp"),
                  lambda: window.file_actions.export_weights_to(folder / "xor.onnx"),
                  lambda: window.file_actions.export_plot_to("boundary", folder / "xor.png")):
        assert write() is False
        assert "bundled examples" in dialogs["critical"][-1][1]
    from nnplay.io.examples import BundledExample

    with pytest.raises(BundledExample):  # the document itself refuses, whatever asks it
        window.document.save(folder / "xor.nnp")
    window.document.open(folder / "spiral.nnp")
    assert window.document.path is None and window.document.example == folder / "spiral.nnp"
    assert _example_bytes() == before
    assert window.file_actions.save_to(tmp_path / "xor.nnp")  # elsewhere it saves, and is then that file
    assert window.document.path == tmp_path / "xor.nnp" and window.document.example is None
    assert window.document.title == "xor.nnp"

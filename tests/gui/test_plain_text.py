"""Text from a file or the user is shown as text, never rendered as HTML (issue 8, item 1).

The hostile "image" is a FIFO: Qt rendering ``<img src=FIFO>`` would open it for
reading and block there. A watcher process notices that (a reader lets a non-blocking
open for writing succeed) and lets the reader go, so a test that fails does not hang.
It is a process, not a thread: the blocked GUI thread may be holding the GIL.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nnplay.gui import messages
from nnplay.gui.document import default_config
from nnplay.io import network_to_dict

WATCHER = """
import errno, os, select, sys
path, opened = sys.argv[1], False
def poke():
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        assert exc.errno == errno.ENXIO  # no reader
        return False
    os.close(fd)  # the reader reads an empty file and goes on
    return True
print("ready", flush=True)
while not select.select([sys.stdin], [], [], 0.005)[0]:
    opened |= poke()
os.rename(path, path + ".gone")  # later paints find no file instead of blocking
path += ".gone"
print(opened or poke(), flush=True)
"""


class FifoWatch:
    """Whether anything opened ``path`` (a FIFO it makes) for reading while the watch ran."""

    def __init__(self, path):
        os.mkfifo(path)
        self.process = subprocess.Popen([sys.executable, "-c", WATCHER, str(path)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline() == "ready\n"

    def stop(self) -> bool:
        out, _ = self.process.communicate("stop\n", timeout=60)
        return out.strip() == "True"


def _hostile_file(tmp_path, fifo, **keys):
    obj = network_to_dict(default_config())
    obj.update(keys)
    path = tmp_path / "hostile.nnp"
    path.write_text(json.dumps(obj))
    return path


def _shows_plainly(label) -> bool:
    return label.textFormat() == Qt.TextFormat.PlainText


def test_a_files_description_and_name_are_shown_as_text(qtbot, window, tmp_path, dialogs):
    fifo = tmp_path / "fifo"
    watch = FifoWatch(fifo)
    tag = f"<img src='{fifo}'><b>bold</b>"
    path = _hostile_file(tmp_path, fifo, name=tag, description=tag)
    assert window.file_actions.open_path(path)
    window.grab()  # paints the status line, as a screen would
    window.document.path = None  # the title and the unsaved-changes question then name the network
    window._update_title()
    window.document.mark_trained()
    assert window.file_actions.maybe_save() is True  # the dialogs fixture answers Discard
    assert not watch.stop(), "the hostile <img> was loaded"

    label = window.status_label
    assert label.text() == tag and _shows_plainly(label)
    assert "<img" not in label.toolTip() and "&lt;img" in label.toolTip()
    assert dialogs["question"][-1][1].startswith(f"“{tag}”")
    assert dialogs["formats"] and set(dialogs["formats"]) == {Qt.TextFormat.PlainText}


def test_an_error_that_echoes_a_value_is_a_plain_text_dialog(qtbot, window, tmp_path, dialogs):
    fifo = tmp_path / "fifo"
    watch = FifoWatch(fifo)
    path = _hostile_file(tmp_path, fifo, task=f"<img src='{fifo}'>")
    assert not window.file_actions.open_path(path)
    (title, text), = dialogs["critical"]
    assert f"<img src='{fifo}'>"[:20] in text
    assert dialogs["formats"] == [Qt.TextFormat.PlainText]
    assert not watch.stop()


def test_the_dialogs_of_the_app_are_plain_text(qtbot, monkeypatch):
    shown = []

    def record(box):
        shown.append((box.textFormat(), box.text()))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "exec", record)
    messages.critical(None, "t", "<img src='x'>")
    messages.warning(None, "t", "<b>b</b>")
    answer = messages.question(None, "t", "<i>i</i>", QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Yes)
    assert answer == QMessageBox.StandardButton.Yes
    assert shown == [(Qt.TextFormat.PlainText, "<img src='x'>"), (Qt.TextFormat.PlainText, "<b>b</b>"),
                     (Qt.TextFormat.PlainText, "<i>i</i>")]


def test_examples_and_recent_files_show_names_and_descriptions_as_text(qtbot, window, tmp_path, monkeypatch):
    import nnplay.gui.file_actions as file_actions

    folder = tmp_path / "examples"
    folder.mkdir()
    obj = network_to_dict(default_config())
    obj.update(name="R&D <b>net</b>", description="<img src='/dev/zero'> & more")
    (folder / "odd.nnp").write_text(json.dumps(obj))
    monkeypatch.setattr(file_actions, "examples_dir", lambda: folder)
    window.file_actions._fill_examples()
    (action,) = window.file_actions.examples_menu.actions()
    assert action.text() == "R&&D <b>net</b>"  # a menu shows one & for &&, and no mnemonic
    assert "&lt;img src='/dev/zero'&gt; &amp; more" in action.toolTip() and "<img" not in action.toolTip()

    odd = tmp_path / "<img src='x'> & co.nnp"
    window.file_actions.add_recent(odd)
    recent = window.file_actions.recent_menu.actions()[0]
    assert recent.text() == "&1 <img src='x'> && co.nnp" and "&lt;img" in recent.toolTip()


def test_a_title_holding_the_modified_mark_is_shown_as_it_is(qtbot, window):
    window.document.experiment.config.name = "draft [*] two"
    window._update_title()
    window.document.mark_trained()
    assert window.windowHandle().title() == "draft [*] two* — nnplay"


@pytest.mark.parametrize("text, rich", [("plain words", False), ("x < 3 and y > 2", False), ("a < b and c > d", True), ("<b>x</b>", True)])
def test_tooltips_are_escaped_only_where_qt_would_render_them(text, rich):
    tip = messages.tooltip(text)
    assert (tip != text) is rich
    if rich:
        assert html.escape(text, quote=False) in tip

"""A Caption (gui/plots/style.py) shows a new text without asking the window for a new
layout, unless the text needs another size."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from nnplay.gui.plots.style import Caption


class LayoutRequests(QObject):
    """Counts the layout requests a widget receives."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def _shown(qtbot, caption: QWidget, width: int = 300) -> tuple[QWidget, LayoutRequests]:
    window = QWidget()
    layout = QVBoxLayout(window)
    layout.addWidget(caption)
    layout.addStretch(1)
    window.resize(width, 200)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QCoreApplication.processEvents()
    return window, LayoutRequests(window)


def _settle() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    QCoreApplication.processEvents()


def test_a_new_text_of_the_same_size_asks_for_no_layout(qtbot):
    caption = Caption("testCaption")
    caption.setText("Loss 0.512 at epoch 10")
    window, requests = _shown(qtbot, caption)
    for epoch in range(11, 30):
        caption.setText(f"Loss 0.{500 - epoch} at epoch {epoch}")
        _settle()
    assert caption.text() == "Loss 0.471 at epoch 29"
    assert requests.count == 0


def test_a_plain_label_would_ask_for_a_layout_at_every_text(qtbot):
    """What Caption is for: the same texts in a QLabel relayout the window each time."""
    label = QLabel("Loss 0.512 at epoch 10")
    label.setWordWrap(True)
    window, requests = _shown(qtbot, label)
    for epoch in range(11, 30):
        label.setText(f"Loss 0.{500 - epoch} at epoch {epoch}")
        _settle()
    assert requests.count >= 19


def test_a_text_that_needs_more_lines_gets_them(qtbot):
    caption = Caption("testCaption")
    caption.setText("one line")
    window, requests = _shown(qtbot, caption, width=200)
    one_line = caption.height()
    caption.setText("a text long enough to wrap over several lines in a caption two hundred pixels wide")
    _settle()
    assert requests.count >= 1
    assert caption.height() > one_line
    assert caption.label.height() == caption.height()  # the label fills its caption
    caption.setText("one line")
    _settle()
    assert caption.height() == one_line


def test_it_reads_like_a_label(qtbot):
    caption = Caption("testCaption", wrap=False)
    caption.setTextFormat(Qt.TextFormat.PlainText)  # passed on to the label
    caption.setText("<b>5</b>")
    window, _ = _shown(qtbot, caption)
    assert caption.textFormat() == Qt.TextFormat.PlainText
    assert caption.label.text() == "<b>5</b>"
    assert not caption.hasHeightForWidth()
    assert caption.sizeHint().width() >= caption.label.sizeHint().width()

"""Reading files off the GUI thread, with a progress dialog when it takes a while.

A 200 MB network file takes seconds to parse and check; on the GUI thread the
window would freeze for as long. ``run_in_background`` runs the reading in a
worker thread while the GUI thread goes on drawing; after ``SHOW_AFTER_MS`` a
window-modal progress dialog says what is being read and offers Cancel. The call
returns what the work returned (or raises what it raised), so callers read like
the synchronous code they replace.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from PySide6.QtCore import QEventLoop, QThread, QTimer, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")

#: a read that ends sooner shows no dialog at all
SHOW_AFTER_MS = 400

#: threads still running whose caller gave up on them (Cancel): kept until they end,
#: since a QThread must not be destroyed while it runs
_abandoned: set["_Work"] = set()


class Cancelled(Exception):
    """The user pressed Cancel; nothing was changed."""


class _Work(QThread):
    def __init__(self, work: Callable[[], T]):
        super().__init__()
        self._work = work
        self.result: T | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._work()
        except BaseException as exc:  # handed to the GUI thread, which raises it there
            self.error = exc


def run_in_background(parent: QWidget | None, label: str, work: Callable[[], T]) -> T:
    """Run ``work()`` in a worker thread and return its result, keeping the GUI responsive.

    Raises what ``work`` raised, or ``Cancelled`` when the user cancelled (the thread
    then finishes on its own and its result is dropped). ``work`` must not touch widgets."""
    _abandoned.difference_update([t for t in _abandoned if t.isFinished()])
    thread = _Work(work)
    loop = QEventLoop()
    thread.finished.connect(loop.quit)  # queued: finished is emitted from the worker thread
    dialog = _progress_dialog(parent, label)
    dialog.canceled.connect(loop.quit)
    timer = QTimer(singleShot=True, interval=SHOW_AFTER_MS)
    timer.timeout.connect(dialog.show)
    thread.start()
    timer.start()
    try:
        if not thread.isFinished():
            loop.exec()
    finally:
        timer.stop()
        cancelled = dialog.wasCanceled()
        dialog.hide()
        dialog.deleteLater()
    if cancelled:
        _abandoned.add(thread)  # it ends by itself; its result is dropped
        raise Cancelled()
    thread.wait()  # it has emitted finished: a moment at most
    if thread.error is not None:
        raise thread.error
    return thread.result


def _progress_dialog(parent: QWidget | None, label: str) -> QProgressDialog:
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)  # 0, 0: busy, no percentage
    dialog.setObjectName("readingProgress")
    dialog.setWindowTitle("nnplay")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)  # no other command while this one waits
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(2**31 - 1)  # shown by our timer, not by its own estimate
    dialog.hide()
    return dialog


def finish_abandoned() -> None:
    """Wait for reads the user cancelled (before the app exits: a running QThread must not be destroyed)."""
    for thread in list(_abandoned):
        thread.wait()
    _abandoned.clear()

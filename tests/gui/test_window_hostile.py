"""The window against hostile files, paths and values (issue 8)."""

from __future__ import annotations

import os
import stat


# ---------------------------------------------------------------- item 2: only regular files are written
def test_saving_or_exporting_onto_a_named_pipe_is_a_dialog_and_the_pipe_stays(window, tmp_path, dialogs):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert not window.file_actions.save_to(fifo)
    for which in ("boundary", "curves"):
        target = tmp_path / f"{which}.png"
        os.mkfifo(target)
        assert not window.file_actions.export_plot_to(which, target)
        assert stat.S_ISFIFO(os.stat(target).st_mode)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert all("named pipe" in text for _title, text in dialogs["critical"])
    assert len(dialogs["critical"]) == 3

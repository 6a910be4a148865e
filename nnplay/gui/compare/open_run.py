"""A race's or a search's run, opened in the main window as an untitled copy: its
network, weights, optimizer state and history, ready to train on or to save under a
name of its own (saving never writes over the results folder's files)."""

from __future__ import annotations

from nnplay.core.config import NetworkConfig
from nnplay.core.errors import ConfigError
from nnplay.gui.messages import critical as error

#: longest name a run's copy gets (its label can list many settings)
MAX_NAME = 120


def ask_to_replace(main_window) -> bool:
    """The main window's unsaved-changes prompt: False when the user cancelled."""
    return main_window.file_actions.maybe_save()


def open_in_main_window(main_window, config: NetworkConfig, name: str, where: str) -> bool:
    """Show ``config`` in the main window, untitled, as a change to save; ``where`` says
    where it comes from (``from the race, at epoch 120``)."""
    config.name = name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"
    main_window.stop_training()
    try:
        main_window.document.replace(config, None)
    except (ConfigError, ValueError) as exc:  # the engine refuses it: the main window keeps its network
        error(main_window, "Cannot open the run", f"{name}: {exc}")
        return False
    main_window.document.mark_trained()  # closing the window asks before losing it
    main_window.show_status(f"{config.name}: an untitled copy of the run {where}. Save it to keep it.")
    main_window.raise_()
    main_window.activateWindow()
    return True

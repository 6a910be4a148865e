"""The engine's own error: settings it cannot use."""

from __future__ import annotations


class ConfigError(ValueError):
    """A name, setting or combination the engine cannot build (an unknown optimizer, a
    dropout rate of 1, weights of the wrong shape). The message is one line that says
    what is wrong and, where there is a choice, what to pick instead."""

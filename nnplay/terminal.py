"""What the command line prints: text made safe for a terminal, and a standard output
whose failure never stops a command.

A network's name or a CSV cell may hold control sequences (``ESC ] 0 ; title BEL``
retitles a terminal, ``ESC [ 2 J`` clears it): ``printable`` (``nnplay.core.text``)
writes every character a terminal would act on as an escape instead. ``Output`` wraps ``sys.stdout``: when
writing fails (``| head -1`` closed the pipe, ``> /dev/full``, ``>&-``), it goes
quiet and remembers why, so training goes on and saves, and the command says so at
the end on stderr.
"""

from __future__ import annotations

import contextlib
import errno
import os
from typing import IO

from nnplay.core.text import printable

__all__ = ["Output", "printable"]


class Output:
    """Standard output for one command. ``write`` never raises: after the first failure
    it drops what it is given. ``failure`` says what went wrong (None while all is well);
    ``notes`` are the result lines (``note``) that were dropped, for the command to repeat
    on stderr."""

    def __init__(self, stream: IO[str] | None):
        self.stream = stream
        self.failure: str | None = None if stream is not None else "it is closed"
        self.closed_pipe = False
        self.notes: list[str] = []

    def isatty(self) -> bool:
        try:
            return self.stream is not None and self.stream.isatty()
        except (OSError, ValueError, AttributeError):
            return False

    def write(self, text: str) -> None:
        """``text`` as it is, but for escapes of non-printable characters (``\\r`` kept for progress)."""
        if self.failure is None:
            try:
                self.stream.write(printable(text, keep="\n\r"))
            except (OSError, ValueError) as exc:
                self._fail(exc)

    def flush(self) -> None:
        if self.failure is None:
            try:
                self.stream.flush()
            except (OSError, ValueError) as exc:
                self._fail(exc)

    def line(self, text: str) -> None:
        """One line of output (``\\r`` escaped too)."""
        self.write(printable(text) + "\n")
        self.flush()

    def note(self, text: str) -> None:
        """A result line (what was trained, what was written): repeated on stderr if lost."""
        self.line(text)
        if self.failure is not None:
            self.notes.append(printable(text))

    def _fail(self, exc: Exception) -> None:
        self.closed_pipe = isinstance(exc, BrokenPipeError) or getattr(exc, "errno", None) == errno.EPIPE
        self.failure = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        with contextlib.suppress(OSError, ValueError, AttributeError):
            # Python flushes stdout at exit, would fail again and print a traceback
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)

    def complaint(self) -> str | None:
        """The stderr line for a failure, or None when there is nothing to say: a closed
        pipe whose reader wanted no more (``predict … | head``) loses no result."""
        if self.failure is None or (self.closed_pipe and not self.notes):
            return None
        lost = "; ".join(self.notes)
        if self.closed_pipe:
            return f"standard output was closed; {lost}"
        return f"cannot write to standard output ({self.failure})" + (f"; {lost}" if lost else "")

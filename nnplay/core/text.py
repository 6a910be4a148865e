"""Text made safe to show: every character a terminal or a reader would act on, escaped.

A network's name, a key or a CSV cell may hold control sequences (``ESC ] 0 ; title
BEL`` retitles a terminal, ``ESC [ 2 J`` clears it), a line break that splits a
one-line message, a bidirectional override, or a lone surrogate no encoder takes.
``printable`` writes each such character as an escape instead.
"""

from __future__ import annotations


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str, keep: str = "\n") -> str:
    """``text`` with every non-printable character except those in ``keep`` written as
    ``\\x1b``, ``\\u202e``…: control characters, bidirectional overrides, lone surrogates."""
    if text.isprintable():
        return text
    if "\n" in keep and "\n" in text:  # line by line: most lines need no work
        return "\n".join(printable(line, keep) for line in text.split("\n"))
    return "".join(c if c.isprintable() or c in keep else _escape(c) for c in text)

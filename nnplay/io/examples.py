"""The example networks shipped with nnplay (``resources/examples``), and the rule that
keeps them as shipped: nnplay never writes over one of their files. The app opens an
example as an untitled copy; ``nnplay train`` and ``export`` refuse to write there."""

from __future__ import annotations

import json
from pathlib import Path


class BundledExample(ValueError):
    """A write aimed at the bundled examples' folder; the message names no file (callers do)."""

    def __init__(self):
        super().__init__("that is nnplay's folder of bundled examples, which nnplay never writes to")


def examples_dir() -> Path | None:
    """The shipped examples: inside the package when installed, else beside it in the repo."""
    import nnplay

    package = Path(nnplay.__file__).resolve().parent
    for candidate in (package / "resources" / "examples", package.parent / "resources" / "examples"):
        if candidate.is_dir():
            return candidate
    return None


def example_files(folder: Path | None) -> list[tuple[Path, str, str]]:
    """``(path, name, description)`` of each example network in ``folder``, sorted by file name."""
    out = []
    for path in sorted(folder.glob("*.nnp")) if folder else []:
        try:
            top = json.loads(path.read_text(encoding="utf-8"))
            out.append((path, str(top.get("name") or path.stem), str(top.get("description") or "")))
        except (OSError, ValueError):
            continue  # a broken example is reported when opened, not here
    return out


def is_bundled_example(path: str | Path, folder: Path | None = None) -> bool:
    """Whether ``path`` (through any link) names a file in the bundled examples' folder."""
    folder = folder if folder is not None else examples_dir()
    if folder is None or not str(path):
        return False
    try:
        return Path(path).resolve().parent == folder.resolve()
    except (OSError, RuntimeError):  # a link loop: not an example
        return False


def refuse_bundled_example(path: str | Path, folder: Path | None = None) -> None:
    """Raise ``BundledExample`` for a write aimed at a bundled example's folder."""
    if is_bundled_example(path, folder):
        raise BundledExample()

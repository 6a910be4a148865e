"""The model never knows the view: the engine and the file code load no Qt."""

import subprocess
import sys


def _qt_modules_after_import(module: str) -> list[str]:
    code = (
        f"import sys, {module}; "
        "print([m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return eval(out.stdout)


def test_core_imports_no_qt():
    assert _qt_modules_after_import("nnplay.core") == []


def test_io_imports_no_qt():
    assert _qt_modules_after_import("nnplay.io") == []


def test_sweeps_import_no_qt():
    assert _qt_modules_after_import("nnplay.sweeps") == []


def test_core_and_io_never_import_sweeps():
    code = "import sys, nnplay.core, nnplay.io; print([m for m in sys.modules if m.startswith('nnplay.sweeps')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert eval(out.stdout) == []

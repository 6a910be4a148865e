"""The model never knows the view: the import-linter contracts in pyproject.toml hold.

``core``, ``io`` and ``sweeps`` never import Qt, pyqtgraph or ``nnplay.gui``; ``core`` never
imports ``io``; neither imports ``sweeps``. import-linter reads every module of the package, so a module no ``__init__``
imports is checked too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(folder: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the nnplay package in ``folder``, with ``folder``'s pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run([str(LINT), str(folder / "pyproject.toml"), "--no-cache"],
                          cwd=folder, env=env, capture_output=True, text=True)


def test_the_contracts_are_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_a_qt_import_in_a_module_nobody_imports_is_caught(tmp_path):
    shutil.copytree(ROOT / "nnplay", tmp_path / "nnplay", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "nnplay" / "core" / "stray.py").write_text("from PySide6.QtCore import QObject\n")
    (tmp_path / "nnplay" / "core" / "reads.py").write_text("from nnplay.io.schema import parse_network\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "nnplay.core.stray -> PySide6" in result.stdout
    assert "nnplay.core.reads -> nnplay.io.schema" in result.stdout
    assert "1 kept, 2 broken" in result.stdout  # the sweeps contract has nothing to break here

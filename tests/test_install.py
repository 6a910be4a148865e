"""How a fresh clone gets installed (issue 13): ``make run`` installs what the app needs and
nothing more, ``make test`` adds the test tools; the package metadata uses the SPDX
license form that setuptools no longer warns about."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clone(tmp_path) -> Path:
    """A folder with the Makefile and pyproject.toml and no .venv, as after ``git clone``."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def planned_commands(target: str, folder: Path) -> str:
    """What ``make TARGET`` would run in ``folder`` (``make -n`` runs nothing)."""
    result = subprocess.run(["make", "-n", target], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_installs_the_app_without_the_test_tools(clone):
    commands = planned_commands("run", clone)
    assert "-m venv .venv" in commands and "pip install --quiet -e ." in commands
    assert "[test]" not in commands


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_installs_the_app_then_the_test_tools_on_a_fresh_clone(clone):
    commands = planned_commands("test", clone)
    venv, app, tests, pytest_run = (commands.index(text) for text in (
        "-m venv .venv", "pip install --quiet -e .\n", "pip install --quiet -e '.[test]'", "-m pytest"))
    assert venv < app < tests < pytest_run


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_after_make_run_only_adds_the_test_tools(clone):
    (clone / ".venv").mkdir()
    (clone / ".venv" / ".installed-app").touch()  # what make run left
    commands = planned_commands("test", clone)
    assert "-m venv" not in commands and "pip install --quiet -e '.[test]'" in commands


def test_the_license_is_an_spdx_expression():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    # setuptools reads the SPDX form from 77 on; older ones refuse it
    (setuptools,) = [r for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    assert tuple(map(int, re.search(r">=\s*([\d.]+)", setuptools).group(1).split("."))) >= (77,)

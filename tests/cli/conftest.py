"""Fixtures: a network file and a points file on disk."""

import pytest

from cli_helpers import binary_config
from nnplay.io import write_network


@pytest.fixture
def net_file(tmp_path):
    path = tmp_path / "net.nnp"
    write_network(binary_config(), path)
    return path


@pytest.fixture
def points_file(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x1,x2\n0.5,0.5\n-1,2\n2.5,-0.25\n0,0\n")
    return path

"""Fixtures for the file tests; the builders live in io_helpers so test modules can import them."""

import copy

import pytest

from io_helpers import full_config, small_config


@pytest.fixture
def config():
    return small_config()


@pytest.fixture(scope="session")
def _full():
    return full_config()


@pytest.fixture
def full(_full):
    return copy.deepcopy(_full)

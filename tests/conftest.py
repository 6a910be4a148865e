import os

# the GUI tests run without a display; `make test` sets this too, plain `pytest` needs it here
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# fixtures for tests that drive the whole window (tests/gui/test_window_*.py)
pytest_plugins = ["tests.gui.window_fixtures"]

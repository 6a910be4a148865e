import os

# the GUI tests run without a display; `make test` sets this too, plain `pytest` needs it here
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# before anything imports NumPy: the golden digests' BLAS kernel (tests/golden/kernel.py)
from tests.golden.kernel import pin_recorded_kernel  # noqa: E402

pin_recorded_kernel()

# fixtures for tests that drive the whole window (tests/gui/test_window_*.py), and the
# Race and Search windows (tests/gui/test_race_window.py, test_search_window.py)
pytest_plugins = ["tests.gui.window_fixtures", "tests.gui.compare_helpers"]

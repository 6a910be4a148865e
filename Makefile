# Two entry points for a fresh machine: `make run` and `make test`.
# Each creates .venv and installs nnplay from pyproject.toml when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench bench-gui bench-gui-offscreen screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "nnplay needs Python 3.11 or newer; run: make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	@tools/ensure-qt-libs.sh xcb
	$(BIN)/nnplay $(ARGS)

test: $(STAMP)
	@tools/ensure-qt-libs.sh offscreen
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py

# The README's screenshots, taken from the real window while it trains, under a
# virtual X server (xvfb-run; ImageMagick's `import` adds a whole-screen shot).
SCREEN ?= 1600x1000x24
screenshots: $(STAMP)
	@tools/ensure-qt-libs.sh xcb
	@command -v xvfb-run >/dev/null || { echo "make screenshots needs xvfb-run: apt-get install xvfb"; exit 1; }
	xvfb-run -a -s "-screen 0 $(SCREEN)" $(BIN)/python tools/screenshots.py

# The app's live-training figures (docs/benchmarks.md, "The app") under a virtual X
# server; BENCH_ARGS picks networks, seconds and rounds (see --help), e.g.
#   make bench-gui BENCH_ARGS="--networks spiral,new --seconds 2 --rounds 3"
# `make bench-gui-offscreen` runs the same without an X server.
bench-gui: $(STAMP)
	@tools/ensure-qt-libs.sh xcb
	@command -v xvfb-run >/dev/null || { echo "make bench-gui needs xvfb-run: apt-get install xvfb"; exit 1; }
	xvfb-run -a -s "-screen 0 $(SCREEN)" $(BIN)/python benchmarks/bench_gui.py $(BENCH_ARGS)

bench-gui-offscreen: $(STAMP)
	@tools/ensure-qt-libs.sh offscreen
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_gui.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# Two entry points for a fresh machine: `make run` and `make test`.
# `make run` creates .venv and installs nnplay with what the app needs; `make test`
# adds the test tools (pyproject.toml's `test` extra). Each step has its own stamp,
# so `make run` never installs the test tools and `make test` installs only what
# is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench bench-gui bench-gui-ceiling bench-gui-offscreen screenshots clean

$(APP_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "nnplay needs Python 3.11 or newer; run: make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(APP_STAMP)

$(TEST_STAMP): $(APP_STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

run: $(APP_STAMP)
	@tools/ensure-qt-libs.sh xcb
	$(BIN)/nnplay $(ARGS)

test: $(TEST_STAMP)
	@tools/ensure-qt-libs.sh offscreen
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

bench: $(APP_STAMP)
	$(BIN)/python benchmarks/bench_engine.py

# The README's screenshots, taken from the real window while it trains, under a
# virtual X server (xvfb-run; ImageMagick's `import` adds a whole-screen shot).
SCREEN ?= 1600x1000x24
screenshots: $(APP_STAMP)
	@tools/ensure-qt-libs.sh xcb
	@command -v xvfb-run >/dev/null || { echo "make screenshots needs xvfb-run: apt-get install xvfb"; exit 1; }
	xvfb-run -a -s "-screen 0 $(SCREEN)" $(BIN)/python tools/screenshots.py

# The app's live-training figures (docs/benchmarks.md, "The app") under a virtual X
# server; BENCH_ARGS picks networks, seconds and rounds (see --help), e.g.
#   make bench-gui BENCH_ARGS="--networks spiral,new --seconds 2 --rounds 3"
# `make bench-gui-offscreen` runs the same without an X server.
bench-gui: $(APP_STAMP)
	@tools/ensure-qt-libs.sh xcb
	@command -v xvfb-run >/dev/null || { echo "make bench-gui needs xvfb-run: apt-get install xvfb"; exit 1; }
	xvfb-run -a -s "-screen 0 $(SCREEN)" $(BIN)/python benchmarks/bench_gui.py $(BENCH_ARGS)

# What watching costs a training in a process of its own, beside the same window
# (docs/benchmarks.md, "What is left is the interpreter lock").
bench-gui-ceiling: $(APP_STAMP)
	@tools/ensure-qt-libs.sh xcb
	@command -v xvfb-run >/dev/null || { echo "make bench-gui-ceiling needs xvfb-run: apt-get install xvfb"; exit 1; }
	xvfb-run -a -s "-screen 0 $(SCREEN)" $(BIN)/python benchmarks/bench_process_ceiling.py $(BENCH_ARGS)

bench-gui-offscreen: $(APP_STAMP)
	@tools/ensure-qt-libs.sh offscreen
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_gui.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

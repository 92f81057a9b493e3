# Everything a fresh machine needs goes through these targets; each builds
# its own virtualenv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test bench lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev,bench]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python demo/run_demo.py

# PYTEST_WORKERS=0 runs in one process (e.g. for -x or a debugger)
PYTEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check schemadiff tests benchmarks demo
	$(BIN)/ruff format --check schemadiff tests benchmarks demo
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format schemadiff tests benchmarks demo
	$(BIN)/ruff check --fix schemadiff tests benchmarks demo

clean:
	rm -rf $(VENV) demo-workdir .pytest_cache

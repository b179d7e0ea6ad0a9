# `make demo` and `make test` do everything on a fresh Debian machine: system packages when they
# are missing, a virtual environment, the package, then the demo render or the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint install system-deps bytecode clean gallery bench fuzz

demo: install
	$(BIN)/kamflow render processes/kam.yaml -f svg,pdf -o output
	$(BIN)/kamflow export processes/kam.yaml --to pptx -o output/kam.pptx
	@echo "The KAM chart is in output/kam.svg and output/kam.pdf, the deck in output/kam.pptx"

gallery: install
	$(BIN)/python docs/gallery/build.py

test: install lint
	$(BIN)/python -m pytest

# ruff (lint and format check) and mypy on kamflow/, configured in pyproject.toml; `make test` runs it first.
lint: install
	$(BIN)/ruff check kamflow
	$(BIN)/ruff format --check kamflow
	$(BIN)/mypy

# Benchmarks: one script per benchmark in bench/, each printing its figures and writing them with
# the machine to bench/results/<name>.json; docs/performance.md has a section per benchmark.
bench: install
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/check_speed.py
	$(BIN)/python bench/imports.py
	$(BIN)/python bench/render_overhead.py
	$(BIN)/python bench/routing_growth.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/serve_latency.py
	$(BIN)/python bench/chart_quality.py
	$(BIN)/python bench/performance.py

# The property-based tests at length (thousands of random processes and mutated files; failing
# examples are kept in .hypothesis/ and replayed first next time). `make test` runs a few dozen.
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -p no:cacheprovider tests/hardening/test_properties.py --hypothesis-show-statistics

install: system-deps $(INSTALLED) bytecode

# An editable install leaves kamflow's modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set
# (as on CI machines) Python then compiles every module on every run: a third of a second of each
# command. `pip install .` compiles them; so does this, for the checkout (a no-op when up to date).
bytecode: $(INSTALLED)
	@$(BIN)/python -m compileall -q kamflow > /dev/null

system-deps:
	@bash tools/install-deps.sh

$(INSTALLED): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info output/*.svg output/*.pdf output/*.png output/*.dot output/*.pptx

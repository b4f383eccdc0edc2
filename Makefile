# Set-up, demo, serving and tests. Every target builds the virtualenv first (.venv, CPU torch).
# The working tree is installed as a package (not editable: service/ and models/ map into
# precis_news only when installed), and re-installed before each test and lint run (~1 s).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 50051
PROFILE ?= default
SHELL := bash
.SHELLFLAGS := -o pipefail -c
# pip's notes about this machine's own package-index configuration are not about the project.
QUIET := 2>&1 | { grep -v 'is neither a file nor a directory' || true; }
PIP := $(BIN)/python -m pip -q --disable-pip-version-check
export HF_HUB_OFFLINE ?= 0

.PHONY: setup install demo serve serve-tiny test lint bench-models

$(BIN)/precis: pyproject.toml packaging/precis-news-server/pyproject.toml
	@echo "setting up $(VENV) (first run: about a minute)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip $(QUIET)
	@bash scripts/install-torch-cpu.sh $(BIN)/python $(QUIET)
	@$(PIP) install ".[server,torch,bench,dev]" $(QUIET)
	@touch $@

setup: $(BIN)/precis

# Re-install the working tree's code (no dependencies): what the tests and mypy import.
install: setup
	@$(PIP) install --no-deps --no-build-isolation --force-reinstall . ./packaging/precis-news-server $(QUIET)

# Offline demo: serve the locally built tiny models, summarize an article into 4 languages, stop.
demo: install
	@bash scripts/demo.sh $(PORT)

# The real thing: download the default models (needs the Hugging Face Hub), then serve them.
serve: install
	$(BIN)/precis models fetch --profile $(PROFILE)
	$(BIN)/precis serve --profile $(PROFILE) --port $(PORT)

# Offline serving of the tiny profile (random weights: the output is gibberish).
serve-tiny: install
	$(BIN)/precis serve --profile tiny --port $(PORT)

test: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

lint: install
	$(BIN)/python -m ruff check service models tests bench protos
	$(BIN)/python -m ruff format --check service models tests bench protos
	$(BIN)/python -m mypy

# Random weights at the default profile's exact sizes, for bench/ (a few minutes, ~5 GB).
bench-models: install
	$(BIN)/precis models build-tiny --size real

# Set-up, demo, serving and tests. Every target builds the virtualenv first (.venv, CPU torch), with
# the working tree installed editable: an edit is seen by the next run, no re-install step.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 50051
HTTP_PORT ?= 8080
PROFILE ?= default
SHELL := bash
.SHELLFLAGS := -o pipefail -c
export HF_HUB_OFFLINE ?= 0

.PHONY: setup demo serve serve-tiny test test-fast lint docs bench-models

# Each step is printed with the seconds elapsed (scripts/setup.sh).
$(BIN)/precis: pyproject.toml
	@bash scripts/setup.sh $(PYTHON) $(VENV)
	@touch $@

setup: $(BIN)/precis

# Offline demo: build the tiny models, serve them with the extractive summarizer (gRPC on PORT, JSON
# and the web page on HTTP_PORT), print a news page's readable summary and the page's address,
# then one truncated line per random-weight translation, stop.
demo: setup
	@bash scripts/demo.sh $(PORT) $(HTTP_PORT)

# The real thing: download the default models (needs the Hugging Face Hub), then serve them.
serve: setup
	$(BIN)/precis models fetch --profile $(PROFILE)
	$(BIN)/precis serve --profile $(PROFILE) --port $(PORT)

# Offline serving of the tiny profile (random weights: the output is gibberish).
serve-tiny: setup
	$(BIN)/precis serve --profile tiny --port $(PORT)

# Everything CI checks (.ci/run runs this): lint and types, the docs, then unit, integration and
# system tests; -rs lists each skipped test with its reason.
test: lint docs
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -rs

# The fast tier: unit tests only (stand-in engines, no server, no model build).
test-fast: setup
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -rs tests/unit

lint: setup
	$(BIN)/python -m ruff check service models tests bench protos docs
	$(BIN)/python -m ruff format --check service models tests bench protos docs
	$(BIN)/python -m mypy

# The docs site (docs/, mkdocs.yml) into site/; --strict: a broken link or anchor fails the build.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

# Random weights at the default profile's exact sizes, for bench/ (a few minutes, ~5 GB).
bench-models: setup
	$(BIN)/precis models build-tiny --size real

# Set-up, demo, serving and tests. Every target builds the virtualenv first (.venv, CPU torch).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 50051
PROFILE ?= default
export HF_HUB_OFFLINE ?= 0

.PHONY: setup demo serve serve-tiny test lint bench-models

$(BIN)/precis: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0  # the CPU build (a bare `torch` pulls CUDA, several GB)
	$(BIN)/pip install -q -e ".[server,bench,dev]"
	touch $@

setup: $(BIN)/precis

# Offline demo: serve the locally built tiny models, summarize an article into 4 languages, stop.
demo: setup
	@bash scripts/demo.sh $(PORT)

# The real thing: download the default models (needs the Hugging Face Hub), then serve them.
serve: setup
	$(BIN)/precis models fetch --profile $(PROFILE)
	$(BIN)/precis serve --profile $(PROFILE) --port $(PORT)

# Offline serving of the tiny profile (random weights: the output is gibberish).
serve-tiny: setup
	$(BIN)/precis serve --profile tiny --port $(PORT)

test: setup
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check service models tests bench protos
	$(BIN)/ruff format --check service models tests bench protos
	$(BIN)/mypy

# Random weights at the default profile's exact sizes, for bench/ (a few minutes, ~5 GB).
bench-models: setup
	$(BIN)/precis models build-tiny --size real

# Every target sets up .venv on first use, so a fresh clone needs only `make <target>`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: dev test lint typecheck pytest openapi synth bench clean

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

dev: $(INSTALLED) ## serve the API on http://127.0.0.1:3000 with an embedded DynamoDB
	$(BIN)/python -m infra.local

test: lint typecheck pytest ## everything CI checks

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy shared functions infra tests

pytest: $(INSTALLED)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) cdk.out .pytest_cache .mypy_cache .ruff_cache

# Every target sets up .venv on first use, so a fresh clone needs only `make <target>`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: dev test lint typecheck pytest openapi synth bench clean cdk-synth

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

bench: $(INSTALLED) ## cold start, DynamoDB requests per operation, warm latency: figures, no assertions
	$(BIN)/python -m tests.benchmarks

clean:
	rm -rf $(VENV) cdk.out .pytest_cache .mypy_cache .ruff_cache

# Which customer and stage `make synth` and `make cdk-synth` build: make synth CUSTOMER=acme STAGE=prod
CUSTOMER ?= demo
STAGE ?= dev
CDK_ENV := CDK_DISABLE_CLI_TELEMETRY=true

openapi: $(INSTALLED) ## write openapi.json from the handlers' models (tests fail when it is stale)
	$(BIN)/python -m infra.openapi

synth: $(INSTALLED) ## synthesize the stack into cdk.out, cdk-nag included, without the CDK CLI
	$(CDK_ENV) $(BIN)/python -m infra.app -c customer=$(CUSTOMER) -c stage=$(STAGE)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

cdk-synth: $(INSTALLED) node_modules/.installed ## the same through the CDK CLI (npx cdk synth)
	$(CDK_ENV) npx cdk synth --no-notices --quiet -c customer=$(CUSTOMER) -c stage=$(STAGE)

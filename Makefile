# Every target sets up .venv on first use, so a fresh clone needs only `make <target>`.
# Versions come from uv.lock alone: `make dev` installs the runtime and the local server's needs,
# `make test` (and every other target) the whole lock. uv itself is pinned and bootstrapped into .uv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
UV_DIR := .uv/$(UV_VERSION)
UV := $(UV_DIR)/bin/uv
LOCAL := $(VENV)/.installed-local
INSTALLED := $(VENV)/.installed

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1
# uv builds the environment with this interpreter, and never fetches one of its own.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
# Installed packages come precompiled: PYTHONDONTWRITEBYTECODE would otherwise recompile them in every process.
export UV_COMPILE_BYTECODE := 1

.PHONY: dev test check lint typecheck pytest openapi openapi-baseline docs docs-examples synth bench valgrind clean cdk-synth

$(UV):
	$(PYTHON) -m venv $(UV_DIR)
	$(UV_DIR)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --locked refuses a uv.lock that no longer matches pyproject.toml (run `$(UV) lock` after an edit).
# --inexact keeps the dev tools that `make test` may already have installed.
$(LOCAL): $(UV) uv.lock pyproject.toml
	$(UV) sync --locked --inexact --no-dev --group local
	@touch $@

$(INSTALLED): $(UV) uv.lock pyproject.toml
	$(UV) sync --locked
	@touch $@ $(LOCAL)

dev: $(LOCAL) ## serve the API on http://127.0.0.1:3000 with an embedded DynamoDB
	$(BIN)/python -m infra.local

# Everything CI checks, then what it cost: the install (nothing when .venv and node_modules are current)
# and the checks, in seconds, and the size of what was installed (the README quotes a fresh clone's).
# Lint and types run beside the tests (-j3): mypy without its cache takes a core for a minute and a half,
# which the tests leave idle while their last worker finishes the synthesized stacks' checks. Each
# target's output is printed whole when it ends (-O); any failure fails the run.
test: ## everything CI checks
	@started=$$(date +%s) && \
	$(MAKE) --no-print-directory $(INSTALLED) node_modules/.installed && installed=$$(date +%s) && \
	$(MAKE) --no-print-directory -j3 -O lint typecheck pytest && finished=$$(date +%s) && \
	echo "make test took $$((finished - started)) s: install $$((installed - started)) s, lint, types and tests" \
		"$$((finished - installed)) s; .venv $$(du -sh $(VENV) | cut -f1), node_modules $$(du -sh node_modules | cut -f1)"

# The inner loop: lint, types and the fast tiers (pure rules, the domain over in-memory stores, the stores
# against them), in well under a minute once mypy's cache is warm.
check: lint typecheck ## lint, types, and the unit and domain tests
	$(BIN)/pytest -n auto -q tests/unit tests/store

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(INSTALLED)
	$(BIN)/mypy shared functions infra tests cli/src

# Two workers on this 2-core machine (one per core elsewhere); tests sharing a costly set-up stay together.
# The tests also run the npm tools the document is checked with (Redocly, openapi-typescript).
pytest: $(INSTALLED) node_modules/.installed
	$(BIN)/pytest -n auto --dist loadgroup

# What a Lambda function has: the runtime dependencies of uv.lock and nothing else, on the Python the functions
# run on, the one that builds .venv and synthesizes the stack (make clean bench PYTHON=python3.12 for another).
RUNTIME_VENV := .bench/runtime-$(notdir $(PYTHON))
# Fresh interpreters per function (and as many floor runs): make bench RUNS=21; a few functions: ONLY=authorizer,get_rubric
RUNS ?= 7
ONLY ?=

$(RUNTIME_VENV)/.installed: $(UV) uv.lock pyproject.toml
	UV_PROJECT_ENVIRONMENT=$(RUNTIME_VENV) $(UV) sync --locked --no-dev --no-install-project --quiet
	@touch $@

# The bench counts instructions under valgrind (Debian's package), installed here when missing and root.
valgrind:
	@command -v valgrind >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq valgrind; } \
		|| { echo "make bench counts instructions with valgrind: install it (apt-get install valgrind)" >&2; exit 1; }

bench: $(INSTALLED) $(RUNTIME_VENV)/.installed valgrind ## cold start as Lambda runs it, warm overhead, DynamoDB requests: figures
	$(BIN)/python -m tests.benchmarks --runtime $(RUNTIME_VENV)/bin/python --runs $(RUNS) --only "$(ONLY)"

clean:
	rm -rf $(VENV) .uv .bench cdk.out site .pytest_cache .mypy_cache .ruff_cache

# Which customer and stage `make synth` and `make cdk-synth` build: make synth CUSTOMER=acme STAGE=prod
CUSTOMER ?= demo
STAGE ?= dev
CDK_ENV := CDK_DISABLE_CLI_TELEMETRY=true

openapi: $(INSTALLED) ## write openapi.json from the handlers' models (tests fail when it is stale)
	$(BIN)/python -m infra.openapi

docs: $(INSTALLED) ## build the documentation site into site/ (MkDocs, Material; the API reference from openapi.json)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

docs-examples: $(INSTALLED) ## run every example of docs/ against a fresh local server and write its answers in
	$(BIN)/python -m infra.docs_examples

# The published contract: a change that breaks it needs this and a CHANGELOG.md line in the same commit.
openapi-baseline: openapi ## accept openapi.json as the published v1 (tests/infra/test_contract.py)
	cp openapi.json openapi.v1.json

synth: $(INSTALLED) ## synthesize the stack into cdk.out, cdk-nag included, without the CDK CLI
	$(CDK_ENV) $(BIN)/python -m infra.app -c customer=$(CUSTOMER) -c stage=$(STAGE)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

cdk-synth: $(INSTALLED) node_modules/.installed ## the same through the CDK CLI (npx cdk synth)
	$(CDK_ENV) npx cdk synth --no-notices --quiet -c customer=$(CUSTOMER) -c stage=$(STAGE)

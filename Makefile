# Tailor: the two commands a newcomer needs are `make demo` and `make test`.
# Everything else installs itself on first use, so a fresh clone needs only Python 3.11+.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Prefer the Lambda runtime's Python (3.13) when the machine has it; else any 3.11+.
PYTHON ?= $(shell for p in python3.13 $$(ls -d $$HOME/.pyenv/versions/3.13*/bin/python3.13 2>/dev/null) python3.12 python3.11 python3; do \
	  "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo "$$p"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The SAM CLI pins older boto3 and pydantic, so it lives in a virtualenv of its own.
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
# checkov pins its own boto3 and friends too; pinned here so a new release's new checks
# change `make test` only when this line does.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_VERSION := 3.3.30
PY313_DIR := $(dir $(shell for p in python3.13 $$(ls -d $$HOME/.pyenv/versions/3.13*/bin/python3.13 2>/dev/null); do \
	  "$$p" -c '' 2>/dev/null && { command -v "$$p"; break; }; done))

.PHONY: help install demo test test-clock lint typecheck cfn-lint checkov unit bench sam-build sam-validate sam-check schemas email-types clean

help:
	@echo "make demo   - install, run the demo story on the local cloud, write out/demo/index.html"
	@echo "make test   - install, run lint, type checks, template checks and the test suite"
	@echo "make test-clock - the time-sensitive tests at 03:00 and 12:00 in two time zones (faketime)"
	@echo "make bench  - cold starts, AWS calls and CPU per email, alerts at scale, the bill: bench/results.json"
	@echo "make sam-build - sam build (SAM CLI in $(SAM_VENV), Python 3.13 on PATH)"

$(STAMP): pyproject.toml layers/shared/requirements.txt
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is required (python3.13 preferred)"; exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) --version)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tailor demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy layers/shared/tailor local/tailor_local functions lint/cfn_rules \
	  tests/helpers $(wildcard tests/conftest.py tests/*/conftest.py tests/*/*/conftest.py)

# The template first: --append-rules would take it for another rules directory.
cfn-lint: $(STAMP)
	$(BIN)/cfn-lint template.yaml --append-rules lint/cfn_rules

# Security and resilience checks on the template; findings are fixed or skipped, with the
# reason, in template.yaml (per resource) or .checkov.yaml (per check, for all resources).
checkov: $(CHECKOV)
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true $(CHECKOV) --config-file .checkov.yaml

$(CHECKOV):
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is required for checkov"; exit 1; }
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov==$(CHECKOV_VERSION)'

# Two workers: the suite is mostly moto round trips, which parallelise well.
unit: $(STAMP)
	$(BIN)/pytest -n 2

# Everything a change must pass: style, types, the template (cfn-lint, checkov, sam validate,
# an arm64 sam build with the layer checked), and the test suite.
test: lint typecheck cfn-lint checkov unit sam-check

bench: $(STAMP)
	$(BIN)/python -m tailor_local.bench

# The tests whose outcome once hung on the hour (quiet hours, review requests at a local hour,
# offers that expire), run with the machine's clock at night and at noon in two time zones
# (libfaketime): they must pass whatever the machine's clock and zone say.
CLOCK_TESTS := tests/unit/test_policy.py tests/unit/test_consent_flows.py \
	tests/unit/aftercare/test_review_request.py tests/unit/test_offer_link.py \
	tests/local/test_clock.py tests/local/test_preferences_browser.py
test-clock: $(STAMP)
	@command -v faketime >/dev/null || { echo "error: make test-clock needs faketime (apt-get install faketime)"; exit 1; }
	@set -e; for zone in America/Chicago Asia/Tokyo; do for hour in 03:00 12:00; do \
	  echo "== machine clock $$(date -u +%F) $$hour $$zone"; \
	  TZ=$$zone FAKETIME_SKIP_CMDS=chromium,chromedriver faketime -m "$$(date -u +%F) $$hour:00" \
	    $(BIN)/pytest -n 2 -q -p no:cacheprovider $(CLOCK_TESTS); \
	done; done

$(SAM):
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is required for the SAM CLI"; exit 1; }
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli

sam-validate: $(SAM)
	SAM_CLI_TELEMETRY=0 $(SAM) validate --lint --region us-east-1

# sam build needs python3.13 on PATH to build for the python3.13 runtime.
sam-build: $(SAM)
	@test -n "$(PY313_DIR)" || { echo "error: sam build needs python3.13 on PATH"; exit 1; }
	PATH="$(PY313_DIR):$$PATH" SAM_CLI_TELEMETRY=0 $(SAM) build

sam-check: sam-validate sam-build $(STAMP)
	$(BIN)/python -m tailor_local.buildcheck .aws-sam/build

clean:
	rm -rf $(VENV) .aws-sam out bench/results.json .pytest_cache .mypy_cache .ruff_cache

schemas: $(STAMP)
	$(BIN)/python -m tailor.events.schemas events/schemas

# The README's table of emails, from the declarations in tailor/email_types.py.
email-types: $(STAMP)
	$(BIN)/python -m tailor.email_types README.md

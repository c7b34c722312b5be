# The two commands a fresh machine needs: `make run` and `make test`.
# Each creates ./.venv and installs what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_STAMP := $(VENV)/.installed-lint

.PHONY: run test test-fast install bench demo lint format

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(LINT_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,lint]'
	touch $(LINT_STAMP)

LINTED := bot storage tests bench scripts

# Format, lint, types and the layers of docs/ARCHITECTURE.md; each tool's settings are in
# pyproject.toml. `make format` rewrites what the first check would refuse.
lint: $(LINT_STAMP)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(LINT_STAMP)
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

run: $(STAMP)
	$(BIN)/python -m bot run

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The unit tier (tests/unit/): the pure packages, no bot, database server or subprocess; < 20 s.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m unit tests/unit $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/python -m bot demo

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

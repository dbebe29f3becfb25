# The two commands a newcomer needs: `make demo` and `make test`. Everything else builds on them.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
INCIDENT ?= 500 errors on checkout API

.PHONY: demo test run bench lint install clean scenarios-score

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/rca "$(INCIDENT)"

test: $(STAMP)
	bash scripts/ensure-test-services.sh
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

run: $(STAMP)
	$(BIN)/python -m bot

bench: $(STAMP)
	bash scripts/ensure-test-services.sh
	$(BIN)/python bench/run.py

scenarios-score: $(STAMP)
	$(BIN)/python scripts/score_scenarios.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

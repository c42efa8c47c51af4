# The README's two commands, `make report` and `make test`, work on a fresh clone:
# the first use creates .venv and installs the project; a changed pyproject.toml reinstalls it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test bench validate install clean

report: $(STAMP)
	$(BIN)/ledger report

test: $(STAMP)
	$(BIN)/pytest
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/bench.py

validate: $(STAMP)
	$(BIN)/ledger validate --quiet

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info

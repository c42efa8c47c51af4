# The README's two commands, `make report` and `make test`, work on a fresh clone:
# the first use creates .venv and installs the project; a changed pyproject.toml reinstalls it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test bench validate install merge-driver clean

# The history is read from git: in a shallow clone or outside git it would be cut short, so it is left as it was.
report: $(STAMP)
	$(BIN)/ledger report
	@if [ "$$(git rev-parse --is-shallow-repository 2>/dev/null)" = false ]; then $(BIN)/ledger history; \
	else echo "not a full git clone: reports/history.* left as they are (git fetch --unshallow, then make report)"; fi

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
	-@$(MAKE) --no-print-directory merge-driver
	touch $(STAMP)

# Generated reports are not merged line by line (.gitattributes): a merge keeps this branch's copy, and
# `make report` regenerates them from the merged ledger. Git keeps drivers in the clone's own config.
merge-driver:
	@git rev-parse --git-dir >/dev/null 2>&1 && \
	git config merge.ledger-report.name "keep this branch's generated report; run make report after the merge" && \
	git config merge.ledger-report.driver true || true

clean:
	rm -rf $(VENV) build *.egg-info

# The README's two commands, `make report` and `make test`, work on a fresh clone:
# the first use creates .venv and installs the project; a changed pyproject.toml reinstalls it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test bench validate serve install merge-driver clean

# The history is read from git: in a shallow clone or outside git it would be cut short, so it is left as it was.
report: $(STAMP)
	$(BIN)/ledger report
	@if [ "$$(git rev-parse --is-shallow-repository 2>/dev/null)" = false ]; then $(BIN)/ledger history; \
	else echo "not a full git clone: reports/history.* left as they are (git fetch --unshallow, then make report)"; fi

test: $(STAMP)
	$(BIN)/pytest
	$(BIN)/mypy

# SIZES="1000 10000" make bench for a shorter run; the default adds 100,000 entries (several minutes).
# The package's bytecode is compiled first, as any install but an editable one does: under
# PYTHONDONTWRITEBYTECODE an editable install would compile every module anew on every run.
bench: $(STAMP) $(VENV)/.bench
	$(BIN)/python -m compileall -q ledger
	$(BIN)/python bench/bench.py $(SIZES)

$(VENV)/.bench: pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $@

validate: $(STAMP)
	$(BIN)/ledger validate --quiet

# The ledger as a database in Datasette, on this machine only: http://127.0.0.1:8001/ (PORT=8002 make serve).
# The database is rebuilt on every run; build/ is not committed.
PORT ?= 8001
serve: $(STAMP)
	@mkdir -p build
	$(BIN)/ledger export --format sqlite --out build/ledger.db $$([ "$$(git rev-parse --is-shallow-repository 2>/dev/null)" = false ] && echo --with-history)
	$(BIN)/datasette serve --immutable build/ledger.db --metadata datasette/metadata.yaml --host 127.0.0.1 --port $(PORT)

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

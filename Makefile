# Two commands on a fresh machine with Python 3.11 and make: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "finsam: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	@touch $(STAMP)

## Nightly run: build a fresh warehouse, run every check, write the report, publish when all is well.
run: $(STAMP)
	$(BIN)/finsam run

## The whole test suite (dbt project in temporary copies, GX suites, nightly command end to end).
test: $(STAMP)
	$(BIN)/pytest

## Scale benchmark (outside the test suite).
bench: $(STAMP)
	$(BIN)/python tools/bench.py --record

clean:
	rm -rf target logs reports/.staging warehouse/.build-*

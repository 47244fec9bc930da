# The two commands (README.md): `make serve` and `make test`.
# Both build the virtual environment from pyproject.toml on first use (PyPI only): `serve`
# installs the runtime only, `test` adds the test extras (pytest, hypothesis, schemathesis,
# playwright, pytest-xdist) on top, also into a venv that `serve` built first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: serve test test-fast install install-test clean screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: an unpinned resolve would pull a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

serve: $(STAMP)
	$(BIN)/prescreen serve

# one pytest worker per core (pytest-xdist): every database test has its own SQLite file or
# PostgreSQL database, so the workers share nothing
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# the quick loop while changing code: everything not marked slow, on SQLite (the PostgreSQL half
# of the database tests runs in `make test` and CI)
test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -n auto -m "not slow and not postgres" $(PYTEST_ARGS)

# refresh docs/screenshots/ from the current pages (the browser test, Debian's Chromium);
# the test alone writes its screenshots to a temporary folder
screenshots: $(TEST_STAMP)
	PRESCREEN_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest tests/api/test_web_browser.py -k sqlite -q

clean:
	rm -rf $(VENV)

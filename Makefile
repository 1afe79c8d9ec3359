# The two commands of the README: `make site` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: site test setup setup-test bench check serve golden clean

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(TEST_STAMP): $(STAMP) requirements-test.txt tests/package.json
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	bash tests/setup-browser.sh
	@touch $@

setup: $(STAMP)
setup-test: $(TEST_STAMP)

## make site: set up, check and build the sample site into build/site/
site: setup
	$(BIN)/python -m generator check
	$(BIN)/python -m generator build
	@echo "站点已生成：$(CURDIR)/build/site/（预览：$(BIN)/python -m generator serve）"

## make test: set up (with test-only dependencies and Chromium), then run the whole suite
test: setup-test
	$(BIN)/python -m pytest -n 2 -q tests

bench: setup-test
	$(BIN)/python bench/run.py

golden: setup-test
	$(BIN)/python -m pytest -q tests --update-golden -k golden

check: setup
	$(BIN)/python -m generator check

serve: setup
	$(BIN)/python -m generator serve

clean:
	rm -rf build .pytest_cache

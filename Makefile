# The two commands a newcomer needs: `make demo` and `make test`.
# Each one does the whole set-up first (system packages, .venv, the project).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEB_PACKAGES := libharfbuzz-subset0 fonts-noto-cjk fonts-noto-core poppler-utils postgresql libreoffice-writer-nogui libnss3-tools mupdf-tools chromium openssl
STAMP  := $(VENV)/.installed

.PHONY: setup system-packages demo demo-shared test bench lint clean

setup: system-packages $(STAMP)

system-packages:
	@bash scripts/system-packages.sh $(DEB_PACKAGES)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: setup
	$(BIN)/resolutions demo $(or $(DIR),demo-workspace) --force

# the same working group on three machines: one throwaway PostgreSQL cluster, three folders
demo-shared: setup
	$(BIN)/python scripts/demo_shared.py $(or $(DIR),demo-shared-workspace)

test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run_all.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy --strict drafts/

clean:
	rm -rf $(VENV) build dist *.egg-info demo-workspace demo-shared-workspace .mypy_cache

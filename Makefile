# The two commands a newcomer needs: `make demo` and `make test`.
# Each one does the whole set-up first (system packages, .venv, the project).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEB_PACKAGES := libharfbuzz-subset0 fonts-noto-cjk fonts-noto-core poppler-utils postgresql libreoffice-writer-nogui libnss3-tools mupdf-tools chromium openssl
STAMP  := $(VENV)/.installed
# the suite runs on both cores (pytest-xdist); a test module stays on one worker, so its
# module fixtures are built once, and modules with slow tests start first (tests/conftest.py).
# Byte-code is cached even where the environment turns that off: the suite starts hundreds
# of `python -m tests.launch` processes, each would compile every module again.
TEST_WORKERS ?= 2

.PHONY: setup system-packages demo demo-shared test bench lint clean

# the Debian packages and the venv do not need each other: on a fresh machine apt and pip
# download and install side by side
setup:
	@$(MAKE) --no-print-directory -s -j2 system-packages $(STAMP)

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
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadscope \
	  --no-loadscope-reorder --durations=20 $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run_all.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy --strict

clean:
	rm -rf $(VENV) build dist *.egg-info demo-workspace demo-shared-workspace .mypy_cache

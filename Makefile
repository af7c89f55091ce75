# `make run` and `make test` each create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt bench clean

# Some environments (this machine's, and so CI's) set PYTHONDONTWRITEBYTECODE: then no process keeps the bytecode
# it compiles, and every process the tests start (the workers, each service, CLI and sandbox process) compiles
# again every module it imports, ours and aiogram's, pydantic's, twilio's: 2.5 s of CPU for a service's imports.
unexport PYTHONDONTWRITEBYTECODE

# --no-compile: Python compiles a module's bytecode when it is first imported; compiling every installed module
# up front (the Twilio SDK's thousands included, most never imported) was 17 s of a 37 s install.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	exec $(BIN)/concierge run

# line and branch coverage of every process the tests start (workers, services, the CLI), then its floor
test: $(STAMP)
	$(BIN)/python -m pytest -n 5 --dist loadfile --no-loadscope-reorder --durations=15 --cov --cov-report=term:skip-covered
	$(BIN)/python tests/coverage_floor.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info .coverage .coverage.*

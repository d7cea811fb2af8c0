# One task runner. `make test` is the README's test command; `make lint` runs ruff and mypy.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: test lint demo bench format

$(PY):
	python3 -m venv $(VENV)

test:
	bash scripts/install-system-deps.sh && python3 -m venv .venv && .venv/bin/python -m pip install -q -e ".[test]" && .venv/bin/python -m pytest -q

lint: $(PY)
	$(PY) -m pip install -q -e ".[test,dev]"
	$(PY) -m ruff check consolidate schemas tests bench scripts
	$(PY) -m ruff format --check consolidate schemas tests bench scripts
	$(PY) -m mypy

format: $(PY)
	$(PY) -m ruff format consolidate schemas tests bench scripts

demo:
	python3 -m venv .venv && .venv/bin/python -m pip install -q -e . && .venv/bin/consolidate demo

bench: $(PY)
	$(PY) bench/run.py

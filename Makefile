# NTM Atlas: the two commands are `make figures` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
JOBS   ?= 2
UV_VERSION := 0.13.9

.PHONY: all venv records figures test bench lock notebooks-sync clean-figures help
all: figures

help:
	@echo "make figures   build .venv, rebuild records if ../shared is present, run every notebook, write figures/"
	@echo "make test      build .venv, run the test suite (including every notebook, executed headless)"
	@echo "make records   re-extract data/derived/ from the report corpus (../shared or CORPUS=DIR)"
	@echo "make bench     run the benchmarks in benchmarks/"
	@echo "make lock      re-resolve requirements.lock from pyproject.toml"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

records: $(STAMP)
	$(BIN)/python -m helpers.pipeline records

figures: $(STAMP)
	$(BIN)/python -m helpers.pipeline figures

test: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -n $(JOBS) -p no:cacheprovider tests notebooks --nbmake --durations=15

bench: $(STAMP)
	$(BIN)/python -m benchmarks

lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

notebooks-sync: $(STAMP)
	$(BIN)/jupytext --sync notebooks/*.py

clean-figures:
	rm -f figures/*.png figures/*.svg figures/*.pdf figures/*.html

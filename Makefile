# job-lakehouse. First two commands on a fresh machine: `make run`, then `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros -type f 2>/dev/null) dbt_project/dbt_project.yml

export DAGSTER_HOME := $(CURDIR)/.dagster_home
# dbt and dagster from the project venv, also for processes Dagster spawns (code server, runs)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export JOBS_DATA_DIR ?= $(CURDIR)/data
export JOBS_ARTIFACTS_DIR ?= $(CURDIR)/artifacts

N ?= 100000

.PHONY: help install manifest run test dev backfill lint format clean bench eval

help:
	@echo "make run       install, then materialize the whole pipeline offline (demo data)"
	@echo "make test      lint + pytest (unit, dbt, end-to-end)"
	@echo "make dev       Dagster UI on http://127.0.0.1:3000"
	@echo "make backfill START=YYYY-MM-DD END=YYYY-MM-DD   one run over the range"
	@echo "make bench [N=100000]   per-stage throughput and memory"
	@echo "make eval      ranking quality on the labeled dev set"
	@echo "make lint | format | clean"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Dagster reads the dbt manifest at import time: parse before anything imports the definitions.
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --profiles-dir . --quiet
	@touch $(MANIFEST)

manifest: $(MANIFEST)

run: $(MANIFEST)
	$(BIN)/python -m job_assets.runner $(if $(DATE),--date $(DATE))
	$(BIN)/python -m job_assets.report

backfill: $(MANIFEST)
	@test -n "$(START)" -a -n "$(END)" || { echo "usage: make backfill START=YYYY-MM-DD END=YYYY-MM-DD"; exit 2; }
	$(BIN)/python -m job_assets.runner --start $(START) --end $(END)
	$(BIN)/python -m job_assets.report

test: $(MANIFEST)
	$(BIN)/ruff check .
	$(BIN)/pytest

dev: $(MANIFEST)
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(MANIFEST)
	$(BIN)/python bench/run_bench.py --n $(N)

eval: $(STAMP)
	$(BIN)/python bench/eval_ranking.py

clean:
	rm -rf data artifacts dbt_project/target dbt_project/logs logs bench/work
	find .dagster_home -mindepth 1 ! -name dagster.yaml -exec rm -rf {} +

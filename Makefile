# The two commands of the README: `make run` and `make test`.
# Both set up what is missing first (Debian packages, the virtual environment).
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.hankegraph-installed

.PHONY: run test setup clean

$(STAMP): pyproject.toml scripts/setup.sh package-lock.json
	VENV=$(VENV) bash scripts/setup.sh
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/kg build data/docs
	$(BIN)/kg visualise

test: $(STAMP)
	$(BIN)/python -m pytest

.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache

# Vigie — the two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-clean serve clean install browser installcheck

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,scrapyd]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/vigie --config config.toml run

lint: $(STAMP)
	$(BIN)/ruff check monitor spiders storage tests bench
	$(BIN)/ruff format --check monitor spiders storage tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# The Datasette page test renders in headless Chromium (Debian package `chromium`): installed
# here when missing and we may (root + apt-get); otherwise the test says how to install it.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "chromium not installed: the browser test will fail (apt-get install chromium)"

test: $(STAMP) lint browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

# A new user's install, checked: the wheel installed with the pip that ships with Python into a
# fresh venv, then `vigie check` and a one-source crawl of a local fixture site (about a minute;
# needs the package registry, not the internet). Also part of `make test` (pytest runs it).
installcheck: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m install tests/install

bench: $(STAMP)
	$(BIN)/python -m bench

# the million-item archive built once by bench/million.py (several GB), reused by every `make bench`
bench-clean:
	rm -rf bench/.cache

serve: $(STAMP)
	$(BIN)/vigie --config config.toml serve

clean:
	rm -rf $(VENV) data .pytest_cache

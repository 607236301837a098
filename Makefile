# learncat: `make demo` runs the portal on the demo catalogue; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
LANGS := $(patsubst translations/%/LC_MESSAGES/messages.po,%,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: setup browser pango axe demo run test bench mutation extract update compile clean

setup: $(VENV)/.installed compile

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: setup pango  ## load the demo catalogue through the harvesters, then serve the portal
	$(BIN)/learncat demo
	@echo "learncat is at http://$(HOST):$(PORT)/"
	$(BIN)/learncat run --host $(HOST) --port $(PORT)

run: setup
	$(BIN)/learncat run --host $(HOST) --port $(PORT)

test: setup browser pango axe  ## every test, with a real OpenSearch node and PostgreSQL server (scripts/)
	scripts/with-services $(BIN)/python -m pytest --cov --cov-report=term $(PYTEST_ARGS)

browser:  ## Debian's Chromium for the browser tests (installed when we are root; else they skip)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the browser tests will skip"; fi; }

pango:  ## Debian's Pango for WeasyPrint's PDF handouts (installed when we are root; else they answer 503)
	@ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's Pango for the PDF handouts"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else echo "Pango is not installed: the PDF handouts will answer 503"; fi; }

axe:  ## axe-core from npm (package.json) for the accessibility tests (under CI=true they fail without it)
	@test -f node_modules/axe-core/axe.min.js || { \
	  if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
	  else echo "npm is not installed: the accessibility tests will skip"; fi; }

bench: setup
	$(BIN)/python bench/search.py $(BENCH_ARGS)

extract: $(VENV)/.installed  ## messages.pot from the code and templates
	$(BIN)/pybabel -q extract -F translations/babel.cfg -k _l -k lazy_gettext \
		--project=learncat --copyright-holder=learncat --no-location --sort-output -o translations/messages.pot catalogue harvesters indexer portal

update: extract
	for lang in $(LANGS); do $(BIN)/pybabel -q update -i translations/messages.pot \
		-d translations -l $$lang; done

compile: $(VENV)/.installed
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile -d translations; fi

clean:
	-scripts/opensearch stop
	-scripts/postgres stop
	rm -rf $(VENV) instance .pytest_cache

mutation: setup  ## mutation score of the modules where a mistake costs most (slow; not in make test)
	$(BIN)/pip install --quiet "cosmic-ray>=8.7,<9"
	$(BIN)/python bench/mutation.py $(MUTATION_ARGS)

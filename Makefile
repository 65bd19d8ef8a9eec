# News archive search. `make run` sets everything up and serves; `make test` runs the tests.
# Dependencies (pinned; ranges in pyproject.toml): requirements.txt is the runtime, all that run, serve
# and index install; requirements-test.txt (pytest, playwright, hypothesis, feedparser, ruff) and
# requirements-bench.txt (the benchmark's peers and metrics) are added only by the targets that need them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= $(or $(ARCHIVE_HOST),127.0.0.1)
PORT ?= $(or $(ARCHIVE_PORT),5000)
INDEX_DIR ?= $(or $(ARCHIVE_INDEX_DIR),index)
PYTEST_ARGS ?=
BENCH_ARGS ?=
EVAL_ARGS ?=
EVAL_COMPANIES_ARGS ?=

.PHONY: run serve install test-install index index-if-missing test test-fast lint js-deps screenshots clean

# `make run PORT=8000` and `ARCHIVE_PORT=8000 make run` both work: the variables are passed on.
SETTINGS_ENV = ARCHIVE_HOST=$(HOST) ARCHIVE_PORT=$(PORT) ARCHIVE_INDEX_DIR=$(INDEX_DIR)

run: install index-if-missing
	$(SETTINGS_ENV) $(PY) -m flask --app "web:create_app()" run --host $(HOST) --port $(PORT)

# Production: nginx on HOST:PORT in front of gunicorn (ARCHIVE_WORKERS processes of ARCHIVE_THREADS threads,
# and ARCHIVE_COSTLY_WORKERS for costly searches; gunicorn.conf.py) on sockets in ARCHIVE_RUN_DIR:
# deploy/serve.py, deploy/nginx-front.conf.
serve: install index-if-missing
	$(SETTINGS_ENV) $(PY) deploy/serve.py

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

index: install
	$(SETTINGS_ENV) $(PY) -m search index

index-if-missing: install
	@if [ -e "$(INDEX_DIR)/current" ]; then echo "Index present in $(INDEX_DIR) (make index rebuilds it)."; \
	else $(SETTINGS_ENV) $(PY) -m search index; fi

# Lint first (seconds), then the tests. The tests need the bench pins too: they run both harnesses.
test: test-install js-deps
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

# Without the system tests (gunicorn, nginx, SolrCloud, the browser): lint, then tests/unit and tests/integration.
test-fast: test-install
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS) tests/unit tests/integration

# Rules in pyproject.toml [tool.ruff]; `$(PY) -m ruff check --fix .` applies the safe fixes.
lint: test-install
	$(PY) -m ruff check .

# Test and lint tools on top of the runtime and bench pins, resolved in one pip run so that a shared
# package pinned differently in two files fails here instead of one file silently winning.
test-install: $(VENV)/.test-installed

$(VENV)/.test-installed: requirements-test.txt requirements-bench.txt requirements.txt $(VENV)/.installed
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt -r requirements-bench.txt -r requirements-test.txt
	touch $@

# The benchmark (README "Benchmarks"): the product against SQLite FTS5, tantivy and Datasette over
# the same articles. `make bench BENCH_ARGS="--scale 10 --engines product,fts5,tantivy"`.
.PHONY: bench bench-install
bench: install bench-install
	$(PY) -m bench $(BENCH_ARGS)

# SolrCloud for tests, benchmarks and development (docs/solr.md): the launcher in deploy/solr is built by Maven
# from solr-core 9.10.1 (target/classes + target/classpath.txt into ~/.m2; no fat jar). `make solr` starts
# ZooKeeper and 3 Solr nodes in run/solr on free loopback ports, uploads deploy/solr/configset as "news",
# prints where they are and stays in the foreground until Ctrl-C; the next `make solr` takes the same ports and
# finds its collections again. SOLR_ARGS="--collection articles --port 8983 --zk-port 9983 --fresh --nodes 2".
# Standard library only: no venv needed.
.PHONY: solr solr-build
SOLR_ARGS ?=
solr-build:
	$(PYTHON) -m search.engines.solr.nodes --build-only

solr:
	$(PYTHON) -m search.engines.solr.nodes $(SOLR_ARGS)

# Load and soak (bench/load.py): make serve's stack (nginx + gunicorn pools) + wrk (Debian package `wrk`) with a full rebuild swapped in
# under load; `make soak` runs 10 minutes and checks workers' memory and open files stay flat.
.PHONY: loadtest soak
loadtest: test-install
	@command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk"; exit 2; }
	$(PY) -m bench.load loadtest $(LOAD_ARGS)
	# Contention (issue 16): `make serve`'s stack under slow clients and, on the 23k archive, costly searches at
	# once, while a probe sends ordinary searches; prints each probe's answers, failures and p95.
	$(PY) -m pytest -q -s tests/system/test_serve.py -k "probe"

soak: install
	@command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk"; exit 2; }
	$(PY) -m bench.load soak $(LOAD_ARGS)

# Search quality (README "Search quality"): MAP, P@10, nDCG@10 on the classic test collections in
# ../shared/corpora/ir-test-collections, beside rank_bm25 and tantivy. `make eval EVAL_ARGS="--collections cran"`.
.PHONY: eval
eval: install bench-install
	$(PY) -m evaluation.run $(EVAL_ARGS)

# Company extraction (docs/company-evaluation.md): precision, recall and F1 on the dev set (tuned on),
# the test set (held out) and the older in-sample sentences, and the company facet's top 40 over
# Reuters + BBC, as one JSON line. `make eval-companies EVAL_COMPANIES_ARGS=--no-facets` skips the import.
.PHONY: eval-companies
eval-companies: install bench-install
	$(PY) -m evaluation.company_eval $(EVAL_COMPANIES_ARGS)

# HTML pages (docs/html-evaluation.md): body F1, headlines and dates of the product's parse_html beside plain
# trafilatura on the 120 benchmark pages in ../shared/corpora/html-articles (dev, test, all), as one JSON line.
.PHONY: eval-html
eval-html: install
	$(PY) -m evaluation.html_eval $(EVAL_HTML_ARGS)

# The peers and metrics (requirements-bench.txt) go into the same venv; the tests run both harnesses
# on tiny data.
bench-install: $(VENV)/.bench-installed

$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-bench.txt
	touch $@

# The README's pictures (search on desktop and phone, the timeline, /embed), taken by the browser tests.
screenshots: test-install js-deps
	ARCHIVE_SCREENSHOT_DIR=docs $(PY) -m pytest -q tests/system/test_browser.py tests/system/test_browser_timeline.py tests/system/test_browser_page_state.py -k screenshot

# axe-core (npm registry, pinned in tests/js/package-lock.json) for the accessibility test.
js-deps: tests/js/node_modules/.installed

tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/js --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility test will be skipped (.ci/run installs npm)"; fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find $(INDEX_DIR) -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

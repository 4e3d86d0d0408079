# The two set-up commands of the README:
#   make book   - build the book on the bundled demo data (installs what it needs)
#   make test   - run the whole test suite, slow cross-checks included
# `make test-fast` skips the tests marked slow.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test test-fast book deps sysdeps npm graphviz refs bench clean-build

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip==25.1.1"
	$(BIN)/python -m pip install -q -c requirements.lock -e ".[book,dev]"
	touch $(STAMP)

deps: $(STAMP)

# npm: the book build vendors MathJax from the npm registry so the book reads offline.
npm:
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm) >/dev/null; \
	  else echo "error: npm is needed to vendor MathJax; install it (apt-get install npm)"; exit 1; fi; }

# Graphviz's `dot` lays out the path diagrams (the book's structural figure, `iur-survey diagram`).
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q graphviz) >/dev/null; \
	  else echo "error: Graphviz is needed for the path diagrams; install it (apt-get install graphviz)"; exit 1; fi; }

# Debian packages the slow tests need (headless Chromium for the rendered-book check).
sysdeps: npm graphviz
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk) >/dev/null \
	      || echo "warning: chromium not installed; the render test will skip"; \
	  else echo "warning: not root, chromium not installed; the render test will skip"; fi; }

test: $(STAMP) sysdeps
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: $(STAMP) graphviz
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not slow"

book: $(STAMP) npm graphviz
	$(BIN)/iur-survey book

# Regenerate the lavaan reference outputs (needs R; see tests/reference/README.md).
refs:
	@command -v Rscript >/dev/null 2>&1 || { \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    r-base-core r-cran-lavaan r-cran-semtools r-cran-jsonlite; }
	$(BIN)/python tests/reference/make_data.py
	Rscript tests/reference/make_refs.R

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b; done

clean-build:
	rm -rf _build

# kaderpers: `make` sets everything up and builds the site and PDFs from content/;
# `make test` runs the tests. Both work on a fresh Debian machine.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
CONTENT ?= content
OUT     ?= build
UPSTREAM ?= ../shared/upstream-kader/docs
NPM_DIR := .cache/npm
# Mermaid's script ships inside the package, copied from npm at set-up and wheel time (git ignores it).
MERMAID := extensions/kaderpers/data/mermaid/mermaid.min.js
# Run apt-get through sudo unless we are root.
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all setup system-deps npm-deps wheel build html pdf handouts check test bench clean

all: build

setup: $(VENV)/.installed npm-deps $(MERMAID) system-deps
	@# The package is installed editable, so pip compiled none of it; where PYTHONDONTWRITEBYTECODE
	@# is set, every build would compile it again (0.1 s of a 2 s rebuild).
	@$(BIN)/python -m compileall -q extensions

# uv installs the ranges pyproject.toml pins (the same versions pip chooses) in about 6 s, where pip took
# 16: it resolves, downloads and compiles in parallel. Compiled, as pip leaves them: where
# PYTHONDONTWRITEBYTECODE is set, every process would compile Sphinx, docutils and rinohtype again (an
# import three times as slow). The venv keeps its pip (the wheel test and `make wheel` use it).
UV_VERSION := >=0.9,<1
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet 'uv$(UV_VERSION)'
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[test]'
	touch $@

# Headless Chromium (browser tests), poppler (PDF checks) and nginx (the deploy/ configuration's test) from Debian.
system-deps:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null && test -x /usr/sbin/nginx || \
	  ( $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium poppler-utils nginx >/dev/null )

# Mermaid (served by the site itself, no CDN) and axe-core (accessibility tests) from npm. What is used of
# each is one bundled file, so `npm pack` fetches the package alone, without its dependencies (`npm install`
# fetched mermaid's hundred: 8 s of a fresh set-up, against 1 s), unpacked where `npm install` puts it.
NPM_VERSION_mermaid  := 11
NPM_VERSION_axe-core := 4
npm-deps: $(NPM_DIR)/node_modules/mermaid/package.json $(NPM_DIR)/node_modules/axe-core/package.json

$(NPM_DIR)/node_modules/%/package.json:
	@command -v npm >/dev/null || ( $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm >/dev/null )
	mkdir -p $(NPM_DIR)/packs $(@D)
	cd $(NPM_DIR)/packs && tarball=$$(npm pack --silent $*@$(NPM_VERSION_$*)) && tar -xzmf "$$tarball" -C ../node_modules/$* --strip-components=1

$(MERMAID): $(NPM_DIR)/node_modules/mermaid/package.json
	mkdir -p $(dir $@)
	cp $(NPM_DIR)/node_modules/mermaid/dist/mermaid.min.js $@
	cp $(NPM_DIR)/node_modules/mermaid/LICENSE $(dir $@)LICENSE

# A wheel with everything a build needs (dist/kaderpers-*.whl): `pip install` it anywhere.
wheel: $(VENV)/.installed $(MERMAID)
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir dist .

build: setup
	$(BIN)/kaderpers build $(CONTENT) --out $(OUT) --all

html: setup
	$(BIN)/kaderpers build $(CONTENT) --out $(OUT)

pdf: setup
	$(BIN)/kaderpers build $(CONTENT) --out $(OUT) --pdf

handouts: setup
	$(BIN)/kaderpers build $(CONTENT) --out $(OUT) --handouts

check: setup
	$(BIN)/kaderpers check $(CONTENT) --strict

# Lint and format check first (seconds), then the tests on every core: tests that share a build
# run on one worker (tests/conftest.py groups them), the longest chains start first.
test: setup
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/python -m pytest -q -n auto --dist loadgroup --no-loadscope-reorder

bench: setup
	$(BIN)/python tests/bench/bench.py --upstream $(UPSTREAM)

clean:
	rm -rf $(OUT) dist .pytest_cache

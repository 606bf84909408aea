# The two entry points of the README, and what they need. Every step is
# idempotent: a second run reuses node_modules, dist/ and ~/.cache/seb.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

NODE_STAMP := node_modules/.package-lock.json
DIST_STAMP := dist/.built
SOURCES := $(shell find broker harness faults -name '*.ts' -not -name '*.test.ts' 2>/dev/null)

help:
	@echo "make bench   the main job: the paper's measurements on the local target"
	@echo "make test    the whole test suite (unit, then integration on the local target)"

$(NODE_STAMP): package.json package-lock.json
	@echo "[seb] installing Node packages (npm ci)…"
	npm ci --no-fund --no-audit
	@touch $@

$(DIST_STAMP): $(NODE_STAMP) $(SOURCES) tsconfig.json
	@echo "[seb] compiling TypeScript…"
	npx tsc -p tsconfig.json
	@touch $@

deps: $(NODE_STAMP)
build: $(DIST_STAMP)

bench: build
	node bin/seb.js bench micro

test: build
	@echo "[seb] unit tests…"
	npx vitest run --project unit

.PHONY: help deps build bench test

# The two entry points of the README, and what they need. Every step is
# idempotent: a second run reuses node_modules, dist/ and ~/.cache/seb.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

NODE_STAMP := node_modules/.package-lock.json
DIST_STAMP := dist/.built
SOURCES := $(shell find broker harness faults -name '*.ts' -not -name '*.test.ts' 2>/dev/null)

help:
	@echo "make bench   the main job: the paper's measurements, revocation and faults on the local target"
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

# Real platforms for the integration tests and the main job, cached under ~/.cache/seb.
platforms:
	@echo "[seb] platform binaries (first time: ~15 min of go build; cached after)…"
	bash harness/targets/local/install/install.sh >/dev/null

# What the report's browser test and the notebooks need.
report-tools:
	bash harness/report/install-chromium.sh
	bash harness/report/install-notebooks.sh

# One run (about 15 min): the paper's measurements, revocation propagation
# across three brokers and the fault matrix, all in one results/<run-id>/ with
# one violations.json; then `seb report` draws every figure of it.
bench: build platforms
	node bin/seb.js bench all
	node bin/seb.js report

test: build platforms report-tools
	@echo "[seb] type-checking the tests…"
	npx tsc -p tsconfig.test.json
	@echo "[seb] unit tests…"
	npx vitest run --project unit
	@echo "[seb] integration tests against the local target…"
	npx vitest run --project integration

.PHONY: help deps build platforms report-tools bench test

#!/usr/bin/env bash
# Idempotent installer of Debian's Chromium, which the report's browser test
# (harness/report/report.browser.int.test.ts) drives through playwright-core.
# Skips when /usr/bin/chromium exists. Needs root (or sudo) for apt-get.
# Also brings DejaVu fonts, which the figures name first (SVG and PNG alike).
# Progress goes to stderr; stdout gets one line, `chromium=/usr/bin/chromium`.
set -euo pipefail

log() { printf '[seb chromium] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

bin=/usr/bin/chromium
if [[ -x "$bin" ]]; then
  log "cached: $("$bin" --version 2>/dev/null || echo "$bin")"
else
  sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo: install Debian's chromium package by hand (apt-get install chromium)"
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null || die "no apt-get: install Chromium so that $bin exists"
  log "installing Debian's chromium (apt-get; first time: ~1 min)…"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q 2>&1 | sed -u 's/^/[seb chromium]   /' >&2
  "${sudo[@]}" apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core 2>&1 | sed -u 's/^/[seb chromium]   /' >&2
  [[ -x "$bin" ]] || die "apt-get finished but $bin is missing"
  log "installed: $("$bin" --version 2>/dev/null || echo "$bin")"
fi
echo "chromium=$bin"

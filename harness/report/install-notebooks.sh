#!/usr/bin/env bash
# Idempotent installer of the Python venv that runs notebooks/ (pandas,
# matplotlib, nbconvert, ipykernel), pinned by notebooks-requirements.txt and
# notebooks-constraints.txt beside this script.
#
#   install-notebooks.sh
#
# The venv lives at ${SEB_CACHE:-$HOME/.cache/seb}/notebooks-venv. It is
# reused when its stamp matches the pins and its packages import; otherwise it
# is rebuilt in place and stamped only once the imports succeed, so an
# interrupted install is redone next time. Progress goes to stderr; stdout
# gets one line, `python=/abs/path/to/venv/bin/python`.
#
# Environment:
#   SEB_CACHE    cache root (default $HOME/.cache/seb)
#   SEB_PYTHON   interpreter to create the venv with (default python3, >= 3.10)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${SEB_CACHE:-$HOME/.cache/seb}"
python="${SEB_PYTHON:-python3}"
venv="$cache/notebooks-venv"
requirements="$here/notebooks-requirements.txt"
constraints="$here/notebooks-constraints.txt"

log() { printf '[seb notebooks] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v "$python" >/dev/null || die "$python not found (set SEB_PYTHON)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || die "$python is older than 3.10"

mkdir -p "$cache"
# Serialise concurrent installs (two test runs, two shells).
if command -v flock >/dev/null; then
  exec 9>"$cache/.lock-notebooks-venv"
  flock 9
fi

stamp_want="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') $(cat "$requirements" "$constraints" | sha256sum | cut -c1-16)"
check() {
  "$venv/bin/python" - <<'PY' >/dev/null 2>&1
import pandas, matplotlib, nbconvert, nbclient, ipykernel
matplotlib.use("Agg")
import matplotlib.pyplot
PY
}

if [[ -f "$venv/.seb-stamp" && "$(cat "$venv/.seb-stamp")" == "$stamp_want" ]] && check; then
  log "venv cached at $venv"
else
  log "creating venv at $venv with $("$python" --version 2>&1)…"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  log "installing pinned pandas, matplotlib, nbconvert, ipykernel from PyPI (first time: ~1 min)…"
  "$venv/bin/python" -m pip install --no-input --disable-pip-version-check --progress-bar off \
    -c "$constraints" -r "$requirements" 2>&1 | sed -u 's/^/[seb notebooks]   /' >&2
  [[ "${PIPESTATUS[0]}" == 0 ]] || die "pip install failed"
  check || die "the installed packages do not import"
  echo "$stamp_want" > "$venv/.seb-stamp"
  log "venv ready"
fi
echo "python=$venv/bin/python"

#!/usr/bin/env bash
# Idempotent installer for the local target's platform binaries.
#
#   install.sh [kube-apiserver] [etcd] [toxiproxy] [moto]     (default: all)
#   install.sh localstack      (LocalStack as a process; never part of "all")
#   install.sh kind            (the kind command, for --target kind; never part of "all")
#
# Artifacts go to ${SEB_CACHE:-$HOME/.cache/seb}/<name>-<version>/, outside git.
# A component whose binary exists and answers --version with the pinned
# version is skipped. Go binaries are built into a temp dir inside the cache
# and renamed into place, so an interrupted build never leaves a half binary.
# Progress goes to stderr; stdout gets one line per binary, `name=/abs/path`.
#
# Environment:
#   SEB_CACHE        cache root (default $HOME/.cache/seb)
#   SEB_BUILD_JOBS   go build -p (default: number of CPUs)
#   SEB_PYTHON       python interpreter for the moto venv (default python3)
#   SEB_LOCALSTACK_PYTHON  interpreter for LocalStack's venv (default from localstack/versions.env)
# Go's own caches (GOMODCACHE, GOCACHE) are used as configured.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# shellcheck source=localstack/versions.env
source "$here/localstack/versions.env"
# shellcheck source=kind/versions.env
source "$here/kind/versions.env"

cache="${SEB_CACHE:-$HOME/.cache/seb}"
jobs="${SEB_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
python="${SEB_PYTHON:-python3}"
all=(kube-apiserver etcd toxiproxy moto)

log() { printf '[seb install] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Active temp dir and heartbeat pid, cleaned up on any exit.
tmp=""
beat=""
cleanup() {
  [[ -n "$beat" ]] && kill "$beat" 2>/dev/null || true
  [[ -n "$tmp" && -d "$tmp" ]] && rm -rf "$tmp" || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs "$@" while printing a line every minute, since go build is silent.
with_heartbeat() {
  local what="$1"; shift
  local start=$SECONDS
  ( while sleep 60; do log "… still $what ($(( (SECONDS - start) / 60 )) min)"; done ) &
  beat=$!
  local rc=0
  "$@" || rc=$?
  kill "$beat" 2>/dev/null || true
  wait "$beat" 2>/dev/null || true
  beat=""
  return "$rc"
}

# version_ok <expected substring> <command...>: command runs and prints it.
version_ok() {
  local want="$1"; shift
  [[ -x "$1" ]] || return 1
  local out
  out="$(timeout 30 "$@" 2>&1)" || return 1
  [[ "$out" == *"$want"* ]]
}

# Serialises concurrent installs of one component.
lock() {
  mkdir -p "$cache"
  if command -v flock >/dev/null; then
    exec 9>"$cache/.lock-$1"
    flock 9
  fi
}
unlock() { exec 9>&- || true; }

# Fresh temp dir on the cache's filesystem (so mv is a rename); removes
# leftovers of killed runs for the same artifact (we hold its lock).
make_tmp() {
  rm -rf "$cache/.tmp-$1".* 2>/dev/null || true
  tmp="$(mktemp -d "$cache/.tmp-$1.XXXXXX")"
}

# publish <final dir>: atomically move the temp dir into place.
publish() {
  local final="$1"
  chmod 755 "$tmp"           # mktemp -d makes it 0700
  rm -rf "$final"            # an invalid previous attempt, if any
  mv -T "$tmp" "$final"
  tmp=""
}

require_go() {
  command -v go >/dev/null || die "go not found (Go >= 1.26 needed)"
}

go_build() {  # go_build <module dir> <output> <package> [extra build flags...]
  local mod="$1" out="$2" pkg="$3"; shift 3
  ( cd "$here/$mod" &&
    CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -p "$jobs" \
      "$@" -o "$out" "$pkg" )
}

# --- components -------------------------------------------------------------

kube_dir()  { echo "$cache/kube-apiserver-$KUBE_APISERVER_VERSION"; }
kube_ok()   { version_ok "Kubernetes $KUBE_APISERVER_VERSION" "$(kube_dir)/kube-apiserver" --version; }
install_kube_apiserver() {
  local v="$KUBE_APISERVER_VERSION" name=kube-apiserver
  grep -q "k8s.io/kubernetes $v\b" "$here/kube-apiserver/go.mod" ||
    die "kube-apiserver/go.mod does not pin k8s.io/kubernetes $v"
  lock "$name"
  if kube_ok; then log "$name $v cached"; unlock; return; fi
  require_go
  local minor="${v#v1.}"; minor="${minor%%.*}"
  log "building $name $v (first time: ~10 min on 2 cores, peak ~2.2 GB RAM)…"
  make_tmp "$name-$v"
  with_heartbeat "building $name" go_build kube-apiserver "$tmp/kube-apiserver" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    -ldflags "-X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  version_ok "Kubernetes $v" "$tmp/kube-apiserver" --version || die "built $name does not report $v"
  publish "$(kube_dir)"
  log "$name $v built"
  unlock
}

etcd_dir()  { echo "$cache/etcd-$ETCD_VERSION"; }
etcd_ok()   {
  version_ok "etcd Version: ${ETCD_VERSION#v}" "$(etcd_dir)/etcd" --version &&
    version_ok "etcdctl version: ${ETCD_VERSION#v}" "$(etcd_dir)/etcdctl" version
}
install_etcd() {
  local v="$ETCD_VERSION" name=etcd
  grep -q "go.etcd.io/etcd/server/v3 $v\b" "$here/etcd/go.mod" ||
    die "etcd/go.mod does not pin go.etcd.io/etcd/server/v3 $v"
  lock "$name"
  if etcd_ok; then log "$name $v cached"; unlock; return; fi
  require_go
  log "building $name + etcdctl $v (first time: ~3 min)…"
  make_tmp "$name-$v"
  with_heartbeat "building $name" go_build etcd "$tmp/etcd" go.etcd.io/etcd/server/v3
  with_heartbeat "building etcdctl" go_build etcd "$tmp/etcdctl" go.etcd.io/etcd/etcdctl/v3
  version_ok "etcd Version: ${v#v}" "$tmp/etcd" --version || die "built etcd does not report $v"
  publish "$(etcd_dir)"
  log "$name $v built"
  unlock
}

toxi_dir()  { echo "$cache/toxiproxy-$TOXIPROXY_VERSION"; }
toxi_ok()   { version_ok "toxiproxy-server version ${TOXIPROXY_VERSION#v}" "$(toxi_dir)/toxiproxy-server" --version; }
install_toxiproxy() {
  local v="$TOXIPROXY_VERSION" name=toxiproxy
  grep -q "github.com/Shopify/toxiproxy/v2 $v\b" "$here/toxiproxy/go.mod" ||
    die "toxiproxy/go.mod does not pin github.com/Shopify/toxiproxy/v2 $v"
  lock "$name"
  if toxi_ok; then log "$name $v cached"; unlock; return; fi
  require_go
  log "building toxiproxy-server $v (first time: ~1.5 min)…"
  make_tmp "$name-$v"
  with_heartbeat "building toxiproxy-server" go_build toxiproxy "$tmp/toxiproxy-server" \
    github.com/Shopify/toxiproxy/v2/cmd/server \
    -ldflags "-X github.com/Shopify/toxiproxy/v2.Version=${v#v}"
  version_ok "version ${v#v}" "$tmp/toxiproxy-server" --version || die "built toxiproxy-server does not report $v"
  publish "$(toxi_dir)"
  log "$name $v built"
  unlock
}

kind_dir()  { echo "$cache/kind-$KIND_VERSION"; }
kind_ok()   { version_ok "kind $KIND_VERSION" "$(kind_dir)/kind" version; }
install_kind() {
  local v="$KIND_VERSION" name=kind
  grep -q "sigs.k8s.io/kind $v\b" "$here/kind/go.mod" || die "kind/go.mod does not pin sigs.k8s.io/kind $v"
  lock "$name"
  if kind_ok; then log "$name $v cached"; unlock; return; fi
  require_go
  log "building kind $v (first time: ~1 min)…"
  make_tmp "$name-$v"
  with_heartbeat "building kind" go_build kind "$tmp/kind" sigs.k8s.io/kind
  version_ok "kind $v" "$tmp/kind" version || die "built kind does not report $v"
  publish "$(kind_dir)"
  log "$name $v built"
  unlock
}

# A venv cannot be renamed (its scripts' shebangs hold its absolute path), so
# a Python server is built in place and marked complete only after it imports
# with the pinned version (check_<name>); a directory without the marker is
# discarded and rebuilt.
# install_venv <name> <version> <dir> <python> <constraints> <minutes> <check fn> <pip spec...>
install_venv() {
  local name="$1" v="$2" dir="$3" py="$4" constraints="$5" minutes="$6" check="$7"; shift 7
  lock "$name"
  if [[ -f "$dir/.seb-complete" ]] && "$check" "$dir"; then log "$name $v cached"; unlock; return; fi
  command -v "$py" >/dev/null || die "$py not found (needed for $name)"
  log "installing $name $v into a venv (first time: ~$minutes min)…"
  rm -rf "$dir"
  mkdir -p "$dir"
  "$py" -m venv "$dir/venv"
  with_heartbeat "installing $name" \
    "$dir/venv/bin/python" -m pip install --quiet --no-input --disable-pip-version-check -c "$constraints" "$@"
  "$check" "$dir" || die "installed $name does not report $v"
  : > "$dir/.seb-complete"
  log "$name $v installed"
  unlock
}

moto_dir()  { echo "$cache/moto-$MOTO_VERSION"; }
moto_check() {
  [[ -x "$1/venv/bin/moto_server" ]] &&
    version_ok "moto $MOTO_VERSION" "$1/venv/bin/python" -c \
      'import moto, moto.server; print("moto", moto.__version__)'
}
install_moto() {
  install_venv moto "$MOTO_VERSION" "$(moto_dir)" "$python" "$here/moto/constraints.txt" 2.5 moto_check "moto[server]==$MOTO_VERSION"
}

localstack_dir() { echo "$cache/localstack-$LOCALSTACK_VERSION"; }
localstack_check() {
  version_ok "localstack $LOCALSTACK_VERSION" "$1/venv/bin/python" -c \
    'import importlib.metadata as m, localstack.runtime.main; print("localstack", m.version("localstack-core"))'
}
install_localstack() {
  install_venv localstack "$LOCALSTACK_VERSION" "$(localstack_dir)" "${SEB_LOCALSTACK_PYTHON:-$LOCALSTACK_PYTHON}" \
    "$here/localstack/constraints.txt" 3 localstack_check "localstack-core[runtime]==$LOCALSTACK_VERSION"
}

# --- main -------------------------------------------------------------------

selected=("$@")
[[ ${#selected[@]} -eq 0 ]] && selected=("${all[@]}")
for c in "${selected[@]}"; do
  case "$c" in
    kube-apiserver|etcd|toxiproxy|moto|localstack|kind) ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown component '$c' (known: ${all[*]} localstack kind)" ;;
  esac
done

for c in "${selected[@]}"; do
  case "$c" in
    kube-apiserver) install_kube_apiserver ;;
    etcd)           install_etcd ;;
    toxiproxy)      install_toxiproxy ;;
    moto)           install_moto ;;
    localstack)     install_localstack ;;
    kind)           install_kind ;;
  esac
done

for c in "${selected[@]}"; do
  case "$c" in
    kube-apiserver) echo "kube-apiserver=$(kube_dir)/kube-apiserver" ;;
    etcd)           echo "etcd=$(etcd_dir)/etcd"; echo "etcdctl=$(etcd_dir)/etcdctl" ;;
    toxiproxy)      echo "toxiproxy-server=$(toxi_dir)/toxiproxy-server" ;;
    moto)           echo "moto_server=$(moto_dir)/venv/bin/moto_server" ;;
    localstack)     echo "localstack_python=$(localstack_dir)/venv/bin/python" ;;
    kind)           echo "kind=$(kind_dir)/kind" ;;
  esac
done

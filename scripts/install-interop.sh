#!/usr/bin/env bash
# Install the third-party iCalendar readers used by the interop checks and
# build the compiled reader adapters (see interop/readers/README.md).
#
# Idempotent: Debian packages are only fetched when one of them is missing,
# `npm ci` only runs when the lockfile changed since the last install, and
# the C/C++ adapters are only rebuilt when their source is newer than the
# binary. Safe to run from any working directory. Needs root (or sudo) for
# apt-get the first time.
#
# Environment:
#   INTEROP_SKIP_APT=1   never call apt-get (just report what is missing)
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd -- "$here/.." && pwd)
interop="$repo/interop"
build="$interop/build"

log() { printf 'install-interop: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------
apt_packages=(
  # toolchain for the C / C++ adapters
  gcc g++ pkg-config
  # libical (C)
  libical-dev
  # python readers; use /usr/bin/python3, not a pyenv/venv python
  python3 python3-icalendar python3-vobject python3-dateutil tzdata
  # KDE KCalendarCore (pulls in qtbase5-dev)
  libkf5calendarcore-dev
  # ruby icalendar gem, Debian build
  ruby ruby-icalendar
  # end-user clients
  khal calcurse
  # a case-blind file system to publish into: FAT images mounted with FUSE
  dosfstools fusefat fuse3
  # serving: nginx with the README's snippet, wrk for load; the page in
  # headless Chromium
  nginx-light wrk chromium
  # invitations sent through a real mail server, delivered to a Maildir
  postfix
  # the man page rendered as man renders it
  groff-base
  # CalDAV servers to keep a calendar in step with the programme
  radicale xandikos
  # node runtime for ical.js (often preinstalled from elsewhere, see below)
)

missing=()
for p in "${apt_packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  if [[ "$status" != ii* ]]; then
    missing+=("$p")
  fi
done

# node/npm: accept any node >= 18 already on PATH; otherwise use Debian's.
need_node=0
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  if (( node_major < 18 )); then need_node=1; fi
else
  need_node=1
fi
if (( need_node )); then
  missing+=(nodejs npm)
fi

if (( ${#missing[@]} )); then
  if [[ "${INTEROP_SKIP_APT:-0}" == 1 ]]; then
    log "missing Debian packages (INTEROP_SKIP_APT=1, not installing): ${missing[*]}"
  else
    sudo=()
    if (( EUID != 0 )); then sudo=(sudo); fi
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  log "Debian packages already installed"
fi

# --- npm: ical.js ------------------------------------------------------------
stamp="$interop/node/node_modules/.agendacal-installed-lock"
if [[ -f "$stamp" ]] && cmp -s "$stamp" "$interop/node/package-lock.json"; then
  log "npm packages up to date"
else
  log "npm ci in interop/node"
  (cd "$interop/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$interop/node/package-lock.json" "$stamp"
fi

# --- compiled adapters -----------------------------------------------------
mkdir -p "$build"

# rebuild when the binary is missing or older than its source
stale() { [[ ! -x "$1" || "$2" -nt "$1" ]]; }

if stale "$build/libical-reader" "$interop/readers/libical.c"; then
  log "building libical-reader"
  # shellcheck disable=SC2046
  gcc -std=c99 -O2 -Wall -Wextra -o "$build/libical-reader.tmp" \
    "$interop/readers/libical.c" $(pkg-config --cflags --libs libical)
  mv "$build/libical-reader.tmp" "$build/libical-reader"
fi

if stale "$build/kcalendarcore-reader" "$interop/readers/kcalendarcore.cpp"; then
  log "building kcalendarcore-reader"
  # shellcheck disable=SC2046
  g++ -std=c++17 -O2 -Wall -Wextra -fPIC -o "$build/kcalendarcore-reader.tmp" \
    "$interop/readers/kcalendarcore.cpp" \
    $(pkg-config --cflags --libs KF5CalendarCore Qt5Core Qt5Gui)
  mv "$build/kcalendarcore-reader.tmp" "$build/kcalendarcore-reader"
fi

# --- an S3-compatible server (Apache-2.0): versitygw ------------------------
versitygw_version=v1.8.0
gobin="$(go env GOPATH)/bin"
if [[ -x "$gobin/versitygw" ]] && go version -m "$gobin/versitygw" | grep -q "versitygw[[:space:]]*$versitygw_version"; then
  log "versitygw $versitygw_version already installed"
else
  log "go install versitygw $versitygw_version"
  go install "github.com/versity/versitygw/cmd/versitygw@$versitygw_version"
fi

log "done; reader versions:"
"$interop/readers/versions.sh" >&2 || true

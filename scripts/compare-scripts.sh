#!/usr/bin/env bash
# Compares agendacal with the scripts an organiser might write instead
# (scripts/anchors: python-icalendar with PyYAML, ical-generator with
# js-yaml) on the same synthetic programme: each writes one calendar of
# every session to standard output. Runs are interleaved; medians and the
# range of the ratios are printed. The anchors' libraries go into a scratch
# folder (Debian's python packages unpacked there, npm packages installed
# there), never into the project or the system.
#
#   scripts/compare-scripts.sh [DAYS ROOMS SLOTS [ROUNDS]]
#
# Defaults: 50 days × 10 rooms × 20 slots (10,000 sessions), 5 rounds.
# Needs apt-get (for 'apt-get download'), dpkg, python3, node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
days=${1:-50} rooms=${2:-10} slots=${3:-20} rounds=${4:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && apt-get download -q python3-icalendar python3-yaml python3-tz python3-dateutil >/dev/null 2>&1)
for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/py"; done
export PYTHONPATH="$work/py/usr/lib/python3/dist-packages"
mkdir -p "$work/node"
cp scripts/anchors/programme_ics.mjs "$work/node/"
npm install --prefix "$work/node" --no-audit --no-fund --loglevel=error ical-generator@11.1.2 js-yaml@5.5.0 >/dev/null

go build -o "$work/agendacal" ./cmd/agendacal
go run ./internal/synth/cmd/synth -days "$days" -rooms "$rooms" -slots "$slots" > "$work/programme.yaml"
export AGENDACAL_MAX_SIZE=1GiB
echo "programme: $((days * rooms * slots)) sessions, $(du -h "$work/programme.yaml" | cut -f1) of YAML;" \
  "python3 $(/usr/bin/python3 -c 'import sys; print(sys.version.split()[0])'), node $(node --version)" \
  "icalendar $(/usr/bin/python3 -c 'import icalendar; print(icalendar.__version__)')"

timed() { # name command...
  local name=$1; shift
  /usr/bin/time -f "$name %e" -a -o "$work/times" "$@" > "$work/$name.ics"
}
for i in $(seq "$rounds"); do
  timed agendacal "$work/agendacal" build --out - "$work/programme.yaml"
  timed python /usr/bin/python3 scripts/anchors/programme_ics.py "$work/programme.yaml"
  timed node node "$work/node/programme_ics.mjs" "$work/programme.yaml"
done
echo "VTIMEZONEs written: agendacal $(grep -c '^BEGIN:VTIMEZONE' "$work/agendacal.ics"), python $(grep -c '^BEGIN:VTIMEZONE' "$work/python.ics" || true), node $(grep -c '^BEGIN:VTIMEZONE' "$work/node.ics" || true);" \
  "events: $(grep -c '^BEGIN:VEVENT' "$work/agendacal.ics"), $(grep -c '^BEGIN:VEVENT' "$work/python.ics"), $(grep -c '^BEGIN:VEVENT' "$work/node.ics")"

python3 - "$work/times" "$rounds" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, seconds = line.split()
    runs[name].append(float(seconds))
for name in ("agendacal", "python", "node"):
    print(f"{name:10s} median {statistics.median(runs[name]):7.2f} s")
for name in ("python", "node"):
    ratios = [o / a for o, a in zip(runs[name], runs["agendacal"])]
    print(f"{name} / agendacal: median {statistics.median(ratios):5.1f}×, pairs {min(ratios):.1f}–{max(ratios):.1f}× (target at least 10×)")
PY

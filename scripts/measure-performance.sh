#!/usr/bin/env bash
# Measures whole agendacal runs on a synthetic programme against the floor
# that no implementation can beat: decoding the YAML into a node tree
# (internal/synth/cmd/yamlfloor) plus creating the output tree (cp -r of
# what agendacal writes). Each command runs ROUNDS times, interleaved with
# the others so that a busy moment of the machine hits all alike; the
# medians are printed, with the peak resident memory of each against the
# decode's, and the ratios to the floor of each round's pair: their median
# and their range. "rebuild" is what cron runs: the same programme built
# again over its own output, which writes nothing; "one-change" builds the
# programme with one session's title edited over that output, the first
# change after a fresh build; "next-change" then builds the programme as
# it was, another one-session change, as cron builds each edit of a
# programme it keeps published.
#
#   scripts/measure-performance.sh [DAYS ROOMS SLOTS [ROUNDS]]
#   TMPDIR=/dev/shm scripts/measure-performance.sh    # on tmpfs
#
# Defaults: 50 days × 10 rooms × 20 slots (10,000 sessions), 5 rounds. The
# work folder is made in TMPDIR (/tmp if unset): the disk measured.
set -euo pipefail
cd "$(dirname "$0")/.."
days=${1:-50} rooms=${2:-10} slots=${3:-20} rounds=${4:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Programmes past the default --max-size (16 MiB) are measured too.
export AGENDACAL_MAX_SIZE=1GiB

go build -o "$work/agendacal" ./cmd/agendacal
go build -o "$work/yamlfloor" ./internal/synth/cmd/yamlfloor
go run ./internal/synth/cmd/synth -days "$days" -rooms "$rooms" -slots "$slots" > "$work/programme.yaml"
# The same programme with the first session's title edited.
sed '0,/title: "Bashkëpunimi 1\.1\.1:/s//title: "Edited 1.1.1:/' "$work/programme.yaml" > "$work/edited.yaml"
cmp -s "$work/programme.yaml" "$work/edited.yaml" && { echo "no session edited" >&2; exit 1; }
"$work/agendacal" build --out "$work/reference" "$work/programme.yaml"
fstype=$(df --output=fstype "$work" | tail -1)
echo "programme: $((days * rooms * slots)) sessions, $(du -h "$work/programme.yaml" | cut -f1) of YAML;" \
  "output: $(find "$work/reference" -type f | wc -l) files, $(du -sh "$work/reference" | cut -f1);" \
  "work folder on $fstype"

timed() { # name command...
  local name=$1; shift
  /usr/bin/time -f "$name %e %M" -a -o "$work/times" "$@" > /dev/null
}
for i in $(seq "$rounds"); do
  timed floor-decode "$work/yamlfloor" "$work/programme.yaml"
  timed floor-create cp -r "$work/reference" "$work/copy$i"
  timed build "$work/agendacal" build --out "$work/out$i" "$work/programme.yaml"
  timed rebuild "$work/agendacal" build --out "$work/out$i" "$work/programme.yaml"
  timed one-change "$work/agendacal" build --out "$work/out$i" "$work/edited.yaml"
  timed next-change "$work/agendacal" build --out "$work/out$i" "$work/programme.yaml"
  timed stdout "$work/agendacal" build --out - "$work/programme.yaml"
  timed check "$work/agendacal" check "$work/programme.yaml"
  timed check-pristina "$work/agendacal" check examples/pristina.yaml
  # On tmpfs a round's trees go at its end. On a disk they stay until the
  # script ends (two trees a round: 2.5 GB at 100,000 sessions). ext4
  # without a journal reuses no inode for a minute after it is freed (five
  # while its inode table's block is unwritten), and creating thousands of
  # files soon after removing thousands scans past every one of them: the
  # next round's fresh build then took 10 to 100 s instead of 7, measuring
  # this script's removals rather than the build.
  if [ "$fstype" = tmpfs ]; then
    rm -rf "$work/copy$i" "$work/out$i" "$work/.out$i.agendacal-previous"
  fi
done

python3 - "$work/times" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, seconds, kib = line.split()
    runs[name].append((float(seconds), int(kib)))
med = {k: statistics.median(t for t, _ in v) for k, v in runs.items()}
mem = {k: statistics.median(m for _, m in v) for k, v in runs.items()}
for k, v in runs.items():
    print(f"{k:15s} median {med[k]:6.2f} s   peak {mem[k] / 1024:6.0f} MiB"
          f" ({mem[k] / mem['floor-decode']:.2f} × the decode's)")
def seconds(name):
    return [t for t, _ in runs[name]]
decode, create = seconds("floor-decode"), seconds("floor-create")
def ratios(name, target, with_create=False):
    r = [t / (d + (c if with_create else 0)) for t, d, c in zip(seconds(name), decode, create)]
    floor = "(decode + create)" if with_create else "decode"
    print(f"{name + ' / ' + floor:28s} median {statistics.median(r):5.2f}, pairs {min(r):.2f}–{max(r):.2f}  (target at most {target})")
ratios("build", 1.2, with_create=True)
ratios("stdout", 1.3)
ratios("rebuild", 1.2)
ratios("one-change", 1.3)
ratios("next-change", 1.3)
PY

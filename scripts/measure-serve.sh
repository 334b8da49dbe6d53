#!/usr/bin/env bash
# Measures 'agendacal serve' under load with wrk, on loopback only: the
# Pristina programme and a synthetic 10,000-session one, each for whole
# responses (200) and revalidations (If-None-Match, 304) of programme.ics.
# Prints requests per second and the 99th percentile of latency.
#
#   scripts/measure-serve.sh [SECONDS]       (default 10 a run)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/agendacal" ./cmd/agendacal
go run ./internal/synth/cmd/synth -days 50 -rooms 10 -slots 20 > "$work/congress.yaml"
port=18080
for programme in examples/pristina.yaml "$work/congress.yaml"; do
  port=$((port + 1))
  "$work/agendacal" serve --quiet --addr "127.0.0.1:$port" --out "$work/out$port" "$programme" 2>/dev/null &
  pids+=($!)
  url="http://127.0.0.1:$port/programme.ics"
  for _ in $(seq 100); do curl -fsS -o /dev/null "$url" 2>/dev/null && break; sleep 0.2; done
  etag=$(curl -fsSI "$url" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
  size=$(curl -fsS "$url" | wc -c)
  for kind in 200 304; do
    header=()
    [ "$kind" = 304 ] && header=(-H "If-None-Match: $etag")
    out=$(wrk -t 2 -c 16 -d "${seconds}s" --latency "${header[@]}" "$url")
    rps=$(echo "$out" | sed -n 's/^Requests\/sec: *//p')
    p99=$(echo "$out" | sed -n 's/^ *99% *//p')
    printf '%-22s %8d bytes  %s  %10s req/s  p99 %s\n' "$(basename "$programme")" "$size" "$kind" "$rps" "$p99"
  done
done

#!/usr/bin/env bash
# Builds the release archives of agendacal VERSION into OUT (dist/ by
# default): static binaries for Linux, macOS and Windows on amd64 and arm64
# with the README, shell completions and man page, and SHA256SUMS. Two runs
# of the same commit with the same Go give byte-identical archives.
#
#   scripts/release.sh v1.2.3 [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
  echo "usage: scripts/release.sh VERSION [OUT]" >&2
  exit 2
fi
go run ./internal/release -version "$1" -out "${2:-dist}"

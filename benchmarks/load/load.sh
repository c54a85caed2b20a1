#!/bin/sh
# Load with the real server binary and PostgreSQL on loopback (issue 9).
#
#   benchmarks/load/load.sh                 # builds bin/nevermind, runs both scenarios
#   BIN=/path/to/nevermind benchmarks/load/load.sh -scenario gets -duration 60s
#
# Exits 1 when a target is missed (≥ 2000 req/s and p99 ≤ 20 ms for cached
# feedback GETs; server RSS < 300 MB during 20 concurrent 50 MB uploads).
# Needs espeak-ng and the ffmpeg CLI to make the test media.
set -eu
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin/nevermind}
if [ "$BIN" = bin/nevermind ]; then
	make build
fi
exec go run ./benchmarks/load -bin "$BIN" "$@"

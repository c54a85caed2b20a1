#!/bin/sh
# Load with the real server binary and PostgreSQL on loopback (issue 9).
#
#   benchmarks/load/load.sh                 # builds bin/nevermind, runs both scenarios
#   BIN=/path/to/nevermind benchmarks/load/load.sh -scenario gets -duration 60s
#   benchmarks/load/load.sh -scenario hostile   # 10 × 29 min of Opus: API memory (issue 18)
#   benchmarks/load/load.sh -scenario slow      # 300 trickling connections: how many are held
#   benchmarks/load/load.sh -scenario orphan    # SIGKILL mid-analysis (SQLite): recovery time
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

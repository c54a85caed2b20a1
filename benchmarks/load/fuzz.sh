#!/bin/sh
# Runs every fuzz target of issue 9 one after another, each for FUZZTIME
# (default 10m) with one worker (-parallel 1), so the run stays polite on a
# shared 2-core machine. Logs go to $LOGDIR (default ./fuzz-logs); a crasher
# is written by go test under the package's testdata/fuzz/<Target>/ and must
# be committed as a regression test.
#
#   benchmarks/load/fuzz.sh                  # all targets, 10 minutes each
#   FUZZTIME=30s benchmarks/load/fuzz.sh     # a quick pass
#   benchmarks/load/fuzz.sh FuzzVerify       # one target
#
# media.FuzzOpenReader needs cgo: run it with
#   scripts/ffmpeg-env.sh go test -run '^$' -fuzz FuzzOpenReader -fuzztime 10m -parallel 1 ./media
set -u
FUZZTIME=${FUZZTIME:-10m}
LOGDIR=${LOGDIR:-fuzz-logs}
mkdir -p "$LOGDIR"
cd "$(dirname "$0")/../.." || exit 1
status=0
for spec in FuzzAnalyze:./vocal FuzzJSONBodies:./server FuzzUploadBody:./server FuzzVerify:./server/auth FuzzLoadBytes:./vision/infer; do
	target=${spec%%:*} pkg=${spec#*:}
	if [ $# -gt 0 ] && ! echo " $* " | grep -q " $target "; then
		continue
	fi
	log="$LOGDIR/$target.log"
	echo "== $target ($pkg) for $FUZZTIME, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$log"
	if ! go test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" -parallel 1 "$pkg" >>"$log" 2>&1; then
		status=1
	fi
	tail -n 3 "$log"
done
exit $status

#!/bin/sh
# Reruns the vocal speed comparison (README.md): vocal.Analyze against a
# Praat script doing the seed's measurements, on the same 60 s of LibriVox
# speech, on one core (taskset -c 0), interleaved, N runs each, medians.
# Needs: go, praat, sox, pocketsphinx-testdata, util-linux (taskset), time.
set -eu
N=${N:-7}
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
lib=/usr/share/pocketsphinx/test/data/librivox
wav="$dir/speech60.wav"
sox $lib/*.wav $lib/*.wav $lib/*.wav "$wav" trim 0 60
go build -o "$dir/vocalbench" ./benchmarks/vocal
cpu() { /usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1+$2}'; }
: > "$dir/praat_wall"; : > "$dir/praat_cpu"; : > "$dir/base_cpu"; : > "$dir/go.json"; : > "$dir/seed.json"
for i in $(seq "$N"); do
	taskset -c 0 praat --run benchmarks/vocal/seed_measures.praat "$wav" >> "$dir/praat_wall"
	cpu taskset -c 0 praat --run benchmarks/vocal/seed_measures.praat "$wav" >> "$dir/praat_cpu"
	cpu taskset -c 0 praat --run benchmarks/vocal/read_only.praat "$wav" >> "$dir/base_cpu"
	GOMAXPROCS=1 taskset -c 0 "$dir/vocalbench" -wav "$wav" -n 1 >> "$dir/go.json"
	GOMAXPROCS=1 taskset -c 0 "$dir/vocalbench" -wav "$wav" -n 1 -seed-only >> "$dir/seed.json"
done
python3 - "$dir" <<'PY'
import json, statistics, sys
d = sys.argv[1]
num = lambda f: [float(x) for x in open(f"{d}/{f}").read().split()]
go = [json.loads(l) for l in open(f"{d}/go.json")]
pw = statistics.median(num("praat_wall"))
pc = statistics.median(num("praat_cpu")) - statistics.median(num("base_cpu"))
seed = [json.loads(l) for l in open(f"{d}/seed.json")]
print(f"audio: 60 s, runs: {len(go)}, one core")
print(f"Praat seed measures:         wall {pw:.3f} s, CPU {pc:.3f} s (start-up and file reading excluded)")
for name, rows in (("Go seed measures (praat pkg)", seed), ("vocal.Analyze (full report) ", go)):
    gw = statistics.median(g["median_wall_s"] for g in rows)
    gc = statistics.median(g["median_cpu_s"] for g in rows)
    print(f"{name}: wall {gw:.3f} s, CPU {gc:.3f} s -> {pw/gw:.1f}x / {pc/gc:.1f}x faster than Praat (wall/CPU), {60/gw:.0f}x / {60/gc:.0f}x real time")
PY

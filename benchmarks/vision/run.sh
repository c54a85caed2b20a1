#!/bin/sh
# Reruns the vision speed measurements (README.md): vision.Analyze on a 60-s
# interview-like video (astronaut.png, moving slightly, on 640×360) sampled
# at 5 fps, on one core (taskset -c 0, GOMAXPROCS=1) and on two, then the
# per-stage benchmarks, and onnxruntime-node on the same five models in the
# same session for reference. Needs: go, ffmpeg (Debian CLI, for the video),
# util-linux (taskset), astronaut.png from scripts/deps.sh; for the
# reference, node and onnxruntime-node in benchmarks/infer/node_modules
# (see benchmarks/infer/README.md; skipped when absent).
set -eu
N=${N:-3}
cd "$(dirname "$0")/../.."
img=${ASTRONAUT:-$HOME/.cache/nevermind/testdata/astronaut.png}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ffmpeg -hide_banner -loglevel error -y -loop 1 -framerate 25 -i "$img" \
	-f lavfi -i color=c=0x808080:s=640x360:r=25 \
	-filter_complex "[0]scale=-1:360[f];[1][f]overlay=x='140+30*sin(t/3)':y='4*sin(t)',format=yuv420p[v]" \
	-map "[v]" -t 60 -r 25 -c:v libx264 -preset ultrafast -crf 20 "$dir/answer60.mp4"
scripts/ffmpeg-env.sh go build -o "$dir/visionbench" ./benchmarks/vision
echo "one core:";  GOMAXPROCS=1 taskset -c 0 "$dir/visionbench" -video "$dir/answer60.mp4" -n "$N"
echo "two cores:"; GOMAXPROCS=2 taskset -c 0,1 "$dir/visionbench" -video "$dir/answer60.mp4" -n "$N"
echo "per stage (one core):"
taskset -c 0 scripts/ffmpeg-env.sh go test -run '^$' -bench 'Stages|Frame|Crop' -benchtime 50x -cpu 1 ./vision/
if command -v node >/dev/null && [ -d benchmarks/infer/node_modules/onnxruntime-node ]; then
	echo "onnxruntime-node 1 thread, inference only (CPU ms per run, 50 runs; random inputs):"
	for spec in blazeface:1,128,128,3 facemesh:1,192,192,3 iris:1,64,64,3 expression:1,112,112,3 pose:1,257,257,3; do
		m=${spec%%:*}; dims=${spec#*:}
		python3 -c "import array,random,sys; n=1
for d in sys.argv[2].split(','): n*=int(d)
random.seed(1); open(sys.argv[1],'wb').write(array.array('f',[random.uniform(-1,1) for _ in range(n)]).tobytes())" "$dir/$m.f32" "$dims"
		printf '%-11s ' "$m"
		taskset -c 0 node benchmarks/infer/ort.js "vision/models/$m.onnx" "$dir/$m.f32" "$dims" "$dir/$m.out" 50 1 2>/dev/null |
			python3 -c "import json,sys; r=json.loads(sys.stdin.read()); print(f\"cpu {r['cpu_ms']:.2f} ms, median wall {r['median_ms']:.2f} ms\")"
	done
else
	echo "(node or onnxruntime-node missing: no onnxruntime reference)"
fi

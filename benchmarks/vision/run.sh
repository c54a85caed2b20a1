#!/bin/sh
# Reruns the vision speed measurements (README.md): vision.Analyze on a 60-s
# interview-like video (astronaut.png, moving slightly, on 640×360) sampled
# at 5 fps, on one core (taskset -c 0, GOMAXPROCS=1) and on two, then the
# per-stage benchmarks. Needs: go, ffmpeg (Debian CLI, for the video),
# util-linux (taskset), astronaut.png from scripts/deps.sh.
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
scripts/ffmpeg-env.sh go test -run '^$' -bench 'Stages|Frame' -benchtime 50x -cpu 1 ./vision/

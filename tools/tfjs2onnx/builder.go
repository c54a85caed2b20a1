package main

import (
	"fmt"
)

// value is a tensor of the graph being built. Shapes are kept in TensorFlow
// order (NHWC for rank 4); nchw says whether the ONNX tensor holding it has
// been transposed to NCHW, which every rank-4 activation is, so that Conv,
// pooling and Pad see the layout ONNX defines.
type value struct {
	name  string
	shape []int
	nchw  bool
}

// builder accumulates ONNX nodes and initializers with deterministic names
// derived from the source graph, so the same input always yields the same
// bytes (make models checks the sha256 of every output).
type builder struct {
	graph  onnxGraph
	used   map[string]bool
	counts map[string]int // op type -> number of nodes, for the report
	macs   int64          // multiply-accumulates of the convolutions and MatMuls
}

func newBuilder(name string) *builder {
	return &builder{graph: onnxGraph{name: name}, used: map[string]bool{}, counts: map[string]int{}}
}

// unique returns base, or base with a numeric suffix if base is taken.
func (b *builder) unique(base string) string {
	name := base
	for i := 1; b.used[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	b.used[name] = true
	return name
}

func (b *builder) node(op, name string, inputs []string, attrs ...onnxAttr) string {
	out := b.unique(name)
	b.graph.nodes = append(b.graph.nodes, onnxNode{name: out, op: op, inputs: inputs, outputs: []string{out}, attrs: attrs})
	b.counts[op]++
	return out
}

func (b *builder) floatInit(name string, dims []int64, data []float32) string {
	n := b.unique(name)
	b.graph.inits = append(b.graph.inits, floatTensor(n, dims, data))
	return n
}

func (b *builder) int64Init(name string, data []int64) string {
	n := b.unique(name)
	b.graph.inits = append(b.graph.inits, int64Tensor(n, []int64{int64(len(data))}, data))
	return n
}

func (b *builder) addInput(name string, shape []int) value {
	b.used[name] = true
	b.graph.inputs = append(b.graph.inputs, onnxValue{name: name, shape: toInt64(shape)})
	if len(shape) != 4 {
		return value{name: name, shape: shape}
	}
	t := b.node("Transpose", name+"/nchw", []string{name}, intsAttr("perm", 0, 3, 1, 2))
	return value{name: t, shape: shape, nchw: true}
}

// addOutput exposes v under name, in TensorFlow (NHWC) layout.
func (b *builder) addOutput(v value, name string) {
	v = b.toTF(v, name+"/nhwc")
	b.used[name] = true
	b.graph.nodes = append(b.graph.nodes, onnxNode{name: name, op: "Identity", inputs: []string{v.name}, outputs: []string{name}})
	b.counts["Identity"]++
	b.graph.outputs = append(b.graph.outputs, onnxValue{name: name, shape: toInt64(v.shape)})
}

// toTF returns v in TensorFlow layout, transposing NCHW back to NHWC.
func (b *builder) toTF(v value, name string) value {
	if !v.nchw {
		return v
	}
	t := b.node("Transpose", name, []string{v.name}, intsAttr("perm", 0, 2, 3, 1))
	return value{name: t, shape: v.shape}
}

func toInt64(s []int) []int64 {
	out := make([]int64, len(s))
	for i, v := range s {
		out[i] = int64(v)
	}
	return out
}

// convSpec describes a 2-D convolution in TensorFlow terms.
type convSpec struct {
	name    string
	filter  weight // TF layout: [kh, kw, in, out] or, for depthwise, [kh, kw, in, multiplier]
	bias    []float32
	strides [2]int
	dil     [2]int
	padding string // SAME, VALID or EXPLICIT
	pads    [4]int // top, bottom, left, right when padding is EXPLICIT
	depth   bool   // depthwise
}

// samePads returns TensorFlow's SAME padding (before, after) for one axis:
// the output is ceil(in/stride) and any odd padding goes after.
func samePads(in, k, stride, dil int) (int, int) {
	out := (in + stride - 1) / stride
	eff := (k-1)*dil + 1
	total := max((out-1)*stride+eff-in, 0)
	return total / 2, total - total/2
}

func (b *builder) conv(x value, c convSpec) (value, error) {
	if !x.nchw || len(x.shape) != 4 {
		return value{}, fmt.Errorf("node %s: convolution input is not a rank-4 image tensor (shape %v)", c.name, x.shape)
	}
	if len(c.filter.shape) != 4 {
		return value{}, fmt.Errorf("node %s: filter shape %v is not rank 4", c.name, c.filter.shape)
	}
	kh, kw, cin, cout := c.filter.shape[0], c.filter.shape[1], c.filter.shape[2], c.filter.shape[3]
	n, h, w, ch := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if cin != ch {
		return value{}, fmt.Errorf("node %s: filter expects %d input channels, input has %d", c.name, cin, ch)
	}
	if c.dil == [2]int{} {
		c.dil = [2]int{1, 1}
	}
	var top, bottom, left, right int
	switch c.padding {
	case "SAME":
		top, bottom = samePads(h, kh, c.strides[0], c.dil[0])
		left, right = samePads(w, kw, c.strides[1], c.dil[1])
	case "VALID":
	case "EXPLICIT":
		top, bottom, left, right = c.pads[0], c.pads[1], c.pads[2], c.pads[3]
	default:
		return value{}, fmt.Errorf("node %s: unsupported padding %q", c.name, c.padding)
	}
	// ONNX weight layout [O, I/group, kh, kw].
	var wdims []int64
	var data []float32
	group := 1
	outC := cout
	if c.depth {
		mult := cout
		outC = cin * mult
		group = cin
		wdims = []int64{int64(outC), 1, int64(kh), int64(kw)}
		data = make([]float32, outC*kh*kw)
		for y := range kh {
			for xx := range kw {
				for ci := range cin {
					for m := range mult {
						o := ci*mult + m
						data[(o*kh+y)*kw+xx] = c.filter.floats[((y*kw+xx)*cin+ci)*mult+m]
					}
				}
			}
		}
	} else {
		wdims = []int64{int64(cout), int64(cin), int64(kh), int64(kw)}
		data = make([]float32, cout*cin*kh*kw)
		for y := range kh {
			for xx := range kw {
				for ci := range cin {
					for o := range cout {
						data[((o*cin+ci)*kh+y)*kw+xx] = c.filter.floats[((y*kw+xx)*cin+ci)*cout+o]
					}
				}
			}
		}
	}
	inputs := []string{x.name, b.floatInit(c.name+"/W", wdims, data)}
	if c.bias != nil {
		if len(c.bias) != outC {
			return value{}, fmt.Errorf("node %s: bias has %d values for %d channels", c.name, len(c.bias), outC)
		}
		inputs = append(inputs, b.floatInit(c.name+"/B", []int64{int64(outC)}, c.bias))
	}
	attrs := []onnxAttr{
		intsAttr("kernel_shape", int64(kh), int64(kw)),
		intsAttr("strides", int64(c.strides[0]), int64(c.strides[1])),
		intsAttr("pads", int64(top), int64(left), int64(bottom), int64(right)),
		intsAttr("dilations", int64(c.dil[0]), int64(c.dil[1])),
	}
	if group != 1 {
		attrs = append(attrs, intAttr("group", int64(group)))
	}
	y := b.node("Conv", c.name, inputs, attrs...)
	effH, effW := (kh-1)*c.dil[0]+1, (kw-1)*c.dil[1]+1
	oh := (h+top+bottom-effH)/c.strides[0] + 1
	ow := (w+left+right-effW)/c.strides[1] + 1
	if oh <= 0 || ow <= 0 {
		return value{}, fmt.Errorf("node %s: input %dx%d too small for the %dx%d kernel", c.name, h, w, kh, kw)
	}
	b.macs += int64(n) * int64(oh) * int64(ow) * int64(outC) * int64(cin/group) * int64(kh) * int64(kw)
	return value{name: y, shape: []int{n, oh, ow, outC}, nchw: true}, nil
}

// activation applies a TensorFlow activation by name; alpha is the PReLU
// slope per channel or, for LeakyRelu, a single value.
func (b *builder) activation(x value, kind, name string, alpha []float32) (value, error) {
	switch kind {
	case "Relu":
		return value{name: b.node("Relu", name, []string{x.name}), shape: x.shape, nchw: x.nchw}, nil
	case "Relu6":
		lo := b.floatInit(name+"/min", nil, []float32{0})
		hi := b.floatInit(name+"/max", nil, []float32{6})
		return value{name: b.node("Clip", name, []string{x.name, lo, hi}), shape: x.shape, nchw: x.nchw}, nil
	case "Sigmoid":
		return value{name: b.node("Sigmoid", name, []string{x.name}), shape: x.shape, nchw: x.nchw}, nil
	case "Tanh":
		return value{name: b.node("Tanh", name, []string{x.name}), shape: x.shape, nchw: x.nchw}, nil
	case "LeakyRelu":
		if len(alpha) != 1 {
			return value{}, fmt.Errorf("node %s: LeakyRelu needs one alpha", name)
		}
		return value{name: b.node("LeakyRelu", name, []string{x.name}, floatAttr("alpha", alpha[0])), shape: x.shape, nchw: x.nchw}, nil
	case "Prelu":
		c := x.shape[len(x.shape)-1]
		if len(alpha) != c {
			return value{}, fmt.Errorf("node %s: PReLU has %d slopes for %d channels", name, len(alpha), c)
		}
		// The slope broadcasts against NCHW as [C,1,1].
		dims := []int64{int64(c)}
		if x.nchw {
			dims = []int64{int64(c), 1, 1}
		}
		s := b.floatInit(name+"/slope", dims, alpha)
		return value{name: b.node("PRelu", name, []string{x.name, s}), shape: x.shape, nchw: x.nchw}, nil
	}
	return value{}, fmt.Errorf("node %s: unsupported activation %q", name, kind)
}

// pool emits MaxPool or AveragePool with TensorFlow SAME/VALID padding.
// ONNX pooling ignores padded cells (AveragePool count_include_pad=0), which
// is TensorFlow's semantics too.
func (b *builder) pool(x value, op, name string, k, s [2]int, padding string) (value, error) {
	if !x.nchw {
		return value{}, fmt.Errorf("node %s: pooling input is not a rank-4 image tensor", name)
	}
	h, w := x.shape[1], x.shape[2]
	var top, bottom, left, right int
	switch padding {
	case "SAME":
		top, bottom = samePads(h, k[0], s[0], 1)
		left, right = samePads(w, k[1], s[1], 1)
	case "VALID":
	default:
		return value{}, fmt.Errorf("node %s: unsupported pool padding %q", name, padding)
	}
	y := b.node(op, name, []string{x.name},
		intsAttr("kernel_shape", int64(k[0]), int64(k[1])),
		intsAttr("strides", int64(s[0]), int64(s[1])),
		intsAttr("pads", int64(top), int64(left), int64(bottom), int64(right)))
	oh := (h+top+bottom-k[0])/s[0] + 1
	ow := (w+left+right-k[1])/s[1] + 1
	return value{name: y, shape: []int{x.shape[0], oh, ow, x.shape[3]}, nchw: true}, nil
}

// pad emits a constant zero Pad; p holds TensorFlow (before, after) pairs per
// NHWC axis.
func (b *builder) pad(x value, name string, p [][2]int) (value, error) {
	if len(p) != len(x.shape) {
		return value{}, fmt.Errorf("node %s: %d padding pairs for rank %d", name, len(p), len(x.shape))
	}
	order := make([]int, len(p)) // ONNX axis -> TF axis
	for i := range order {
		order[i] = i
	}
	if x.nchw {
		order = []int{0, 3, 1, 2}
	}
	pads := make([]int64, 2*len(p))
	shape := append([]int(nil), x.shape...)
	for i, tf := range order {
		pads[i] = int64(p[tf][0])
		pads[i+len(p)] = int64(p[tf][1])
	}
	for i := range shape {
		shape[i] += p[i][0] + p[i][1]
	}
	y := b.node("Pad", name, []string{x.name, b.int64Init(name+"/pads", pads)}, stringAttr("mode", "constant"))
	return value{name: y, shape: shape, nchw: x.nchw}, nil
}

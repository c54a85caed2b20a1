package main

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// graphOptions selects what to convert from a tfjs graph model.
type graphOptions struct {
	// Input renames the graph input; empty keeps the tfjs Placeholder name.
	Input string
	// InputHW, if non-zero, fixes the height and width of a rank-4 NHWC
	// input (fully convolutional models such as PoseNet take any size).
	InputHW [2]int
	// Outputs lists tfjs node names to expose, each optionally renamed
	// ("Identity_2=mesh"). Empty means every node nobody consumes. Nodes
	// that feed no listed output are pruned.
	Outputs []string
}

// pendingPad is a spatial zero Pad that the following VALID convolution
// absorbs into its own pads (exact: the padded cells are zeros either way).
type pendingPad struct {
	src  string
	pads [4]int // top, bottom, left, right
}

type graphConverter struct {
	b       *builder
	nodes   map[string]*tfjsNode
	weights map[string]weight
	values  map[string]value
	padded  map[string]pendingPad
	users   map[string][]*tfjsNode
	opts    graphOptions
}

// convertGraphModel converts the tfjs graph model at modelPath inside files
// (a tarball's contents) into ONNX.
func convertGraphModel(files map[string][]byte, modelPath string, opts graphOptions) (*builder, error) {
	raw, ok := files[modelPath]
	if !ok {
		return nil, fmt.Errorf("%s: %w", modelPath, errMissingFile)
	}
	var m tfjsModel
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", modelPath, err)
	}
	if m.Format != "graph-model" {
		return nil, fmt.Errorf("%s: format %q, want graph-model", modelPath, m.Format)
	}
	weights, err := decodeWeights(m.WeightsManifest, files, path.Dir(modelPath))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", modelPath, err)
	}
	c := &graphConverter{
		b:       newBuilder(strings.TrimSuffix(path.Base(modelPath), ".json")),
		nodes:   map[string]*tfjsNode{},
		weights: weights,
		values:  map[string]value{},
		padded:  map[string]pendingPad{},
		users:   map[string][]*tfjsNode{},
		opts:    opts,
	}
	for i := range m.ModelTopology.Node {
		n := &m.ModelTopology.Node[i]
		c.nodes[n.Name] = n
	}
	type out struct{ src, name string }
	var outs []out
	for _, o := range opts.Outputs {
		src, name, ok := strings.Cut(o, "=")
		if !ok {
			name = src
		}
		if _, exists := c.nodes[src]; !exists {
			return nil, fmt.Errorf("output %q: no such node in %s", src, modelPath)
		}
		outs = append(outs, out{src, name})
	}
	if len(outs) == 0 {
		consumed := map[string]bool{}
		for _, n := range m.ModelTopology.Node {
			for _, in := range n.Input {
				consumed[tensorName(in)] = true
			}
		}
		for _, n := range m.ModelTopology.Node {
			if n.Op != "Const" && !consumed[n.Name] {
				outs = append(outs, out{n.Name, n.Name})
			}
		}
	}
	// Depth-first post-order from the outputs gives a topological order
	// that is stable (inputs in their listed order) and prunes dead nodes.
	var order []*tfjsNode
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string) error
	visit = func(name string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("cycle through node %s", name)
		case 2:
			return nil
		}
		n, ok := c.nodes[name]
		if !ok {
			if _, isWeight := weights[name]; isWeight {
				return nil
			}
			return fmt.Errorf("unknown input %q", name)
		}
		state[name] = 1
		for _, in := range n.Input {
			if strings.HasPrefix(in, "^") {
				continue // control dependency
			}
			if err := visit(tensorName(in)); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, n)
		return nil
	}
	for _, o := range outs {
		if err := visit(o.src); err != nil {
			return nil, err
		}
	}
	for _, n := range order {
		for _, in := range n.Input {
			if !strings.HasPrefix(in, "^") {
				c.users[tensorName(in)] = append(c.users[tensorName(in)], n)
			}
		}
	}
	for _, n := range order {
		if err := c.convertNode(n); err != nil {
			return nil, err
		}
	}
	for _, o := range outs {
		v, err := c.input(o.src)
		if err != nil {
			return nil, err
		}
		c.b.addOutput(v, o.name)
	}
	return c.b, nil
}

// tensorName strips the output index from a tfjs input reference; every op
// the converter accepts has a single output.
func tensorName(in string) string {
	name, _, _ := strings.Cut(in, ":")
	return name
}

func (c *graphConverter) input(ref string) (value, error) {
	name := tensorName(ref)
	if p, ok := c.padded[name]; ok {
		// A consumer that cannot absorb the pad gets a real Pad node.
		x, err := c.input(p.src)
		if err != nil {
			return value{}, err
		}
		v, err := c.b.pad(x, name, [][2]int{{0, 0}, {p.pads[0], p.pads[1]}, {p.pads[2], p.pads[3]}, {0, 0}})
		if err != nil {
			return value{}, err
		}
		delete(c.padded, name)
		c.values[name] = v
		return v, nil
	}
	v, ok := c.values[name]
	if !ok {
		return value{}, fmt.Errorf("tensor %q is not an activation (constant used as data?)", name)
	}
	return v, nil
}

func (c *graphConverter) weight(n *tfjsNode, i int) (weight, error) {
	if i >= len(n.Input) {
		return weight{}, fmt.Errorf("node %s (%s): missing input %d", n.Name, n.Op, i)
	}
	w, ok := c.weights[tensorName(n.Input[i])]
	if !ok {
		return weight{}, fmt.Errorf("node %s (%s): input %s is not a constant", n.Name, n.Op, n.Input[i])
	}
	return w, nil
}

func (c *graphConverter) convertNode(n *tfjsNode) error {
	switch n.Op {
	case "Const":
		if _, ok := c.weights[n.Name]; !ok {
			return fmt.Errorf("node %s: constant without weights", n.Name)
		}
		return nil
	case "Placeholder":
		var shape []int
		if a, ok := n.Attr["shape"]; ok && a.Shape != nil {
			for _, d := range a.Shape.Dim {
				v, err := strconv.Atoi(d.Size)
				if err != nil {
					return fmt.Errorf("node %s: shape: %w", n.Name, err)
				}
				if v < 0 {
					v = 1 // batch of one
				}
				shape = append(shape, v)
			}
		}
		if c.opts.InputHW != [2]int{} {
			if len(shape) != 4 {
				return fmt.Errorf("node %s: -input-size needs a rank-4 input, have %v", n.Name, shape)
			}
			shape[1], shape[2] = c.opts.InputHW[0], c.opts.InputHW[1]
		}
		if len(shape) == 0 || slices.Contains(shape, 0) {
			return fmt.Errorf("node %s: input shape %v is not fully known", n.Name, shape)
		}
		name := n.Name
		if c.opts.Input != "" {
			name = c.opts.Input
		}
		c.values[n.Name] = c.b.addInput(name, shape)
		return nil
	case "Identity":
		v, err := c.input(n.Input[0])
		if err != nil {
			return err
		}
		c.values[n.Name] = v
		return nil
	case "Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative":
		return c.convertConv(n)
	case "AddV2", "Add", "BiasAdd":
		return c.convertAdd(n)
	case "Relu", "Relu6", "Sigmoid", "Tanh":
		x, err := c.input(n.Input[0])
		if err != nil {
			return err
		}
		v, err := c.b.activation(x, n.Op, n.Name, nil)
		c.values[n.Name] = v
		return err
	case "Prelu":
		x, err := c.input(n.Input[0])
		if err != nil {
			return err
		}
		alpha, err := c.weight(n, 1)
		if err != nil {
			return err
		}
		v, err := c.b.activation(x, "Prelu", n.Name, alpha.floats)
		c.values[n.Name] = v
		return err
	case "MaxPool", "AvgPool":
		x, err := c.input(n.Input[0])
		if err != nil {
			return err
		}
		k, err := n.intsAttr("ksize", nil)
		if err != nil {
			return err
		}
		s, err := n.intsAttr("strides", nil)
		if err != nil {
			return err
		}
		padding, err := n.strAttr("padding", "")
		if err != nil {
			return err
		}
		if len(k) != 4 || len(s) != 4 || k[0] != 1 || k[3] != 1 || s[0] != 1 || s[3] != 1 {
			return fmt.Errorf("node %s: only spatial pooling is supported (ksize %v, strides %v)", n.Name, k, s)
		}
		op := "MaxPool"
		if n.Op == "AvgPool" {
			op = "AveragePool"
		}
		v, err := c.b.pool(x, op, n.Name, [2]int{k[1], k[2]}, [2]int{s[1], s[2]}, padding)
		c.values[n.Name] = v
		return err
	case "Pad":
		return c.convertPad(n)
	case "ConcatV2":
		return c.convertConcat(n)
	case "Reshape":
		return c.convertReshape(n)
	case "Mean":
		return c.convertMean(n)
	case "Softmax":
		x, err := c.input(n.Input[0])
		if err != nil {
			return err
		}
		if x.nchw {
			return fmt.Errorf("node %s: Softmax over a rank-4 tensor is not supported", n.Name)
		}
		c.values[n.Name] = value{name: c.b.node("Softmax", n.Name, []string{x.name}, intAttr("axis", -1)), shape: x.shape}
		return nil
	}
	return fmt.Errorf("node %s: unsupported tfjs op %s", n.Name, n.Op)
}

func (c *graphConverter) convertConv(n *tfjsNode) error {
	src := n.Input[0]
	pend, hasPend := c.padded[tensorName(src)]
	if hasPend {
		src = pend.src
	}
	x, err := c.input(src)
	if err != nil {
		return err
	}
	filter, err := c.weight(n, 1)
	if err != nil {
		return err
	}
	spec := convSpec{name: n.Name, filter: filter, depth: strings.Contains(n.Op, "Depthwise")}
	st, err := n.intsAttr("strides", []int{1, 1, 1, 1})
	if err != nil {
		return err
	}
	dil, err := n.intsAttr("dilations", []int{1, 1, 1, 1})
	if err != nil {
		return err
	}
	if len(st) != 4 || len(dil) != 4 {
		return fmt.Errorf("node %s: strides %v / dilations %v are not NHWC", n.Name, st, dil)
	}
	if f, _ := n.strAttr("data_format", "NHWC"); f != "NHWC" {
		return fmt.Errorf("node %s: data_format %s is not supported", n.Name, f)
	}
	spec.strides = [2]int{st[1], st[2]}
	spec.dil = [2]int{dil[1], dil[2]}
	if spec.padding, err = n.strAttr("padding", "VALID"); err != nil {
		return err
	}
	if spec.padding == "EXPLICIT" {
		ep, err := n.intsAttr("explicit_paddings", nil)
		if err != nil {
			return err
		}
		if len(ep) != 8 {
			return fmt.Errorf("node %s: explicit_paddings %v", n.Name, ep)
		}
		spec.pads = [4]int{ep[2], ep[3], ep[4], ep[5]}
	}
	if hasPend {
		if spec.padding != "VALID" {
			return fmt.Errorf("node %s: padded input into %s convolution", n.Name, spec.padding)
		}
		spec.padding, spec.pads = "EXPLICIT", pend.pads
	}
	fused, err := n.strsAttr("fused_ops")
	if err != nil {
		return err
	}
	next := 2
	act := ""
	for _, f := range fused {
		switch f {
		case "BiasAdd":
			bias, err := c.weight(n, next)
			if err != nil {
				return err
			}
			next++
			spec.bias = bias.floats
		case "Relu", "Relu6", "Prelu", "LeakyRelu", "Sigmoid", "Tanh":
			if act != "" {
				return fmt.Errorf("node %s: two fused activations", n.Name)
			}
			act = f
		default:
			return fmt.Errorf("node %s: unsupported fused op %s", n.Name, f)
		}
	}
	y, err := c.b.conv(x, spec)
	if err != nil {
		return err
	}
	if act != "" {
		var alpha []float32
		switch act {
		case "Prelu":
			a, err := c.weight(n, next)
			if err != nil {
				return err
			}
			alpha = a.floats
		case "LeakyRelu":
			a, ok := n.Attr["leakyrelu_alpha"]
			if !ok || a.F == nil {
				return fmt.Errorf("node %s: LeakyRelu without leakyrelu_alpha", n.Name)
			}
			alpha = []float32{float32(*a.F)}
		}
		y, err = c.b.activation(y, act, n.Name+"/"+act, alpha)
		if err != nil {
			return err
		}
	}
	c.values[n.Name] = y
	return nil
}

func (c *graphConverter) convertAdd(n *tfjsNode) error {
	if len(n.Input) != 2 {
		return fmt.Errorf("node %s: %s with %d inputs", n.Name, n.Op, len(n.Input))
	}
	aw, aConst := c.weights[tensorName(n.Input[0])]
	bw, bConst := c.weights[tensorName(n.Input[1])]
	switch {
	case aConst && bConst:
		return fmt.Errorf("node %s: Add of two constants is not supported", n.Name)
	case !aConst && !bConst:
		a, err := c.input(n.Input[0])
		if err != nil {
			return err
		}
		b, err := c.input(n.Input[1])
		if err != nil {
			return err
		}
		if a.nchw != b.nchw || !slices.Equal(a.shape, b.shape) {
			return fmt.Errorf("node %s: Add of shapes %v and %v", n.Name, a.shape, b.shape)
		}
		c.values[n.Name] = value{name: c.b.node("Add", n.Name, []string{a.name, b.name}), shape: a.shape, nchw: a.nchw}
		return nil
	}
	xi, w := 0, bw
	if aConst {
		xi, w = 1, aw
	}
	x, err := c.input(n.Input[xi])
	if err != nil {
		return err
	}
	if w.floats == nil {
		return fmt.Errorf("node %s: integer constant in Add", n.Name)
	}
	dims := toInt64(w.shape)
	size := len(w.floats)
	switch {
	case size == 1:
		dims = nil
	case x.nchw && size == x.shape[3]:
		dims = []int64{int64(size), 1, 1} // per channel
	case x.nchw:
		return fmt.Errorf("node %s: constant of shape %v added to an image tensor", n.Name, w.shape)
	}
	k := c.b.floatInit(n.Name+"/const", dims, w.floats)
	ins := []string{x.name, k}
	if aConst {
		ins = []string{k, x.name}
	}
	c.values[n.Name] = value{name: c.b.node("Add", n.Name, ins), shape: x.shape, nchw: x.nchw}
	return nil
}

func (c *graphConverter) convertPad(n *tfjsNode) error {
	p, err := c.weight(n, 1)
	if err != nil {
		return err
	}
	if len(n.Input) > 2 {
		cv, err := c.weight(n, 2)
		if err != nil || len(cv.floats) != 1 || cv.floats[0] != 0 {
			return fmt.Errorf("node %s: only zero padding is supported", n.Name)
		}
	}
	x, err := c.input(n.Input[0])
	if err != nil {
		return err
	}
	if len(p.ints) != 2*len(x.shape) {
		return fmt.Errorf("node %s: paddings %v for rank %d", n.Name, p.ints, len(x.shape))
	}
	pairs := make([][2]int, len(x.shape))
	for i := range pairs {
		pairs[i] = [2]int{int(p.ints[2*i]), int(p.ints[2*i+1])}
	}
	spatialOnly := x.nchw && pairs[0] == [2]int{} && pairs[3] == [2]int{}
	absorb := spatialOnly && len(c.users[n.Name]) > 0
	for _, u := range c.users[n.Name] {
		pad, _ := u.strAttr("padding", "")
		if !strings.Contains(u.Op, "Conv2D") && !strings.Contains(u.Op, "Depthwise") || pad != "VALID" || tensorName(u.Input[0]) != n.Name {
			absorb = false
		}
	}
	if absorb {
		c.padded[n.Name] = pendingPad{src: tensorName(n.Input[0]), pads: [4]int{pairs[1][0], pairs[1][1], pairs[2][0], pairs[2][1]}}
		return nil
	}
	v, err := c.b.pad(x, n.Name, pairs)
	c.values[n.Name] = v
	return err
}

func (c *graphConverter) convertConcat(n *tfjsNode) error {
	if len(n.Input) < 2 {
		return fmt.Errorf("node %s: ConcatV2 without inputs", n.Name)
	}
	axisW, err := c.weight(n, len(n.Input)-1)
	if err != nil || len(axisW.ints) != 1 {
		return fmt.Errorf("node %s: ConcatV2 axis is not an integer constant", n.Name)
	}
	var parts []value
	for _, in := range n.Input[:len(n.Input)-1] {
		v, err := c.input(in)
		if err != nil {
			return err
		}
		parts = append(parts, v)
	}
	rank := len(parts[0].shape)
	axis := (int(axisW.ints[0]) + rank) % rank
	shape := append([]int(nil), parts[0].shape...)
	shape[axis] = 0
	names := make([]string, len(parts))
	for i, p := range parts {
		if p.nchw != parts[0].nchw || len(p.shape) != rank {
			return fmt.Errorf("node %s: concatenating incompatible tensors", n.Name)
		}
		shape[axis] += p.shape[axis]
		names[i] = p.name
	}
	onnxAxis := axis
	if parts[0].nchw {
		onnxAxis = []int{0, 2, 3, 1}[axis]
	}
	c.values[n.Name] = value{name: c.b.node("Concat", n.Name, names, intAttr("axis", int64(onnxAxis))), shape: shape, nchw: parts[0].nchw}
	return nil
}

func (c *graphConverter) convertReshape(n *tfjsNode) error {
	x, err := c.input(n.Input[0])
	if err != nil {
		return err
	}
	sw, err := c.weight(n, 1)
	if err != nil || sw.ints == nil {
		return fmt.Errorf("node %s: Reshape needs a constant integer shape", n.Name)
	}
	// Reshape works on TensorFlow's element order, so undo NCHW first.
	x = c.b.toTF(x, n.Name+"/nhwc")
	total := 1
	for _, d := range x.shape {
		total *= d
	}
	shape := make([]int, len(sw.ints))
	known, unknown := 1, -1
	for i, d := range sw.ints {
		switch {
		case d == -1:
			if unknown >= 0 {
				return fmt.Errorf("node %s: shape %v has two unknown dimensions", n.Name, sw.ints)
			}
			unknown = i
		default:
			shape[i] = int(d)
			known *= int(d)
		}
	}
	if unknown >= 0 {
		if known == 0 || total%known != 0 {
			return fmt.Errorf("node %s: cannot reshape %v to %v", n.Name, x.shape, sw.ints)
		}
		shape[unknown] = total / known
	}
	prod := 1
	for _, d := range shape {
		prod *= d
	}
	if prod != total {
		return fmt.Errorf("node %s: cannot reshape %v to %v", n.Name, x.shape, sw.ints)
	}
	y := c.b.node("Reshape", n.Name, []string{x.name, c.b.int64Init(n.Name+"/shape", toInt64(shape))})
	v := value{name: y, shape: shape}
	if len(shape) == 4 {
		t := c.b.node("Transpose", n.Name+"/nchw", []string{y}, intsAttr("perm", 0, 3, 1, 2))
		v = value{name: t, shape: shape, nchw: true}
	}
	c.values[n.Name] = v
	return nil
}

// convertMean handles the global spatial average (Keras
// GlobalAveragePooling2D), the only Mean the supported models use.
func (c *graphConverter) convertMean(n *tfjsNode) error {
	x, err := c.input(n.Input[0])
	if err != nil {
		return err
	}
	axes, err := c.weight(n, 1)
	if err != nil || axes.ints == nil {
		return fmt.Errorf("node %s: Mean needs constant integer axes", n.Name)
	}
	set := map[int64]bool{}
	for _, a := range axes.ints {
		set[(a+4)%4] = true
	}
	if !x.nchw || len(set) != 2 || !set[1] || !set[2] {
		return fmt.Errorf("node %s: only Mean over the spatial axes of an image is supported (axes %v)", n.Name, axes.ints)
	}
	g := c.b.node("GlobalAveragePool", n.Name, []string{x.name})
	if n.boolAttr("keep_dims") {
		c.values[n.Name] = value{name: g, shape: []int{x.shape[0], 1, 1, x.shape[3]}, nchw: true}
		return nil
	}
	shape := []int{x.shape[0], x.shape[3]}
	r := c.b.node("Reshape", n.Name+"/flatten", []string{g, c.b.int64Init(n.Name+"/shape", toInt64(shape))})
	c.values[n.Name] = value{name: r, shape: shape}
	return nil
}

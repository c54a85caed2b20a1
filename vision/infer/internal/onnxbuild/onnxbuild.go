// Package onnxbuild writes small ONNX models (ModelProto) directly with
// protowire, so tests and benchmarks can build graphs without Python.
//
// onnx-go keeps its generated protobuf types internal, so this package encodes
// the handful of ONNX fields the tests need. Field numbers follow onnx.proto:
//
//	ModelProto:     1 ir_version, 7 graph, 8 opset_import
//	GraphProto:     1 node, 2 name, 5 initializer, 11 input, 12 output
//	NodeProto:      1 input, 2 output, 3 name, 4 op_type, 5 attribute
//	AttributeProto: 1 name, 2 f, 3 i, 4 s, 5 t, 7 floats, 8 ints, 20 type
//	TensorProto:    1 dims, 2 data_type, 4 float_data, 7 int64_data, 8 name
//
// A typical use:
//
//	g := onnxbuild.NewGraph()
//	g.Input("x", onnxbuild.Float, 1, 3, 8, 8)
//	g.InitFloat("w", []int64{4, 3, 3, 3}, weights)
//	g.Node("Conv", []string{"x", "w"}, []string{"y"}, onnxbuild.Ints("pads", 1, 1, 1, 1))
//	g.Output("y")
//	data := g.Model(13)
package onnxbuild

import (
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Element types of ONNX tensors (TensorProto.DataType).
const (
	Float = 1
	Int64 = 7
)

// Attr is one encoded AttributeProto.
type Attr []byte

// Graph accumulates the encoded parts of a GraphProto.
type Graph struct {
	nodes, inits, inputs, outputs []byte
	nodeCount                     int
}

// NewGraph returns an empty graph.
func NewGraph() *Graph { return &Graph{} }

// Input declares a graph input. A dimension < 0 is written as the symbolic
// dimension "N".
func (g *Graph) Input(name string, elemType int, dims ...int64) {
	g.inputs = protowire.AppendTag(g.inputs, 11, protowire.BytesType)
	g.inputs = protowire.AppendBytes(g.inputs, valueInfo(name, elemType, dims))
}

// Output declares a graph output with unknown shape.
func (g *Graph) Output(name string) {
	g.outputs = protowire.AppendTag(g.outputs, 12, protowire.BytesType)
	g.outputs = protowire.AppendBytes(g.outputs, valueInfo(name, Float, nil))
}

// InitFloat adds a float32 initializer.
func (g *Graph) InitFloat(name string, dims []int64, data []float32) {
	g.inits = protowire.AppendTag(g.inits, 5, protowire.BytesType)
	g.inits = protowire.AppendBytes(g.inits, FloatTensor(name, dims, data))
}

// InitInt64 adds an int64 initializer.
func (g *Graph) InitInt64(name string, dims []int64, data []int64) {
	g.inits = protowire.AppendTag(g.inits, 5, protowire.BytesType)
	g.inits = protowire.AppendBytes(g.inits, Int64Tensor(name, dims, data))
}

// InitRaw adds an initializer of any element type from little-endian
// raw_data bytes.
func (g *Graph) InitRaw(name string, dims []int64, dataType int, raw []byte) {
	b := tensorHeader(name, dims, dataType)
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	b = protowire.AppendBytes(b, raw)
	g.inits = protowire.AppendTag(g.inits, 5, protowire.BytesType)
	g.inits = protowire.AppendBytes(g.inits, b)
}

// Node adds a node. Its name is "n<index>_<op>".
func (g *Graph) Node(op string, inputs, outputs []string, attrs ...Attr) {
	var b []byte
	for _, in := range inputs {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, in)
	}
	for _, out := range outputs {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendString(b, out)
	}
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	b = protowire.AppendString(b, "n"+itoa(g.nodeCount)+"_"+op)
	g.nodeCount++
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendString(b, op)
	for _, a := range attrs {
		b = protowire.AppendTag(b, 5, protowire.BytesType)
		b = protowire.AppendBytes(b, a)
	}
	g.nodes = protowire.AppendTag(g.nodes, 1, protowire.BytesType)
	g.nodes = protowire.AppendBytes(g.nodes, b)
}

// Model encodes the graph as a ModelProto with the given default-domain opset.
func (g *Graph) Model(opset int64) []byte {
	var gb []byte
	gb = append(gb, g.nodes...)
	gb = protowire.AppendTag(gb, 2, protowire.BytesType)
	gb = protowire.AppendString(gb, "test")
	gb = append(gb, g.inits...)
	gb = append(gb, g.inputs...)
	gb = append(gb, g.outputs...)

	var m []byte
	m = protowire.AppendTag(m, 1, protowire.VarintType)
	m = protowire.AppendVarint(m, 7)
	m = protowire.AppendTag(m, 7, protowire.BytesType)
	m = protowire.AppendBytes(m, gb)
	var op []byte
	op = protowire.AppendTag(op, 1, protowire.BytesType)
	op = protowire.AppendString(op, "")
	op = protowire.AppendTag(op, 2, protowire.VarintType)
	op = protowire.AppendVarint(op, uint64(opset))
	m = protowire.AppendTag(m, 8, protowire.BytesType)
	m = protowire.AppendBytes(m, op)
	return m
}

// FloatTensor encodes a float32 TensorProto.
func FloatTensor(name string, dims []int64, data []float32) []byte {
	b := tensorHeader(name, dims, Float)
	var packed []byte
	for _, v := range data {
		packed = protowire.AppendFixed32(packed, math.Float32bits(v))
	}
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	return protowire.AppendBytes(b, packed)
}

// Int64Tensor encodes an int64 TensorProto.
func Int64Tensor(name string, dims []int64, data []int64) []byte {
	b := tensorHeader(name, dims, Int64)
	var packed []byte
	for _, v := range data {
		packed = protowire.AppendVarint(packed, uint64(v))
	}
	b = protowire.AppendTag(b, 7, protowire.BytesType)
	return protowire.AppendBytes(b, packed)
}

func tensorHeader(name string, dims []int64, dataType int) []byte {
	var b []byte
	if len(dims) > 0 {
		var packed []byte
		for _, d := range dims {
			packed = protowire.AppendVarint(packed, uint64(d))
		}
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, packed)
	}
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(dataType))
	if name != "" {
		b = protowire.AppendTag(b, 8, protowire.BytesType)
		b = protowire.AppendString(b, name)
	}
	return b
}

func valueInfo(name string, elemType int, dims []int64) []byte {
	var shape []byte
	for _, d := range dims {
		var dim []byte
		if d < 0 {
			dim = protowire.AppendTag(dim, 2, protowire.BytesType)
			dim = protowire.AppendString(dim, "N")
		} else {
			dim = protowire.AppendTag(dim, 1, protowire.VarintType)
			dim = protowire.AppendVarint(dim, uint64(d))
		}
		shape = protowire.AppendTag(shape, 1, protowire.BytesType)
		shape = protowire.AppendBytes(shape, dim)
	}
	var tt []byte
	tt = protowire.AppendTag(tt, 1, protowire.VarintType)
	tt = protowire.AppendVarint(tt, uint64(elemType))
	if dims != nil {
		tt = protowire.AppendTag(tt, 2, protowire.BytesType)
		tt = protowire.AppendBytes(tt, shape)
	}
	var typ []byte
	typ = protowire.AppendTag(typ, 1, protowire.BytesType)
	typ = protowire.AppendBytes(typ, tt)
	var vi []byte
	vi = protowire.AppendTag(vi, 1, protowire.BytesType)
	vi = protowire.AppendString(vi, name)
	vi = protowire.AppendTag(vi, 2, protowire.BytesType)
	return protowire.AppendBytes(vi, typ)
}

func attrHeader(name string, typ uint64) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, name)
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	return protowire.AppendVarint(b, typ)
}

// Int returns an INT attribute.
func Int(name string, v int64) Attr {
	b := attrHeader(name, 2)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

// Float32 returns a FLOAT attribute.
func Float32(name string, v float32) Attr {
	b := attrHeader(name, 1)
	b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, math.Float32bits(v))
}

// String returns a STRING attribute.
func String(name, v string) Attr {
	b := attrHeader(name, 3)
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	return protowire.AppendString(b, v)
}

// Ints returns an INTS attribute.
func Ints(name string, v ...int64) Attr {
	b := attrHeader(name, 7)
	var packed []byte
	for _, x := range v {
		packed = protowire.AppendVarint(packed, uint64(x))
	}
	b = protowire.AppendTag(b, 8, protowire.BytesType)
	return protowire.AppendBytes(b, packed)
}

// Floats returns a FLOATS attribute.
func Floats(name string, v ...float32) Attr {
	b := attrHeader(name, 6)
	var packed []byte
	for _, x := range v {
		packed = protowire.AppendFixed32(packed, math.Float32bits(x))
	}
	b = protowire.AppendTag(b, 7, protowire.BytesType)
	return protowire.AppendBytes(b, packed)
}

// Tensor returns a TENSOR attribute holding an encoded TensorProto.
func Tensor(name string, tensorProto []byte) Attr {
	b := attrHeader(name, 4)
	b = protowire.AppendTag(b, 5, protowire.BytesType)
	return protowire.AppendBytes(b, tensorProto)
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var buf [20]byte
	p := len(buf)
	for i > 0 {
		p--
		buf[p] = byte('0' + i%10)
		i /= 10
	}
	return string(buf[p:])
}

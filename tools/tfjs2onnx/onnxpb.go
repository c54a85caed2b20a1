package main

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// This file writes the subset of the ONNX protobuf schema (onnx/onnx.proto,
// IR version 7) that a converted graph needs. onnx-go keeps its generated
// protobuf types internal, so the encoder is written against the field
// numbers directly; repeated scalars are packed, which every protobuf parser
// accepts for proto2 and proto3 alike.

// ONNX TensorProto.DataType values used by the converter.
const (
	dtFloat = 1
	dtInt64 = 7
)

// ONNX AttributeProto.AttributeType values used by the converter.
const (
	attrFloat  = 1
	attrInt    = 2
	attrString = 3
	attrInts   = 7
)

type onnxTensor struct {
	name     string
	dims     []int64
	dataType int32
	raw      []byte // little-endian element data
}

func floatTensor(name string, dims []int64, data []float32) onnxTensor {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return onnxTensor{name: name, dims: dims, dataType: dtFloat, raw: raw}
}

func int64Tensor(name string, dims []int64, data []int64) onnxTensor {
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return onnxTensor{name: name, dims: dims, dataType: dtInt64, raw: raw}
}

type onnxAttr struct {
	name string
	typ  int32
	f    float32
	i    int64
	s    string
	ints []int64
}

func intAttr(name string, v int64) onnxAttr     { return onnxAttr{name: name, typ: attrInt, i: v} }
func intsAttr(name string, v ...int64) onnxAttr { return onnxAttr{name: name, typ: attrInts, ints: v} }
func floatAttr(name string, v float32) onnxAttr { return onnxAttr{name: name, typ: attrFloat, f: v} }
func stringAttr(name string, v string) onnxAttr { return onnxAttr{name: name, typ: attrString, s: v} }

type onnxNode struct {
	name    string
	op      string
	inputs  []string
	outputs []string
	attrs   []onnxAttr
}

type onnxValue struct {
	name  string
	shape []int64
}

type onnxGraph struct {
	name    string
	nodes   []onnxNode
	inits   []onnxTensor
	inputs  []onnxValue
	outputs []onnxValue
}

type onnxModel struct {
	producerName    string
	producerVersion string
	doc             string
	opset           int64
	metadata        [][2]string
	graph           onnxGraph
}

// irVersion is the ONNX IR version that goes with opset 13.
const irVersion = 7

func (m *onnxModel) marshal() []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, irVersion)
	b = appendString(b, 2, m.producerName)
	b = appendString(b, 3, m.producerVersion)
	if m.doc != "" {
		b = appendString(b, 6, m.doc)
	}
	b = appendMessage(b, 7, m.graph.marshal())
	var opset []byte
	opset = appendString(opset, 1, "")
	opset = protowire.AppendTag(opset, 2, protowire.VarintType)
	opset = protowire.AppendVarint(opset, uint64(m.opset))
	b = appendMessage(b, 8, opset)
	for _, kv := range m.metadata {
		var e []byte
		e = appendString(e, 1, kv[0])
		e = appendString(e, 2, kv[1])
		b = appendMessage(b, 14, e)
	}
	return b
}

func (g *onnxGraph) marshal() []byte {
	var b []byte
	for i := range g.nodes {
		b = appendMessage(b, 1, g.nodes[i].marshal())
	}
	b = appendString(b, 2, g.name)
	for i := range g.inits {
		b = appendMessage(b, 5, g.inits[i].marshal())
	}
	for _, v := range g.inputs {
		b = appendMessage(b, 11, v.marshal())
	}
	for _, v := range g.outputs {
		b = appendMessage(b, 12, v.marshal())
	}
	return b
}

func (n *onnxNode) marshal() []byte {
	var b []byte
	for _, s := range n.inputs {
		b = appendString(b, 1, s)
	}
	for _, s := range n.outputs {
		b = appendString(b, 2, s)
	}
	b = appendString(b, 3, n.name)
	b = appendString(b, 4, n.op)
	for _, a := range n.attrs {
		b = appendMessage(b, 5, a.marshal())
	}
	return b
}

func (a *onnxAttr) marshal() []byte {
	var b []byte
	b = appendString(b, 1, a.name)
	switch a.typ {
	case attrFloat:
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.f))
	case attrInt:
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(a.i))
	case attrString:
		b = appendString(b, 4, a.s)
	case attrInts:
		b = appendPackedInts(b, 8, a.ints)
	}
	// The type field is mandatory in practice: onnx-go switches on it.
	b = protowire.AppendTag(b, 20, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(a.typ))
	return b
}

func (t *onnxTensor) marshal() []byte {
	var b []byte
	b = appendPackedInts(b, 1, t.dims)
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(t.dataType))
	b = appendString(b, 8, t.name)
	b = protowire.AppendTag(b, 9, protowire.BytesType)
	b = protowire.AppendBytes(b, t.raw)
	return b
}

func (v onnxValue) marshal() []byte {
	var shape []byte
	for _, d := range v.shape {
		var dim []byte
		dim = protowire.AppendTag(dim, 1, protowire.VarintType)
		dim = protowire.AppendVarint(dim, uint64(d))
		shape = appendMessage(shape, 1, dim)
	}
	var tensorType []byte
	tensorType = protowire.AppendTag(tensorType, 1, protowire.VarintType)
	tensorType = protowire.AppendVarint(tensorType, dtFloat)
	tensorType = appendMessage(tensorType, 2, shape)
	var typ []byte
	typ = appendMessage(typ, 1, tensorType)
	var b []byte
	b = appendString(b, 1, v.name)
	b = appendMessage(b, 2, typ)
	return b
}

func appendString(b []byte, field protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, field protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func appendPackedInts(b []byte, field protowire.Number, v []int64) []byte {
	if len(v) == 0 {
		return b
	}
	var packed []byte
	for _, x := range v {
		packed = protowire.AppendVarint(packed, uint64(x))
	}
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendBytes(b, packed)
}

package infer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// modelMeta is what onnx-go's decoder does not hand to a backend: the opset,
// node names (for error messages) and the symbolic dimensions of the inputs.
// It is read with a small protowire scan of the ModelProto.
type modelMeta struct {
	opset     int64 // default ("" or "ai.onnx") domain
	nodes     []nodeMeta
	inputs    []valueMeta // graph inputs that are not initializers
	outputs   []valueMeta
	producer  string
	graphName string
	empties   map[string]emptyTensor // zero-element constants taken out before decoding
}

type nodeMeta struct {
	name, opType, domain string
}

type valueMeta struct {
	name     string
	elemType int64
	dims     []int64  // -1 where the dimension is symbolic or unknown
	params   []string // symbolic names, "" where the dimension is fixed
	hasShape bool
}

var errTruncated = errors.New("truncated protobuf")

// scanFields calls fn for every field of a protobuf message.
func scanFields(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return errTruncated
		}
		b = b[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

func readModelMeta(data []byte) (*modelMeta, error) {
	m := &modelMeta{}
	var graph []byte
	opsetSeen := false
	err := scanFields(data, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == 2 && typ == protowire.BytesType:
			m.producer = string(v)
		case num == 7 && typ == protowire.BytesType:
			graph = v
		case num == 8 && typ == protowire.BytesType:
			var domain string
			var version int64
			if err := scanFields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
				if num == 1 && typ == protowire.BytesType {
					domain = string(v)
				}
				if num == 2 && typ == protowire.VarintType {
					version = int64(x)
				}
				return nil
			}); err != nil {
				return err
			}
			if domain == "" || domain == "ai.onnx" {
				m.opset = version
				opsetSeen = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if graph == nil {
		return nil, errors.New("model has no graph")
	}
	if !opsetSeen {
		// IR versions before 3 had no opset_import; ONNX says opset 1 then.
		m.opset = 1
	}
	initializers := map[string]bool{}
	var inputs []valueMeta
	err = scanFields(graph, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			n, err := readNodeMeta(v)
			if err != nil {
				return err
			}
			m.nodes = append(m.nodes, n)
		case 2:
			m.graphName = string(v)
		case 5:
			return scanFields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
				if num == 8 && typ == protowire.BytesType {
					initializers[string(v)] = true
				}
				return nil
			})
		case 11, 12:
			vm, err := readValueMeta(v)
			if err != nil {
				return err
			}
			if num == 11 {
				inputs = append(inputs, vm)
			} else {
				m.outputs = append(m.outputs, vm)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, in := range inputs {
		if !initializers[in.name] {
			m.inputs = append(m.inputs, in)
		}
	}
	return m, nil
}

func readNodeMeta(b []byte) (nodeMeta, error) {
	var n nodeMeta
	err := scanFields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 3:
			n.name = string(v)
		case 4:
			n.opType = string(v)
		case 7:
			n.domain = string(v)
		}
		return nil
	})
	return n, err
}

func readValueMeta(b []byte) (valueMeta, error) {
	var vm valueMeta
	err := scanFields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			vm.name = string(v)
		case 2: // TypeProto
			return scanFields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
				if num != 1 || typ != protowire.BytesType { // tensor_type
					return nil
				}
				return scanFields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
					switch {
					case num == 1 && typ == protowire.VarintType:
						vm.elemType = int64(x)
					case num == 2 && typ == protowire.BytesType:
						vm.hasShape = true
						return scanFields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
							if num != 1 || typ != protowire.BytesType {
								return nil
							}
							dim, param := int64(-1), ""
							if err := scanFields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
								if num == 1 && typ == protowire.VarintType {
									dim = int64(x)
								}
								if num == 2 && typ == protowire.BytesType {
									param = string(v)
								}
								return nil
							}); err != nil {
								return err
							}
							vm.dims = append(vm.dims, dim)
							vm.params = append(vm.params, param)
							return nil
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	if err != nil {
		return vm, fmt.Errorf("value info: %w", err)
	}
	return vm, nil
}

// emptyTensor is a zero-element constant removed from the model before
// onnx-go decodes it (onnx-go fails on tensors without data, yet exporters
// routinely write them, e.g. Resize's unused roi).
type emptyTensor struct {
	shape []int
	dt    dtype
}

// stripEmptyTensors returns the model without zero-element initializers and
// without Constant nodes whose value has zero elements, plus what was removed,
// keyed by value name.
func stripEmptyTensors(data []byte) ([]byte, map[string]emptyTensor, error) {
	empties := map[string]emptyTensor{}
	var graph []byte
	var model []byte
	err := scanFields(data, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if num == 7 && typ == protowire.BytesType {
			graph = v
		}
		return nil
	})
	if err != nil || graph == nil {
		return data, empties, err
	}
	newGraph := make([]byte, 0, len(graph)+64)
	changed := false
	for b := graph; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, nil, errTruncated
		}
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if m < 0 {
			return nil, nil, errTruncated
		}
		field := b[:n+m]
		b = b[n+m:]
		if typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(field[n:])
			switch num {
			case 5: // initializer
				if name, e, ok := emptyTensorProto(v); ok {
					empties[name] = e
					changed = true
					continue
				}
				if f32, ok, err := float16ToFloat32(v); err != nil {
					return nil, nil, err
				} else if ok {
					newGraph = protowire.AppendTag(newGraph, 5, protowire.BytesType)
					newGraph = protowire.AppendBytes(newGraph, f32)
					changed = true
					continue
				}
			case 1: // node
				if out, e, ok := emptyConstantNode(v); ok {
					empties[out] = e
					changed = true
					continue
				}
			}
		}
		newGraph = append(newGraph, field...)
	}
	if !changed {
		return data, empties, nil
	}
	model = make([]byte, 0, len(data)+64)
	for b := data; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		m := protowire.ConsumeFieldValue(num, typ, b[n:])
		if num == 7 && typ == protowire.BytesType {
			model = protowire.AppendTag(model, 7, protowire.BytesType)
			model = protowire.AppendBytes(model, newGraph)
		} else {
			model = append(model, b[:n+m]...)
		}
		b = b[n+m:]
	}
	return model, empties, nil
}

// packRawFloats returns data with every FLOAT initializer's raw_data
// (field 9) turned into float_data (field 4). The payload is the same
// little-endian float32 bytes and both tags are one byte, so this is a copy
// with a few bytes patched; but onnx-go reads raw_data one element at a time
// through a bytes.Reader, while the protobuf decoder unpacks float_data in
// bulk, which more than halves decoding of the larger models.
func packRawFloats(data []byte) []byte {
	var out []byte
	rawTag := protowire.AppendTag(nil, 9, protowire.BytesType)
	floatTag := protowire.AppendTag(nil, 4, protowire.BytesType)
	// fields calls fn with the absolute offset of each length-delimited
	// field's tag and payload within data[start:end].
	fields := func(start, end int, fn func(num protowire.Number, tagAt, payloadAt, payloadEnd int)) {
		for p := start; p < end; {
			num, typ, n := protowire.ConsumeTag(data[p:end])
			if n < 0 {
				return
			}
			if typ != protowire.BytesType {
				m := protowire.ConsumeFieldValue(num, typ, data[p+n:end])
				if m < 0 {
					return
				}
				p += n + m
				continue
			}
			v, m := protowire.ConsumeBytes(data[p+n : end])
			if m < 0 {
				return
			}
			payloadAt := p + n + m - len(v)
			fn(num, p, payloadAt, payloadAt+len(v))
			p += n + m
		}
	}
	fields(0, len(data), func(num protowire.Number, _, gs, ge int) {
		if num != 7 {
			return
		}
		fields(gs, ge, func(num protowire.Number, _, ts, te int) {
			if num != 5 {
				return
			}
			if t := data[ts:te]; !isFloatTensor(t) {
				return
			}
			fields(ts, te, func(num protowire.Number, tagAt, _, _ int) {
				if num == 9 && data[tagAt] == rawTag[0] {
					if out == nil {
						out = append([]byte(nil), data...)
					}
					out[tagAt] = floatTag[0]
				}
			})
		})
	})
	if out == nil {
		return data
	}
	return out
}

func isFloatTensor(b []byte) bool {
	isFloat := false
	scanFields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if num == 2 && typ == protowire.VarintType {
			isFloat = x == 1
		}
		return nil
	})
	return isFloat
}

// float16ToFloat32 rewrites a FLOAT16 TensorProto (which onnx-go cannot
// decode) as FLOAT with the same values; ok is false for other types.
func float16ToFloat32(b []byte) ([]byte, bool, error) {
	isHalf := false
	var raw []byte
	var ints []uint16
	var out []byte
	err := scanFields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == 2 && typ == protowire.VarintType:
			isHalf = x == 10
		case num == 9 && typ == protowire.BytesType:
			raw = v
		case num == 5 && typ == protowire.VarintType:
			ints = append(ints, uint16(x))
		case num == 5 && typ == protowire.BytesType:
			for len(v) > 0 {
				d, n := protowire.ConsumeVarint(v)
				if n < 0 {
					return errTruncated
				}
				ints = append(ints, uint16(d))
				v = v[n:]
			}
		}
		return nil
	})
	if err != nil || !isHalf {
		return nil, false, err
	}
	if raw != nil {
		if len(raw)%2 != 0 {
			return nil, false, fmt.Errorf("float16 tensor with %d bytes of data", len(raw))
		}
		for i := 0; i < len(raw); i += 2 {
			ints = append(ints, uint16(raw[i])|uint16(raw[i+1])<<8)
		}
	}
	// Keep every field but the type and the data; append the new ones.
	for c := b; len(c) > 0; {
		num, typ, n := protowire.ConsumeTag(c)
		m := protowire.ConsumeFieldValue(num, typ, c[n:])
		if num != 2 && num != 5 && num != 9 {
			out = append(out, c[:n+m]...)
		}
		c = c[n+m:]
	}
	out = protowire.AppendTag(out, 2, protowire.VarintType)
	out = protowire.AppendVarint(out, 1)
	data := make([]byte, 0, 4*len(ints))
	for _, h := range ints {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(halfToFloat(h)))
	}
	out = protowire.AppendTag(out, 9, protowire.BytesType)
	out = protowire.AppendBytes(out, data)
	return out, true, nil
}

// halfToFloat converts IEEE 754 binary16 bits to float32 exactly.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf, NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: value = frac · 2^-24
		v := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// emptyTensorProto reports a TensorProto with a zero dimension.
func emptyTensorProto(b []byte) (string, emptyTensor, bool) {
	var name string
	var dims []int
	dataType := uint64(1)
	err := scanFields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == 8 && typ == protowire.BytesType:
			name = string(v)
		case num == 2 && typ == protowire.VarintType:
			dataType = x
		case num == 1 && typ == protowire.VarintType:
			dims = append(dims, int(int64(x)))
		case num == 1 && typ == protowire.BytesType:
			for len(v) > 0 {
				d, n := protowire.ConsumeVarint(v)
				if n < 0 {
					return errTruncated
				}
				dims = append(dims, int(int64(d)))
				v = v[n:]
			}
		}
		return nil
	})
	if err != nil || len(dims) == 0 || prod(dims) != 0 {
		return "", emptyTensor{}, false
	}
	e := emptyTensor{shape: dims, dt: dtFloat}
	if dataType == 7 || dataType == 6 || dataType == 9 {
		e.dt = dtInt64
	}
	return name, e, true
}

// emptyConstantNode reports a Constant node whose "value" is empty.
func emptyConstantNode(b []byte) (string, emptyTensor, bool) {
	var op, out string
	var e emptyTensor
	found := false
	scanFields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 2:
			out = string(v)
		case 4:
			op = string(v)
		case 5:
			var name string
			var t []byte
			scanFields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
				if num == 1 && typ == protowire.BytesType {
					name = string(v)
				}
				if num == 5 && typ == protowire.BytesType {
					t = v
				}
				return nil
			})
			if name == "value" && t != nil {
				_, e, found = emptyTensorProto(t)
			}
		}
		return nil
	})
	return out, e, op == "Constant" && found
}

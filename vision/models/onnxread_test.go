package models

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// A minimal, independent reader of the ONNX protobuf (onnx/onnx.proto) for
// the structural tests: it is written from the schema, not shared with the
// converter's encoder, so an encoder mistake cannot hide behind a matching
// decoder mistake. onnx-go's own decoder is exercised separately.

type pbModel struct {
	irVersion uint64
	opsets    map[string]uint64
	graph     pbGraph
}

type pbGraph struct {
	nodes   []pbNode
	inits   []pbTensor
	inputs  []pbValue
	outputs []pbValue
}

type pbNode struct {
	name, op        string
	inputs, outputs []string
	ints            map[string][]int64 // INT and INTS attributes
}

type pbTensor struct {
	name     string
	dims     []int64
	dataType uint64
	rawLen   int
	floats   int // float_data count
	int64s   int // int64_data count
}

type pbValue struct {
	name  string
	shape []int64 // -1 for a symbolic dimension
}

// fields calls f for each field of msg.
func fields(msg []byte, f func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		var (
			val []byte
			v   uint64
		)
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(msg)
		case protowire.Fixed32Type:
			var x uint32
			x, n = protowire.ConsumeFixed32(msg)
			v = uint64(x)
		case protowire.Fixed64Type:
			v, n = protowire.ConsumeFixed64(msg)
		case protowire.BytesType:
			val, n = protowire.ConsumeBytes(msg)
		default:
			return fmt.Errorf("unexpected wire type %d", typ)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		if err := f(num, typ, val, v); err != nil {
			return err
		}
	}
	return nil
}

// ints decodes a repeated int64 field, packed or not.
func ints(typ protowire.Type, val []byte, v uint64) ([]int64, error) {
	if typ == protowire.VarintType {
		return []int64{int64(v)}, nil
	}
	var out []int64
	for len(val) > 0 {
		x, n := protowire.ConsumeVarint(val)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		out = append(out, int64(x))
		val = val[n:]
	}
	return out, nil
}

func parseModel(b []byte) (*pbModel, error) {
	m := &pbModel{opsets: map[string]uint64{}}
	sawGraph := false
	err := fields(b, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			m.irVersion = v
		case 7:
			sawGraph = true
			return parseGraph(val, &m.graph)
		case 8:
			var domain string
			var version uint64
			if err := fields(val, func(num protowire.Number, _ protowire.Type, val []byte, v uint64) error {
				switch num {
				case 1:
					domain = string(val)
				case 2:
					version = v
				}
				return nil
			}); err != nil {
				return err
			}
			m.opsets[domain] = version
		}
		return nil
	})
	if err == nil && !sawGraph {
		err = errors.New("model has no graph")
	}
	return m, err
}

func parseGraph(b []byte, g *pbGraph) error {
	return fields(b, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			n, err := parseNode(val)
			g.nodes = append(g.nodes, n)
			return err
		case 5:
			t, err := parseTensor(val)
			g.inits = append(g.inits, t)
			return err
		case 11, 12:
			vi, err := parseValue(val)
			if num == 11 {
				g.inputs = append(g.inputs, vi)
			} else {
				g.outputs = append(g.outputs, vi)
			}
			return err
		}
		return nil
	})
}

func parseNode(b []byte) (pbNode, error) {
	n := pbNode{ints: map[string][]int64{}}
	err := fields(b, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			n.inputs = append(n.inputs, string(val))
		case 2:
			n.outputs = append(n.outputs, string(val))
		case 3:
			n.name = string(val)
		case 4:
			n.op = string(val)
		case 5:
			var name string
			var vals []int64
			if err := fields(val, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
				switch num {
				case 1:
					name = string(val)
				case 3, 8:
					x, err := ints(typ, val, v)
					vals = append(vals, x...)
					return err
				}
				return nil
			}); err != nil {
				return err
			}
			if vals != nil {
				n.ints[name] = vals
			}
		}
		return nil
	})
	return n, err
}

func parseTensor(b []byte) (pbTensor, error) {
	var t pbTensor
	err := fields(b, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			x, err := ints(typ, val, v)
			t.dims = append(t.dims, x...)
			return err
		case 2:
			t.dataType = v
		case 4:
			if typ == protowire.BytesType {
				t.floats += len(val) / 4
			} else {
				t.floats++
			}
		case 7:
			x, err := ints(typ, val, v)
			t.int64s += len(x)
			return err
		case 8:
			t.name = string(val)
		case 9:
			t.rawLen = len(val)
		}
		return nil
	})
	return t, err
}

func parseValue(b []byte) (pbValue, error) {
	var vi pbValue
	err := fields(b, func(num protowire.Number, typ protowire.Type, val []byte, v uint64) error {
		switch num {
		case 1:
			vi.name = string(val)
		case 2: // TypeProto
			return fields(val, func(num protowire.Number, _ protowire.Type, val []byte, _ uint64) error {
				if num != 1 { // tensor_type
					return nil
				}
				return fields(val, func(num protowire.Number, _ protowire.Type, val []byte, _ uint64) error {
					if num != 2 { // shape
						return nil
					}
					return fields(val, func(num protowire.Number, _ protowire.Type, val []byte, _ uint64) error {
						if num != 1 { // dim
							return nil
						}
						d := int64(-1)
						err := fields(val, func(num protowire.Number, _ protowire.Type, _ []byte, v uint64) error {
							if num == 1 {
								d = int64(v)
							}
							return nil
						})
						vi.shape = append(vi.shape, d)
						return err
					})
				})
			})
		}
		return nil
	})
	return vi, err
}

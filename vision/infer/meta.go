package infer

import (
	"errors"
	"fmt"

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

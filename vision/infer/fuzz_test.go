package infer

import (
	"context"
	"errors"
	"testing"

	"github.com/nevermind-ai/nevermind/vision/infer/internal/onnxbuild"
	"gorgonia.org/tensor"
)

// FuzzLoadBytes: whatever the bytes, LoadBytes returns a model or an error
// wrapping ErrInvalidModel / ErrUnsupportedOp / ErrInput, never panics, and a
// model that loads runs on a zero input.
func FuzzLoadBytes(f *testing.F) {
	x := newND(1, 2, 5, 5)
	r := newRand(1)
	w := randND(r, 2, 1, 3, 3)
	f.Add(oneNode("Conv", []nd{x}, []nd{w}, onnxbuild.Int("group", 2), onnxbuild.Ints("pads", 1, 1, 1, 1)).Model(13))
	f.Add(oneNode("MaxPool", []nd{x}, nil, onnxbuild.Ints("kernel_shape", 2, 2), onnxbuild.Ints("strides", 2, 2)).Model(13))
	f.Add(graphWithInts("Reshape", x, [][]int64{{1, -1}}).Model(13))
	f.Add(graphWithInts("Slice", x, [][]int64{{1}, {4}, {2}}).Model(13))
	f.Add(graphWithInts("Pad", x, [][]int64{{0, 0, 1, 1, 0, 0, 1, 1}}, onnxbuild.String("mode", "reflect")).Model(13))
	f.Add(oneNode("Add", []nd{x, newND(5)}, nil).Model(13))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LoadBytes(data, Options{Threads: 1})
		if err != nil {
			if !errors.Is(err, ErrInvalidModel) && !errors.Is(err, ErrUnsupportedOp) && !errors.Is(err, ErrInput) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		var ins []*tensor.Dense
		for _, in := range m.Inputs() {
			if prod(in.Shape) > 1<<20 {
				return
			}
			ins = append(ins, tensor.New(tensor.WithShape(in.Shape...), tensor.Of(tensor.Float32)))
		}
		if _, err := m.Run(context.Background(), ins...); err != nil {
			t.Fatalf("run: %v", err)
		}
	})
}

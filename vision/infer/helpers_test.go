package infer

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nevermind-ai/nevermind/vision/infer/internal/onnxbuild"
	"gorgonia.org/tensor"
)

// nd is a float64 tensor for the naive reference implementations.
type nd struct {
	shape []int
	data  []float64
}

func newND(shape ...int) nd { return nd{shape: shape, data: make([]float64, prod(shape))} }

func (a nd) index(idx ...int) int {
	j := 0
	for d, i := range idx {
		j = j*a.shape[d] + i
	}
	return j
}

func (a nd) at(idx ...int) float64     { return a.data[a.index(idx...)] }
func (a nd) set(v float64, idx ...int) { a.data[a.index(idx...)] = v }

func (a nd) f32() []float32 {
	out := make([]float32, len(a.data))
	for i, v := range a.data {
		out[i] = float32(v)
	}
	return out
}

func dims64(shape []int) []int64 {
	out := make([]int64, len(shape))
	for i, d := range shape {
		out[i] = int64(d)
	}
	return out
}

// randND fills a tensor with values in [-1, 1) that are exactly
// representable in float32, so the float64 reference sees the same inputs.
func randND(r *rand.Rand, shape ...int) nd {
	a := newND(shape...)
	for i := range a.data {
		a.data[i] = float64(float32(r.Float64()*2 - 1))
	}
	return a
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// runGraph loads the graph and runs it once on the inputs.
func runGraph(t *testing.T, model []byte, opts Options, inputs ...nd) []*tensor.Dense {
	t.Helper()
	m, err := LoadBytes(model, opts)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var ts []*tensor.Dense
	for _, in := range inputs {
		ts = append(ts, tensor.New(tensor.WithShape(in.shape...), tensor.WithBacking(in.f32())))
	}
	outs, err := m.Run(context.Background(), ts...)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return outs
}

// assertClose compares an output with the reference: same shape, and every
// element within tol·max(1, |want|).
func assertClose(t *testing.T, name string, got *tensor.Dense, want nd, tol float64) {
	t.Helper()
	if !sameShape(got.Shape(), want.shape) {
		t.Fatalf("%s: shape %v, want %v", name, got.Shape(), want.shape)
	}
	g := got.Float32s()
	worst, at := 0.0, -1
	for i, w := range want.data {
		d := math.Abs(float64(g[i]) - w)
		if math.IsNaN(float64(g[i])) != math.IsNaN(w) {
			d = math.Inf(1)
		} else if math.IsNaN(w) || (math.IsInf(w, 0) && float64(g[i]) == w) {
			d = 0
		}
		if rel := d / math.Max(1, math.Abs(w)); rel > worst {
			worst, at = rel, i
		}
	}
	if worst > tol {
		t.Fatalf("%s: element %d is %v, want %v (relative error %.3g > %.3g)", name, at, g[at], want.data[at], worst, tol)
	}
}

// oneNode builds a graph with a single node whose first len(inputs) inputs
// are graph inputs; consts become float initializers named c0, c1...
func oneNode(op string, inputs []nd, consts []nd, attrs ...onnxbuild.Attr) *onnxbuild.Graph {
	g := onnxbuild.NewGraph()
	var names []string
	for i, in := range inputs {
		name := "x" + string(rune('0'+i))
		g.Input(name, onnxbuild.Float, dims64(in.shape)...)
		names = append(names, name)
	}
	for i, c := range consts {
		name := "c" + string(rune('0'+i))
		g.InitFloat(name, dims64(c.shape), c.f32())
		names = append(names, name)
	}
	g.Node(op, names, []string{"y"}, attrs...)
	g.Output("y")
	return g
}

// bothKernels runs f with every GEMM micro-kernel this machine has (the
// portable one also turns off the other assembly), and with threads.
func bothKernels(t *testing.T, f func(t *testing.T, opts Options)) {
	for _, g := range availableKernels() {
		kind := g.kind
		t.Run(kind.String(), func(t *testing.T) {
			f(t, Options{Threads: 1, PortableKernels: kind == kernelGo, kernel: &kind})
		})
	}
	t.Run("threads", func(t *testing.T) { f(t, Options{Threads: 3}) })
}

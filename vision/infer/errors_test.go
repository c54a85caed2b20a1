package infer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/vision/infer/internal/onnxbuild"
	"gorgonia.org/tensor"
)

func TestLoadErrors(t *testing.T) {
	x := newND(1, 3, 4, 4)
	cases := []struct {
		name  string
		model func() []byte
		want  error
		msg   []string // substrings the message must contain
	}{
		{"unknown op", func() []byte {
			return oneNode("FancyOp", []nd{x}, nil).Model(13)
		}, ErrUnsupportedOp, []string{"FancyOp", "n0_FancyOp"}},
		{"unknown op later in graph", func() []byte {
			g := onnxbuild.NewGraph()
			g.Input("x", onnxbuild.Float, 1, 3, 4, 4)
			g.Node("Relu", []string{"x"}, []string{"r"})
			g.Node("NonMaxSuppression", []string{"r"}, []string{"y"})
			g.Output("y")
			return g.Model(13)
		}, ErrUnsupportedOp, []string{"NonMaxSuppression", "n1_NonMaxSuppression"}},
		{"shapes do not broadcast", func() []byte {
			return oneNode("Add", []nd{x, newND(1, 2, 4, 4)}, nil).Model(13)
		}, ErrInvalidModel, []string{"Add", "do not broadcast"}},
		{"conv weights mismatch", func() []byte {
			return oneNode("Conv", []nd{x}, []nd{newND(2, 4, 3, 3)}).Model(13)
		}, ErrInvalidModel, []string{"Conv", "group"}},
		{"reshape to wrong size", func() []byte {
			return graphWithInts("Reshape", x, [][]int64{{5, -1}}).Model(13)
		}, ErrInvalidModel, []string{"Reshape"}},
		{"computed conv weights", func() []byte {
			return oneNode("Conv", []nd{x, newND(2, 3, 3, 3)}, nil).Model(13)
		}, ErrUnsupportedOp, []string{"Conv", "constant"}},
		{"not onnx", func() []byte { return []byte("hello, world") }, ErrInvalidModel, nil},
		{"empty", func() []byte { return nil }, ErrInvalidModel, nil},
		{"reads an undefined value", func() []byte {
			g := onnxbuild.NewGraph()
			g.Input("x", onnxbuild.Float, 1, 3, 4, 4)
			g.Node("Add", []string{"x", "ghost"}, []string{"y"})
			g.Output("y")
			return g.Model(13)
		}, ErrInvalidModel, []string{"ghost"}},
		{"opset too new", func() []byte { return oneNode("Relu", []nd{x}, nil).Model(99) }, ErrUnsupportedOp, []string{"opset 99"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadBytes(c.model(), Options{})
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			for _, s := range c.msg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

// TestKernelsEnv checks that NEVERMIND_INFER_KERNELS caps the kernels Load
// picks and that a value it does not know fails Load, naming the variable.
func TestKernelsEnv(t *testing.T) {
	model := oneNode("Relu", []nd{newND(1, 3, 4, 4)}, nil).Model(13)
	best := selectGemm(kernelAVX512).kind
	for env, want := range map[string]kernelKind{"": best, "auto": best, "avx512": best, "avx2": min(best, kernelAVX2), "go": kernelGo} {
		t.Setenv(kernelsEnv, env)
		m, err := LoadBytes(model, Options{})
		if err != nil {
			t.Fatalf("%s=%q: %v", kernelsEnv, env, err)
		}
		if got := m.plan.gemm.kind; got != want || m.plan.portable != (want == kernelGo) {
			t.Errorf("%s=%q: kernel %v (portable %v), want %v", kernelsEnv, env, got, m.plan.portable, want)
		}
	}
	t.Setenv(kernelsEnv, "sse4")
	if _, err := LoadBytes(model, Options{}); err == nil || !strings.Contains(err.Error(), kernelsEnv) || !strings.Contains(err.Error(), "sse4") {
		t.Errorf("%s=sse4: err = %v, want one naming the variable and the value", kernelsEnv, err)
	}
}

func TestRunValidatesInputs(t *testing.T) {
	m, err := LoadBytes(oneNode("Relu", []nd{newND(1, 3, 4, 4)}, nil).Model(13), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	good := tensor.New(tensor.WithShape(1, 3, 4, 4), tensor.Of(tensor.Float32))
	cases := []struct {
		name string
		in   []*tensor.Dense
	}{
		{"no inputs", nil},
		{"two inputs", []*tensor.Dense{good, good}},
		{"nil", []*tensor.Dense{nil}},
		{"wrong spatial size", []*tensor.Dense{tensor.New(tensor.WithShape(1, 3, 3, 4), tensor.Of(tensor.Float32))}},
		{"wrong rank", []*tensor.Dense{tensor.New(tensor.WithShape(3, 4, 4), tensor.Of(tensor.Float32))}},
		{"float64", []*tensor.Dense{tensor.New(tensor.WithShape(1, 3, 4, 4), tensor.Of(tensor.Float64))}},
	}
	for _, c := range cases {
		if _, err := m.Run(ctx, c.in...); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", c.name, err)
		}
	}
	if _, err := m.Run(ctx, good); err != nil {
		t.Errorf("valid input: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Run(cancelled, good); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
}

// TestConstantFolding: a shape computation (Shape → Gather → Unsqueeze →
// Concat → Reshape, and ConstantOfShape → Concat as BlazeFace pads channels)
// is folded at load, leaving only the real work.
func TestConstantFolding(t *testing.T) {
	g := onnxbuild.NewGraph()
	g.Input("x", onnxbuild.Float, 2, 3, 4)
	g.InitInt64("zero", nil, []int64{0})
	g.InitInt64("minus1", []int64{1}, []int64{-1})
	g.InitInt64("axes", []int64{1}, []int64{0})
	g.InitInt64("padshape", []int64{3}, []int64{2, 1, 4})
	g.Node("Shape", []string{"x"}, []string{"s"})
	g.Node("Gather", []string{"s", "zero"}, []string{"n"}, onnxbuild.Int("axis", 0))
	g.Node("Unsqueeze", []string{"n", "axes"}, []string{"n1"})
	g.Node("Concat", []string{"n1", "minus1"}, []string{"target"}, onnxbuild.Int("axis", 0))
	g.Node("ConstantOfShape", []string{"padshape"}, []string{"zeros"})
	g.Node("Concat", []string{"x", "zeros"}, []string{"padded"}, onnxbuild.Int("axis", 1))
	g.Node("Reshape", []string{"padded", "target"}, []string{"y"})
	g.Output("y")
	m, err := LoadBytes(g.Model(13), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, op := range m.plan.ops {
		kinds = append(kinds, op.opType)
	}
	if len(kinds) != 1 || kinds[0] != "Concat" {
		t.Errorf("planned kernels %v, want only the data Concat", kinds)
	}
	x := randND(newRand(1), 2, 3, 4)
	got := runGraph(t, g.Model(13), Options{}, x)
	want := newND(2, 16)
	for b := range 2 {
		copy(want.data[b*16:], x.data[b*12:(b+1)*12])
	}
	assertClose(t, "folded", got[0], want, 0)
}

// TestSymbolicBatch: a symbolic batch dimension defaults to 1 and can be
// fixed with Options.InputShapes.
func TestSymbolicBatch(t *testing.T) {
	g := onnxbuild.NewGraph()
	g.Input("x", onnxbuild.Float, -1, 3)
	g.Node("Relu", []string{"x"}, []string{"y"})
	g.Output("y")
	m, err := LoadBytes(g.Model(13), Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := m.Inputs()[0]
	if in.Shape[0] != 1 || in.Symbolic[0] != "N" {
		t.Errorf("input %+v, want shape [1 3] with symbolic N", in)
	}
	m, err = LoadBytes(g.Model(13), Options{InputShapes: map[string][]int{"x": {4, 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Outputs()[0].Shape; s[0] != 4 {
		t.Errorf("output shape %v, want batch 4", s)
	}
	if _, err := LoadBytes(g.Model(13), Options{InputShapes: map[string][]int{"x": {4, 5}}}); !errors.Is(err, ErrInput) {
		t.Errorf("conflicting InputShapes: err = %v, want ErrInput", err)
	}
}

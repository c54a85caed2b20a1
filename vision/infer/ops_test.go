package infer

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/nevermind-ai/nevermind/vision/infer/internal/onnxbuild"
)

// refBroadcast applies f elementwise with numpy broadcasting, computing
// every output index from scratch.
func refBroadcast(a, b nd, f func(x, y float64) float64) nd {
	r := max(len(a.shape), len(b.shape))
	shape := make([]int, r)
	pa := append(make([]int, r-len(a.shape)), a.shape...)
	pb := append(make([]int, r-len(b.shape)), b.shape...)
	for i := range r {
		pa[i], pb[i] = max(pa[i], 1), max(pb[i], 1)
		shape[i] = max(pa[i], pb[i])
	}
	out := newND(shape...)
	forEachIndex(shape, func(idx []int, flat int) {
		ia, ib := 0, 0
		for d := range r {
			ia = ia*pa[d] + idx[d]%pa[d]
			ib = ib*pb[d] + idx[d]%pb[d]
		}
		out.data[flat] = f(a.data[ia], b.data[ib])
	})
	return out
}

func TestBinaryBroadcast(t *testing.T) {
	ops := map[string]func(x, y float64) float64{
		"Add": func(x, y float64) float64 { return x + y },
		"Sub": func(x, y float64) float64 { return x - y },
		"Mul": func(x, y float64) float64 { return x * y },
		"Div": func(x, y float64) float64 { return x / y },
		"Max": math.Max,
		"Min": math.Min,
		"Pow": func(x, y float64) float64 { return math.Pow(math.Abs(x)+0.5, y) },
	}
	shapes := [][2][]int{
		{{2, 3, 4, 5}, {2, 3, 4, 5}},
		{{2, 3, 4, 5}, {1, 3, 1, 1}},
		{{2, 3, 4, 5}, {3, 1, 1}},
		{{2, 3, 4, 5}, {5}},
		{{2, 3, 4, 5}, {}},
		{{}, {2, 3}},
		{{3, 1, 5}, {4, 1}},
		{{2, 1, 4, 1}, {1, 3, 1, 5}},
		{{1, 4}, {3, 1}},
		{{7}, {1}},
	}
	for name, f := range ops {
		for _, sh := range shapes {
			t.Run(fmt.Sprintf("%s/%v%v", name, sh[0], sh[1]), func(t *testing.T) {
				r := newRand(3)
				a, b := randND(r, sh[0]...), randND(r, sh[1]...)
				if name == "Div" {
					for i := range b.data {
						b.data[i] = float64(float32(math.Copysign(0.25+math.Abs(b.data[i]), b.data[i])))
					}
				}
				if name == "Pow" {
					for i := range a.data {
						a.data[i] = float64(float32(math.Abs(a.data[i]) + 0.5))
					}
				}
				ref := f
				if name == "Pow" {
					ref = math.Pow
				}
				g := oneNode(name, []nd{a, b}, nil)
				got := runGraph(t, g.Model(13), Options{}, a, b)
				assertClose(t, name, got[0], refBroadcast(a, b, ref), 1e-6)
				// The same with b constant (folded operand path).
				g = oneNode(name, []nd{a}, []nd{b})
				got = runGraph(t, g.Model(13), Options{}, a)
				assertClose(t, name+" const", got[0], refBroadcast(a, b, ref), 1e-6)
			})
		}
	}
}

func TestPRelu(t *testing.T) {
	r := newRand(5)
	x := randND(r, 2, 3, 4, 5)
	for _, sshape := range [][]int{{3, 1, 1}, {1, 3, 1, 1}, {5}, {}, {2, 3, 4, 5}} {
		slope := randND(r, sshape...)
		g := oneNode("PRelu", []nd{x}, []nd{slope})
		got := runGraph(t, g.Model(13), Options{}, x)
		want := refBroadcast(x, slope, func(v, s float64) float64 {
			if v < 0 {
				return v * s
			}
			return v
		})
		assertClose(t, fmt.Sprint("PRelu ", sshape), got[0], want, 1e-6)
	}
}

func TestUnary(t *testing.T) {
	r := newRand(9)
	x := randND(r, 2, 3, 7)
	for i := range x.data {
		x.data[i] = float64(float32(x.data[i] * 4))
	}
	pos := newND(x.shape...)
	for i, v := range x.data {
		pos.data[i] = float64(float32(math.Abs(v) + 0.1))
	}
	cases := []struct {
		op    string
		attrs []onnxbuild.Attr
		in    nd
		f     func(float64) float64
	}{
		{"Relu", nil, x, func(v float64) float64 { return math.Max(v, 0) }},
		{"Sigmoid", nil, x, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{"Tanh", nil, x, math.Tanh},
		{"LeakyRelu", []onnxbuild.Attr{onnxbuild.Float32("alpha", 0.25)}, x, func(v float64) float64 { return math.Max(v, 0) + 0.25*math.Min(v, 0) }},
		{"LeakyRelu", nil, x, func(v float64) float64 { return math.Max(v, 0) + float64(float32(0.01))*math.Min(v, 0) }},
		{"Elu", nil, x, func(v float64) float64 { return math.Max(v, 0) + math.Min(math.Expm1(v), 0) }},
		{"HardSigmoid", nil, x, func(v float64) float64 { return math.Min(math.Max(float64(float32(0.2))*v+0.5, 0), 1) }},
		{"HardSwish", nil, x, func(v float64) float64 { return v * math.Min(math.Max(v/6+0.5, 0), 1) }},
		{"Exp", nil, x, math.Exp},
		{"Log", nil, pos, math.Log},
		{"Sqrt", nil, pos, math.Sqrt},
		{"Reciprocal", nil, pos, func(v float64) float64 { return 1 / v }},
		{"Neg", nil, x, func(v float64) float64 { return -v }},
		{"Abs", nil, x, math.Abs},
		{"Floor", nil, x, math.Floor},
		{"Ceil", nil, x, math.Ceil},
		{"Softplus", nil, x, func(v float64) float64 { return math.Log1p(math.Exp(v)) }},
		{"Identity", nil, x, func(v float64) float64 { return v }},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			g := oneNode(c.op, []nd{c.in}, nil, c.attrs...)
			got := runGraph(t, g.Model(13), Options{}, c.in)
			want := newND(c.in.shape...)
			for i, v := range c.in.data {
				want.data[i] = c.f(v)
			}
			assertClose(t, c.op, got[0], want, 2e-6)
		})
	}
	t.Run("Clip", func(t *testing.T) {
		for _, opset := range []int64{6, 13} {
			var g *onnxbuild.Graph
			if opset < 11 {
				g = oneNode("Clip", []nd{x}, nil, onnxbuild.Float32("min", -1), onnxbuild.Float32("max", 2))
			} else {
				g = oneNode("Clip", []nd{x}, []nd{{shape: []int{}, data: []float64{-1}}, {shape: []int{}, data: []float64{2}}})
			}
			got := runGraph(t, g.Model(opset), Options{}, x)
			want := newND(x.shape...)
			for i, v := range x.data {
				want.data[i] = math.Min(math.Max(v, -1), 2)
			}
			assertClose(t, fmt.Sprint("Clip opset ", opset), got[0], want, 0)
		}
	})
}

// refPool is the textbook pooling with explicit pads; avg divisors follow
// onnxruntime (count_include_pad counts the padded window clipped to the
// padded extent).
func refPool(x nd, avg, includePad bool, k, s, pads []int, oh, ow int) nd {
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	out := newND(n, c, oh, ow)
	for b := range n {
		for ch := range c {
			for y := range oh {
				for xx := range ow {
					best, sum, cnt, padCnt := math.Inf(-1), 0.0, 0, 0
					for ky := range k[0] {
						for kx := range k[1] {
							iy, ix := y*s[0]-pads[0]+ky, xx*s[1]-pads[1]+kx
							if iy < h+pads[2] && ix < w+pads[3] {
								padCnt++
							}
							if iy < 0 || ix < 0 || iy >= h || ix >= w {
								continue
							}
							v := x.at(b, ch, iy, ix)
							best, sum, cnt = math.Max(best, v), sum+v, cnt+1
						}
					}
					switch {
					case !avg:
						out.set(best, b, ch, y, xx)
					case includePad:
						out.set(sum/float64(padCnt), b, ch, y, xx)
					default:
						out.set(sum/float64(cnt), b, ch, y, xx)
					}
				}
			}
		}
	}
	return out
}

func TestPool(t *testing.T) {
	cases := []struct {
		name       string
		h, w       int
		k, s, pads []int
		ceil       bool
		oh, ow     int
	}{
		{"2x2 s2", 8, 8, []int{2, 2}, []int{2, 2}, []int{0, 0, 0, 0}, false, 4, 4},
		{"2x2 s2 odd", 9, 7, []int{2, 2}, []int{2, 2}, []int{0, 0, 0, 0}, false, 4, 3},
		// Rows of 18 outputs: two blocks of the assembly row kernel and two left over.
		{"2x2 s2 wide", 7, 37, []int{2, 2}, []int{2, 2}, []int{0, 0, 0, 0}, false, 3, 18},
		{"2x2 s2 odd ceil", 9, 7, []int{2, 2}, []int{2, 2}, []int{0, 0, 0, 0}, true, 5, 4},
		{"3x3 s2 pad1", 9, 10, []int{3, 3}, []int{2, 2}, []int{1, 1, 1, 1}, false, 5, 5},
		{"3x3 s2 pad1 ceil", 10, 10, []int{3, 3}, []int{2, 2}, []int{1, 1, 1, 1}, true, 6, 6},
		{"3x3 s1 asym pads", 6, 7, []int{3, 3}, []int{1, 1}, []int{0, 1, 2, 0}, false, 6, 6},
		{"kernel equals input", 4, 4, []int{4, 4}, []int{1, 1}, []int{0, 0, 0, 0}, false, 1, 1},
	}
	for _, c := range cases {
		for _, op := range []string{"MaxPool", "AveragePool", "AveragePool/include"} {
			t.Run(c.name+"/"+op, func(t *testing.T) {
				r := newRand(13)
				x := randND(r, 2, 3, c.h, c.w)
				attrs := []onnxbuild.Attr{onnxbuild.Ints("kernel_shape", dims64(c.k)...), onnxbuild.Ints("strides", dims64(c.s)...),
					onnxbuild.Ints("pads", dims64(c.pads)...)}
				if c.ceil {
					attrs = append(attrs, onnxbuild.Int("ceil_mode", 1))
				}
				include := op == "AveragePool/include"
				if include {
					attrs = append(attrs, onnxbuild.Int("count_include_pad", 1))
				}
				onnxOp, _, _ := stringsCut(op, "/")
				g := oneNode(onnxOp, []nd{x}, nil, attrs...)
				got := runGraph(t, g.Model(13), Options{}, x)
				want := refPool(x, onnxOp == "AveragePool", include, c.k, c.s, c.pads, c.oh, c.ow)
				assertClose(t, op, got[0], want, 1e-6)
			})
		}
	}
	t.Run("global", func(t *testing.T) {
		r := newRand(17)
		x := randND(r, 2, 3, 5, 6)
		for _, op := range []string{"GlobalAveragePool", "GlobalMaxPool"} {
			g := oneNode(op, []nd{x}, nil)
			got := runGraph(t, g.Model(13), Options{}, x)
			want := newND(2, 3, 1, 1)
			for i := range 6 {
				plane := x.data[i*30 : (i+1)*30]
				if op == "GlobalMaxPool" {
					want.data[i] = slices.Max(plane)
				} else {
					s := 0.0
					for _, v := range plane {
						s += v
					}
					want.data[i] = s / 30
				}
			}
			assertClose(t, op, got[0], want, 1e-6)
		}
	})
}

func stringsCut(s, sep string) (string, string, bool) {
	for i := 0; i+len(sep) <= len(s); i++ {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}

// TestAddActivation: an activation after Add is fused into the Add kernel
// (the vector path for equal shapes, the row path for broadcasting).
func TestAddActivation(t *testing.T) {
	r := newRand(51)
	for _, shapes := range [][2][]int{{{3, 37}, {3, 37}}, {{2, 3, 5}, {3, 1}}} {
		for _, act := range []string{"Relu", "Clip", "Sigmoid"} {
			a, b := randND(r, shapes[0]...), randND(r, shapes[1]...)
			g := onnxbuild.NewGraph()
			g.Input("a", onnxbuild.Float, dims64(a.shape)...)
			g.Input("b", onnxbuild.Float, dims64(b.shape)...)
			g.InitFloat("lo", nil, []float32{-0.25})
			g.InitFloat("hi", nil, []float32{0.5})
			g.Node("Add", []string{"a", "b"}, []string{"s"})
			if act == "Clip" {
				g.Node("Clip", []string{"s", "lo", "hi"}, []string{"y"})
			} else {
				g.Node(act, []string{"s"}, []string{"y"})
			}
			g.Output("y")
			m, err := LoadBytes(g.Model(13), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.plan.ops) != 1 {
				t.Errorf("%s: %d kernels, want the activation fused into Add", act, len(m.plan.ops))
			}
			got := runGraph(t, g.Model(13), Options{}, a, b)
			want := refBroadcast(a, b, func(x, y float64) float64 {
				v := x + y
				switch act {
				case "Relu":
					return math.Max(v, 0)
				case "Clip":
					return math.Min(math.Max(v, -0.25), 0.5)
				}
				return 1 / (1 + math.Exp(-v))
			})
			assertClose(t, fmt.Sprint(act, shapes), got[0], want, 1e-6)
		}
	}
}

// TestAddChain: Add(a, Add(b, c)) and an activation after it run as one
// three-input Add, in either operand order, unless the inner sum is used
// elsewhere too (then both Adds run, and both outputs are right).
func TestAddChain(t *testing.T) {
	r := newRand(53)
	for _, n := range []int{5, 37, 4100} { // tails, and more than one block of add3
		for _, act := range []string{"Relu", "Sigmoid", "none"} {
			for _, variant := range []string{"outer", "inner", "shared"} {
				name := fmt.Sprintf("%d/%s/%s", n, act, variant)
				a, b, c := randND(r, 1, n), randND(r, 1, n), randND(r, 1, n)
				g := onnxbuild.NewGraph()
				for _, in := range []string{"a", "b", "c"} {
					g.Input(in, onnxbuild.Float, 1, int64(n))
				}
				g.Node("Add", []string{"b", "c"}, []string{"bc"})
				if variant == "inner" {
					g.Node("Add", []string{"bc", "a"}, []string{"s"})
				} else {
					g.Node("Add", []string{"a", "bc"}, []string{"s"})
				}
				if act == "none" {
					g.Node("Identity", []string{"s"}, []string{"y"})
				} else {
					g.Node(act, []string{"s"}, []string{"y"})
				}
				g.Output("y")
				if variant == "shared" {
					g.Output("bc")
				}
				m, err := LoadBytes(g.Model(13), Options{})
				if err != nil {
					t.Fatal(err)
				}
				kernels := 0
				for _, op := range m.plan.ops {
					if _, ok := op.k.(*binaryKernel); ok {
						kernels++
					}
				}
				if want := map[bool]int{true: 2, false: 1}[variant == "shared"]; kernels != want {
					t.Errorf("%s: %d Add kernels, want %d", name, kernels, want)
				}
				got := runGraph(t, g.Model(13), Options{}, a, b, c)
				want := newND(1, n)
				for i := range want.data {
					v := a.data[i] + b.data[i] + c.data[i]
					switch act {
					case "Relu":
						v = math.Max(v, 0)
					case "Sigmoid":
						v = 1 / (1 + math.Exp(-v))
					}
					want.data[i] = v
				}
				assertClose(t, name, got[0], want, 1e-5)
				if variant == "shared" {
					bc := newND(1, n)
					for i := range bc.data {
						bc.data[i] = b.data[i] + c.data[i]
					}
					assertClose(t, name+" inner sum", got[1], bc, 1e-6)
				}
			}
		}
	}
}

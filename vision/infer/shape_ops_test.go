package infer

import (
	"fmt"
	"math"
	"testing"

	"github.com/nevermind-ai/nevermind/vision/infer/internal/onnxbuild"
)

// graphWithInts builds x -> op(x, int64 constants...) -> y.
func graphWithInts(op string, x nd, ints [][]int64, attrs ...onnxbuild.Attr) *onnxbuild.Graph {
	g := onnxbuild.NewGraph()
	g.Input("x", onnxbuild.Float, dims64(x.shape)...)
	names := []string{"x"}
	for i, v := range ints {
		name := fmt.Sprintf("i%d", i)
		if v == nil {
			names = append(names, "")
			continue
		}
		g.InitInt64(name, []int64{int64(len(v))}, v)
		names = append(names, name)
	}
	g.Node(op, names, []string{"y"}, attrs...)
	g.Output("y")
	return g
}

// mapRef builds the expected output by reading x at src(idx) for every
// output index (or fill when src returns ok=false).
func mapRef(x nd, shape []int, src func(idx []int) ([]int, bool), fill float64) nd {
	out := newND(shape...)
	forEachIndex(shape, func(idx []int, flat int) {
		if s, ok := src(idx); ok {
			out.data[flat] = x.at(s...)
		} else {
			out.data[flat] = fill
		}
	})
	return out
}

func TestReshapeFamily(t *testing.T) {
	r := newRand(21)
	x := randND(r, 2, 3, 4)
	flat := nd{data: x.data}
	cases := []struct {
		name  string
		g     *onnxbuild.Graph
		opset int64
		shape []int
	}{
		{"Reshape -1", graphWithInts("Reshape", x, [][]int64{{4, -1}}), 13, []int{4, 6}},
		{"Reshape 0", graphWithInts("Reshape", x, [][]int64{{0, 0, 2, 2}}), 13, []int{2, 3, 2, 2}},
		{"Flatten 2", graphWithInts("Flatten", x, nil, onnxbuild.Int("axis", 2)), 13, []int{6, 4}},
		{"Flatten 0", graphWithInts("Flatten", x, nil, onnxbuild.Int("axis", 0)), 13, []int{1, 24}},
		{"Unsqueeze 13", graphWithInts("Unsqueeze", x, [][]int64{{0, -1}}), 13, []int{1, 2, 3, 4, 1}},
		{"Unsqueeze 11", graphWithInts("Unsqueeze", x, nil, onnxbuild.Ints("axes", 1)), 11, []int{2, 1, 3, 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := runGraph(t, c.g.Model(c.opset), Options{}, x)
			flat.shape = c.shape
			assertClose(t, c.name, got[0], flat, 0)
		})
	}
	t.Run("Squeeze", func(t *testing.T) {
		y := randND(r, 1, 3, 1, 2)
		for _, c := range []struct {
			g     *onnxbuild.Graph
			opset int64
			shape []int
		}{
			{graphWithInts("Squeeze", y, [][]int64{{2}}), 13, []int{1, 3, 2}},
			{graphWithInts("Squeeze", y, nil), 13, []int{3, 2}},
			{graphWithInts("Squeeze", y, nil, onnxbuild.Ints("axes", 0, -2)), 11, []int{3, 2}},
		} {
			got := runGraph(t, c.g.Model(c.opset), Options{}, y)
			assertClose(t, "Squeeze", got[0], nd{shape: c.shape, data: y.data}, 0)
		}
	})
}

func TestTranspose(t *testing.T) {
	r := newRand(23)
	// The last shape is an NHWC image of three channels, which the rotating
	// transposes copy pixel by pixel.
	for _, x := range []nd{randND(r, 2, 3, 4, 5), randND(r, 2, 4, 5, 3)} {
		testTranspose(t, x)
	}
}

func testTranspose(t *testing.T, x nd) {
	for _, perm := range [][]int{{0, 2, 3, 1}, {0, 3, 1, 2}, {3, 2, 1, 0}, {1, 2, 3, 0}, {0, 1, 3, 2}, nil} {
		var attrs []onnxbuild.Attr
		p := perm
		if perm != nil {
			attrs = append(attrs, onnxbuild.Ints("perm", dims64(perm)...))
		} else {
			p = []int{3, 2, 1, 0}
		}
		shape := []int{x.shape[p[0]], x.shape[p[1]], x.shape[p[2]], x.shape[p[3]]}
		want := mapRef(x, shape, func(idx []int) ([]int, bool) {
			s := make([]int, 4)
			for d := range 4 {
				s[p[d]] = idx[d]
			}
			return s, true
		}, 0)
		got := runGraph(t, oneNode("Transpose", []nd{x}, nil, attrs...).Model(13), Options{}, x)
		assertClose(t, fmt.Sprint("Transpose ", x.shape, perm), got[0], want, 0)
	}
}

func TestConcatSplit(t *testing.T) {
	r := newRand(25)
	a, b := randND(r, 2, 3, 4), randND(r, 2, 5, 4)
	g := oneNode("Concat", []nd{a, b}, nil, onnxbuild.Int("axis", -2))
	got := runGraph(t, g.Model(13), Options{}, a, b)
	want := mapRef(a, []int{2, 8, 4}, func(idx []int) ([]int, bool) { return idx, idx[1] < 3 }, 0)
	forEachIndex(want.shape, func(idx []int, flat int) {
		if idx[1] >= 3 {
			want.data[flat] = b.at(idx[0], idx[1]-3, idx[2])
		}
	})
	assertClose(t, "Concat", got[0], want, 0)

	// Split it back, opset 13 (sizes input) and opset 11 (attribute).
	for _, opset := range []int64{11, 13} {
		sg := onnxbuild.NewGraph()
		sg.Input("x", onnxbuild.Float, 2, 8, 4)
		ins := []string{"x"}
		attrs := []onnxbuild.Attr{onnxbuild.Int("axis", 1)}
		if opset >= 13 {
			sg.InitInt64("split", []int64{2}, []int64{3, 5})
			ins = append(ins, "split")
		} else {
			attrs = append(attrs, onnxbuild.Ints("split", 3, 5))
		}
		sg.Node("Split", ins, []string{"a", "b"}, attrs...)
		sg.Output("a")
		sg.Output("b")
		outs := runGraph(t, sg.Model(opset), Options{}, want)
		assertClose(t, "Split a", outs[0], a, 0)
		assertClose(t, "Split b", outs[1], b, 0)
	}
	// Equal split without sizes.
	sg := onnxbuild.NewGraph()
	sg.Input("x", onnxbuild.Float, 2, 8, 4)
	sg.Node("Split", []string{"x"}, []string{"a", "b"}, onnxbuild.Int("axis", 2))
	sg.Output("a")
	sg.Output("b")
	outs := runGraph(t, sg.Model(13), Options{}, want)
	half := mapRef(want, []int{2, 8, 2}, func(idx []int) ([]int, bool) { return idx, true }, 0)
	assertClose(t, "Split even", outs[0], half, 0)
}

func TestSlice(t *testing.T) {
	r := newRand(27)
	x := randND(r, 4, 6, 5)
	cases := []struct {
		name                      string
		starts, ends, axes, steps []int64
		begin, step               [3]int
		shape                     []int
	}{
		{"basic", []int64{1, 2}, []int64{3, 5}, []int64{0, 1}, nil, [3]int{1, 2, 0}, [3]int{1, 1, 1}, []int{2, 3, 5}},
		{"negative", []int64{-2}, []int64{math.MaxInt64}, []int64{-1}, nil, [3]int{0, 0, 3}, [3]int{1, 1, 1}, []int{4, 6, 2}},
		{"steps", []int64{0, 5}, []int64{4, 0}, []int64{0, 1}, []int64{2, -2}, [3]int{0, 5, 0}, [3]int{2, -2, 1}, []int{2, 3, 5}},
		{"reverse all", []int64{-1}, []int64{math.MinInt64}, []int64{2}, []int64{-1}, [3]int{0, 0, 4}, [3]int{1, 1, -1}, []int{4, 6, 5}},
		{"clamped", []int64{-100}, []int64{100}, []int64{1}, nil, [3]int{0, 0, 0}, [3]int{1, 1, 1}, []int{4, 6, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ints := [][]int64{c.starts, c.ends, c.axes}
			if c.steps != nil {
				ints = append(ints, c.steps)
			}
			got := runGraph(t, graphWithInts("Slice", x, ints).Model(13), Options{}, x)
			want := mapRef(x, c.shape, func(idx []int) ([]int, bool) {
				return []int{c.begin[0] + idx[0]*c.step[0], c.begin[1] + idx[1]*c.step[1], c.begin[2] + idx[2]*c.step[2]}, true
			}, 0)
			assertClose(t, c.name, got[0], want, 0)
		})
	}
}

func TestGatherExpandTile(t *testing.T) {
	r := newRand(29)
	x := randND(r, 3, 4, 2)
	g := onnxbuild.NewGraph()
	g.Input("x", onnxbuild.Float, 3, 4, 2)
	g.InitInt64("idx", []int64{2, 2}, []int64{3, -1, 0, 1})
	g.Node("Gather", []string{"x", "idx"}, []string{"y"}, onnxbuild.Int("axis", 1))
	g.Output("y")
	got := runGraph(t, g.Model(13), Options{}, x)
	ids := []int{3, 3, 0, 1}
	want := mapRef(x, []int{3, 2, 2, 2}, func(idx []int) ([]int, bool) {
		return []int{idx[0], ids[idx[1]*2+idx[2]], idx[3]}, true
	}, 0)
	assertClose(t, "Gather", got[0], want, 0)

	y := randND(r, 3, 1)
	got = runGraph(t, graphWithInts("Expand", y, [][]int64{{2, 1, 4}}).Model(13), Options{}, y)
	assertClose(t, "Expand", got[0], mapRef(y, []int{2, 3, 4}, func(idx []int) ([]int, bool) { return []int{idx[1], 0}, true }, 0), 0)

	got = runGraph(t, graphWithInts("Tile", x, [][]int64{{1, 2, 3}}).Model(13), Options{}, x)
	assertClose(t, "Tile", got[0], mapRef(x, []int{3, 8, 6}, func(idx []int) ([]int, bool) { return []int{idx[0], idx[1] % 4, idx[2] % 2}, true }, 0), 0)
}

func TestPad(t *testing.T) {
	r := newRand(31)
	x := randND(r, 1, 2, 4, 5)
	pads := []int64{0, 0, 2, 1, 0, 1, 3, 2} // begins then ends
	shape := []int{1, 3, 9, 8}
	reflect := func(i, n int) int {
		for i < 0 || i >= n {
			if i < 0 {
				i = -i
			}
			if i >= n {
				i = 2*(n-1) - i
			}
		}
		return i
	}
	for _, mode := range []string{"constant", "reflect", "edge"} {
		if mode == "reflect" {
			// Reflect may not pad more than size-1; use a smaller channel pad.
			pads = []int64{0, 0, 2, 1, 0, 1, 3, 2}
		}
		for _, opset := range []int64{2, 13} {
			t.Run(fmt.Sprintf("%s/opset%d", mode, opset), func(t *testing.T) {
				var g *onnxbuild.Graph
				if opset < 11 {
					g = graphWithInts("Pad", x, nil, onnxbuild.Ints("pads", pads...), onnxbuild.String("mode", mode), onnxbuild.Float32("value", 1.5))
				} else {
					g = onnxbuild.NewGraph()
					g.Input("x", onnxbuild.Float, 1, 2, 4, 5)
					g.InitInt64("pads", []int64{8}, pads)
					g.InitFloat("v", nil, []float32{1.5})
					g.Node("Pad", []string{"x", "pads", "v"}, []string{"y"}, onnxbuild.String("mode", mode))
					g.Output("y")
				}
				got := runGraph(t, g.Model(opset), Options{}, x)
				want := mapRef(x, shape, func(idx []int) ([]int, bool) {
					s := make([]int, 4)
					for d := range 4 {
						k := idx[d] - int(pads[d])
						n := x.shape[d]
						if k < 0 || k >= n {
							switch mode {
							case "constant":
								return nil, false
							case "edge":
								k = min(max(k, 0), n-1)
							case "reflect":
								k = reflect(k, n)
							}
						}
						s[d] = k
					}
					return s, true
				}, 1.5)
				assertClose(t, mode, got[0], want, 0)
			})
		}
	}
}

func TestDepthSpace(t *testing.T) {
	r := newRand(33)
	x := randND(r, 1, 8, 2, 3)
	for _, mode := range []string{"DCR", "CRD"} {
		got := runGraph(t, oneNode("DepthToSpace", []nd{x}, nil, onnxbuild.Int("blocksize", 2), onnxbuild.String("mode", mode)).Model(13), Options{}, x)
		// The ONNX definition: reshape, transpose, reshape.
		want := mapRef(x, []int{1, 2, 4, 6}, func(idx []int) ([]int, bool) {
			c, y, xx := idx[1], idx[2], idx[3]
			by, bx := y%2, xx%2
			ic := (by*2+bx)*2 + c
			if mode == "CRD" {
				ic = c*4 + by*2 + bx
			}
			return []int{0, ic, y / 2, xx / 2}, true
		}, 0)
		assertClose(t, "DepthToSpace "+mode, got[0], want, 0)
	}
	y := randND(r, 1, 2, 4, 6)
	got := runGraph(t, oneNode("SpaceToDepth", []nd{y}, nil, onnxbuild.Int("blocksize", 2)).Model(13), Options{}, y)
	want := mapRef(y, []int{1, 8, 2, 3}, func(idx []int) ([]int, bool) {
		blk, c := idx[1]/2, idx[1]%2
		return []int{0, c, idx[2]*2 + blk/2, idx[3]*2 + blk%2}, true
	}, 0)
	assertClose(t, "SpaceToDepth", got[0], want, 0)
}

// refResize computes one output pixel at a time from the ONNX formulas.
func refResize(x nd, oh, ow int, mode, coord, nearest string) nd {
	h, w := x.shape[2], x.shape[3]
	orig := func(o, in, out int) float64 {
		s := float64(out) / float64(in)
		switch coord {
		case "align_corners":
			if out == 1 {
				return 0
			}
			return float64(o) * float64(in-1) / float64(out-1)
		case "asymmetric":
			return float64(o) / s
		case "pytorch_half_pixel":
			if out == 1 {
				return 0
			}
		}
		return (float64(o)+0.5)/s - 0.5
	}
	out := newND(x.shape[0], x.shape[1], oh, ow)
	forEachIndex(out.shape, func(idx []int, flat int) {
		fy, fx := orig(idx[2], h, oh), orig(idx[3], w, ow)
		if mode == "nearest" {
			round := func(v float64, n int) int {
				var r float64
				switch nearest {
				case "floor":
					r = math.Floor(v)
				case "ceil":
					r = math.Ceil(v)
				case "round_prefer_ceil":
					r = math.Floor(v + 0.5)
				default:
					if v-math.Floor(v) == 0.5 {
						r = math.Floor(v)
					} else {
						r = math.Round(v)
					}
				}
				return min(max(int(r), 0), n-1)
			}
			out.data[flat] = x.at(idx[0], idx[1], round(fy, h), round(fx, w))
			return
		}
		fy, fx = math.Min(math.Max(fy, 0), float64(h-1)), math.Min(math.Max(fx, 0), float64(w-1))
		y0, x0 := int(fy), int(fx)
		y1, x1 := min(y0+1, h-1), min(x0+1, w-1)
		dy, dx := fy-float64(y0), fx-float64(x0)
		v := x.at(idx[0], idx[1], y0, x0)*(1-dy)*(1-dx) + x.at(idx[0], idx[1], y0, x1)*(1-dy)*dx +
			x.at(idx[0], idx[1], y1, x0)*dy*(1-dx) + x.at(idx[0], idx[1], y1, x1)*dy*dx
		out.data[flat] = v
	})
	return out
}

func TestResize(t *testing.T) {
	r := newRand(35)
	x := randND(r, 1, 2, 5, 7)
	cases := []struct {
		mode, coord, nearest string
		oh, ow               int
		useSizes             bool
	}{
		{"linear", "half_pixel", "", 10, 14, false},
		{"linear", "half_pixel", "", 8, 5, true},
		{"linear", "align_corners", "", 9, 13, true},
		{"linear", "asymmetric", "", 10, 21, false},
		{"linear", "pytorch_half_pixel", "", 1, 3, true},
		{"nearest", "asymmetric", "floor", 10, 14, false},
		{"nearest", "half_pixel", "round_prefer_floor", 8, 11, true},
		{"nearest", "half_pixel", "round_prefer_ceil", 8, 11, true},
		{"nearest", "align_corners", "ceil", 3, 4, true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s/%dx%d", c.mode, c.coord, c.nearest, c.oh, c.ow), func(t *testing.T) {
			g := onnxbuild.NewGraph()
			g.Input("x", onnxbuild.Float, 1, 2, 5, 7)
			attrs := []onnxbuild.Attr{onnxbuild.String("mode", c.mode), onnxbuild.String("coordinate_transformation_mode", c.coord)}
			if c.nearest != "" {
				attrs = append(attrs, onnxbuild.String("nearest_mode", c.nearest))
			}
			if c.useSizes {
				g.InitInt64("sizes", []int64{4}, []int64{1, 2, int64(c.oh), int64(c.ow)})
				g.Node("Resize", []string{"x", "", "", "sizes"}, []string{"y"}, attrs...)
			} else {
				g.InitFloat("scales", []int64{4}, []float32{1, 1, float32(c.oh) / 5, float32(c.ow) / 7})
				g.Node("Resize", []string{"x", "", "scales"}, []string{"y"}, attrs...)
			}
			g.Output("y")
			got := runGraph(t, g.Model(13), Options{}, x)
			assertClose(t, "Resize", got[0], refResize(x, c.oh, c.ow, c.mode, c.coord, c.nearest), 1e-6)
		})
	}
}

func refMatMul(a, b nd) nd {
	m, k, n := a.shape[0], a.shape[1], b.shape[1]
	out := newND(m, n)
	for i := range m {
		for j := range n {
			s := 0.0
			for p := range k {
				s += a.at(i, p) * b.at(p, j)
			}
			out.set(s, i, j)
		}
	}
	return out
}

func TestMatMul(t *testing.T) {
	r := newRand(37)
	for _, sz := range [][3]int{{1, 64, 7}, {5, 3, 4}, {17, 33, 70}, {64, 300, 40}} {
		a, b := randND(r, sz[0], sz[1]), randND(r, sz[1], sz[2])
		bothKernels(t, func(t *testing.T, opts Options) {
			got := runGraph(t, oneNode("MatMul", []nd{a}, []nd{b}).Model(13), opts, a)
			assertClose(t, fmt.Sprint("MatMul ", sz), got[0], refMatMul(a, b), 1e-5)
			got = runGraph(t, oneNode("MatMul", []nd{a, b}, nil).Model(13), opts, a, b)
			assertClose(t, fmt.Sprint("MatMul runtime B ", sz), got[0], refMatMul(a, b), 1e-5)
		})
	}
	// Batched with broadcasting: [2,1,3,4] x [3,4,5] -> [2,3,3,5].
	a, b := randND(r, 2, 1, 3, 4), randND(r, 3, 4, 5)
	got := runGraph(t, oneNode("MatMul", []nd{a, b}, nil).Model(13), Options{}, a, b)
	want := newND(2, 3, 3, 5)
	for i := range 2 {
		for j := range 3 {
			am := nd{shape: []int{3, 4}, data: a.data[i*12 : (i+1)*12]}
			bm := nd{shape: []int{4, 5}, data: b.data[j*20 : (j+1)*20]}
			copy(want.data[(i*3+j)*15:], refMatMul(am, bm).data)
		}
	}
	assertClose(t, "batched MatMul", got[0], want, 1e-5)
	// 1-D operands.
	v := randND(r, 4)
	got = runGraph(t, oneNode("MatMul", []nd{v}, []nd{b}).Model(13), Options{}, v)
	wantV := newND(3, 5)
	for j := range 3 {
		bm := nd{shape: []int{4, 5}, data: b.data[j*20 : (j+1)*20]}
		copy(wantV.data[j*5:], refMatMul(nd{shape: []int{1, 4}, data: v.data}, bm).data)
	}
	assertClose(t, "vector MatMul", got[0], wantV, 1e-5)
}

func TestGemm(t *testing.T) {
	r := newRand(39)
	m, k, n := 3, 10, 6
	for _, transA := range []bool{false, true} {
		for _, transB := range []bool{false, true} {
			for _, cshape := range [][]int{nil, {n}, {m, n}, {m, 1}} {
				t.Run(fmt.Sprint(transA, transB, cshape), func(t *testing.T) {
					a, b := randND(r, m, k), randND(r, k, n)
					ain, bin := a, b
					if transA {
						ain = mapRef(a, []int{k, m}, func(idx []int) ([]int, bool) { return []int{idx[1], idx[0]}, true }, 0)
					}
					if transB {
						bin = mapRef(b, []int{n, k}, func(idx []int) ([]int, bool) { return []int{idx[1], idx[0]}, true }, 0)
					}
					consts := []nd{bin}
					var c nd
					if cshape != nil {
						c = randND(r, cshape...)
						consts = append(consts, c)
					}
					attrs := []onnxbuild.Attr{onnxbuild.Float32("alpha", 0.5), onnxbuild.Float32("beta", 2)}
					if transA {
						attrs = append(attrs, onnxbuild.Int("transA", 1))
					}
					if transB {
						attrs = append(attrs, onnxbuild.Int("transB", 1))
					}
					model := oneNode("Gemm", []nd{ain}, consts, attrs...).Model(13)
					want := refMatMul(a, b)
					for i := range want.data {
						want.data[i] *= 0.5
					}
					if cshape != nil {
						want = refBroadcast(want, c, func(x, y float64) float64 { return x + 2*y })
					}
					// Run twice: onnx-go's own Gemm overwrote its bias on the first run.
					im, err := LoadBytes(model, Options{})
					if err != nil {
						t.Fatal(err)
					}
					for range 2 {
						got := runGraph(t, model, Options{}, ain)
						assertClose(t, "Gemm", got[0], want, 1e-5)
					}
					_ = im
				})
			}
		}
	}
}

func TestSoftmaxReduce(t *testing.T) {
	r := newRand(41)
	x := randND(r, 2, 3, 4)
	softmax := func(axes []int) nd {
		// Normalise over the given (trailing, contiguous) axes.
		inner := 1
		for _, a := range axes {
			inner *= x.shape[a]
		}
		stride := 1
		for d := axes[len(axes)-1] + 1; d < 3; d++ {
			stride *= x.shape[d]
		}
		out := newND(x.shape...)
		outer := len(x.data) / (inner * stride)
		for o := range outer {
			for s := range stride {
				sum := 0.0
				for i := range inner {
					sum += math.Exp(x.data[(o*inner+i)*stride+s])
				}
				for i := range inner {
					j := (o*inner+i)*stride + s
					out.data[j] = math.Exp(x.data[j]) / sum
				}
			}
		}
		return out
	}
	got := runGraph(t, oneNode("Softmax", []nd{x}, nil, onnxbuild.Int("axis", 1)).Model(13), Options{}, x)
	assertClose(t, "Softmax-13 axis 1", got[0], softmax([]int{1}), 1e-6)
	got = runGraph(t, oneNode("Softmax", []nd{x}, nil).Model(13), Options{}, x)
	assertClose(t, "Softmax-13 default", got[0], softmax([]int{2}), 1e-6)
	got = runGraph(t, oneNode("Softmax", []nd{x}, nil, onnxbuild.Int("axis", 1)).Model(11), Options{}, x)
	assertClose(t, "Softmax-11 axis 1 (coerced 2-D)", got[0], softmax([]int{1, 2}), 1e-6)

	reduce := func(axes []bool, keep bool, f func([]float64) float64) nd {
		var shape []int
		for d, s := range x.shape {
			if axes[d] {
				if keep {
					shape = append(shape, 1)
				}
			} else {
				shape = append(shape, s)
			}
		}
		groups := map[int][]float64{}
		var order []int
		forEachIndex(x.shape, func(idx []int, flat int) {
			key := 0
			for d, i := range idx {
				if !axes[d] {
					key = key*x.shape[d] + i
				}
			}
			if _, ok := groups[key]; !ok {
				order = append(order, key)
			}
			groups[key] = append(groups[key], x.data[flat])
		})
		out := newND(shape...)
		for _, key := range order {
			out.data[key] = f(groups[key])
		}
		return out
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	got = runGraph(t, oneNode("ReduceMean", []nd{x}, nil, onnxbuild.Ints("axes", 2, 1)).Model(13), Options{}, x)
	assertClose(t, "ReduceMean keepdims", got[0], reduce([]bool{false, true, true}, true, mean), 1e-6)
	got = runGraph(t, oneNode("ReduceMean", []nd{x}, nil, onnxbuild.Ints("axes", 0), onnxbuild.Int("keepdims", 0)).Model(13), Options{}, x)
	assertClose(t, "ReduceMean axis 0", got[0], reduce([]bool{true, false, false}, false, mean), 1e-6)
	got = runGraph(t, oneNode("ReduceMax", []nd{x}, nil, onnxbuild.Int("keepdims", 0)).Model(13), Options{}, x)
	assertClose(t, "ReduceMax all", got[0], reduce([]bool{true, true, true}, false, func(v []float64) float64 {
		m := math.Inf(-1)
		for _, x := range v {
			m = math.Max(m, x)
		}
		return m
	}), 0)
	got = runGraph(t, graphWithInts("ReduceSum", x, [][]int64{{-1}}).Model(13), Options{}, x)
	assertClose(t, "ReduceSum-13 axes input", got[0], reduce([]bool{false, false, true}, true, func(v []float64) float64 { return mean(v) * float64(len(v)) }), 1e-6)
}

// TestUpsampleLegacy: Upsample-9 and Resize-10 take (X, scales) and use
// asymmetric coordinates; nearest rounds down.
func TestUpsampleLegacy(t *testing.T) {
	r := newRand(53)
	x := randND(r, 1, 2, 3, 4)
	for _, c := range []struct {
		op    string
		opset int64
		mode  string
	}{{"Upsample", 9, "nearest"}, {"Upsample", 9, "linear"}, {"Resize", 10, "nearest"}, {"Resize", 10, "linear"}} {
		g := onnxbuild.NewGraph()
		g.Input("x", onnxbuild.Float, 1, 2, 3, 4)
		g.InitFloat("scales", []int64{4}, []float32{1, 1, 2, 1.5})
		g.Node(c.op, []string{"x", "scales"}, []string{"y"}, onnxbuild.String("mode", c.mode))
		g.Output("y")
		got := runGraph(t, g.Model(c.opset), Options{}, x)
		assertClose(t, fmt.Sprint(c), got[0], refResize(x, 6, 6, c.mode, "asymmetric", "floor"), 1e-6)
	}
}

// TestConstantsFold: Constant forms, Cast, Range and Size fold to the values
// ONNX defines, checked through a float output.
func TestConstantsFold(t *testing.T) {
	g := onnxbuild.NewGraph()
	g.Input("x", onnxbuild.Float, 2, 2)
	g.Node("Constant", nil, []string{"f"}, onnxbuild.Floats("value_floats", 1.5, -2))
	g.Node("Constant", nil, []string{"i"}, onnxbuild.Ints("value_ints", 3, 4))
	g.Node("Constant", nil, []string{"t"}, onnxbuild.Tensor("value", onnxbuild.FloatTensor("", []int64{2}, []float32{10, 20})))
	g.Node("Cast", []string{"i"}, []string{"fi"}, onnxbuild.Int("to", 1))
	g.Node("Size", []string{"x"}, []string{"n"})
	g.Node("Cast", []string{"n"}, []string{"nf"}, onnxbuild.Int("to", 1))
	g.InitInt64("start", nil, []int64{0})
	g.InitInt64("delta", nil, []int64{3})
	g.Node("Range", []string{"start", "n", "delta"}, []string{"rng"}) // 0, 3
	g.Node("Cast", []string{"rng"}, []string{"rf"}, onnxbuild.Int("to", 1))
	g.Node("Add", []string{"f", "fi"}, []string{"s1"})  // 4.5, 2
	g.Node("Add", []string{"s1", "t"}, []string{"s2"})  // 14.5, 22
	g.Node("Add", []string{"s2", "rf"}, []string{"s3"}) // 14.5, 25
	g.Node("Mul", []string{"s3", "nf"}, []string{"s4"}) // ×4, the Size of x
	g.Node("Add", []string{"x", "s4"}, []string{"y"})
	g.Output("y")
	x := randND(newRand(55), 2, 2)
	m, err := LoadBytes(g.Model(13), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.plan.ops) != 1 {
		t.Errorf("%d kernels planned, want only the final Add", len(m.plan.ops))
	}
	got := runGraph(t, g.Model(13), Options{}, x)
	want := newND(2, 2)
	for i := range 4 {
		want.data[i] = x.data[i] + []float64{58, 100}[i%2]
	}
	assertClose(t, "folded constants", got[0], want, 1e-7)
}

// TestEmptyConstants: exporters write Resize's unused roi (and scales, when
// sizes are given) as zero-element tensors, which onnx-go cannot decode; they
// are taken out before decoding and planned as empty constants.
func TestEmptyConstants(t *testing.T) {
	x := randND(newRand(57), 1, 2, 3, 4)
	g := onnxbuild.NewGraph()
	g.Input("x", onnxbuild.Float, 1, 2, 3, 4)
	g.Input("roi", onnxbuild.Float, 0) // listed as an input too, as IR 3 did
	g.InitFloat("roi", []int64{0}, nil)
	g.Node("Constant", nil, []string{"scales"}, onnxbuild.Tensor("value", onnxbuild.FloatTensor("", []int64{0}, nil)))
	g.InitInt64("sizes", []int64{4}, []int64{1, 2, 6, 7})
	g.Node("Resize", []string{"x", "roi", "scales", "sizes"}, []string{"y"}, onnxbuild.String("mode", "linear"))
	g.Output("y")
	m, err := LoadBytes(g.Model(13), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Inputs()); n != 1 {
		t.Fatalf("%d inputs, want only x", n)
	}
	got := runGraph(t, g.Model(13), Options{}, x)
	assertClose(t, "Resize with empty roi and scales", got[0], refResize(x, 6, 7, "linear", "half_pixel", ""), 1e-6)
}

// TestFloat16Initializer: FLOAT16 weights (which onnx-go cannot decode) are
// widened to float32 before decoding.
func TestFloat16Initializer(t *testing.T) {
	// 1, -2, 0.5, 65504, 2^-24 (smallest subnormal), -0 as binary16.
	halves := []uint16{0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000}
	want := []float64{1, -2, 0.5, 65504, math.Ldexp(1, -24), 0}
	var raw []byte
	for _, h := range halves {
		raw = append(raw, byte(h), byte(h>>8))
	}
	g := onnxbuild.NewGraph()
	g.Input("x", onnxbuild.Float, 6)
	g.InitRaw("w", []int64{6}, 10, raw)
	g.Node("Add", []string{"x", "w"}, []string{"y"})
	g.Output("y")
	x := newND(6)
	got := runGraph(t, g.Model(13), Options{}, x)
	assertClose(t, "float16 weights", got[0], nd{shape: []int{6}, data: want}, 0)
}

// TestGatherRuns: an index map of long stretches (copies and fills of
// random lengths, as a Pad or a Slice makes) runs as copies of its runs,
// and gives what the element-by-element map gives, also when the output is
// cut into parts that start and end inside runs.
func TestGatherRuns(t *testing.T) {
	r := newRand(29)
	in := make([]float32, 5000)
	for i := range in {
		in[i] = float32(i) + 0.5
	}
	var src []int32
	for len(src) < 3*chunk {
		n := 1 + int(r.Uint64()%200)
		if r.Uint64()%3 == 0 {
			for range n {
				src = append(src, -1)
			}
			continue
		}
		from := int32(r.Uint64() % uint64(len(in)-n))
		for i := range n {
			src = append(src, from+int32(i))
		}
	}
	for _, fill := range []float32{0, -7} {
		k := newGatherKernel(src, fill)
		if k.runs == nil {
			t.Fatalf("%d indexes in stretches of about 100 were not taken as runs", len(src))
		}
		elementwise := &gatherKernel{src: src, fill: fill}
		want := make([]float32, len(src))
		elementwise.run(&args{in: [][]float32{in}, out: [][]float32{want}}, 0, elementwise.units())
		for _, cut := range [][2]int{{0, len(src)}, {1, 2*chunk + 3}, {chunk - 1, chunk + 1}, {len(src) - 5, len(src)}} {
			got := make([]float32, len(src))
			k.copyRuns(in, got, cut[0], cut[1])
			for i := range got {
				w := float32(0)
				if i >= cut[0] && i < cut[1] {
					w = want[i]
				}
				if got[i] != w {
					t.Fatalf("fill %v, output [%d, %d): out[%d] = %v, want %v", fill, cut[0], cut[1], i, got[i], w)
				}
			}
		}
	}
	if k := newGatherKernel([]int32{3, 1, 2, 0, 5, 4}, 0); k.runs != nil {
		t.Error("a shuffle was taken as runs")
	}
}

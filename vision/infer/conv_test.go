package infer

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/nevermind-ai/nevermind/vision/infer/internal/onnxbuild"
	"gorgonia.org/tensor"
)

// refConv is the textbook convolution: for every output element, sum over
// its window, skipping taps that fall in the padding.
func refConv(x, w nd, bias []float64, group int, strides, dils, pads []int) nd {
	n, cin, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	cout, cinG, kh, kw := w.shape[0], w.shape[1], w.shape[2], w.shape[3]
	oh := (h+pads[0]+pads[2]-((kh-1)*dils[0]+1))/strides[0] + 1
	ow := (wd+pads[1]+pads[3]-((kw-1)*dils[1]+1))/strides[1] + 1
	out := newND(n, cout, oh, ow)
	coutG := cout / group
	_ = cin
	for b := range n {
		for o := range cout {
			g := o / coutG
			for y := range oh {
				for xx := range ow {
					s := 0.0
					if bias != nil {
						s = bias[o]
					}
					for c := range cinG {
						for ky := range kh {
							for kx := range kw {
								iy := y*strides[0] - pads[0] + ky*dils[0]
								ix := xx*strides[1] - pads[1] + kx*dils[1]
								if iy < 0 || iy >= h || ix < 0 || ix >= wd {
									continue
								}
								s += x.at(b, g*cinG+c, iy, ix) * w.at(o, c, ky, kx)
							}
						}
					}
					out.set(s, b, o, y, xx)
				}
			}
		}
	}
	return out
}

func TestConv(t *testing.T) {
	type tc struct {
		name                string
		n, cin, h, w        int
		cout, group, kh, kw int
		strides, dils, pads []int
		autoPad             string
		noBias              bool
	}
	cases := []tc{
		{name: "3x3 pad1", n: 1, cin: 3, h: 9, w: 7, cout: 5, group: 1, kh: 3, kw: 3, pads: []int{1, 1, 1, 1}},
		{name: "batch2 no bias", n: 2, cin: 4, h: 6, w: 6, cout: 6, group: 1, kh: 3, kw: 3, noBias: true},
		{name: "stride2 asymmetric pads", n: 1, cin: 3, h: 10, w: 11, cout: 8, group: 1, kh: 3, kw: 3, strides: []int{2, 2}, pads: []int{0, 0, 1, 1}},
		{name: "5x5 stride2 pads 1,1,2,2", n: 1, cin: 3, h: 16, w: 16, cout: 24, group: 1, kh: 5, kw: 5, strides: []int{2, 2}, pads: []int{1, 1, 2, 2}},
		{name: "pointwise", n: 1, cin: 24, h: 16, w: 16, cout: 28, group: 1, kh: 1, kw: 1},
		{name: "pointwise large", n: 1, cin: 96, h: 20, w: 21, cout: 70, group: 1, kh: 1, kw: 1},
		{name: "1x1 stride2", n: 1, cin: 8, h: 9, w: 9, cout: 4, group: 1, kh: 1, kw: 1, strides: []int{2, 2}},
		{name: "depthwise 3x3", n: 1, cin: 6, h: 12, w: 13, cout: 6, group: 6, kh: 3, kw: 3, pads: []int{1, 1, 1, 1}},
		{name: "depthwise 5x5 pad2", n: 2, cin: 4, h: 17, w: 19, cout: 4, group: 4, kh: 5, kw: 5, pads: []int{2, 2, 2, 2}},
		{name: "depthwise stride2 asym", n: 1, cin: 5, h: 15, w: 16, cout: 5, group: 5, kh: 3, kw: 3, strides: []int{2, 2}, pads: []int{0, 0, 1, 1}},
		{name: "depthwise 5x5 stride2 odd", n: 1, cin: 3, h: 13, w: 13, cout: 3, group: 3, kh: 5, kw: 5, strides: []int{2, 2}, pads: []int{1, 2, 2, 1}},
		{name: "depthwise stride3", n: 1, cin: 2, h: 11, w: 11, cout: 2, group: 2, kh: 3, kw: 3, strides: []int{3, 3}, pads: []int{1, 1, 1, 1}},
		{name: "depthwise dilated", n: 1, cin: 3, h: 12, w: 12, cout: 3, group: 3, kh: 3, kw: 3, dils: []int{2, 2}, pads: []int{2, 2, 2, 2}},
		{name: "depthwise dilated rows", n: 1, cin: 3, h: 12, w: 12, cout: 3, group: 3, kh: 3, kw: 3, dils: []int{2, 1}, pads: []int{2, 1, 2, 1}},
		{name: "depthwise 7x7 wide", n: 1, cin: 2, h: 9, w: 40, cout: 2, group: 2, kh: 7, kw: 7, pads: []int{3, 3, 3, 3}},
		{name: "depthwise 3x3 stride2 wide", n: 1, cin: 2, h: 33, w: 66, cout: 2, group: 2, kh: 3, kw: 3, strides: []int{2, 2}, pads: []int{1, 1, 1, 1}},
		{name: "depthwise 5x5 stride2 wide even pad", n: 1, cin: 2, h: 20, w: 70, cout: 2, group: 2, kh: 5, kw: 5, strides: []int{2, 2}, pads: []int{2, 2, 2, 2}},
		{name: "depthwise small 3x5 asym pads", n: 2, cin: 3, h: 6, w: 9, cout: 3, group: 3, kh: 3, kw: 5, pads: []int{0, 2, 1, 1}},
		{name: "depthwise small big pads", n: 1, cin: 2, h: 4, w: 5, cout: 2, group: 2, kh: 3, kw: 3, pads: []int{3, 4, 2, 5}},
		{name: "dilated dense", n: 1, cin: 2, h: 10, w: 9, cout: 3, group: 1, kh: 3, kw: 2, dils: []int{2, 3}, pads: []int{1, 0, 2, 1}},
		{name: "group2", n: 1, cin: 4, h: 8, w: 8, cout: 6, group: 2, kh: 3, kw: 3, pads: []int{1, 1, 1, 1}},
		{name: "depthwise multiplier2", n: 1, cin: 3, h: 7, w: 7, cout: 6, group: 3, kh: 3, kw: 3},
		{name: "SAME_UPPER stride2", n: 1, cin: 3, h: 10, w: 9, cout: 4, group: 1, kh: 3, kw: 3, strides: []int{2, 2}, autoPad: "SAME_UPPER"},
		{name: "SAME_LOWER stride2", n: 1, cin: 3, h: 10, w: 9, cout: 4, group: 1, kh: 4, kw: 4, strides: []int{2, 2}, autoPad: "SAME_LOWER"},
		{name: "SAME_UPPER depthwise even kernel", n: 1, cin: 3, h: 9, w: 10, cout: 3, group: 3, kh: 2, kw: 2, autoPad: "SAME_UPPER"},
		{name: "VALID", n: 1, cin: 3, h: 10, w: 9, cout: 4, group: 1, kh: 3, kw: 3, strides: []int{2, 1}, autoPad: "VALID"},
		{name: "kernel equals input", n: 1, cin: 2, h: 4, w: 4, cout: 3, group: 1, kh: 4, kw: 4},
	}
	for _, c := range cases {
		bothKernels(t, func(t *testing.T, opts Options) {
			t.Run(c.name, func(t *testing.T) {
				r := newRand(uint64(len(c.name)))
				strides, dils, pads := c.strides, c.dils, c.pads
				if strides == nil {
					strides = []int{1, 1}
				}
				if dils == nil {
					dils = []int{1, 1}
				}
				if pads == nil {
					pads = []int{0, 0, 0, 0}
				}
				x := randND(r, c.n, c.cin, c.h, c.w)
				w := randND(r, c.cout, c.cin/c.group, c.kh, c.kw)
				bias := randND(r, c.cout)
				attrs := []onnxbuild.Attr{onnxbuild.Ints("strides", int64(strides[0]), int64(strides[1])),
					onnxbuild.Ints("dilations", int64(dils[0]), int64(dils[1])), onnxbuild.Int("group", int64(c.group)),
					onnxbuild.Ints("kernel_shape", int64(c.kh), int64(c.kw))}
				refPads := pads
				if c.autoPad != "" {
					attrs = append(attrs, onnxbuild.String("auto_pad", c.autoPad))
					refPads = autoPads(c.autoPad, []int{c.h, c.w}, []int{c.kh, c.kw}, strides, dils)
				} else {
					attrs = append(attrs, onnxbuild.Ints("pads", dims64(pads)...))
				}
				consts := []nd{w, bias}
				var refBias []float64 = bias.data
				if c.noBias {
					consts, refBias = consts[:1], nil
				}
				g := oneNode("Conv", []nd{x}, consts, attrs...)
				got := runGraph(t, g.Model(13), opts, x)
				assertClose(t, "Conv", got[0], refConv(x, w, refBias, c.group, strides, dils, refPads), 1e-5)
			})
		})
	}
}

// autoPads follows the ONNX definition of SAME_UPPER / SAME_LOWER / VALID.
func autoPads(mode string, in, k, s, d []int) []int {
	pads := make([]int, 4)
	if mode == "VALID" {
		return pads
	}
	for i := range 2 {
		out := (in[i] + s[i] - 1) / s[i]
		total := max((out-1)*s[i]+(k[i]-1)*d[i]+1-in[i], 0)
		if mode == "SAME_UPPER" {
			pads[i], pads[i+2] = total/2, total-total/2
		} else {
			pads[i], pads[i+2] = total-total/2, total/2
		}
	}
	return pads
}

func TestConv1D(t *testing.T) {
	r := newRand(7)
	x := randND(r, 1, 3, 20)
	w := randND(r, 4, 3, 5)
	g := oneNode("Conv", []nd{x}, []nd{w}, onnxbuild.Ints("pads", 2, 1), onnxbuild.Ints("strides", 2))
	got := runGraph(t, g.Model(13), Options{}, x)
	x4 := nd{shape: []int{1, 3, 1, 20}, data: x.data}
	w4 := nd{shape: []int{4, 3, 1, 5}, data: w.data}
	want := refConv(x4, w4, nil, 1, []int{1, 2}, []int{1, 1}, []int{0, 2, 0, 1})
	want.shape = []int{1, 4, want.shape[3]}
	assertClose(t, "Conv1D", got[0], want, 1e-5)
}

// TestConvFusions checks the epilogues the planner fuses into Conv against
// the unfused float64 reference: BatchNormalization, residual Add, Relu,
// Clip (Relu6), LeakyRelu and per-channel PRelu.
func TestConvFusions(t *testing.T) {
	r := newRand(11)
	const c = 8
	x := randND(r, 1, c, 10, 10)
	skip := randND(r, 1, c, 10, 10)
	w := randND(r, c, c, 3, 3)
	dw := randND(r, c, 1, 3, 3)
	bias := randND(r, c)
	scale, shift, mean := randND(r, c), randND(r, c), randND(r, c)
	variance := newND(c)
	slope := randND(r, c, 1, 1)
	for i := range variance.data {
		variance.data[i] = float64(float32(0.5 + float64(i)/c))
	}
	for _, depthwise := range []bool{false, true} {
		for _, act := range []string{"Relu", "Clip", "LeakyRelu", "PRelu", "Sigmoid", "none"} {
			name := fmt.Sprintf("depthwise=%v/%s", depthwise, act)
			t.Run(name, func(t *testing.T) {
				g := onnxbuild.NewGraph()
				g.Input("x", onnxbuild.Float, 1, c, 10, 10)
				g.Input("skip", onnxbuild.Float, 1, c, 10, 10)
				weights, group := w, int64(1)
				if depthwise {
					weights, group = dw, c
				}
				g.InitFloat("w", dims64(weights.shape), weights.f32())
				g.InitFloat("b", []int64{c}, bias.f32())
				for _, p := range []struct {
					name string
					v    nd
				}{{"scale", scale}, {"shift", shift}, {"mean", mean}, {"var", variance}} {
					g.InitFloat(p.name, []int64{c}, p.v.f32())
				}
				g.InitFloat("slope", []int64{c, 1, 1}, slope.f32())
				g.InitFloat("lo", nil, []float32{-0.2})
				g.InitFloat("hi", nil, []float32{0.6})
				g.Node("Conv", []string{"x", "w", "b"}, []string{"conv"}, onnxbuild.Ints("pads", 1, 1, 1, 1), onnxbuild.Int("group", group))
				g.Node("BatchNormalization", []string{"conv", "scale", "shift", "mean", "var"}, []string{"bn"}, onnxbuild.Float32("epsilon", 1e-3))
				g.Node("Add", []string{"bn", "skip"}, []string{"sum"})
				switch act {
				case "Relu", "Sigmoid":
					g.Node(act, []string{"sum"}, []string{"y"})
				case "Clip":
					g.Node("Clip", []string{"sum", "lo", "hi"}, []string{"y"})
				case "LeakyRelu":
					g.Node("LeakyRelu", []string{"sum"}, []string{"y"}, onnxbuild.Float32("alpha", 0.1))
				case "PRelu":
					g.Node("PRelu", []string{"sum", "slope"}, []string{"y"})
				case "none":
					g.Node("Identity", []string{"sum"}, []string{"y"})
				}
				g.Output("y")
				m, err := LoadBytes(g.Model(13), Options{Threads: 1})
				if err != nil {
					t.Fatal(err)
				}
				if len(m.plan.ops) != 1 {
					t.Errorf("planned %d kernels, want everything fused into the Conv", len(m.plan.ops))
				}
				got := runGraph(t, g.Model(13), Options{}, x, skip)
				var want nd
				if depthwise {
					want = refConv(x, dw, bias.data, c, []int{1, 1}, []int{1, 1}, []int{1, 1, 1, 1})
				} else {
					want = refConv(x, w, bias.data, 1, []int{1, 1}, []int{1, 1}, []int{1, 1, 1, 1})
				}
				for i := range want.data {
					ch := (i / 100) % c
					v := (want.data[i]-mean.data[ch])/math.Sqrt(variance.data[ch]+1e-3)*scale.data[ch] + shift.data[ch]
					v += skip.data[i]
					switch act {
					case "Relu":
						v = math.Max(v, 0)
					case "Sigmoid":
						v = 1 / (1 + math.Exp(-v))
					case "Clip":
						v = math.Min(math.Max(v, float64(float32(-0.2))), float64(float32(0.6)))
					case "LeakyRelu":
						if v < 0 {
							v *= float64(float32(0.1))
						}
					case "PRelu":
						if v < 0 {
							v *= slope.data[ch]
						}
					}
					want.data[i] = v
				}
				assertClose(t, name, got[0], want, 1e-5)
			})
		}
	}
}

// TestDepthwiseDirect checks the one-pass 3×3 stride-1 pad-1 depthwise
// kernel (dw3x3p1) on the widths where its blocks line up, overlap or just
// fit, on planes of up to 7 columns (dw3x3narrow, a row a register) and
// on the 8 and 9 wide ones it runs widened (depthwiseNarrow), single and
// few rows, with each clamp it fuses: against the float64
// reference, and bit for bit against the padded row kernels it replaces.
func TestDepthwiseDirect(t *testing.T) {
	if !haveAsmKernel {
		t.Skip("no AVX2 on this machine")
	}
	r := newRand(29)
	for _, w := range []int{1, 2, 3, 7, 8, 9, 10, 11, 17, 18, 33, 129} {
		for _, h := range []int{1, 2, 5} {
			for _, act := range []string{"none", "Relu", "Clip"} {
				name := fmt.Sprintf("%dx%d/%s", h, w, act)
				const c = 3
				x := randND(r, 1, c, h, w)
				wt := randND(r, c, 1, 3, 3)
				bias := randND(r, c)
				g := onnxbuild.NewGraph()
				g.Input("x", onnxbuild.Float, 1, c, int64(h), int64(w))
				g.InitFloat("w", dims64(wt.shape), wt.f32())
				g.InitFloat("b", []int64{c}, bias.f32())
				g.InitFloat("lo", nil, []float32{-0.3})
				g.InitFloat("hi", nil, []float32{0.4})
				g.Node("Conv", []string{"x", "w", "b"}, []string{"conv"}, onnxbuild.Ints("pads", 1, 1, 1, 1), onnxbuild.Int("group", c))
				switch act {
				case "Relu":
					g.Node("Relu", []string{"conv"}, []string{"y"})
				case "Clip":
					g.Node("Clip", []string{"conv", "lo", "hi"}, []string{"y"})
				default:
					g.Node("Identity", []string{"conv"}, []string{"y"})
				}
				g.Output("y")
				want := refConv(x, wt, bias.data, c, []int{1, 1}, []int{1, 1}, []int{1, 1, 1, 1})
				for i, v := range want.data {
					switch act {
					case "Relu":
						want.data[i] = math.Max(v, 0)
					case "Clip":
						want.data[i] = math.Min(math.Max(v, float64(float32(-0.3))), float64(float32(0.4)))
					}
				}
				var outs [2][]float32
				for i, direct := range []bool{true, false} {
					m, err := LoadBytes(g.Model(13), Options{Threads: 1})
					if err != nil {
						t.Fatal(err)
					}
					ck := m.plan.ops[0].k.(*convKernel)
					if !ck.direct3x3 {
						t.Fatalf("%s: not planned for the direct kernel", name)
					}
					ck.direct3x3 = direct
					got, err := m.Run(context.Background(), tensor.New(tensor.WithShape(x.shape...), tensor.WithBacking(x.f32())))
					if err != nil {
						t.Fatal(err)
					}
					assertClose(t, fmt.Sprintf("%s direct=%v", name, direct), got[0], want, 1e-5)
					outs[i] = got[0].Float32s()
				}
				for i := range outs[0] {
					if math.Float32bits(outs[0][i]) != math.Float32bits(outs[1][i]) {
						t.Errorf("%s: output %d is %v direct, %v through the row kernels", name, i, outs[0][i], outs[1][i])
						break
					}
				}
			}
		}
	}
}

// TestDepthwiseDirectStride2 checks the direct 3×3 stride-2 depthwise
// kernels (dw3x3s2 a row at a time, dw3x3s2plane a plane, which must give
// the same bits) with both begin pads, on widths where no
// block fits, one just fits, the last block overlaps or lines up, odd and
// even heights, with each clamp it fuses: against the float64 reference
// and against the padded phase kernels it replaces.
func TestDepthwiseDirectStride2(t *testing.T) {
	if !haveAsmKernel {
		t.Skip("no AVX2 on this machine")
	}
	r := newRand(31)
	for _, w := range []int{5, 17, 18, 19, 20, 33, 34, 50, 129} {
		for _, h := range []int{1, 2, 5, 6} {
			for _, pads := range [][]int{{0, 0, 1, 1}, {1, 1, 1, 1}, {1, 0, 0, 1}} {
				if h+pads[0]+pads[2] < 3 {
					continue // no window fits
				}
				for _, act := range []string{"none", "Relu", "Clip"} {
					name := fmt.Sprintf("%dx%d/pads%v/%s", h, w, pads, act)
					const c = 3
					x := randND(r, 1, c, h, w)
					wt := randND(r, c, 1, 3, 3)
					bias := randND(r, c)
					g := onnxbuild.NewGraph()
					g.Input("x", onnxbuild.Float, 1, c, int64(h), int64(w))
					g.InitFloat("w", dims64(wt.shape), wt.f32())
					g.InitFloat("b", []int64{c}, bias.f32())
					g.InitFloat("lo", nil, []float32{-0.3})
					g.InitFloat("hi", nil, []float32{0.4})
					g.Node("Conv", []string{"x", "w", "b"}, []string{"conv"}, onnxbuild.Ints("pads", int64(pads[0]), int64(pads[1]), int64(pads[2]), int64(pads[3])),
						onnxbuild.Ints("strides", 2, 2), onnxbuild.Int("group", c))
					switch act {
					case "Relu":
						g.Node("Relu", []string{"conv"}, []string{"y"})
					case "Clip":
						g.Node("Clip", []string{"conv", "lo", "hi"}, []string{"y"})
					default:
						g.Node("Identity", []string{"conv"}, []string{"y"})
					}
					g.Output("y")
					want := refConv(x, wt, bias.data, c, []int{2, 2}, []int{1, 1}, pads)
					for i, v := range want.data {
						switch act {
						case "Relu":
							want.data[i] = math.Max(v, 0)
						case "Clip":
							want.data[i] = math.Min(math.Max(v, float64(float32(-0.3))), float64(float32(0.4)))
						}
					}
					// The whole-plane kernel (where it applies), the row at
					// a time one, the phase kernels.
					var outs [][]float32
					for _, path := range []string{"plane", "rows", "phases"} {
						m, err := LoadBytes(g.Model(13), Options{Threads: 1})
						if err != nil {
							t.Fatal(err)
						}
						ck := m.plan.ops[0].k.(*convKernel)
						if !ck.direct3x3s2 {
							t.Fatalf("%s: not planned for the direct kernel", name)
						}
						if path == "plane" && !ck.planeS2 {
							continue
						}
						ck.planeS2 = ck.planeS2 && path == "plane"
						ck.direct3x3s2 = path != "phases"
						got, err := m.Run(context.Background(), tensor.New(tensor.WithShape(x.shape...), tensor.WithBacking(x.f32())))
						if err != nil {
							t.Fatal(err)
						}
						assertClose(t, fmt.Sprintf("%s %s", name, path), got[0], want, 1e-5)
						outs = append(outs, got[0].Float32s())
					}
					// The plane kernel adds in the row kernel's order: same bits.
					if len(outs) == 3 {
						for i := range outs[0] {
							if math.Float32bits(outs[0][i]) != math.Float32bits(outs[1][i]) {
								t.Errorf("%s: output %d is %v from the plane kernel, %v row at a time", name, i, outs[0][i], outs[1][i])
								break
							}
						}
					}
				}
			}
		}
	}
}

package infer

import (
	"fmt"
	"math"
	"testing"
)

// availableKernels lists every micro-kernel this machine can run.
func availableKernels() []gemmKernel {
	ks := []gemmKernel{newGemm(kernelGo)}
	if haveAsmKernel {
		ks = append(ks, newGemm(kernelAVX2))
	}
	if haveAVX512Kernel {
		ks = append(ks, newGemm(kernelAVX512))
	}
	return ks
}

// TestGemmKernels checks every micro-kernel, through the blocked driver, on
// sizes with partial tiles and several depth blocks, against a float64
// triple loop: plain, adding another matrix, and with a PRelu and a clamp
// epilogue.
func TestGemmKernels(t *testing.T) {
	r := newRand(43)
	for _, sz := range [][3]int{{1, 1, 1}, {4, 16, 16}, {6, 16, 16}, {8, 32, 32}, {5, 17, 33}, {3, 300, 20}, {37, 260, 71}, {64, 513, 128}, {7, 40, 256}} {
		m, k, n := sz[0], sz[1], sz[2]
		a, b := randND(r, m, k), randND(r, k, n)
		want := refMatMul(a, b)
		bias, slope := randND(r, m).f32(), randND(r, m).f32()
		acts := []*activation{nil, {kind: actPRelu, slope: slope}, {kind: actClip, alpha: -0.5, beta: 0.75}}
		for _, g := range availableKernels() {
			ap := make([]float32, g.packedLen(m, k))
			g.packA(ap, a.f32(), m, k, k)
			for _, acc := range []bool{false, true} {
				for _, act := range acts {
					var ep *epilogue
					if act != nil {
						ep = g.newEpilogue(bias, act, 0)
					}
					// With acc, the product is added to a matrix of ones
					// that is not c; c starts as NaN, which nothing may read.
					c, add := make([]float32, m*n), []float32(nil)
					for i := range c {
						c[i] = float32(math.NaN())
					}
					if acc {
						add = make([]float32, m*n)
						for i := range add {
							add[i] = 1
						}
					}
					g.gemm(ap, m, k, b.f32(), n, n, c, n, make([]float32, g.packBLen()), add, ep)
					for i, w := range want.data {
						if acc {
							w++
						}
						if act != nil {
							w = refEpilogue(w+float64(bias[i/n]), float64(slope[i/n]), act)
						}
						if math.Abs(float64(c[i])-w) > 1e-4*math.Max(1, math.Abs(w)) {
							t.Fatalf("%v %v acc=%v act=%v: c[%d] = %v, want %v", sz, g.kind, acc, act, i, c[i], w)
						}
					}
				}
			}
		}
	}
}

// refEpilogue is what an epilogue does to one biased sum v.
func refEpilogue(v, slope float64, act *activation) float64 {
	if act.kind == actPRelu {
		if v < 0 {
			v *= slope
		}
		return v
	}
	return math.Min(math.Max(v, float64(act.alpha)), float64(act.beta))
}

func BenchmarkGemm(b *testing.B) {
	for _, sz := range [][3]int{{32, 32, 3136}, {128, 128, 784}, {256, 256, 196}, {96, 864, 256}} {
		for _, g := range availableKernels() {
			m, k, n := sz[0], sz[1], sz[2]
			b.Run(fmt.Sprintf("%dx%dx%d/%v", m, k, n, g.kind), func(b *testing.B) {
				r := newRand(1)
				a, bm := randND(r, m, k), randND(r, k, n)
				ap := make([]float32, g.packedLen(m, k))
				g.packA(ap, a.f32(), m, k, k)
				bf, c, bp := bm.f32(), make([]float32, m*n), make([]float32, g.packBLen())
				for b.Loop() {
					for j := 0; j < n; j += 256 {
						w := min(256, n-j)
						g.gemm(ap, m, k, bf[j:], n, w, c[j:], n, bp, nil, nil)
					}
				}
				b.ReportMetric(float64(2*m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
	}
}

package praat

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// TestFFTMatchesDFT checks the FFT, on whichever path this machine takes,
// against the defining sum.
func TestFFTMatchesDFT(t *testing.T) {
	for _, n := range []int{4, 8, 16, 32, 64, 512, 1024} {
		srcRe, srcIm := randomSignal(n)
		re, im := make([]float64, n), make([]float64, n)
		newFFTPlan(n).transform(re, im, srcRe, srcIm)
		worst := 0.0
		for k := range n {
			var sum complex128
			for j := range n {
				sum += complex(srcRe[j], srcIm[j]) * cmplx.Exp(complex(0, -2*math.Pi*float64(j*k)/float64(n)))
			}
			worst = math.Max(worst, cmplx.Abs(sum-complex(re[k], im[k])))
		}
		if worst > 1e-9*float64(n) {
			t.Errorf("n=%d: max error %.3g", n, worst)
		}
	}
}

// TestFFTKernelsAgree checks that the AVX2 passes compute what the Go
// passes do. They perform the same operations in the same order, so in the
// default build they agree bit for bit; the tolerance admits only the
// fused multiply-adds the compiler emits for the Go code with GOAMD64=v3.
func TestFFTKernelsAgree(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 kernels on this machine or build")
	}
	for _, n := range []int{16, 32, 64, 128, 256, 2048, 4096} {
		srcRe, srcIm := randomSignal(n)
		p := newFFTPlan(n)
		goRe, goIm := make([]float64, n), make([]float64, n)
		p.transformGo(goRe, goIm, srcRe, srcIm)
		re, im := make([]float64, n), make([]float64, n)
		p.transformAVX2(re, im, srcRe, srcIm)
		scale := 0.0
		for k := range n {
			scale = math.Max(scale, math.Hypot(goRe[k], goIm[k]))
		}
		for k := range n {
			if math.Abs(re[k]-goRe[k]) > 1e-14*scale || math.Abs(im[k]-goIm[k]) > 1e-14*scale {
				t.Fatalf("n=%d, k=%d: AVX2 %v%+vi, Go %v%+vi", n, k, re[k], im[k], goRe[k], goIm[k])
			}
		}
	}
}

func randomSignal(n int) (re, im []float64) {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	re, im = make([]float64, n), make([]float64, n)
	for i := range n {
		re[i], im[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	return re, im
}

func BenchmarkFFT1024(b *testing.B) {
	p := newFFTPlan(1024)
	srcRe, srcIm := randomSignal(1024)
	re, im := make([]float64, 1024), make([]float64, 1024)
	for b.Loop() {
		p.transform(re, im, srcRe, srcIm)
	}
}

package praat

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// TestFFTMatchesDFT checks the FFT against the defining sum.
func TestFFTMatchesDFT(t *testing.T) {
	for _, n := range []int{4, 8, 16, 32, 64, 512, 1024} {
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		re, im := make([]float64, n), make([]float64, n)
		x := make([]complex128, n)
		for i := range n {
			re[i], im[i] = rng.NormFloat64(), rng.NormFloat64()
			x[i] = complex(re[i], im[i])
		}
		newFFTPlan(n).forward(re, im)
		worst := 0.0
		for k := range n {
			var sum complex128
			for j := range n {
				sum += x[j] * cmplx.Exp(complex(0, -2*math.Pi*float64(j*k)/float64(n)))
			}
			worst = math.Max(worst, cmplx.Abs(sum-complex(re[k], im[k])))
		}
		if worst > 1e-9*float64(n) {
			t.Errorf("n=%d: max error %.3g", n, worst)
		}
	}
}

func BenchmarkFFT1024(b *testing.B) {
	p := newFFTPlan(1024)
	re, im := make([]float64, 1024), make([]float64, 1024)
	for b.Loop() {
		p.forward(re, im)
	}
}

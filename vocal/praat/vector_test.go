package praat

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestReductions checks dot, total and weightedSquares, on whichever path
// this machine takes, against serial sums, at lengths around the vector
// widths.
func TestReductions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x, y := make([]float64, 300), make([]float64, 300)
	for i := range x {
		x[i], y[i] = rng.NormFloat64(), rng.Float64()
	}
	close := func(got, want, scale float64) bool { return math.Abs(got-want) <= 1e-14*scale }
	for n := range x {
		mean := 0.3 * rng.NormFloat64()
		var d, s, w, dScale, sScale, wScale float64
		for i := range n {
			d += x[i] * y[i]
			s += x[i]
			w += (x[i] - mean) * (x[i] - mean) * y[i]
			dScale += math.Abs(x[i] * y[i])
			sScale += math.Abs(x[i])
			wScale += (x[i] - mean) * (x[i] - mean) * y[i]
		}
		if got := dot(x[:n], y); !close(got, d, dScale) {
			t.Errorf("n=%d: dot %.17g, serial %.17g", n, got, d)
		}
		if got := total(x[:n]); !close(got, s, sScale) {
			t.Errorf("n=%d: total %.17g, serial %.17g", n, got, s)
		}
		if got := weightedSquares(x[:n], y, mean); !close(got, w, wScale) {
			t.Errorf("n=%d: weightedSquares %.17g, serial %.17g", n, got, w)
		}
	}
}

// TestApplyWindow checks applyWindow, on whichever path this machine
// takes, against the formula: the same subtraction and multiplication, so
// the same bits.
func TestApplyWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	src, w := make([]float64, 100), make([]float64, 100)
	for i := range src {
		src[i], w[i] = rng.NormFloat64(), rng.Float64()
	}
	for n := range src {
		mean := 0.3 * rng.NormFloat64()
		dst := make([]float64, n)
		peak := applyWindow(dst, src, w, mean)
		wantPeak := 0.0
		for j := range n {
			want := (src[j] - mean) * w[j]
			if dst[j] != want {
				t.Fatalf("n=%d, j=%d: %v, want %v", n, j, dst[j], want)
			}
			wantPeak = math.Max(wantPeak, math.Abs(want))
		}
		if peak != wantPeak {
			t.Errorf("n=%d: peak %v, want %v", n, peak, wantPeak)
		}
	}
}

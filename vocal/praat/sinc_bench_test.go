package praat

import (
	"math"
	"math/rand/v2"
	"testing"
)

func BenchmarkSinc70(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	v := make([]float64, 641)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	y := symmetric{v: v, b: 320}
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = 330 + 150*rng.Float64()
	}
	sum := 0.0
	i := 0
	for b.Loop() {
		sum += interpolateSinc(y, xs[i&1023], interpolateSinc70)
		i++
	}
	_ = sum
}

// BenchmarkNewtonMaximum refines one autocorrelation-like peak the way the
// ac pitch does (sinc-70, Newton on the exact derivatives).
func BenchmarkNewtonMaximum(b *testing.B) {
	v := make([]float64, 641)
	for i := range v {
		v[i] = math.Cos(2*math.Pi*float64(i-320)/87.3) * math.Exp(-math.Abs(float64(i-320))/400)
	}
	y := symmetric{v: v, b: 320}
	for b.Loop() {
		if _, _, ok := newtonMaximum(y, 321+87, interpolateSinc70); !ok {
			b.Fatal("no maximum")
		}
	}
}

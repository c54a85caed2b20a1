package praat

import (
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

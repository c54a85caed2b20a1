package praat

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestHannWindowedRMSMatchesDefinition checks the rotated-cosine window of
// hannWindowedRMS against the window computed sample by sample, at pulse
// times on and between samples and with unequal sides.
func TestHannWindowedRMSMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pcm := make([]float32, 16000)
	for i := range pcm {
		pcm[i] = float32(0.5 * math.Sin(float64(i)*0.05) * (1 + 0.1*rng.NormFloat64()))
	}
	s, err := NewSound(pcm, 16000)
	if err != nil {
		t.Fatal(err)
	}
	definition := func(tmid, widthLeft, widthRight float64) float64 {
		imin, imax, _ := s.axis().windowSamples(tmid-widthLeft, tmid+widthRight)
		var sum, wsum float64
		for i := imin; i <= imax; i++ {
			t := s.x1() + float64(i-1)*s.dx()
			width := widthRight
			if t < tmid {
				width = widthLeft
			}
			w := 0.5 + 0.5*math.Cos(math.Pi*(t-tmid)/width)
			v := s.at(i) * w
			sum += v * v
			wsum += w * w
		}
		return math.Sqrt(sum / wsum)
	}
	for range 500 {
		tmid := 0.05 + 0.9*rng.Float64()
		if rng.IntN(4) == 0 {
			tmid = s.x1() + float64(rng.IntN(14000)+1000)*s.dx() // exactly on a sample
		}
		wl, wr := 0.2*(0.002+0.011*rng.Float64()), 0.2*(0.002+0.011*rng.Float64())
		got, want := s.hannWindowedRMS(tmid, wl, wr), definition(tmid, wl, wr)
		if math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Fatalf("t %.6f, widths %.5f/%.5f: %.15g, by definition %.15g", tmid, wl, wr, got, want)
		}
	}
}

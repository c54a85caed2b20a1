package praat_test

import (
	"fmt"
	"math"

	"github.com/nevermind-ai/nevermind/vocal/praat"
)

// A one-second 200 Hz "vowel" (five harmonics): the pitch is 200 Hz, the
// pulses are 5 ms apart (196 of them, as in Praat), so jitter and shimmer
// are near zero and the harmonics-to-noise ratio is high.
func Example() {
	const rate = 16000
	pcm := make([]float32, rate)
	for i := range pcm {
		t := float64(i) / rate
		v := 0.0
		for h := 1.0; h <= 5; h++ {
			v += math.Sin(2*math.Pi*200*h*t) / h
		}
		pcm[i] = float32(0.3 * v)
	}
	s, err := praat.NewSound(pcm, rate)
	if err != nil {
		fmt.Println(err)
		return
	}
	pitch, err := praat.ToPitch(s, praat.DefaultPitchParams(75, 500))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("F0 at 0.5 s: %.1f Hz\n", pitch.ValueAtTime(0.5))
	pulses := praat.ToPointProcessCC(s, pitch)
	fmt.Printf("pulses: %d\n", len(pulses.Times))
	fmt.Printf("jitter: %.3f %%\n", 100*pulses.JitterLocal(0, 1, 1.0/500, 1.0/75, 1.3))
	fmt.Printf("shimmer: %.3f %%\n", 100*pulses.ShimmerLocal(s, 0, 1, 1.0/500, 1.0/75, 1.3, 1.6))
	hnr, err := praat.ToHarmonicityCC(s, 0.01, 75, 0.1, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("HNR above 40 dB: %v\n", hnr.Mean(0, 1) > 40)
	// Output:
	// F0 at 0.5 s: 200.0 Hz
	// pulses: 196
	// jitter: 0.000 %
	// shimmer: 0.000 %
	// HNR above 40 dB: true
}

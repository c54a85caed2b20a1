package stt

import (
	"math"
	"testing"
)

// speechLike is 60 s of 200 Hz tone bursts (0.4–1.6 s) separated by
// 80–400 ms silences, a stand-in with the pause structure of speech.
func speechLike(seconds int) Audio {
	a := Audio{SampleRate: 16000}
	for t := 0; len(a.Samples) < seconds*16000; t++ {
		burst := 6400 + (t*7919)%19200
		for i := range burst {
			a.Samples = append(a.Samples, 0.5*float32(math.Sin(2*math.Pi*200*float64(i)/16000)))
		}
		a.Samples = append(a.Samples, make([]float32, 1280+(t*104729)%5120)...)
	}
	return a
}

func BenchmarkEncodeWAV60s(b *testing.B) {
	a := speechLike(60)
	b.SetBytes(int64(len(a.Samples) * 2))
	for b.Loop() {
		EncodeWAV(a)
	}
}

// Splitting 10 minutes into 25-second pieces exercises the pause search
// the way a long answer against a small local-server limit would.
func BenchmarkSplitAtPauses10min(b *testing.B) {
	a := speechLike(600)
	b.SetBytes(int64(len(a.Samples) * 4))
	for b.Loop() {
		splitAtPauses(a, 25*16000)
	}
}

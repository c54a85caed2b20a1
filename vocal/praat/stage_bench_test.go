package praat

import (
	"os"
	"testing"

	"github.com/nevermind-ai/nevermind/vocal/internal/testaudio"
)

func benchSound(b *testing.B) *Sound {
	p := os.Getenv("VOCAL_BENCH_WAV")
	if p == "" {
		b.Skip("set VOCAL_BENCH_WAV to a WAV file (benchmarks/vocal/run.sh does)")
	}
	pcm, rate := testaudio.MustReadWAV(b, p)
	s, err := NewSound(pcm, rate)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkPitchAC(b *testing.B) {
	s := benchSound(b)
	for b.Loop() {
		if _, err := ToPitch(s, DefaultPitchParams(75, 500)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHarmonicityCC(b *testing.B) {
	s := benchSound(b)
	for b.Loop() {
		if _, err := ToHarmonicityCC(s, 0.01, 75, 0.1, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPointProcessCC(b *testing.B) {
	s := benchSound(b)
	p, _ := ToPitch(s, DefaultPitchParams(75, 500))
	b.ResetTimer()
	for b.Loop() {
		ToPointProcessCC(s, p)
	}
}

func BenchmarkIntensity(b *testing.B) {
	s := benchSound(b)
	for b.Loop() {
		if _, err := ToIntensity(s, 75, 0, true); err != nil {
			b.Fatal(err)
		}
	}
}

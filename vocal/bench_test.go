package vocal

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/nevermind-ai/nevermind/vocal/internal/testaudio"
)

// speech60s builds (once per run) 60 s of LibriVox speech, the input of
// benchmarks/vocal: the five excerpts repeated and cut at 60 s. The
// VOCAL_BENCH_WAV environment variable overrides it.
func speech60s(b *testing.B) string {
	b.Helper()
	if p := os.Getenv("VOCAL_BENCH_WAV"); p != "" {
		return p
	}
	files := testaudio.LibriVox(b)
	testaudio.Need(b, "sox")
	out := filepath.Join(b.TempDir(), "speech60.wav")
	args := append(append(append(append([]string{}, files...), files...), files...), out, "trim", "0", "60")
	testaudio.Run(b, "sox", args...)
	return out
}

// BenchmarkAnalyze60s runs the whole voice analysis on 60 s of speech and
// reports how many times faster than real time it is.
func BenchmarkAnalyze60s(b *testing.B) {
	pcm, rate := testaudio.MustReadWAV(b, speech60s(b))
	seconds := float64(len(pcm)) / float64(rate)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Analyze(ctx, pcm, rate, Options{Language: "en"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(seconds/(b.Elapsed().Seconds()/float64(b.N)), "x_realtime")
}

package report

import (
	"io"
	"testing"
)

// BenchmarkHTML renders the sample page: pitch and loudness series of a
// 36-s answer, the video series, metrics and progress.
func BenchmarkHTML(b *testing.B) {
	s, in := sample(b, "en")
	b.ReportAllocs()
	for b.Loop() {
		if err := HTML(io.Discard, s, in, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkText renders the terminal report of the same sample.
func BenchmarkText(b *testing.B) {
	s, _ := sample(b, "en")
	b.ReportAllocs()
	for b.Loop() {
		if err := Text(io.Discard, s, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

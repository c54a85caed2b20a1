package feedback

import (
	"testing"

	"github.com/nevermind-ai/nevermind/feedback/internal/speech"
	"github.com/nevermind-ai/nevermind/vocal"
)

// BenchmarkSummarize measures Summarize on a real one-minute-class answer
// (espeak-ng, measured by vocal.Analyze) with a content evaluation and one
// earlier session.
func BenchmarkSummarize(b *testing.B) {
	pcm := speech.Synth(b, speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}, speech.Fluent(speech.English, 2.0)...)
	r, err := vocal.Analyze(b.Context(), pcm, 16000, vocal.Options{Language: "en"})
	if err != nil {
		b.Fatal(err)
	}
	in := Input{Voice: r}
	prev, err := Summarize(in, Options{})
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{History: []Summary{*prev}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Summarize(in, opts); err != nil {
			b.Fatal(err)
		}
	}
}

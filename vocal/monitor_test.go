package vocal_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/vocal"
)

// A Monitor fed an answer in 100-ms chunks finds the pause where Analyze, seeing the whole
// answer, puts it, and a pace near the whole answer's.
func TestMonitorFollowsTheAnswer(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Format: "wav", Segments: []testmedia.Segment{
		{Silence: 1.5},
		{Text: "In my last project I led a team of four engineers and we cut the page load time by forty percent, and I measured every request first.", Voice: "en-us", Rate: 160},
		{Silence: 4},
		{Text: "Then we fixed the three slowest queries and shipped it in two weeks.", Voice: "en-us", Rate: 160},
		{Silence: 0.5},
	}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := media.Open(context.Background(), path, media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pcm, err := d.Audio(context.Background())
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	const rate = media.DefaultSampleRate
	whole, err := vocal.Analyze(context.Background(), pcm, rate, vocal.Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Speech) < 2 {
		t.Fatalf("Analyze found speech %v, want two sentences", whole.Speech)
	}
	// The 4-s pause is the longest gap between Analyze's speech stretches.
	var pauseStart, pauseEnd float64
	for i := 1; i < len(whole.Speech); i++ {
		if g := whole.Speech[i].Start - whole.Speech[i-1].End; g > pauseEnd-pauseStart {
			pauseStart, pauseEnd = whole.Speech[i-1].End, whole.Speech[i].Start
		}
	}

	m, err := vocal.NewMonitor(rate, "en", 0)
	if err != nil {
		t.Fatal(err)
	}
	var longest vocal.Pace
	var rates []float64
	for i := 0; i < len(pcm); i += rate / 10 {
		m.Write(pcm[i:min(i+rate/10, len(pcm))])
		p, err := m.Measure(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if p.At < whole.Speech[0].Start && (p.Spoken || p.Silence != p.At) {
			t.Fatalf("at %.1f s, before any speech: %+v", p.At, p)
		}
		if p.Silence > longest.Silence {
			longest = p
		}
		if p.Silence == 0 && p.Stretch >= 9.9 {
			rates = append(rates, p.SpeechRateSPS)
		}
	}
	if began := longest.At - longest.Silence; math.Abs(began-pauseStart) > 0.15 || math.Abs(longest.At-pauseEnd) > 0.25 {
		t.Errorf("the longest silence the Monitor saw ran %.2f–%.2f s; Analyze's pause runs %.2f–%.2f s", began, longest.At, pauseStart, pauseEnd)
	}
	if len(rates) == 0 {
		t.Fatal("no full window of speech was measured")
	}
	want := whole.Fluency.ArticulationRateSPS
	for _, r := range rates {
		// A window of continuous speaking has little silence: its rate lies between the
		// answer's speech rate and its articulation rate, with room for the window's edges.
		if r < 0.6*whole.Fluency.SpeechRateSPS || r > 1.2*float64(want) {
			t.Errorf("window rate %.2f syllables/s; the whole answer: %.2f (speech), %.2f (articulation)", r, whole.Fluency.SpeechRateSPS, want)
		}
	}
}

func TestMonitorRejectsLowRates(t *testing.T) {
	if _, err := vocal.NewMonitor(1000, "", 0); !errors.Is(err, vocal.ErrSampleRate) {
		t.Error("a 1 kHz monitor was accepted")
	}
}

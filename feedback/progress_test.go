package feedback

import (
	"testing"

	"github.com/nevermind-ai/nevermind/feedback/internal/speech"
	"github.com/nevermind-ai/nevermind/vocal"
)

func TestChangeJND(t *testing.T) {
	cases := []struct {
		name   string
		id     string
		vals   []float64
		scores []int
		status string
		trend  string
	}{
		// pace: 10 % of the previous value (Quené)
		{"pace +7.5% is unchanged", "pace", []float64{4.0, 4.3}, []int{85, 93}, "unchanged", ""},
		{"pace +12.5% counts", "pace", []float64{4.0, 4.5}, []int{85, 99}, "improved", ""},
		{"pace faster out of band", "pace", []float64{5.0, 5.8}, []int{92, 60}, "worsened", ""},
		{"pauses: one fewer long pause", "pauses", []float64{3, 2}, []int{55, 70}, "improved", ""},
		{"pauses: same count", "pauses", []float64{2, 2}, []int{70, 70}, "unchanged", ""},
		{"pitch 0.3 st is unchanged", "pitch_variation", []float64{2.0, 2.3}, []int{60, 66}, "unchanged", ""},
		{"rubric point", "star", []float64{3, 4}, []int{60, 80}, "improved", ""},
		{"beyond JND at the same score", "pace", []float64{95, 180}, []int{60, 60}, "changed", ""},
		{"trend improving", "pauses", []float64{4, 3, 2, 1}, []int{40, 55, 70, 85}, "improved", "improving"},
		{"trend steady despite last jump", "pauses", []float64{2, 2, 2, 3}, []int{70, 70, 70, 55}, "worsened", "steady"},
		{"trend worsening", "pace", []float64{4.5, 5.2, 5.9}, []int{99, 82, 57}, "worsened", "worsening"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j := jnds[tc.id]
			c := change(tc.id, "u", tc.vals, tc.scores, j.v, j.rel)
			if c.Status != tc.status || c.Trend != tc.trend {
				t.Errorf("status %q trend %q, want %q %q", c.Status, c.Trend, tc.status, tc.trend)
			}
		})
	}
}

// TestProgressOnSpeech compares real analyses: the same answer spoken with
// long silences and then fluently, then the fluent one again.
func TestProgressOnSpeech(t *testing.T) {
	v := speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}
	hes := speech.Analyze(t, speech.Synth(t, v, speech.Fluent(speech.English, 3.0)...), vocal.Options{Language: "en"})
	flu := speech.Analyze(t, speech.Synth(t, v, speech.Fluent(speech.English, 0.5)...), vocal.Options{Language: "en"})
	first, err := Summarize(Input{Voice: hes}, Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Progress != nil {
		t.Fatalf("progress without history: %+v", first.Progress)
	}
	second, err := Summarize(Input{Voice: flu}, Options{Language: "en", History: []Summary{*first}})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, second)
	p := second.Progress
	if p == nil || p.Sessions != 1 {
		t.Fatalf("progress %+v", p)
	}
	byID := map[string]Change{}
	for _, c := range p.Metrics {
		byID[c.Metric] = c
	}
	if c := byID["pauses"]; c.Status != "improved" || c.Previous <= c.Current {
		t.Errorf("pauses change %+v, want improved", c)
	}
	// Removing silences raises the speech rate (syllables over total time)
	// by far more than the 10 % JND.
	if c := byID["pace"]; c.Status == "unchanged" || c.Current <= c.Previous*1.1 {
		t.Errorf("pace change %+v, want a change beyond the JND", c)
	}
	if p.Overall == nil || p.Overall.Status != "improved" {
		t.Errorf("overall %+v, want improved", p.Overall)
	}
	// The same recording again: nothing changed.
	third, err := Summarize(Input{Voice: flu}, Options{Language: "en", History: []Summary{*first, *second}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range third.Progress.Metrics {
		if c.Status != "unchanged" {
			t.Errorf("%s: %s on an identical recording", c.Metric, c.Status)
		}
		if c.Points != 3 || c.Trend == "" {
			t.Errorf("%s: %d points, trend %q", c.Metric, c.Points, c.Trend)
		}
	}
	if c := third.Progress.Metrics[0]; c.Text.Ko == "" || c.Text.En == "" {
		t.Errorf("change without text: %+v", c)
	}
}

// TestProgressPaceJND speaks the same answer at two nearby espeak-ng rates
// (below the 10 % JND in measured speech rate) and at two far apart.
func TestProgressPaceJND(t *testing.T) {
	at := func(rate int) *Summary {
		r := speech.Analyze(t, speech.Synth(t, speech.Voice{Name: "en-us", Rate: rate, Pitch: 50}, speech.Fluent(speech.English[:4], 0.5)...), vocal.Options{Language: "en"})
		s, err := Summarize(Input{Voice: r}, Options{Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := at(150)
	for _, tc := range []struct {
		rate      int
		unchanged bool
	}{{158, true}, {200, false}} {
		s := at(tc.rate)
		s.Progress = progress(s, []Summary{*base})
		var c *Change
		for i := range s.Progress.Metrics {
			if s.Progress.Metrics[i].Metric == "pace" {
				c = &s.Progress.Metrics[i]
			}
		}
		if c == nil {
			t.Fatalf("rate %d: no pace change", tc.rate)
		}
		rel := (c.Current - c.Previous) / c.Previous
		if (c.Status == "unchanged") != tc.unchanged {
			t.Errorf("rate %d: pace %.0f → %.0f wpm (%+.1f %%) is %s", tc.rate, c.Previous, c.Current, 100*rel, c.Status)
		}
		t.Logf("espeak %d wpm: measured %.0f → %.0f (%+.1f %%): %s", tc.rate, c.Previous, c.Current, 100*rel, c.Status)
	}
}

package feedback

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback/internal/speech"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// fuzzInput is what FuzzSummarize decodes: analyses as a caller might load
// them back from storage, in any state.
type fuzzInput struct {
	Voice    *vocal.Report         `json:"voice"`
	Vision   *vision.Report        `json:"vision"`
	Content  *questions.Evaluation `json:"content"`
	Duration float64               `json:"duration"`
	Failed   nevermind.Failures    `json:"failed"`
	History  []Summary             `json:"history"`
}

// FuzzSummarize feeds Summarize and the renderers' inputs decoded from
// arbitrary JSON: it must return a summary or an error, never panic, and a
// summary must always be valid against the schema.
func FuzzSummarize(f *testing.F) {
	pcm := speech.Synth(f, speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}, speech.Fluent(speech.English[:2], 2.8)...)
	r := speech.Analyze(f, pcm, vocal.Options{Language: "en"})
	ev, err := questions.EvaluateOffline(questions.Answer{Text: strings.Join(speech.English, " "), Language: "en"})
	if err != nil {
		f.Fatal(err)
	}
	pct := func(x float64) *float64 { return &x }
	seed := fuzzInput{Voice: r, Content: ev, Vision: &vision.Report{Duration: 10,
		Metrics:  vision.Metrics{EyeContactPercent: pct(70), LongestLookAwaySeconds: pct(3)},
		Pose:     &vision.PoseReport{Overall: vision.Rated{Value: 88}},
		Timeline: []nevermind.Moment{{Start: 1, End: 3, Kind: "look_away", Evidence: map[string]float64{"duration_s": 2}}}}}
	b, err := json.Marshal(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"failed":{"vision":"x"},"duration":-3}`))
	f.Add([]byte(`{"vision":{"metrics":{"eye_contact_percent":1e308},"timeline":[{"start":5,"end":1}]}}`))
	f.Add([]byte(`{"content":{"rubric":{"star":{"score":9}}},"history":[{"metrics":[{"id":"star","unit":"rubric_1_5","value":3}]}]}`))
	sc := schemaFile(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var in fuzzInput
		if json.Unmarshal(data, &in) != nil {
			return
		}
		s, err := Summarize(Input{Voice: in.Voice, Vision: in.Vision, Content: in.Content, Duration: in.Duration, Failed: in.Failed},
			Options{History: in.History})
		if err != nil {
			return
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("summary does not marshal: %v", err)
		}
		if err := sc.Validate(out, "feedback.Summary"); err != nil {
			t.Fatalf("summary does not match the schema: %v\n%s", err, out)
		}
	})
}

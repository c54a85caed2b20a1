package report

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// FuzzRender renders summaries of analyses decoded from arbitrary JSON,
// including series with huge, negative or missing values: the renderers
// must not panic.
func FuzzRender(f *testing.F) {
	now, _ := voices(f)
	seed := struct {
		Voice  *vocal.Report  `json:"voice"`
		Vision *vision.Report `json:"vision"`
	}{now, videoAround(now)}
	b, err := json.Marshal(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"vision":{"duration":-1,"series":[{"t":1e300,"looking_at_camera":true},{"t":-5}]}}`))
	f.Add([]byte(`{"vision":{"duration":1e300,"metrics":{"smile_percent":5}}}`))
	f.Add([]byte(`{"voice":{"quality":{"sufficient":true,"duration_s":3},"series":{"pitch":[[0,1e308],[1,-1e308]],"intensity":[[0,5]]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var in struct {
			Voice  *vocal.Report  `json:"voice"`
			Vision *vision.Report `json:"vision"`
		}
		if json.Unmarshal(data, &in) != nil {
			return
		}
		input := feedback.Input{Voice: in.Voice, Vision: in.Vision}
		s, err := feedback.Summarize(input, feedback.Options{Language: "en"})
		if err != nil {
			return
		}
		if err := Text(io.Discard, s, Options{}); err != nil {
			t.Fatal(err)
		}
		if err := HTML(io.Discard, s, input, Options{}); err != nil {
			t.Fatal(err)
		}
	})
}

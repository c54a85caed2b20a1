package feedback

import (
	"encoding/json"
	"testing"

	"github.com/nevermind-ai/nevermind/vocal"
)

func TestSmoke(t *testing.T) {
	pcm := synth(t, voiceSpec{"en-us", 160, 50}, hesitant(englishAnswer, 3.0)...)
	r := analyze(t, pcm, vocal.Options{Language: "en", Series: true})
	s, err := Summarize(Input{Vocal: r}, Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	r.Series = nil
	b, _ := json.MarshalIndent(s, "", " ")
	t.Logf("%s", b)
}

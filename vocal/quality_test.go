package vocal

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/nevermind-ai/nevermind/vocal/internal/testaudio"
)

func TestQualityGate(t *testing.T) {
	testaudio.Need(t, "sox", "espeak-ng")
	speech := testaudio.LibriVox(t)[0]
	dir := t.TempDir()
	clipped := filepath.Join(dir, "clipped.wav")
	testaudio.Run(t, "sox", speech, clipped, "gain", "30")
	quiet := filepath.Join(dir, "quiet.wav")
	testaudio.Run(t, "sox", speech, quiet, "vol", "0.002")
	word := testaudio.Espeak(t, dir, "yes", "en-us", "yes", 50, 160)
	short := filepath.Join(dir, "short.wav")
	testaudio.Run(t, "sox", word, short, "pad", "2", "3")
	cases := []struct {
		name, path, reason string
	}{
		{"clean speech", speech, ""},
		{"digital silence", testaudio.Sox(t, dir, "silence", "trim", "0", "3"), "no_speech"},
		{"noise only", testaudio.Sox(t, dir, "noise", "synth", "3", "whitenoise", "vol", "0.05"), "no_speech"},
		{"clipped", clipped, "clipping"},
		{"too quiet", quiet, "too_quiet"},
		{"one word", short, "too_little_speech"},
	}
	for _, c := range cases {
		pcm, rate := testaudio.MustReadWAV(t, c.path)
		r, err := Analyze(context.Background(), pcm, rate, Options{Language: "en"})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		q := r.Quality
		t.Logf("%s: %+v", c.name, q)
		if q.Reason != c.reason || q.Sufficient != (c.reason == "") {
			t.Errorf("%s: reason %q (sufficient %v), want %q", c.name, q.Reason, q.Sufficient, c.reason)
		}
		if !q.Sufficient && (r.Fluency != nil || r.Prosody != nil || r.Summary == "") {
			t.Errorf("%s: insufficient audio still reports fluency/prosody or no explanation", c.name)
		}
	}
}

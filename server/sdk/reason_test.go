package sdk_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/sdk"
	"github.com/nevermind-ai/nevermind/stt/stttest"
)

// TestUnavailableReasonsKeepTheServiceToThemselves: when speech-to-text fails, the reason
// the server stores and serves says what kind of failure it was, not the service's address
// or reply, while the voice analysis still comes through.
func TestUnavailableReasonsKeepTheServiceToThemselves(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Format: "wav", Segments: []testmedia.Segment{
		{Silence: 0.3}, {Text: "I led the migration of our billing system.", Voice: "en-us", Rate: 150}, {Silence: 0.3},
	}})
	if err != nil {
		t.Fatal(err)
	}
	outage := nevermind.RemoteError("stt", 0, fmt.Errorf(`Post "http://10.1.2.3:9000/v1/audio/transcriptions": dial tcp 10.1.2.3:9000: connection refused`))
	a := sdk.Analyzer{Pipeline: &interview.Pipeline{Transcriber: &stttest.Transcriber{Err: outage}}}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := a.Analyze(context.Background(), server.AnalysisInput{Media: f, ContentType: "audio/wav"})
	if err != nil {
		t.Fatal(err)
	}
	why := out.Unavailable["transcript"]
	if want, _ := server.RemoteReason(outage); why != "transcript: "+want {
		t.Errorf("transcript unavailable because %q, want the kind of failure %q", why, want)
	}
	if strings.Contains(why, "10.1.2.3") {
		t.Errorf("the reason leaks the service's address: %q", why)
	}
	if out.Voice == nil {
		t.Errorf("the voice analysis was lost with the transcript: %+v", out.Unavailable)
	}
}

package sdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/sdk"
	"github.com/nevermind-ai/nevermind/vision"
)

// An upload's calibration reaches the vision analysis: the eye-contact finding suggests
// a calibration only when the analysis had none.
func TestCalibrationReachesTheVision(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Format: "webm", Picture: astronaut(t), Segments: []testmedia.Segment{
		{Text: "I rebuilt the monitoring of our payment system.", Voice: "en-us"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	va, err := vision.New(vision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := sdk.Analyzer{Pipeline: &interview.Pipeline{Vision: va}}
	suggests := func(calib *server.Calibration) bool {
		t.Helper()
		out, err := a.Analyze(context.Background(), server.AnalysisInput{Media: bytes.NewReader(rec), ContentType: "video/webm", Calibration: calib})
		if err != nil {
			t.Fatal(err)
		}
		var fb struct {
			Metrics []struct {
				ID      string `json:"id"`
				Finding struct {
					En string `json:"en"`
				} `json:"finding"`
			} `json:"metrics"`
		}
		if err := json.Unmarshal(out.Combined, &fb); err != nil {
			t.Fatal(err)
		}
		for _, m := range fb.Metrics {
			if m.ID == "eye_contact" {
				return bytes.Contains([]byte(m.Finding.En), []byte("naming that stretch as the calibration"))
			}
		}
		t.Fatalf("no eye_contact metric in %s", out.Combined)
		return false
	}
	if !suggests(nil) {
		t.Error("without a calibration the finding does not suggest one")
	}
	if suggests(&server.Calibration{Start: 0, End: 1.5}) {
		t.Error("with a calibration the finding still suggests one: it did not reach the vision analysis")
	}
}

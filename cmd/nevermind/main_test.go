package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/media"
)

func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// --calibrate names when the candidate looked into the lens; the report
// says the calibration was used, and --fov is accepted.
func TestAnalyzeCalibrate(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	picture, err := testmedia.Astronaut()
	if err != nil {
		t.Skip(err)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Format: "webm", Picture: picture, Segments: []testmedia.Segment{
		{Text: "I led the migration of our billing system.", Voice: "en-us"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "analyze", path, "--json", "--series", "--lang", "en", "--calibrate", "0-1.5", "--fov", "70")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Vision struct {
			Metrics struct {
				Calibration struct {
					Source string  `json:"source"`
					End    float64 `json:"end"`
				} `json:"calibration"`
			} `json:"metrics"`
			Series []struct {
				GazeYaw *float64 `json:"gaze_yaw"`
			} `json:"series"`
		} `json:"vision"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if c := got.Vision.Metrics.Calibration; c.Source != "calibrated" || c.End != 1.5 {
		t.Errorf("calibration %+v, want calibrated up to 1.5 s", c)
	}
	if len(got.Vision.Series) == 0 || got.Vision.Series[0].GazeYaw == nil {
		t.Errorf("series without gaze_yaw: %s", out)
	}
}

func TestAnalyzeJSON(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Format: "webm", Picture: "testsrc", Segments: []testmedia.Segment{
		{Text: "I designed the billing system and it has run for three years without an outage.", Voice: "en-us"},
		{Silence: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "analyze", path, "--json", "--series", "--lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	for _, key := range []string{"media", "voice", "vision", "transcript", "content", "feedback"} {
		if _, ok := got[key]; !ok {
			t.Errorf("key %q missing", key)
		}
	}
	if string(got["transcript"]) != "null" {
		t.Errorf("transcript without --transcribe = %s, want null", got["transcript"])
	}
	var vocal struct {
		Metrics []struct{ ID string } `json:"metrics"`
		Series  struct {
			Pitch [][2]*float64 `json:"pitch"`
		} `json:"series"`
	}
	if err := json.Unmarshal(got["voice"], &vocal); err != nil {
		t.Fatal(err)
	}
	if len(vocal.Metrics) != 4 || len(vocal.Series.Pitch) == 0 {
		t.Errorf("vocal has %d metrics and %d pitch points; want 4 and a series", len(vocal.Metrics), len(vocal.Series.Pitch))
	}
	var m struct {
		Info struct {
			Video struct{ Codec string } `json:"video"`
		} `json:"info"`
	}
	if err := json.Unmarshal(got["media"], &m); err != nil || m.Info.Video.Codec != "vp8" {
		t.Errorf("media = %s (%v)", got["media"], err)
	}

	var feedback struct {
		OverallScore *int  `json:"overall_score"`
		Timeline     []any `json:"timeline"`
	}
	if err := json.Unmarshal(got["feedback"], &feedback); err != nil || feedback.OverallScore == nil || feedback.Timeline == nil {
		t.Errorf("feedback lacks overall_score or timeline: %s (%v)", got["feedback"], err)
	}

	html := filepath.Join(t.TempDir(), "report.html")
	text, _, err := runCLI(t, "analyze", path, "--lang", "en", "--html", html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Overall", "Speaking rate", "Pauses", "Voice tremor"} {
		if !strings.Contains(text, want) {
			t.Errorf("terminal report lacks %q:\n%s", want, text)
		}
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "<svg") || strings.Contains(string(page), "<script") {
		t.Errorf("the HTML report should plot with inline SVG and run no script")
	}
}

func TestAnalyzeErrors(t *testing.T) {
	dir := t.TempDir()
	notMedia := filepath.Join(dir, "cv.webm")
	if err := os.WriteFile(notMedia, []byte("plain text"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "analyze", notMedia); !errors.Is(err, media.ErrCorrupt) {
		t.Errorf("text file: %v, want media.ErrCorrupt", err)
	}
	if _, _, err := runCLI(t, "analyze"); err == nil {
		t.Error("analyze without a file succeeded")
	}
	if _, _, err := runCLI(t, "analyze", notMedia, "--lang", "fr"); err == nil {
		t.Error("--lang fr accepted")
	}
	for _, iv := range []string{"5-2", "2", "a-b", "-1-3"} {
		if _, _, err := runCLI(t, "analyze", notMedia, "--calibrate", iv); !errors.Is(err, nevermind.ErrBadInterval) {
			t.Errorf("--calibrate %s: %v, want nevermind.ErrBadInterval", iv, err)
		}
	}
	if _, _, err := runCLI(t, "analyze", notMedia, "--fov", "200"); err == nil || !strings.Contains(err.Error(), "field of view") {
		t.Errorf("--fov 200: %v, want an error about the field of view", err)
	}
	if _, _, err := runCLI(t, "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
	t.Setenv("NEVERMIND_STT", "")
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("GOOGLE_STT_KEY_PATH", "")
	t.Setenv("GOOGLE_STT_API_KEY", "")
	if _, _, err := runCLI(t, "analyze", notMedia, "--transcribe"); err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Errorf("--transcribe without a backend: %v, want advice on configuring one", err)
	}
}

func TestQuestionsOffline(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	dir := t.TempDir()
	letter := filepath.Join(dir, "letter.json")
	if err := os.WriteFile(letter, []byte(`[{"q": "지원 동기", "a": "결제 서버의 장애 대응 시간을 30분에서 5분으로 줄인 경험이 있습니다. 이 경험을 살려 안정적인 서비스를 만들고 싶습니다."}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "questions", "--cover-letter", letter, "--json", "--count", "5")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Questions []struct{ Text, Type string } `json:"questions"`
		Source    string                        `json:"source"`
		Language  string                        `json:"language"`
	}
	if err := json.Unmarshal([]byte(out), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Questions) != 5 || set.Source != "offline" || set.Language != "ko" {
		t.Errorf("got %d questions, source %q, language %q; want 5 offline Korean questions", len(set.Questions), set.Source, set.Language)
	}
	for _, q := range set.Questions {
		if q.Text == "" || (q.Type != "job" && q.Type != "soft") {
			t.Errorf("question %+v", q)
		}
	}
	if _, _, err := runCLI(t, "questions"); err == nil {
		t.Error("questions without --cover-letter succeeded")
	}
}

func TestVersion(t *testing.T) {
	out, _, err := runCLI(t, "version")
	if err != nil || !strings.Contains(out, "libav (FFmpeg) 7.") {
		t.Errorf("version printed %q, %v", out, err)
	}
}

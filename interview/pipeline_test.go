package interview_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/questions/questionstest"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/stt/stttest"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// The answer: two English sentences with a 3-second pause between them, starting 0.5 s in.
var answer = []testmedia.Segment{
	{Silence: 0.5},
	{Text: "In my last project I led a team of four engineers and we cut the page load time by forty percent.", Voice: "en-us", Rate: 150},
	{Silence: 3},
	{Text: "Um, I measured every request first, then fixed the three slowest queries, and we shipped it in two weeks.", Voice: "en-us", Rate: 160},
	{Silence: 0.5},
}

func recording(t *testing.T, picture string) string {
	t.Helper()
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Segments: answer, Picture: picture, Format: "webm"})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// panickingTranscriber is a Transcriber with a bug.
type panickingTranscriber struct{}

func (panickingTranscriber) Transcribe(context.Context, stt.Audio, stt.Options) (*stt.Transcript, error) {
	panic("transcriber bug")
}

func TestVoiceOnly(t *testing.T) {
	path := recording(t, "testsrc")
	var p interview.Pipeline
	res, err := p.AnalyzeFile(context.Background(), path, interview.Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Voice == nil || res.Failed != nil {
		t.Fatalf("vocal %v, failed %v; want a voice report and no failure", res.Voice, res.Failed)
	}
	if res.Transcript != nil || res.Content != nil {
		t.Errorf("transcript and content computed without a transcriber")
	}
	if !res.Voice.Quality.Sufficient {
		t.Errorf("quality gate rejected clear synthetic speech: %s", res.Voice.Quality.Message)
	}
	// The 3-second silence between the sentences must be reported where it is.
	first := speechSeconds(t, answer[1])
	found := false
	for _, m := range res.Voice.Timeline {
		if m.Kind == "long_pause" && math.Abs(m.Start-(0.5+first)) < 0.4 && math.Abs(m.End-(0.5+first+3)) < 0.4 {
			found = true
		}
	}
	if !found {
		t.Errorf("no long_pause near %.1f–%.1f s in the timeline %+v", 0.5+first, 3.5+first, res.Voice.Timeline)
	}
	if d := res.Media.Info.Duration.Seconds(); d < 10 {
		t.Errorf("media duration %.1f s", d)
	}
	// The summary covers the voice and says why the other analyses are missing.
	if res.Feedback == nil || res.Feedback.OverallScore == nil {
		t.Fatalf("no feedback summary: %+v", res.Feedback)
	}
	pauseReported := func(m feedback.Moment) bool {
		return slices.ContainsFunc(m.Reasons, func(r feedback.Reason) bool {
			return r.Kind == "long_pause" && math.Abs(r.Start-(0.5+first)) < 0.4
		})
	}
	if !slices.ContainsFunc(res.Feedback.Timeline, pauseReported) {
		t.Errorf("the long pause is not in the feedback timeline: %+v", res.Feedback.Timeline)
	}
}

// speechSeconds is how long espeak-ng takes to say one segment.
func speechSeconds(t *testing.T, s testmedia.Segment) float64 {
	t.Helper()
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Segments: []testmedia.Segment{s}, Format: "wav"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := media.Open(context.Background(), path, media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pcm, err := d.Audio(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return float64(len(pcm)) / float64(d.SampleRate())
}

func TestTranscriptReachesVoiceAndContent(t *testing.T) {
	path := recording(t, "")
	text := answer[1].Text + " " + answer[3].Text
	heard := stttest.Spread(text, 0.5, 12)
	heard.Language = "en"
	tr := &stttest.Transcriber{Transcript: heard}
	p := interview.Pipeline{Transcriber: tr}
	res, err := p.AnalyzeFile(context.Background(), path, interview.Options{Question: "Tell me about a project you led."})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Calls()) != 1 || res.Transcript == nil || res.Transcript.Text != text {
		t.Fatalf("transcriber called %d times, transcript %+v", len(tr.Calls()), res.Transcript)
	}
	if res.Voice == nil || res.Voice.Fillers == nil {
		t.Fatalf("the voice report did not use the transcript's words: %+v", res.Voice)
	}
	if res.Voice.Fillers.Count < 1 {
		t.Errorf("the filler %q was not counted: %+v", "Um,", res.Voice.Fillers)
	}
	if res.Content == nil || res.Content.Source != "offline" || res.Content.OverallSummary == "" {
		t.Errorf("content = %+v, want the offline evaluation", res.Content)
	}
	if res.Content.Language != "en" {
		t.Errorf("content language %q, want en from the transcript", res.Content.Language)
	}
}

// With an LLM the content feedback is the model's, asked about the transcript.
func TestContentComesFromTheLLM(t *testing.T) {
	path := recording(t, "")
	text := answer[1].Text + " " + answer[3].Text
	summary := "You describe a clear project. The numbers make it concrete. Say more about your own part. Keep the structure."
	llm := &questionstest.LLM{Replies: []string{`{"overall_summary":"` + summary + `","rubric":{}}`}}
	p := interview.Pipeline{Transcriber: &stttest.Transcriber{Transcript: stttest.Spread(text, 0.5, 12)}, LLM: llm}
	res, err := p.AnalyzeFile(context.Background(), path, interview.Options{Question: "Tell me about a project you led."})
	if err != nil {
		t.Fatal(err)
	}
	if res.Content == nil || res.Content.Source != "llm" || res.Content.OverallSummary != summary {
		t.Fatalf("content = %+v, want the model's evaluation", res.Content)
	}
	prompts := llm.Prompts()
	if len(prompts) != 1 || !strings.Contains(prompts[0].User, "forty percent") || !strings.Contains(prompts[0].User, "a project you led") {
		t.Errorf("the model was not asked about the transcript and the question: %+v", prompts)
	}
}

func TestFailuresArePartial(t *testing.T) {
	path := recording(t, "")
	outage := errors.New("speech service answered 503")
	for name, tr := range map[string]stt.Transcriber{
		"error": &stttest.Transcriber{Err: outage},
		"panic": panickingTranscriber{},
	} {
		t.Run(name, func(t *testing.T) {
			var log bytes.Buffer
			p := interview.Pipeline{Transcriber: tr, Logger: slog.New(slog.NewTextHandler(&log, nil))}
			res, err := p.AnalyzeFile(context.Background(), path, interview.Options{})
			if err != nil {
				t.Fatal(err)
			}
			why, failed := res.Failed[nevermind.Transcript]
			if !failed || res.Transcript != nil || res.Content != nil {
				t.Fatalf("failed %v, transcript %v, content %v; want the transcript marked failed", res.Failed, res.Transcript, res.Content)
			}
			switch name {
			case "error":
				if !errors.Is(why, outage) {
					t.Errorf("failure %v does not wrap the transcriber's error", why)
				}
			case "panic":
				if !errors.Is(why, interview.ErrInternal) || strings.Contains(why.Error(), "goroutine") || strings.Contains(why.Error(), "transcriber bug") {
					t.Errorf("failure %q: want ErrInternal, without the panic or its stack", why)
				}
				if !strings.Contains(log.String(), "transcriber bug") || !strings.Contains(log.String(), "goroutine") {
					t.Errorf("the log lacks the panic and its stack:\n%s", log.String())
				}
				if b, _ := json.Marshal(res); strings.Contains(string(b), "goroutine") {
					t.Errorf("the JSON result carries the stack: %s", b)
				}
			}
			if res.Voice == nil {
				t.Error("the voice report was lost with the transcript")
			}
		})
	}
}

// TestFailureIsTheAnalysersError: a part's failure is the analysing package's own error,
// so callers branch on it with errors.Is.
func TestFailureIsTheAnalysersError(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Segments: []testmedia.Segment{{Silence: 0.2}}, Format: "wav"})
	if err != nil {
		t.Fatal(err)
	}
	var p interview.Pipeline
	res, err := p.AnalyzeFile(context.Background(), path, interview.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Failed[nevermind.Voice]; !errors.Is(err, vocal.ErrTooShort) {
		t.Errorf("voice failure %v, want vocal.ErrTooShort", err)
	}
}

func TestSkip(t *testing.T) {
	path := recording(t, "")
	tr := &stttest.Transcriber{Transcript: stttest.Spread("hello", 0, 1)}
	p := interview.Pipeline{Transcriber: tr}
	res, err := p.AnalyzeFile(context.Background(), path, interview.Options{Skip: []nevermind.Part{nevermind.Voice, nevermind.Transcript}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Calls()) != 0 || res.Voice != nil || res.Transcript != nil {
		t.Errorf("skipped parts ran: %d transcriber calls, vocal %v", len(tr.Calls()), res.Voice != nil)
	}
}

func TestBadRecordings(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.webm")
	if err := os.WriteFile(text, []byte("not a recording"), 0o644); err != nil {
		t.Fatal(err)
	}
	var p interview.Pipeline
	if _, err := p.AnalyzeFile(context.Background(), text, interview.Options{}); !errors.Is(err, media.ErrCorrupt) {
		t.Errorf("text file: err = %v, want media.ErrCorrupt", err)
	}
	f, err := os.Open(recording(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Analyze(ctx, f, interview.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
}

func astronaut(t *testing.T) string {
	t.Helper()
	path, err := testmedia.Astronaut()
	if err != nil {
		t.Skip(err)
	}
	return path
}

func TestVisionJoinsTheVoice(t *testing.T) {
	va, err := vision.New(vision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := recording(t, astronaut(t))
	p := interview.Pipeline{Vision: va}
	res, err := p.AnalyzeFile(context.Background(), path, interview.Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != nil || res.Voice == nil || res.Vision == nil {
		t.Fatalf("failed %v; vocal %v, vision %v", res.Failed, res.Voice != nil, res.Vision != nil)
	}
	fr := res.Vision.Frames
	if fr.Sampled != res.Media.Stats.FramesSampled || fr.WithFace < fr.Sampled*99/100 {
		t.Errorf("vision saw %d of %d decoded frames, %d with the face", fr.Sampled, res.Media.Stats.FramesSampled, fr.WithFace)
	}
	if res.Vision.Metrics.EyeContactWhileSpeakingPercent == nil {
		t.Error("the voice's speech stretches did not reach the vision analysis (eye contact while speaking is null)")
	}
	if res.Feedback.Status(nevermind.Vision).Status != feedback.StatusOK {
		t.Errorf("the summary does not use the vision analysis: %+v", res.Feedback.Parts)
	}

	// Without a face in the picture the video part still runs and says so.
	res, err = p.AnalyzeFile(context.Background(), recording(t, "testsrc"), interview.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Vision == nil || res.Vision.Frames.WithFace != 0 || res.Vision.Frames.NoFace != res.Vision.Frames.Sampled {
		t.Errorf("test pattern: %+v, want every frame without a face", res.Vision)
	}
}

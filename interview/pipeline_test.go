package interview_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/vision"
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

// scriptTranscriber plays the part of a speech-to-text service that heard the words it
// was given: a user's own Transcriber, as examples/custom-transcriber shows. Word times
// are spread evenly over the speech it is told about.
type scriptTranscriber struct {
	text       string
	start, end float64
	calls      int
	err        error
	panics     bool
}

func (s *scriptTranscriber) Transcribe(ctx context.Context, a stt.Audio, opts stt.Options) (*stt.Transcript, error) {
	s.calls++
	if s.panics {
		panic("transcriber bug")
	}
	if s.err != nil {
		return nil, s.err
	}
	words := strings.Fields(s.text)
	tr := &stt.Transcript{Text: s.text, Language: "en", Duration: a.Duration()}
	step := (s.end - s.start) / float64(len(words))
	for i, w := range words {
		tr.Words = append(tr.Words, stt.Word{Text: w, Start: s.start + float64(i)*step, End: s.start + float64(i+1)*step})
	}
	return tr, nil
}

func TestVoiceOnly(t *testing.T) {
	path := recording(t, "testsrc")
	var p interview.Pipeline
	res, err := p.AnalyzeFile(context.Background(), path, interview.Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Vocal == nil || res.Failed != nil {
		t.Fatalf("vocal %v, failed %v; want a voice report and no failure", res.Vocal, res.Failed)
	}
	if res.Transcript != nil || res.Content != nil {
		t.Errorf("transcript and content computed without a transcriber")
	}
	if !res.Vocal.Quality.Sufficient {
		t.Errorf("quality gate rejected clear synthetic speech: %s", res.Vocal.Quality.Message)
	}
	// The 3-second silence between the sentences must be reported where it is.
	first := speechSeconds(t, answer[1])
	found := false
	for _, m := range res.Vocal.Timeline {
		if m.Kind == "long_pause" && math.Abs(m.Start-(0.5+first)) < 0.4 && math.Abs(m.End-(0.5+first+3)) < 0.4 {
			found = true
		}
	}
	if !found {
		t.Errorf("no long_pause near %.1f–%.1f s in the timeline %+v", 0.5+first, 3.5+first, res.Vocal.Timeline)
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
	tr := &scriptTranscriber{text: text, start: 0.5, end: 12}
	p := interview.Pipeline{Transcriber: tr}
	res, err := p.AnalyzeFile(context.Background(), path, interview.Options{Question: "Tell me about a project you led."})
	if err != nil {
		t.Fatal(err)
	}
	if tr.calls != 1 || res.Transcript == nil || res.Transcript.Text != text {
		t.Fatalf("transcriber called %d times, transcript %+v", tr.calls, res.Transcript)
	}
	if res.Vocal == nil || res.Vocal.Fillers == nil {
		t.Fatalf("the voice report did not use the transcript's words: %+v", res.Vocal)
	}
	if res.Vocal.Fillers.Count < 1 {
		t.Errorf("the filler %q was not counted: %+v", "Um,", res.Vocal.Fillers)
	}
	if res.Content == nil || res.Content.Source != "offline" || res.Content.OverallSummary == "" {
		t.Errorf("content = %+v, want the offline evaluation", res.Content)
	}
	if res.Content.Language != "en" {
		t.Errorf("content language %q, want en from the transcript", res.Content.Language)
	}
}

func TestFailuresArePartial(t *testing.T) {
	path := recording(t, "")
	for name, tr := range map[string]*scriptTranscriber{
		"error": {err: errors.New("speech service answered 503")},
		"panic": {panics: true},
	} {
		t.Run(name, func(t *testing.T) {
			p := interview.Pipeline{Transcriber: tr}
			res, err := p.AnalyzeFile(context.Background(), path, interview.Options{})
			if err != nil {
				t.Fatal(err)
			}
			why, failed := res.Failed[interview.Transcript]
			if !failed || res.Transcript != nil || res.Content != nil {
				t.Fatalf("failed %v, transcript %v, content %v; want the transcript marked failed", res.Failed, res.Transcript, res.Content)
			}
			if name == "error" && !strings.Contains(why, "503") {
				t.Errorf("reason %q lost the cause", why)
			}
			if res.Vocal == nil {
				t.Error("the voice report was lost with the transcript")
			}
		})
	}
}

func TestSkip(t *testing.T) {
	path := recording(t, "")
	tr := &scriptTranscriber{text: "hello", start: 0, end: 1}
	p := interview.Pipeline{Transcriber: tr}
	res, err := p.AnalyzeFile(context.Background(), path, interview.Options{Skip: []interview.Part{interview.Vocal, interview.Transcript}})
	if err != nil {
		t.Fatal(err)
	}
	if tr.calls != 0 || res.Vocal != nil || res.Transcript != nil {
		t.Errorf("skipped parts ran: %d transcriber calls, vocal %v", tr.calls, res.Vocal != nil)
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
	if res.Failed != nil || res.Vocal == nil || res.Vision == nil {
		t.Fatalf("failed %v; vocal %v, vision %v", res.Failed, res.Vocal != nil, res.Vision != nil)
	}
	fr := res.Vision.Frames
	if fr.Sampled != res.Media.Stats.FramesSampled || fr.WithFace < fr.Sampled*99/100 {
		t.Errorf("vision saw %d of %d decoded frames, %d with the face", fr.Sampled, res.Media.Stats.FramesSampled, fr.WithFace)
	}
	if res.Vision.Metrics.EyeContactWhileSpeakingPercent == nil {
		t.Error("the voice's speech stretches did not reach the vision analysis (eye contact while speaking is null)")
	}
	if res.Feedback.Status(feedback.Vision).Status != feedback.StatusOK {
		t.Errorf("the summary does not use the vision analysis: %+v", res.Feedback.Modalities)
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

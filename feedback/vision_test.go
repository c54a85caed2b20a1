package feedback_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/feedback/internal/speech"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// frames makes the per-frame results of a candidate facing the camera,
// sitting upright and smiling now and then, who turns the head 35° away
// during the given stretches and leaves the frame during gone.
func frames(dur, fps float64, away [][2]float64, gone [2]float64) []vision.FrameResult {
	f := func(x float64) *float64 { return &x }
	in := func(t float64, spans [][2]float64) bool {
		for _, s := range spans {
			if t >= s[0] && t < s[1] {
				return true
			}
		}
		return false
	}
	var out []vision.FrameResult
	for i := 0; float64(i)/fps < dur; i++ {
		t := float64(i) / fps
		fr := vision.FrameResult{Time: t, State: vision.StateFace, Faces: 1, Luma: 120,
			Posture: vision.PostureFrame{Present: true, Shoulder: 1, Head: 1, Hand: 1, ShoulderDiff: f(0.01), HeadOffset: f(0.005), Motion: f(0.05)}}
		if t >= gone[0] && t < gone[1] {
			fr.State, fr.Faces, fr.Posture = vision.StateNoFace, 0, vision.PostureFrame{}
			out = append(out, fr)
			continue
		}
		yaw := 0.0
		if in(t, away) {
			yaw = 35
		}
		fr.Yaw, fr.Pitch, fr.Roll = f(yaw), f(0), f(0)
		fr.GazeYaw, fr.GazePitch = f(yaw), f(0)
		fr.EyeH, fr.EyeV, fr.EAR, fr.Mouth = f(0), f(0), f(0.3), f(0)
		fr.NoseX, fr.NoseY = f(yaw/200), f(0)
		fr.Expression, fr.Smile = "neutral", f(0.1)
		if i%5 == 0 {
			fr.Expression, fr.Smile = "smile", f(0.9)
		}
		out = append(out, fr)
	}
	return out
}

// TestLookAwayDuringPause runs both analyses for real — vocal.Analyze on an
// espeak-ng answer with long silences, vision.Summarize on frames where the
// candidate looks away during the first silence — and checks the summary
// puts the pause and the look-away into one moment.
func TestLookAwayDuringPause(t *testing.T) {
	parts := speech.Fluent(speech.English[:2], 4.0)
	parts = append(parts, speech.Piece{Pause: 0.4})
	parts = append(parts, speech.Fluent(speech.English[2:4], 0.4)...)
	voice := speech.Analyze(t, speech.Synth(t, speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}, parts...), vocal.Options{Language: "en", Series: true})
	if voice.Fluency == nil || len(voice.Fluency.Pauses.Long) == 0 {
		t.Fatal("the voice analysis found no long pause")
	}
	p := voice.Fluency.Pauses.Long[0]
	const fps = 5
	dur := voice.Quality.DurationS
	var speaking []nevermind.Interval
	last := 0.0
	for _, q := range voice.Fluency.Pauses.Long {
		speaking = append(speaking, nevermind.Interval{Start: last, End: q.Start})
		last = q.End
	}
	speaking = append(speaking, nevermind.Interval{Start: last, End: dur})
	vr := vision.Summarize(frames(dur, fps, [][2]float64{{p.Start + 0.2, p.End - 0.2}}, [2]float64{-1, -1}), fps,
		vision.AnalyzeOptions{FPS: fps, Speech: speaking, Series: true})
	before, err := json.Marshal(vr)
	if err != nil {
		t.Fatal(err)
	}
	s, err := feedback.Summarize(feedback.Input{Voice: voice, Vision: vr}, feedback.Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	// Summarize reads the caller's report in place; it must leave it as it was.
	if after, _ := json.Marshal(vr); !bytes.Equal(before, after) {
		t.Errorf("Summarize changed the vision report:\nbefore %s\nafter  %s", before, after)
	}
	if st := s.Status(nevermind.Vision); st.Status != feedback.StatusOK {
		t.Fatalf("vision status %+v", st)
	}
	var both *feedback.Moment
	for i, m := range s.Timeline {
		kinds := map[string]bool{}
		for _, r := range m.Reasons {
			kinds[r.Kind] = true
		}
		if kinds["long_pause"] && kinds["look_away"] {
			both = &s.Timeline[i]
		}
	}
	if both == nil {
		b, _ := json.MarshalIndent(s.Timeline, "", " ")
		t.Fatalf("no moment holds both the pause at %.2f–%.2f and the look-away:\n%s", p.Start, p.End, b)
	}
	t.Logf("moment %.2f–%.2f: %v", both.Start, both.End, reasonTexts(&feedback.Summary{Timeline: []feedback.Moment{*both}}))
	if both.Parts() != 2 || s.TopMoments(1)[0].Start != both.Start {
		t.Errorf("the pause-and-look-away moment is not ranked first: %+v", s.TopMoments(1))
	}
	for _, id := range []string{"eye_contact", "look_away", "posture", "smile", "head_stability"} {
		m := s.Metric(id)
		if m == nil {
			t.Errorf("metric %s missing", id)
			continue
		}
		if m.Part != nevermind.Vision || m.Weight <= 0 {
			t.Errorf("%s: modality %s weight %v", id, m.Part, m.Weight)
		}
	}
	// Looking away only while silent leaves eye contact while speaking near
	// 100 %, the longest look-away about the pause's length.
	if m := s.Metric("eye_contact"); m != nil && m.Value < 95 {
		t.Errorf("eye contact while speaking %.1f %%, want ≥ 95", m.Value)
	}
	if m := s.Metric("look_away"); m != nil && math.Abs(m.Value-(p.End-p.Start-0.4)) > 0.5 {
		t.Errorf("longest look-away %.2f s, pause %.2f s", m.Value, p.End-p.Start)
	}
	if !strings.Contains(strings.Join(reasonTexts(s), " "), "Looked away from the camera") {
		t.Errorf("look-away reason text missing")
	}
}

func reasonTexts(s *feedback.Summary) []string {
	var out []string
	for _, m := range s.Timeline {
		for _, r := range m.Reasons {
			out = append(out, r.Text.En)
		}
	}
	return out
}

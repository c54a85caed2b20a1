package interview

import (
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/vision"
)

// The look-away cue follows the tracker's verdict: a gaze away from the camera (or a head
// turned too far to measure the eyes) for CueRules.LookAway, with a blink inside the
// stretch neither ending nor starting it; a head turned while the eyes stay on the lens is
// no look-away.
func TestLookAwayCueFollowsTheVerdict(t *testing.T) {
	verdict := func(v bool) *bool { return &v }
	for _, c := range []struct {
		name  string
		frame func(t float64) vision.FrameResult
		want  int
	}{
		{"away with a blink", func(t float64) vision.FrameResult {
			f := vision.FrameResult{Time: t, State: vision.StateFace, LookingAtCamera: verdict(t < 1 || t >= 4.2)} // 3.2 s away
			if t >= 2 && t < 2.4 {                                                                                 // a blink: without bridging, only 1.8 s of it would be left
				f.LookingAtCamera, f.GazeReason = nil, vision.GazeEyesClosed
			}
			return f
		}, 1},
		{"head turned, eyes on the lens", func(t float64) vision.FrameResult {
			yaw := 35.0
			return vision.FrameResult{Time: t, State: vision.StateFace, Yaw: &yaw, LookingAtCamera: verdict(true)}
		}, 0},
		{"blinks only", func(t float64) vision.FrameResult {
			return vision.FrameResult{Time: t, State: vision.StateFace, GazeReason: vision.GazeEyesClosed}
		}, 0},
	} {
		var got int
		w := newCueWatch(func(cue Cue) {
			if cue.Kind == CueLookAway {
				got++
			}
		}, CueRules{}, "en", 16000, nil)
		for i := range 30 { // 6 s at 5 fps; the default cue waits 3 s
			w.frame(c.frame(float64(i) / 5))
		}
		if got != c.want {
			t.Errorf("%s: %d look-away cues, want %d", c.name, got, c.want)
		}
	}
}

// With a calibration stretch the live look-away cue is judged against the candidate's own
// "at the lens": a face whose eyes read 11° high while looking into the lens (more than
// vision.GazeToleranceDeg, so the tracker's absolute verdict says away) is not cued, and a
// real look-away after the stretch still is.
func TestLookAwayCueUsesTheCalibration(t *testing.T) {
	for _, c := range []struct {
		name        string
		calibration *nevermind.Interval
		awayFrom    float64 // the candidate looks 25° aside from this moment on
		want        int
	}{
		{"no calibration", nil, 99, 1},
		{"calibrated", &nevermind.Interval{Start: 0.5, End: 2.5}, 99, 0},
		{"calibrated, then away", &nevermind.Interval{Start: 0.5, End: 2.5}, 4, 1},
		{"calibration later than the answer", &nevermind.Interval{Start: 20, End: 22}, 99, 1},
	} {
		var got int
		w := newCueWatch(func(cue Cue) {
			if cue.Kind == CueLookAway {
				got++
			}
		}, CueRules{}, "en", 16000, c.calibration)
		for i := range 50 { // 10 s at 5 fps
			at := float64(i) / 5
			yaw, pitch := 0.0, 11.0
			if at >= c.awayFrom {
				yaw = 25
			}
			look := false // the tracker's absolute verdict: 11° is outside the 9° cone
			w.frame(vision.FrameResult{Time: at, State: vision.StateFace, GazeYaw: &yaw, GazePitch: &pitch, LookingAtCamera: &look})
		}
		if got != c.want {
			t.Errorf("%s: %d look-away cues, want %d", c.name, got, c.want)
		}
	}
}

package vision

import (
	"context"
	"fmt"
	"iter"
	"math"
	"sort"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/media/frame"
)

// AnalyzeOptions describe the frames given to Analyze. The zero value
// assumes DefaultFPS and the seed's defaults.
type AnalyzeOptions struct {
	// FPS is the sampling rate of the frames, used to turn frame counts into
	// durations. Zero means DefaultFPS.
	FPS float64
	// Speech lists when the candidate was speaking (from the vocal
	// analysis). When set, the report gives the eye-contact share while
	// speaking; when nil that metric is null.
	Speech []nevermind.Interval
	// Series asks for the per-frame values in Report.Series.
	Series bool
	// Calibration, when set, is a stretch during which the candidate was
	// asked to look into the lens: the median gaze over its measured frames
	// becomes the person's "at the camera" (it absorbs what the geometry
	// cannot know: eye shape, glasses, a camera field of view off the
	// assumed one). A stretch with fewer than MinCalibrationFrames measured
	// frames, or whose median gaze is over MaxCalibrationOffsetDeg from the
	// camera ray, is not used, and Metrics.Calibration says so.
	Calibration *nevermind.Interval
	// CalibrationSeconds is how long, from the first frame with a face, the
	// neutral eye opening and mouth are measured (the seed's
	// baseline_seconds); without Calibration the gaze of that window is
	// also used as the implicit calibration when it agrees with the camera
	// geometry (see Calibration). Zero means DefaultCalibrationSeconds.
	CalibrationSeconds float64
	// BlinkLimitPerMin is the blink rate at which blink stability reaches 0
	// (the seed's blink_limit_per_min). Zero means DefaultBlinkLimitPerMin.
	BlinkLimitPerMin float64
}

// The kinds of the moments in Report.Timeline.
const (
	KindNoFace         = "no_face"         // no face for at least EventMinSeconds
	KindTooDark        = "too_dark"        // too dark to see the face
	KindFaceTooSmall   = "face_too_small"  // the face too far or too small
	KindMultipleFaces  = "multiple_faces"  // someone else in view
	KindLookAway       = "look_away"       // not looking at the camera for at least LookAwayMinSeconds
	KindShoulderRaised = "shoulder_raised" // the seed's shoulder alert
	KindHeadTilt       = "head_tilt"       // the seed's head-tilt alert
	KindHandsRaised    = "hands_raised"    // the seed's hand alert
	KindFidgeting      = "fidgeting"       // sustained upper-body movement
)

// Thresholds of the timeline and of "looking at the camera" (ours; the
// seed has none). See the package documentation for their grounds.
const (
	// EventMinSeconds is the shortest face-state event reported.
	EventMinSeconds = 1.0
	// LookAwayMinSeconds is the shortest look-away reported: speakers
	// glance away briefly all the time.
	LookAwayMinSeconds = 2.0
	// GazeToleranceDeg is how far, in degrees, the gaze may stray from the
	// ray to the camera and still count as looking at it: the cone of gaze
	// (see the package documentation).
	GazeToleranceDeg = 9.0
	// MinCalibrationFrames is the fewest measured frames a calibration
	// stretch needs; MaxCalibrationOffsetDeg the farthest its median gaze
	// may be from the camera ray for it to be used (farther, the candidate
	// was not looking into the lens, or the camera is not where the frame
	// centre says).
	MinCalibrationFrames    = 3
	MaxCalibrationOffsetDeg = 20.0
	// FidgetSpeed is the upper-body speed, in face widths per second, above
	// which movement counts as fidgeting; FidgetMinSeconds its shortest run.
	FidgetSpeed      = 0.5
	FidgetMinSeconds = 2.0
)

// FrameCounts counts the sampled frames by state. Sampled is the sum of
// WithFace, NoFace, FaceTooSmall and TooDark; MultipleFaces is part of
// WithFace.
type FrameCounts struct {
	Sampled       int `json:"sampled"`
	WithFace      int `json:"with_face"`
	NoFace        int `json:"no_face"`
	MultipleFaces int `json:"multiple_faces"`
	FaceTooSmall  int `json:"face_too_small"`
	TooDark       int `json:"too_dark"`
	WithPose      int `json:"with_pose"`
}

// Metrics are the measures beyond the seed. Each is null when it cannot be
// measured (no face frames, no speech given).
type Metrics struct {
	// EyeContactPercent is the share of face frames looking at the camera,
	// among those whose gaze was judged (FrameResult.LookingAtCamera not
	// nil: blinks and lost irises are left out).
	EyeContactPercent *float64 `json:"eye_contact_percent"`
	// EyeContactWhileSpeakingPercent is the same over the face frames
	// inside AnalyzeOptions.Speech.
	EyeContactWhileSpeakingPercent *float64 `json:"eye_contact_while_speaking_percent"`
	// LongestLookAwaySeconds is the longest run of face frames not looking
	// at the camera; a frame without a verdict (a blink) inside a run
	// continues it.
	LongestLookAwaySeconds *float64 `json:"longest_look_away_seconds"`
	// HeadMovementDegPerSec is the RMS speed of the head's yaw and pitch;
	// HeadStability maps it to 0..1 (1 still, 0 at 30°/s or more).
	HeadMovementDegPerSec *float64 `json:"head_movement_deg_per_sec"`
	HeadStability         *float64 `json:"head_stability"`
	// SmilePercent is the share of face frames whose expression is a smile;
	// NeutralPercent the share of neutral ones.
	SmilePercent   *float64 `json:"smile_percent"`
	NeutralPercent *float64 `json:"neutral_percent"`
	// NoFaceSeconds is the time with no face in view (no_face frames).
	NoFaceSeconds float64 `json:"no_face_seconds"`
	// UnmeasuredSeconds is the time whose face could not be measured for any
	// reason (no face, too small, too dark).
	UnmeasuredSeconds float64 `json:"unmeasured_seconds"`
	// Movement is the mean upper-body speed in face widths per second.
	Movement *float64 `json:"movement"`
	// Calibration says what "looking at the camera" was judged against.
	Calibration *Calibration `json:"calibration"`
}

// Calibration sources.
const (
	// CalibrationAbsolute: the camera geometry alone.
	CalibrationAbsolute = "absolute"
	// CalibrationExplicit: AnalyzeOptions.Calibration.
	CalibrationExplicit = "calibrated"
	// CalibrationImplicit: the first CalibrationSeconds with a face, whose
	// gaze agreed with the camera geometry.
	CalibrationImplicit = "implicit"
)

// Calibration is what "looking at the camera" was judged against: the ray
// to the camera (Source "absolute"), or that ray moved by the median gaze
// of a stretch when the candidate looked into the lens.
type Calibration struct {
	// Source is CalibrationAbsolute, CalibrationExplicit or
	// CalibrationImplicit.
	Source string `json:"source"`
	// Start and End bound the stretch the offsets come from and Frames is
	// how many measured frames it held; zero for "absolute".
	Start  float64 `json:"start"`
	End    float64 `json:"end"`
	Frames int     `json:"frames"`
	// GazeYaw and GazePitch are the median gaze of that stretch (degrees
	// from the camera ray), subtracted from every frame's gaze.
	GazeYaw   float64 `json:"gaze_yaw"`
	GazePitch float64 `json:"gaze_pitch"`
	// Rejected, when an explicit calibration was given but not used, says
	// why: "too_few_frames" or "not_at_camera".
	Rejected string `json:"rejected,omitempty"`
}

// Report is the result of Analyze: what `nevermind analyze --json` prints
// under "vision".
type Report struct {
	Frames FrameCounts `json:"frames"`
	// Duration is the sampled time: frames / FPS.
	Duration float64     `json:"duration"`
	Face     FaceReport  `json:"face"`
	Pose     *PoseReport `json:"pose"`
	Metrics  Metrics     `json:"metrics"`
	// Timeline lists the problem moments in time order.
	Timeline []nevermind.Moment `json:"timeline"`
	// Series holds every frame's values when AnalyzeOptions.Series is set,
	// rounded to their resolution (angles to 0.01°, ratios to 1e-4).
	Series []FrameResult `json:"series,omitempty"`
}

// Analyze runs the per-frame pipeline over frames as they stream (only the
// current frame's pixels are held) and summarises them. A frame error from
// the sequence, a malformed frame or a cancelled context stops it with an
// error; an empty sequence returns [ErrNoFrames], and a malformed
// Calibration [nevermind.ErrBadInterval].
func (a *Analyzer) Analyze(ctx context.Context, frames iter.Seq2[*frame.Frame, error], opts AnalyzeOptions) (*Report, error) {
	if c := opts.Calibration; c != nil {
		if err := c.Check(); err != nil {
			return nil, err
		}
	}
	fps := opts.FPS
	if fps <= 0 || math.IsNaN(fps) || math.IsInf(fps, 0) {
		fps = DefaultFPS
	}
	tr := a.NewTracker(fps)
	var results []FrameResult
	for f, err := range frames {
		if err != nil {
			return nil, fmt.Errorf("vision: reading frames: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := tr.Process(ctx, f)
		if err != nil {
			if f == nil {
				return nil, fmt.Errorf("vision: frame %d: %w", len(results), err)
			}
			return nil, fmt.Errorf("vision: frame %d at %v: %w", f.Index, f.Time, err)
		}
		results = append(results, r)
	}
	if len(results) == 0 {
		return nil, ErrNoFrames
	}
	return Summarize(results, fps, opts), nil
}

// Summarize builds the report from per-frame results in time order, as a
// [Tracker] produced them (gaze relative to the camera ray, no calibration
// applied); it judges each result again by the calibration it settles on
// ([Calibration.Judge]), filling [FrameResult.LookingAtCamera] and moving
// GazeYaw and GazePitch by the offsets. [Analyzer.Analyze] calls it; it is
// exported for callers that drive a Tracker themselves.
func Summarize(frames []FrameResult, fps float64, opts AnalyzeOptions) *Report {
	if fps <= 0 || math.IsNaN(fps) || math.IsInf(fps, 0) {
		fps = DefaultFPS
	}
	calib := opts.CalibrationSeconds
	if calib <= 0 {
		calib = DefaultCalibrationSeconds
	}
	limit := opts.BlinkLimitPerMin
	if limit <= 0 {
		limit = DefaultBlinkLimitPerMin
	}
	r := &Report{Timeline: []nevermind.Moment{}}
	r.Frames.Sampled = len(frames)
	r.Duration = float64(len(frames)) / fps
	first := -1
	for i, f := range frames {
		switch f.State {
		case StateFace, StateMultipleFaces:
			r.Frames.WithFace++
			if f.State == StateMultipleFaces {
				r.Frames.MultipleFaces++
			}
			if first < 0 {
				first = i
			}
		case StateNoFace:
			r.Frames.NoFace++
		case StateFaceTooSmall:
			r.Frames.FaceTooSmall++
		case StateTooDark:
			r.Frames.TooDark++
		}
		if f.Posture.Present {
			r.Frames.WithPose++
		}
	}
	calibEnd := math.Inf(-1)
	if first >= 0 {
		calibEnd = frames[first].Time + calib
	}
	c := calibrate(frames, first, calibEnd, opts.Calibration)
	r.Face = faceSeed(frames, len(frames), fps, calibEnd, limit)
	r.Pose = poseSeed(frames)
	r.Metrics = metrics(frames, fps, opts.Speech)
	r.Metrics.Calibration = c
	r.Timeline = timeline(frames, fps, r.Pose)
	if opts.Series {
		r.Series = roundedSeries(frames)
	}
	return r
}

// roundedSeries copies the per-frame values rounded to what they can
// resolve, which keeps the plotted JSON small.
func roundedSeries(frames []FrameResult) []FrameResult {
	out := make([]FrameResult, len(frames))
	rp := func(p *float64, n int) *float64 {
		if p == nil {
			return nil
		}
		return ptr(roundN(*p, n))
	}
	for i, f := range frames {
		f.Time = roundN(f.Time, 3)
		if f.Face != nil {
			f.Face = &Box{roundN(f.Face.X, 1), roundN(f.Face.Y, 1), roundN(f.Face.W, 1), roundN(f.Face.H, 1)}
		}
		f.Yaw, f.Pitch, f.Roll = rp(f.Yaw, 2), rp(f.Pitch, 2), rp(f.Roll, 2)
		f.GazeYaw, f.GazePitch = rp(f.GazeYaw, 2), rp(f.GazePitch, 2)
		f.EAR, f.EyeH, f.EyeV = rp(f.EAR, 4), rp(f.EyeH, 4), rp(f.EyeV, 4)
		f.Mouth, f.NoseX, f.NoseY, f.Smile = rp(f.Mouth, 5), rp(f.NoseX, 4), rp(f.NoseY, 4), rp(f.Smile, 3)
		f.Luma = roundN(f.Luma, 1)
		p := &f.Posture
		p.ShoulderDiff, p.HeadOffset, p.HandRaise, p.Motion = rp(p.ShoulderDiff, 4), rp(p.HeadOffset, 4), rp(p.HandRaise, 4), rp(p.Motion, 3)
		p.Shoulder, p.Head, p.Hand = roundN(p.Shoulder, 4), roundN(p.Head, 4), roundN(p.Hand, 4)
		out[i] = f
	}
	return out
}

// calibrate chooses what "at the camera" is judged against (the explicit
// calibration, else the first seconds when they agree with the camera
// geometry, else the geometry alone) and re-judges every frame by it. It
// returns nil when no frame has a face.
func calibrate(frames []FrameResult, first int, calibEnd float64, explicit *nevermind.Interval) *Calibration {
	if first < 0 {
		return nil
	}
	c := Calibration{Source: CalibrationAbsolute}
	if explicit != nil {
		c = CalibrateOn(frames, *explicit)
	} else {
		// The first seconds refine the geometry only when the candidate
		// evidently looked into the lens then: most of the window's frames
		// at the camera and the median well inside the cone.
		w, looking := calibrationWindow(frames, frames[first].Time, calibEnd)
		if w.Frames >= MinCalibrationFrames && 2*looking > w.Frames && math.Hypot(w.GazeYaw, w.GazePitch) <= GazeToleranceDeg/2 {
			c, c.Source = w, CalibrationImplicit
		}
	}
	for i := range frames {
		c.Judge(&frames[i])
	}
	c.Start, c.End = roundN(c.Start, 3), roundN(c.End, 3)
	c.GazeYaw, c.GazePitch = roundN(c.GazeYaw, 2), roundN(c.GazePitch, 2)
	return &c
}

// CalibrateOn measures an explicit calibration from frames as a Tracker
// produced them: the median gaze of the measured frames in span, or, with
// Source CalibrationAbsolute, the reason in Rejected when the stretch held
// fewer than MinCalibrationFrames or was not looking at the camera. Summarize
// uses it for AnalyzeOptions.Calibration; a caller judging frames as they
// arrive uses it once the stretch is over, then Judge.
func CalibrateOn(frames []FrameResult, span nevermind.Interval) Calibration {
	w, _ := calibrationWindow(frames, span.Start, span.End)
	switch {
	case w.Frames < MinCalibrationFrames:
		return Calibration{Source: CalibrationAbsolute, Rejected: "too_few_frames"}
	case math.Hypot(w.GazeYaw, w.GazePitch) > MaxCalibrationOffsetDeg:
		return Calibration{Source: CalibrationAbsolute, Rejected: "not_at_camera"}
	}
	w.Source = CalibrationExplicit
	return w
}

// calibrationWindow is the median gaze of the measured frames in [start,
// end], and how many of them look at the camera by the geometry alone.
func calibrationWindow(frames []FrameResult, start, end float64) (c Calibration, looking int) {
	var ys, ps []float64
	for _, f := range frames {
		if f.Time < start || f.Time > end || f.GazeYaw == nil {
			continue
		}
		ys, ps = append(ys, *f.GazeYaw), append(ps, *f.GazePitch)
		if math.Hypot(*f.GazeYaw, *f.GazePitch) <= GazeToleranceDeg {
			looking++
		}
	}
	return Calibration{Start: start, End: end, Frames: len(ys), GazeYaw: median(ys), GazePitch: median(ps)}, looking
}

// Judge judges a frame as a [Tracker] produced it (gaze relative to the camera
// ray) against the calibration: it fills LookingAtCamera and moves GazeYaw
// and GazePitch by the offsets. A frame whose gaze was not measured keeps
// the tracker's reason.
func (c Calibration) Judge(f *FrameResult) {
	switch {
	case !f.State.Measured():
	case f.GazeYaw != nil:
		judgeGaze(f, cameraGaze{yaw: *f.GazeYaw, pitch: *f.GazePitch}, c.GazeYaw, c.GazePitch)
	case f.GazeReason != "":
		judgeGaze(f, cameraGaze{reason: f.GazeReason}, 0, 0)
	}
}

// lookingAway marks the frames looking away from the camera: a face frame
// judged so, or a face frame without a verdict (a blink) between two
// frames judged so.
func lookingAway(frames []FrameResult) []bool {
	away := make([]bool, len(frames))
	prev := -1 // the last frame with a verdict, while faces continue
	for i := range frames {
		f := &frames[i]
		switch {
		case !f.State.Measured():
			prev = -1
		case f.LookingAtCamera != nil:
			away[i] = !*f.LookingAtCamera
			if away[i] && prev >= 0 && away[prev] {
				for j := prev + 1; j < i; j++ {
					away[j] = true
				}
			}
			prev = i
		}
	}
	return away
}

// metrics computes the beyond-the-seed measures from the judged frames.
func metrics(frames []FrameResult, fps float64, speech []nevermind.Interval) Metrics {
	var m Metrics
	for _, f := range frames {
		switch f.State {
		case StateNoFace:
			m.NoFaceSeconds += 1 / fps
			m.UnmeasuredSeconds += 1 / fps
		case StateFaceTooSmall, StateTooDark:
			m.UnmeasuredSeconds += 1 / fps
		}
	}
	m.NoFaceSeconds, m.UnmeasuredSeconds = roundN(m.NoFaceSeconds, 2), roundN(m.UnmeasuredSeconds, 2)

	away := lookingAway(frames)
	var faceN, judged, looking, speakN, speakLooking, smile, neutral int
	var longest, run float64
	var sq float64
	var moves int
	var prev *FrameResult
	for i := range frames {
		f := &frames[i]
		if !f.State.Measured() || f.Yaw == nil {
			run = 0
			prev = nil
			continue
		}
		faceN++
		if away[i] {
			run += 1 / fps
			longest = math.Max(longest, run)
		} else {
			run = 0
		}
		if f.LookingAtCamera != nil {
			judged++
			look := *f.LookingAtCamera
			if look {
				looking++
			}
			if inSpeech(f.Time, speech) {
				speakN++
				if look {
					speakLooking++
				}
			}
		}
		switch f.Expression {
		case "smile":
			smile++
		case "neutral":
			neutral++
		}
		if prev != nil && f.Time > prev.Time {
			dt := f.Time - prev.Time
			dy, dp := (*f.Yaw-*prev.Yaw)/dt, (*f.Pitch-*prev.Pitch)/dt
			sq += dy*dy + dp*dp
			moves++
		}
		prev = f
	}
	pct := func(a, b int) *float64 { return ptr(roundN(100*float64(a)/float64(b), 1)) }
	if faceN > 0 {
		m.LongestLookAwaySeconds = ptr(roundN(longest, 2))
		m.SmilePercent = pct(smile, faceN)
		m.NeutralPercent = pct(neutral, faceN)
	}
	if judged > 0 {
		m.EyeContactPercent = pct(looking, judged)
	}
	if speech != nil && speakN > 0 {
		m.EyeContactWhileSpeakingPercent = pct(speakLooking, speakN)
	}
	if moves > 0 {
		rms := math.Sqrt(sq / float64(moves))
		m.HeadMovementDegPerSec = ptr(roundN(rms, 2))
		m.HeadStability = ptr(roundN(math.Max(0, 1-rms/30), 2))
	}
	var mv float64
	var mn int
	for _, f := range frames {
		if f.Posture.Motion != nil {
			mv += *f.Posture.Motion
			mn++
		}
	}
	if mn > 0 {
		m.Movement = ptr(roundN(mv/float64(mn), 3))
	}
	return m
}

func inSpeech(t float64, speech []nevermind.Interval) bool {
	for _, s := range speech {
		if t >= s.Start && t < s.End {
			return true
		}
	}
	return false
}

// timeline lists the problem moments: runs of a face state, look-aways,
// fidgeting and the seed's posture alerts. A run of frames covers from its
// first sampling instant to one sampling interval past its last.
func timeline(frames []FrameResult, fps float64, pose *PoseReport) []nevermind.Moment {
	out := []nevermind.Moment{}
	span := func(run [2]int) (float64, float64) {
		return roundN(frames[run[0]].Time, 3), roundN(frames[run[1]].Time+1/fps, 3)
	}
	for _, st := range []struct {
		state FrameState
		kind  string
	}{{StateNoFace, KindNoFace}, {StateTooDark, KindTooDark}, {StateFaceTooSmall, KindFaceTooSmall}, {StateMultipleFaces, KindMultipleFaces}} {
		for _, run := range runs(len(frames), func(i int) bool { f := &frames[i]; return f.State == st.state }) {
			s, e := span(run)
			if e-s < EventMinSeconds-1e-9 {
				continue
			}
			out = append(out, moment(s, e, st.kind, map[string]float64{"duration_s": roundN(e-s, 2)}))
		}
	}
	away := lookingAway(frames)
	for _, run := range runs(len(frames), func(i int) bool { return away[i] }) {
		s, e := span(run)
		if e-s < LookAwayMinSeconds-1e-9 {
			continue
		}
		// Evidence: the mean gaze from the camera ray over the frames whose
		// eyes were measured, and the mean head pose over all of them.
		ev := map[string]float64{"duration_s": roundN(e-s, 2)}
		var gy, gp, hy, hp float64
		var gn, hn int
		for i := run[0]; i <= run[1]; i++ {
			f := &frames[i]
			if f.GazeYaw != nil {
				gy, gp, gn = gy+*f.GazeYaw, gp+*f.GazePitch, gn+1
			}
			if f.Yaw != nil {
				hy, hp, hn = hy+*f.Yaw, hp+*f.Pitch, hn+1
			}
		}
		if gn > 0 {
			ev["gaze_yaw_deg"], ev["gaze_pitch_deg"] = roundN(gy/float64(gn), 1), roundN(gp/float64(gn), 1)
		}
		if hn > 0 {
			ev["head_yaw_deg"], ev["head_pitch_deg"] = roundN(hy/float64(hn), 1), roundN(hp/float64(hn), 1)
		}
		out = append(out, moment(s, e, KindLookAway, ev))
	}
	for _, run := range runs(len(frames), func(i int) bool { f := &frames[i]; return f.Posture.Motion != nil && *f.Posture.Motion > FidgetSpeed }) {
		s, e := span(run)
		if e-s < FidgetMinSeconds-1e-9 {
			continue
		}
		var mv float64
		for i := run[0]; i <= run[1]; i++ {
			mv += *frames[i].Posture.Motion / float64(run[1]-run[0]+1)
		}
		out = append(out, moment(s, e, KindFidgeting, map[string]float64{"duration_s": roundN(e-s, 2), "mean_speed": roundN(mv, 3)}))
	}
	if pose != nil {
		kinds := map[string]string{"shoulder": KindShoulderRaised, "head_tilt": KindHeadTilt, "hand": KindHandsRaised}
		for _, a := range pose.FeedbackTimeline {
			ev := map[string]float64{"mean": roundN(a.Mean, 4)}
			if a.Side != "" {
				left := 0.0
				if a.Side == "왼쪽" {
					left = 1
				}
				ev["side_left"] = left
			}
			out = append(out, moment(roundN(a.Start, 3), roundN(a.End+1/fps, 3), kinds[a.Issue], ev))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func moment(start, end float64, kind string, evidence map[string]float64) nevermind.Moment {
	return nevermind.Moment{Start: start, End: end, Kind: kind, Evidence: evidence}
}

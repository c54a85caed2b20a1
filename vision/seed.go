package vision

import (
	"math"
	"sort"
	"strings"
)

// The seed's face constants: the nose may move 0.12 of the frame's width
// (height) and the iris 0.35 of the eye's width (height) from the baseline
// and still count as looking ahead;
// an eye is closed below 0.75 of the baseline eye aspect ratio, a blink
// lasts at least 0.08 s; features are smoothed with an EMA of α = 0.25; a
// mouth delta of ±0.02 of the frame height is a smile or a downturn.
const (
	gazeOffAbs   = 0.12
	eyeOffAbs    = 0.35
	blinkRatio   = 0.75
	blinkMinDur  = 0.08
	emaAlpha     = 0.25
	mouthDeltaTh = 0.02
)

// Defaults of AnalyzeOptions, the seed's query defaults.
const (
	// DefaultBlinkLimitPerMin is the seed's blink_limit_per_min default.
	DefaultBlinkLimitPerMin = 30
	// DefaultCalibrationSeconds is the seed's baseline_seconds default.
	DefaultCalibrationSeconds = 2.0
	// DefaultFPS is the frame rate assumed when AnalyzeOptions.FPS is zero: the rate
	// package media samples at by default.
	DefaultFPS = 5
)

// Rated is a score with its grade, as the seed returns them.
type Rated struct {
	Value  float64 `json:"value"`
	Rating string  `json:"rating"`
}

// Fixation holds the seed's fixation metrics of the eye offsets while the
// candidate looked at the camera; null when there were no such frames.
type Fixation struct {
	MAE  *float64 `json:"MAE"`
	BCEA *float64 `json:"BCEA"`
}

// FaceAux is the seed's auxiliary block of the expression analysis.
type FaceAux struct {
	HeadGazeRatePercent    float64  `json:"head_gaze_rate_percent"`
	EyeOnlyGazeRatePercent float64  `json:"eye_only_gaze_rate_percent"`
	BlinksCount            int      `json:"blinks_count"`
	BlinksPerMin           *float64 `json:"blinks_per_min"`
	BaselineSource         *string  `json:"baseline_source"`
	FramesUsed             int      `json:"frames_used"`
	RawFramesTotal         int      `json:"raw_frames_total"`
	FramesWithFace         int      `json:"frames_with_face"`
	Reason                 string   `json:"reason,omitempty"`
}

// FaceReport is the seed's face, gaze and expression result (its
// expression-feedback route), with its bugs fixed as the package
// documentation lists.
// When no face was measured, Status is "analysis_unavailable", ErrorCode and
// Summary say why, and the scores are null.
type FaceReport struct {
	Status    string `json:"status"`
	ErrorCode string `json:"error_code,omitempty"`
	// OverallScore is 0.7·gaze + 0.2·blink stability + 0.1·mouth stability,
	// as a percentage with one decimal.
	OverallScore *float64 `json:"overall_score"`
	// HeadEyeGazeRate (정면 주시율) is the share of the judged face frames
	// looking at the camera (FrameResult.LookingAtCamera), 0..1, with the
	// seed's ratings (≥ 0.8 양호, ≥ 0.6 보통).
	HeadEyeGazeRate *Rated `json:"head_eye_gaze_rate"`
	BlinkStability  *Rated `json:"blink_stability"`
	// MouthDelta's rating is 미소 (smile), 중립 (neutral) or 하강 (down).
	MouthDelta     *Rated    `json:"mouth_delta"`
	MouthStability *float64  `json:"mouth_stability"`
	Fixation       *Fixation `json:"fixation_metrics"`
	// Summary is the seed's Korean one-liner.
	Summary string  `json:"feedback_summary"`
	Aux     FaceAux `json:"aux"`
}

// The seed's strings: the baseline source ("from the start of the video"),
// the reasons an analysis is unavailable ("the recording has no video
// frames; please record again", "no face was found in the video, so
// expression analysis cannot run"), statuses and error codes.
const (
	baselineSource     = "영상 초반 기준"
	reasonNoFrames     = "녹화된 영상 프레임이 없습니다. 다시 촬영해 주세요."
	reasonNoFace       = "영상에서 얼굴을 인식하지 못해 표정 분석을 진행할 수 없습니다."
	statusOK           = "ok"
	statusUnavailable  = "analysis_unavailable"
	codeNoVideoFrames  = "no_video_frames"
	codeNoFaceDetected = "no_face_detected"
)

func rateFace(v float64) string {
	switch {
	case v >= 0.8:
		return "양호"
	case v >= 0.6:
		return "보통"
	}
	return "개선필요"
}

func ratePose(v float64) string {
	switch {
	case v >= 90:
		return "양호"
	case v >= 70:
		return "보통"
	}
	return "미흡"
}

// roundN rounds half to even at n decimals, as numpy's round does.
func roundN(v float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.RoundToEven(v*p) / p
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ema is the seed's exponential moving average: the first value as it is.
type ema struct {
	v   float64
	set bool
}

func (e *ema) add(x float64) float64 {
	if !e.set {
		e.v, e.set = x, true
	} else {
		e.v = emaAlpha*x + (1-emaAlpha)*e.v
	}
	return e.v
}

// faceSeed computes the seed's face report from the measured frames.
// calibEnd is the end of the baseline window (inclusive), fps the sampling
// rate, limit the blink limit per minute.
func faceSeed(frames []FrameResult, sampled int, fps, calibEnd, limit float64) FaceReport {
	var face []*FrameResult
	for i := range frames {
		if frames[i].State.Measured() {
			face = append(face, &frames[i])
		}
	}
	if sampled == 0 || len(face) == 0 {
		r := FaceReport{Status: statusUnavailable, ErrorCode: codeNoFaceDetected, Summary: reasonNoFace,
			Aux: FaceAux{RawFramesTotal: sampled, Reason: codeNoFaceDetected}}
		if sampled == 0 {
			r.ErrorCode, r.Summary, r.Aux.Reason = codeNoVideoFrames, reasonNoFrames, codeNoVideoFrames
		}
		return r
	}
	// Baseline: the per-feature median over the face frames of the
	// calibration window (the seed's intent; its code took the first frame).
	var by, bp, be, bm, bh, bv []float64
	for _, f := range face {
		if f.Time > calibEnd && len(by) > 0 {
			break
		}
		by, bp = append(by, *f.NoseX), append(bp, *f.NoseY)
		be, bm = append(be, *f.EAR), append(bm, *f.Mouth)
		bh, bv = append(bh, *f.EyeH), append(bv, *f.EyeV)
	}
	baseYaw, basePitch, baseEAR := median(by), median(bp), math.Max(median(be), 1e-6)
	baseMouth, baseH, baseV := median(bm), median(bh), median(bv)

	var eYaw, ePitch, eEAR, eMouth, eH, eV ema
	var headOK, eyeOK, judged, looking, blinks int
	var closed bool
	var closedAt, mouthSum float64
	var fixH, fixV []float64
	for _, f := range face {
		yaw, pitch := eYaw.add(*f.NoseX), ePitch.add(*f.NoseY)
		ear, mouth := eEAR.add(*f.EAR), eMouth.add(*f.Mouth)
		h, v := eH.add(*f.EyeH), eV.add(*f.EyeV)
		mouthSum += mouth
		hOK := math.Abs(yaw-baseYaw) <= gazeOffAbs && math.Abs(pitch-basePitch) <= gazeOffAbs
		eOK := math.Abs(h-baseH) <= eyeOffAbs && math.Abs(v-baseV) <= eyeOffAbs
		if hOK {
			headOK++
		}
		if eOK {
			eyeOK++
		}
		if f.LookingAtCamera != nil {
			judged++
			if *f.LookingAtCamera {
				looking++
				fixH, fixV = append(fixH, h-baseH), append(fixV, v-baseV)
			}
		}
		isClosed := ear < baseEAR*blinkRatio
		switch {
		case isClosed && !closed:
			closedAt = f.Time
		case !isClosed && closed && f.Time-closedAt >= blinkMinDur:
			blinks++
		}
		closed = isClosed
	}
	n := float64(len(face))
	duration := math.Max(n/fps, 1e-6)
	bpm := float64(blinks) / (duration / 60)
	// The share of time facing and looking at the front is the camera gaze
	// (Metrics.EyeContactPercent), not the seed's nose-and-iris proxy.
	gaze := 0.0
	if judged > 0 {
		gaze = float64(looking) / float64(judged)
	}
	blink := math.Max(0, 1-math.Min(1, bpm/limit))
	// The seed took only the last smoothed value; the mean over the video
	// describes the whole answer.
	delta := mouthSum/n - baseMouth
	mouthStab := math.Max(0, math.Min(1, 1-math.Abs(delta)/(2*mouthDeltaTh)))
	overall := roundN(math.Max(0, math.Min(100, (0.7*gaze+0.2*blink+0.1*mouthStab)*100)), 1)

	mouthRating := "중립"
	switch {
	case delta <= -mouthDeltaTh:
		mouthRating = "미소"
	case delta >= mouthDeltaTh:
		mouthRating = "하강"
	}
	src := baselineSource
	r := FaceReport{
		Status:          statusOK,
		OverallScore:    &overall,
		HeadEyeGazeRate: &Rated{roundN(gaze, 2), rateFace(gaze)},
		BlinkStability:  &Rated{roundN(blink, 2), rateFace(blink)},
		MouthDelta:      &Rated{roundN(delta, 3), mouthRating},
		MouthStability:  ptr(roundN(mouthStab, 2)),
		Fixation:        fixation(fixH, fixV),
		Aux: FaceAux{
			HeadGazeRatePercent:    roundN(100*float64(headOK)/n, 1),
			EyeOnlyGazeRatePercent: roundN(100*float64(eyeOK)/n, 1),
			BlinksCount:            blinks,
			BlinksPerMin:           ptr(roundN(bpm, 1)),
			BaselineSource:         &src,
			FramesUsed:             len(face),
			RawFramesTotal:         sampled,
			FramesWithFace:         len(face),
		},
	}
	r.Summary = faceSummary(rateFace(gaze), rateFace(blink), mouthRating)
	return r
}

func faceSummary(gaze, blink, mouth string) string {
	var p [3]string
	switch gaze {
	case "양호":
		p[0] = "정면 주시율은 양호합니다"
	case "보통":
		p[0] = "정면 주시율은 보통 수준입니다"
	default:
		p[0] = "정면 주시율 개선이 필요합니다"
	}
	switch blink {
	case "양호":
		p[1] = "깜빡임 안정도는 양호합니다"
	case "보통":
		p[1] = "깜빡임 안정도는 보통입니다"
	default:
		p[1] = "깜빡임 빈도를 안정화하세요"
	}
	switch mouth {
	case "미소":
		p[2] = "입꼬리는 상승 경향(미소)입니다"
	case "하강":
		p[2] = "입꼬리 하강 경향이 관찰됩니다"
	default:
		p[2] = "입꼬리는 대체로 중립입니다"
	}
	return strings.Join(p[:], " / ") + "."
}

// fixation is the seed's MAE and BCEA around the target (0, 0).
func fixation(x, y []float64) *Fixation {
	f := &Fixation{}
	n := float64(len(x))
	if n == 0 {
		return f
	}
	var mae, mx, my float64
	for i := range x {
		mae += math.Hypot(x[i], y[i]) / n
		mx += x[i] / n
		my += y[i] / n
	}
	var sxx, syy, sxy float64
	for i := range x {
		sxx += (x[i] - mx) * (x[i] - mx) / n
		syy += (y[i] - my) * (y[i] - my) / n
		sxy += (x[i] - mx) * (y[i] - my) / n
	}
	sdx, sdy := math.Sqrt(sxx), math.Sqrt(syy)
	rho := 0.0
	if len(x) > 1 && sdx > 0 && sdy > 0 {
		rho = sxy / (sdx * sdy)
	}
	bcea := 2 * 1.14 * sdx * sdy * math.Sqrt(math.Max(0, 1-rho*rho))
	if !math.IsNaN(mae) && !math.IsInf(mae, 0) {
		f.MAE = &mae
	}
	if !math.IsNaN(bcea) && !math.IsInf(bcea, 0) {
		f.BCEA = &bcea
	}
	return f
}

func ptr[T any](v T) *T { return &v }

// PoseReport is the seed's posture result (its pose-feedback route) with its
// bugs fixed: wrists on their own sides, problem sections and the feedback
// timeline in real times with the correct side. Null in the report when no
// frame showed an upper body.
type PoseReport struct {
	Overall  Rated `json:"overall"`
	Shoulder Rated `json:"shoulder"`
	HeadTilt Rated `json:"head_tilt"`
	Hand     Rated `json:"hand"`
	// ProblemSections lists, per category, the [start, end] seconds of runs
	// of frames scoring below 0.9.
	ProblemSections map[string][][2]float64 `json:"problem_sections"`
	// FeedbackTimeline holds the alerts of at least a second, with the
	// seed's Korean messages.
	FeedbackTimeline []PoseAlert `json:"feedback_timeline"`
	FramesWithPose   int         `json:"frames_with_pose"`
}

// PoseAlert is one entry of the seed's posture feedback timeline.
type PoseAlert struct {
	Start   float64 `json:"start_time"`
	End     float64 `json:"end_time"`
	Issue   string  `json:"issue"`
	Message string  `json:"message"`
	// Side is "왼쪽" or "오른쪽" (the subject's own left or right) for the
	// shoulder and head alerts, empty for hands.
	Side string `json:"side,omitempty"`
	// Mean is the mean signed measure over the run (normalised units).
	Mean float64 `json:"mean"`
}

// poseAlertMinSeconds is the seed's minimum alert length ((last − first)/fps).
const poseAlertMinSeconds = 1.0

// poseSeed computes the seed's posture report; nil when no frame had a pose.
func poseSeed(frames []FrameResult) *PoseReport {
	var n int
	var sh, hd, hn float64
	for _, f := range frames {
		if f.Posture.Present {
			n++
			sh += f.Posture.Shoulder
			hd += f.Posture.Head
			hn += f.Posture.Hand
		}
	}
	if n == 0 {
		return nil
	}
	shV, hdV, hnV := roundN(100*sh/float64(n), 2), roundN(100*hd/float64(n), 2), roundN(100*hn/float64(n), 2)
	ov := roundN((shV+hdV+hnV)/3, 2)
	r := &PoseReport{
		Overall: Rated{ov, ratePose(ov)}, Shoulder: Rated{shV, ratePose(shV)},
		HeadTilt: Rated{hdV, ratePose(hdV)}, Hand: Rated{hnV, ratePose(hnV)},
		ProblemSections: map[string][][2]float64{}, FeedbackTimeline: []PoseAlert{},
		FramesWithPose: n,
	}
	cats := []struct {
		name  string
		score func(PostureFrame) float64
	}{
		{"shoulder", func(p PostureFrame) float64 { return p.Shoulder }},
		{"head_tilt", func(p PostureFrame) float64 { return p.Head }},
		{"hand", func(p PostureFrame) float64 { return p.Hand }},
	}
	for _, c := range cats {
		sections := [][2]float64{}
		for _, run := range runs(len(frames), func(i int) bool { f := &frames[i]; return f.Posture.Present && c.score(f.Posture) < 0.9 }) {
			sections = append(sections, [2]float64{frames[run[0]].Time, frames[run[1]].Time})
		}
		r.ProblemSections[c.name] = sections
	}
	alerts := []struct {
		issue   string
		trigger func(PostureFrame) (float64, bool)
		message func(side string) string
	}{
		{"shoulder", func(p PostureFrame) (float64, bool) {
			return deref(p.ShoulderDiff), p.ShoulderDiff != nil && math.Abs(*p.ShoulderDiff) > shoulderThreshold
		}, func(side string) string { return side + " 어깨가 올라갔습니다." }},
		{"head_tilt", func(p PostureFrame) (float64, bool) {
			return deref(p.HeadOffset), p.HeadOffset != nil && math.Abs(*p.HeadOffset) > headThreshold
		}, func(side string) string { return "고개가 " + side + "로 기울어 있습니다." }},
		{"hand", func(p PostureFrame) (float64, bool) {
			return deref(p.HandRaise), p.Present && p.Hand < 1
		}, func(string) string { return "손은 어깨 아래 위치로 유지해주세요." }},
	}
	for _, a := range alerts {
		for _, run := range runs(len(frames), func(i int) bool { f := &frames[i]; _, ok := a.trigger(f.Posture); return ok }) {
			start, end := frames[run[0]].Time, frames[run[1]].Time
			if end-start < poseAlertMinSeconds {
				continue
			}
			var mean float64
			for i := run[0]; i <= run[1]; i++ {
				v, _ := a.trigger(frames[i].Posture)
				mean += v / float64(run[1]-run[0]+1)
			}
			side := ""
			switch a.issue {
			case "shoulder":
				// ShoulderDiff > 0: the left shoulder is lower, so the right one is raised.
				side = "왼쪽"
				if mean > 0 {
					side = "오른쪽"
				}
			case "head_tilt":
				// HeadOffset > 0: the head leans towards the left shoulder.
				side = "오른쪽"
				if mean > 0 {
					side = "왼쪽"
				}
			}
			r.FeedbackTimeline = append(r.FeedbackTimeline, PoseAlert{Start: start, End: end, Issue: a.issue, Message: a.message(side), Side: side, Mean: mean})
		}
	}
	sort.SliceStable(r.FeedbackTimeline, func(i, j int) bool { return r.FeedbackTimeline[i].Start < r.FeedbackTimeline[j].Start })
	return r
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// runs returns the [first, last] indices of maximal runs of consecutive
// frames satisfying in.
func runs(n int, in func(i int) bool) [][2]int {
	var out [][2]int
	start := -1
	for i := range n {
		if in(i) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, [2]int{start, i - 1})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, n - 1})
	}
	return out
}

package report

import (
	"fmt"
	"math"
	"sort"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// visionPlots draws, from the video report's per-frame series, when the
// candidate looked at the camera (a strip: looking, looking away, face not
// measured) and the seed's posture score per frame, with look-aways shaded.
func visionPlots(s *feedback.Summary, in feedback.Input, dur float64, lang string) []plot {
	v := in.Vision
	if v == nil || len(v.Series) == 0 {
		msg := ui["no_vision_series"].In(lang)
		if st := s.Status(nevermind.Vision); st.Status != feedback.StatusOK {
			msg = fmt.Sprintf(ui["vision_missing"].In(lang), st.Reason.In(lang))
		}
		return []plot{{ID: "eye_contact", Title: ui["eye_plot"].In(lang), Height: 60, Empty: msg}}
	}
	step := frameStep(v.Series)
	const stripH = 70.0
	a := newAxis(dur, 0, 1, stripH)
	title := ui["eye_plot"].In(lang)
	if c := v.Metrics.Calibration; c != nil {
		title += " (" + calibrationWords[c.Source].In(lang) + ")"
	}
	eye := plot{ID: "eye_contact", Title: title, Height: stripH, XTicks: timeTicks(a),
		Legend: []legend{{"look", ui["look_legend"].In(lang)}, {"away", ui["away_legend"].In(lang)}, {"unmeasured", ui["unmeasured_legend"].In(lang)}}}
	// Consecutive frames of one state, and one reason, become one bar.
	state := func(f vision.FrameResult) string {
		switch {
		case f.LookingAtCamera == nil:
			return "unmeasured"
		case *f.LookingAtCamera:
			return "look"
		}
		return "away"
	}
	reason := func(f vision.FrameResult) string {
		if f.GazeReason != "" {
			return f.GazeReason
		}
		if !f.State.Measured() {
			return string(f.State)
		}
		return ""
	}
	for i := 0; i < len(v.Series); {
		j := i
		for j+1 < len(v.Series) && state(v.Series[j+1]) == state(v.Series[i]) && reason(v.Series[j+1]) == reason(v.Series[i]) {
			j++
		}
		t0, t1 := v.Series[i].Time, v.Series[j].Time+step
		label := ui[state(v.Series[i])+"_legend"].In(lang)
		if r := reason(v.Series[i]); r != "" {
			label += ": " + gazeReasonWords[r].In(lang)
		}
		eye.Bars = append(eye.Bars, bar{X: a.x(t0), Y: plotTop + 4, W: math.Max(1, a.x(t1)-a.x(t0)), H: stripH - plotTop - plotBottom - 8,
			Class: state(v.Series[i]), Title: fmt.Sprintf("%s–%s %s", clock(t0), clock(t1), label)})
		i = j + 1
	}
	out := []plot{eye}

	var pts []vocal.Point
	any := false
	for _, f := range v.Series {
		val := math.NaN()
		if f.Posture.Present {
			val = 100 * (f.Posture.Shoulder + f.Posture.Head + f.Posture.Hand) / 3
			any = true
		}
		pts = append(pts, vocal.Point{f.Time + step/2, val})
	}
	if any {
		const h = 130.0
		a := newAxis(dur, 0, 100, h)
		p := plot{ID: "posture", Title: ui["posture_plot"].In(lang), Unit: "%", Height: h,
			Lines: []line{{D: path(a, pts), Class: "posture"}}, YTicks: valueTicks(a, 2, "%.0f"), XTicks: timeTicks(a),
			Legend: []legend{{"posture", ui["posture_legend"].In(lang)}, {"away", ui["away_legend"].In(lang)}}}
		for _, m := range v.Timeline {
			if m.Kind == "look_away" {
				p.Shades = append(p.Shades, shade{X: a.x(m.Start), W: math.Max(1, a.x(m.End)-a.x(m.Start)), Class: "away-shade",
					Title: fmt.Sprintf("%s–%s %s", clock(m.Start), clock(m.End), ui["away_legend"].In(lang))})
			}
		}
		out = append(out, p)
	}
	return out
}

// calibrationWords say what the gaze was judged against (vision.Calibration.Source).
var calibrationWords = map[string]feedback.Text{
	vision.CalibrationAbsolute: ui["calib_absolute"],
	vision.CalibrationExplicit: ui["calib_calibrated"],
	vision.CalibrationImplicit: ui["calib_implicit"],
}

// gazeReasonWords say why a frame has no gaze: vision.FrameResult.GazeReason, or the
// frame's state when no face was measured.
var gazeReasonWords = map[string]feedback.Text{
	vision.GazeHeadTurned:            ui["head_turned"],
	vision.GazeEyesClosed:            ui["eyes_closed"],
	vision.GazeIrisLost:              ui["iris_lost"],
	string(vision.StateNoFace):       ui["no_face"],
	string(vision.StateFaceTooSmall): ui["face_too_small"],
	string(vision.StateTooDark):      ui["too_dark"],
}

// frameStep is the sampling interval of the series: the median gap, which a
// dropped frame does not disturb.
func frameStep(fs []vision.FrameResult) float64 {
	if len(fs) < 2 {
		return 0.2
	}
	gaps := make([]float64, 0, len(fs)-1)
	for i := 1; i < len(fs); i++ {
		gaps = append(gaps, fs[i].Time-fs[i-1].Time)
	}
	sort.Float64s(gaps)
	return gaps[len(gaps)/2]
}

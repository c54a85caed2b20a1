package feedback

import (
	"cmp"
	"fmt"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/vision"
)

func (in Input) hasVision() bool { return in.Vision != nil }

// rising scores a measure where more is better up to a point: 100 from best
// up, 80 at good, and 20 points fewer per tol below good.
func rising(x, good, best, tol float64) int {
	switch {
	case x >= best:
		return 100
	case x >= good:
		return clampScore(80 + 20*(x-good)/(best-good))
	}
	return clampScore(80 - 20*(good-x)/tol)
}

// seedPoseScore maps the seed's posture percentage onto our grade bands,
// keeping its boundaries: 90 % (its 양호) scores 80, 70 % (its 보통) 60.
func seedPoseScore(v float64) int {
	switch {
	case v >= 90:
		return clampScore(80 + 2*(v-90))
	case v >= 70:
		return clampScore(60 + (v - 70))
	}
	return clampScore(60 * v / 70)
}

// visionMetrics scores the video: eye contact (≥ 60 % of speaking time
// looking at the camera is good), the longest look-away (over 5 s feels
// long), head stability, the seed's posture and the smile share (our band: no
// published norm; smiling more predicts better ratings, Naim et al.).
func visionMetrics(in Input, status map[nevermind.Part]PartStatus) []Metric {
	v := in.Vision
	if v == nil {
		return nil
	}
	vm := v.Metrics
	var out []Metric
	eye, speaking := vm.EyeContactWhileSpeakingPercent, true
	if eye == nil {
		eye, speaking = vm.EyeContactPercent, false
	}
	if eye != nil && finite(*eye) {
		x := *eye
		m := newMetric("eye_contact", nevermind.Vision, Text{"시선 맞춤", "Eye contact"}, rising(x, 60, 80, 15), round(x, 1), "percent", "≥ 60",
			evidence("eye_contact_percent", vm.EyeContactPercent, "eye_contact_while_speaking_percent", vm.EyeContactWhileSpeakingPercent))
		while := Text{"말하는 시간", "while speaking"}
		if !speaking {
			while = Text{"영상 시간", "in the video"}
		}
		m.Finding = Text{
			Ko: fmt.Sprintf("%s의 %.0f%% 동안 카메라 렌즈를 바라봤습니다(60%% 이상 권장).", while.Ko, x),
			En: fmt.Sprintf("You looked into the camera lens %.0f%% of the time %s (60%% or more is the aim).", x, while.En),
		}
		// Without a calibration the verdict rests on the camera's geometry alone, which
		// a person's eyes and glasses can put several degrees off.
		if c := vm.Calibration; c != nil && c.Source == vision.CalibrationAbsolute {
			m.Finding.Ko += " 녹화 시작 때 몇 초간 렌즈를 보고 그 구간을 보정으로 지정하면 더 정확해집니다."
			m.Finding.En += " Looking into the lens for a few seconds at the start, and naming that stretch as the calibration, makes this more precise."
		}
		out = append(out, m)
	}
	if l := vm.LongestLookAwaySeconds; l != nil && finite(*l) {
		x := *l
		m := newMetric("look_away", nevermind.Vision, Text{"가장 긴 시선 이탈", "Longest look-away"}, atMost(5, 5).score(x), round(x, 2), "s", "≤ 5",
			map[string]float64{"longest_look_away_s": x})
		m.Finding = Text{
			Ko: fmt.Sprintf("카메라에서 시선을 가장 오래 뗀 시간은 %.1f초였습니다(5초 이하 권장).", x),
			En: fmt.Sprintf("Your longest look away from the camera lasted %.1f s (5 s or less is the aim).", x),
		}
		out = append(out, m)
	}
	if hs := vm.HeadStability; hs != nil && finite(*hs) {
		ev := evidence("head_stability", hs, "head_movement_deg_per_sec", vm.HeadMovementDegPerSec)
		speed := ev["head_movement_deg_per_sec"]
		m := newMetric("head_stability", nevermind.Vision, Text{"고개 움직임", "Head movement"}, clampScore(100**hs), round(speed, 1), "deg_per_s", "≤ 6",
			ev)
		m.Finding = Text{
			Ko: fmt.Sprintf("고개가 초당 평균 %.1f도 움직였습니다.", speed),
			En: fmt.Sprintf("Your head moved %.1f degrees per second on average.", speed),
		}
		out = append(out, m)
	}
	if p := v.Pose; p != nil && finite(p.Overall.Value) {
		m := newMetric("posture", nevermind.Vision, Text{"자세", "Posture"}, seedPoseScore(p.Overall.Value), round(p.Overall.Value, 2), "percent", "≥ 90",
			map[string]float64{"overall": p.Overall.Value, "shoulder": p.Shoulder.Value, "head_tilt": p.HeadTilt.Value, "hand": p.Hand.Value})
		worst, wv := Text{"어깨 수평", "level shoulders"}, p.Shoulder.Value
		if p.HeadTilt.Value < wv {
			worst, wv = Text{"고개 정렬", "an upright head"}, p.HeadTilt.Value
		}
		if p.Hand.Value < wv {
			worst, wv = Text{"손 위치", "hands below the shoulders"}, p.Hand.Value
		}
		m.Finding = Text{
			Ko: fmt.Sprintf("자세 점수는 %.0f%%였고, 가장 낮은 항목은 %s(%.0f%%)입니다.", p.Overall.Value, worst.Ko, wv),
			En: fmt.Sprintf("Posture scored %.0f%%; the weakest part was %s (%.0f%%).", p.Overall.Value, worst.En, wv),
		}
		out = append(out, m)
	}
	if sp := vm.SmilePercent; sp != nil && finite(*sp) {
		x := *sp
		m := newMetric("smile", nevermind.Vision, Text{"미소", "Smile"}, rising(x, 10, 25, 10), round(x, 1), "percent", "≥ 10",
			evidence("smile_percent", sp, "neutral_percent", vm.NeutralPercent))
		m.Finding = Text{
			Ko: fmt.Sprintf("%.0f%%의 시간 동안 미소를 지었습니다.", x),
			En: fmt.Sprintf("You smiled %.0f%% of the time.", x),
		}
		out = append(out, m)
	}
	switch {
	case len(out) > 0:
		status[nevermind.Vision] = PartStatus{Part: nevermind.Vision, Status: StatusOK}
	case v.Face.Summary != "":
		// The seed's Korean summary of why, and its error code in English.
		en := map[string]string{"no_video_frames": "no video frames were recorded; please record again",
			"no_face_detected": "no face was found in the video, so the expression could not be analysed"}[v.Face.ErrorCode]
		status[nevermind.Vision] = PartStatus{nevermind.Vision, StatusUnavailable, Text{Ko: v.Face.Summary, En: cmp.Or(en, v.Face.ErrorCode)}}
	default:
		status[nevermind.Vision] = PartStatus{nevermind.Vision, StatusUnavailable, Text{Ko: "얼굴도 자세도 측정하지 못했습니다", En: "no face or posture could be measured"}}
	}
	return out
}

func evidence(kv ...any) map[string]float64 {
	e := map[string]float64{}
	for i := 0; i+1 < len(kv); i += 2 {
		if v, ok := kv[i+1].(*float64); ok && v != nil && finite(*v) {
			e[kv[i].(string)] = *v
		}
	}
	return e
}

func visionMoments(in Input) []Reason {
	var out []Reason
	for _, m := range in.Vision.Timeline {
		out = append(out, visionReason(m))
	}
	return out
}

func visionReason(m nevermind.Moment) Reason {
	ev := clean(m.Evidence)
	r := Reason{Kind: m.Kind, Part: nevermind.Vision, Start: round(m.Start, 2), End: round(m.End, 2), Evidence: ev}
	d := m.End - m.Start
	side := Text{"", ""}
	if v, ok := ev["side_left"]; ok {
		side = map[bool]Text{true: {"왼쪽 ", "left "}, false: {"오른쪽 ", "right "}}[v == 1]
	}
	switch m.Kind {
	case "look_away":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 카메라에서 시선을 뗐습니다.", d), fmt.Sprintf("Looked away from the camera for %.1f s.", d)}
	case "no_face":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 얼굴이 화면에 보이지 않았습니다.", d), fmt.Sprintf("Your face was out of view for %.1f s.", d)}
	case "too_dark":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 화면이 어두워 얼굴을 측정하지 못했습니다.", d), fmt.Sprintf("Too dark to measure your face for %.1f s.", d)}
	case "face_too_small":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 얼굴이 너무 작게 보였습니다.", d), fmt.Sprintf("Your face was too small in the frame for %.1f s.", d)}
	case "multiple_faces":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 다른 사람의 얼굴도 보였습니다.", d), fmt.Sprintf("Another face was in view for %.1f s.", d)}
	case "shoulder_raised":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 %s어깨가 올라가 있었습니다.", d, side.Ko), fmt.Sprintf("Your %sshoulder was raised for %.1f s.", side.En, d)}
	case "head_tilt":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 고개가 %s기울어 있었습니다.", d, side.Ko), fmt.Sprintf("Your head tilted %sfor %.1f s.", side.En, d)}
	case "hands_raised":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 손이 어깨보다 높이 올라갔습니다.", d), fmt.Sprintf("Your hands were above your shoulders for %.1f s.", d)}
	case "fidgeting":
		r.Text = Text{fmt.Sprintf("%.1f초 동안 상체가 계속 움직였습니다.", d), fmt.Sprintf("Your upper body kept moving for %.1f s.", d)}
	default:
		r.Text = Text{fmt.Sprintf("%s (%.1f초)", m.Kind, d), fmt.Sprintf("%s (%.1f s)", m.Kind, d)}
	}
	return r
}

package vision

import (
	"math"
	"testing"
)

// TestRenderedGains checks the measured constants on the renders they were
// fitted on (seed 1): with headPitchGain, irisGainH and irisGainV
// applied, the least-squares slopes of measured against true head yaw and
// pitch and eye turn sideways and up or down are about 1. The recipe to
// refit them: set the three constants to 1, run
//
//	scripts/ffmpeg-env.sh go test ./vision -run TestRenderedGains -v
//
// and take the logged slopes: head pitch for headPitchGain, then, with
// that in place (the eye turn is measured in the measured head's frame),
// a second run's eye slopes for the iris gains.
func TestRenderedGains(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and tracks 60 faces")
	}
	pf := newPhotoFace(t, testAnalyzer(t))
	var headYaw, headPitch, eyeYaw, eyePitch [2][]float64 // true, measured
	for _, rr := range trackRendered(t, pf, renderedScenes(1, 60, [2]float64{60, 78})) {
		s, r := rr.s, rr.r
		if r.Yaw == nil {
			continue
		}
		headYaw[0], headYaw[1] = append(headYaw[0], s.head[0]), append(headYaw[1], *r.Yaw)
		headPitch[0], headPitch[1] = append(headPitch[0], s.head[1]), append(headPitch[1], *r.Pitch)
		if r.GazeYaw == nil {
			continue
		}
		// The measured eye turn: the measured gaze (about the true ray to
		// the camera) in the measured head's frame.
		hp := s.pose()
		a, b := hp.apply(eyeCentres[0]), hp.apply(eyeCentres[1])
		ref := scale3([3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]}, -1)
		ref = scale3(ref, 1/norm3(ref))
		right := cross3(ref, [3]float64{0, 1, 0})
		right = scale3(right, 1/norm3(right))
		up := cross3(ref, right)
		y, p := *r.GazeYaw*math.Pi/180, *r.GazePitch*math.Pi/180
		g := add3(scale3(ref, math.Cos(p)*math.Cos(y)), add3(scale3(right, math.Cos(p)*math.Sin(y)), scale3(up, math.Sin(p))))
		R := rotation(*r.Yaw, *r.Pitch, *r.Roll)
		var h [3]float64
		for k := range 3 {
			h[k] = R[0][k]*g[0] + R[1][k]*g[1] + R[2][k]*g[2]
		}
		eyeYaw[0], eyeYaw[1] = append(eyeYaw[0], s.eyeYaw), append(eyeYaw[1], math.Atan2(h[0], -h[2])*180/math.Pi)
		eyePitch[0], eyePitch[1] = append(eyePitch[0], s.eyePitch), append(eyePitch[1], math.Atan2(-h[1], math.Hypot(h[0], h[2]))*180/math.Pi)
	}
	for _, c := range []struct {
		name string
		v    [2][]float64
	}{{"head yaw", headYaw}, {"head pitch", headPitch}, {"eye yaw", eyeYaw}, {"eye pitch", eyePitch}} {
		slope, offset, sd := linearFit(c.v[0], c.v[1])
		t.Logf("%-10s %2d scenes: measured = %.3f·true %+.2f°, residual sd %.1f°", c.name, len(c.v[0]), slope, offset, sd)
		// The vertical eye turn is the noisiest (residuals of about 7°), and
		// its slope moves by ±0.1 with the scenes that keep a verdict.
		lo, hi := 0.9, 1.1
		if c.name == "eye pitch" {
			lo, hi = 0.8, 1.2
		}
		if len(c.v[0]) < 40 || slope < lo || slope > hi {
			t.Errorf("%s: slope %.3f over %d scenes, want %.1f–%.1f over at least 40", c.name, slope, len(c.v[0]), lo, hi)
		}
	}
}

// linearFit is the least-squares line y = slope·x + offset and the
// residuals' standard deviation.
func linearFit(x, y []float64) (slope, offset, sd float64) {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx, my = mx+x[i]/n, my+y[i]/n
	}
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	slope = sxy / sxx
	offset = my - slope*mx
	for i := range x {
		r := y[i] - slope*x[i] - offset
		sd += r * r / n
	}
	return slope, offset, math.Sqrt(sd)
}

package vision

import (
	"context"
	"math"
	"testing"
)

// TestRenderedGains checks the measured constants on the renders they were
// fitted on (seed 1): with headPitchGain applied, the least-squares slopes
// of measured against true head yaw and pitch are about 1; with
// irisGainAlong and irisGainAcross applied, so are those of the rendered
// iris's move in the image against the corrected iris model's (both from
// where the landmarks put the iris at rest, along the eye and across it),
// so that the correction is the least-squares prediction of the iris from
// what the models see. The recipe to refit them: set the constants to 1,
// run
//
//	scripts/ffmpeg-env.sh go test ./vision -run TestRenderedGains -v
//
// and take the logged head pitch slope for headPitchGain and the inverses
// of the iris slopes for the iris gains.
func TestRenderedGains(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and tracks 60 faces")
	}
	a := testAnalyzer(t)
	pf := newPhotoFace(t, a)
	ctx := context.Background()
	var headYaw, headPitch, irisAlong, irisAcross [2][]float64 // true, measured
	for _, s := range renderedScenes(1, 60, [2]float64{60, 78}) {
		img := pf.render(s)
		tr := a.NewTracker(5)
		var r FrameResult
		for k := range 2 {
			var err error
			if r, err = tr.Process(ctx, img.frame(float64(k)/5)); err != nil {
				t.Fatal(err)
			}
		}
		if r.Yaw == nil {
			continue
		}
		headYaw[0], headYaw[1] = append(headYaw[0], s.head[0]), append(headYaw[1], *r.Yaw)
		headPitch[0], headPitch[1] = append(headPitch[0], s.head[1]), append(headPitch[1], *r.Pitch)
		// The eyes as the tracker sees them on the next frame of the same
		// picture, against the rendered eyeballs.
		m, _, err := tr.runMesh(ctx, img, *tr.track)
		if err != nil {
			t.Fatal(err)
		}
		eyes, _, _, err := tr.observeEyes(ctx, img, m, meshROI(m).angle)
		if err != nil {
			t.Fatal(err)
		}
		cam := newCamera(s.width, s.hgt, s.fov)
		seenPose, ok := headPose(m, cam)
		if !ok {
			continue
		}
		centres := seenEyeCentres(seenPose, cam, eyes)
		u, v, ok := eyeAxes(seenPose)
		if !ok {
			continue
		}
		hp := s.pose()
		eye := mul33(hp.R, rotation(s.eyeYaw, s.eyePitch, 0))
		look := [3]float64{-eye[0][2], -eye[1][2], -eye[2][2]}
		for e := range 2 {
			// Both moves from where the landmarks put the iris at rest: the
			// rendered iris's and the corrected iris model's.
			rest := cam.project(add3(centres[e], scale3(seenPose.forward(), irisRadiusCM)))
			rendered := cam.project(add3(hp.apply(eyeCentres[e]), scale3(look, irisRadiusCM)))
			seen := irisAsTurned(seenPose, cam, centres[e], eyes[e].iris)
			along := func(p [2]float64) float64 { return (p[0]-rest[0])*u[0] + (p[1]-rest[1])*u[1] }
			across := func(p [2]float64) float64 { return (p[0]-rest[0])*v[0] + (p[1]-rest[1])*v[1] }
			irisAlong[0], irisAlong[1] = append(irisAlong[0], along(seen)), append(irisAlong[1], along(rendered))
			irisAcross[0], irisAcross[1] = append(irisAcross[0], across(seen)), append(irisAcross[1], across(rendered))
		}
	}
	for _, c := range []struct {
		name, fit, unit string
		v               [2][]float64
	}{
		{"head yaw", "measured = %.3f·true %+.2f%s", "°", headYaw},
		{"head pitch", "measured = %.3f·true %+.2f%s", "°", headPitch},
		{"iris along", "rendered = %.3f·corrected %+.2f%s", " px", irisAlong},
		{"iris across", "rendered = %.3f·corrected %+.2f%s", " px", irisAcross},
	} {
		slope, offset, sd := linearFit(c.v[0], c.v[1])
		t.Logf("%-11s %3d: "+c.fit+", residual sd %.2f%s", c.name, len(c.v[0]), slope, offset, c.unit, sd, c.unit)
		if len(c.v[0]) < 100 && c.unit == " px" || len(c.v[0]) < 50 || slope < 0.9 || slope > 1.1 {
			t.Errorf("%s: slope %.3f over %d, want 0.9–1.1 over at least 50 scenes (100 eyes)", c.name, slope, len(c.v[0]))
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

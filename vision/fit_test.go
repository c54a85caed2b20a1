package vision

import (
	"context"
	"math"
	"testing"
)

// TestRenderedGains checks the measured constants on the renders they were
// fitted on (seed 1), measured as the tracker measures a video's second
// frame: with headPitchGain applied, the least-squares slopes of measured
// against true head yaw and pitch are about 1; with irisGainAlong,
// irisGainAcross and irisRestAcross applied, the corrected iris model's
// move in the image (from where the landmarks put the iris at rest, along
// the eye and across it) is the rendered iris's, at a slope of about 1 and
// a shift of about 0 eyeball radii (least squares of the corrected move on
// the rendered move and the eyeball's radius in pixels). The recipe to
// refit them: set the gains to 1 and irisRestAcross to 0, run
//
//	scripts/ffmpeg-env.sh go test ./vision -run TestRenderedGains -v
//
// and take the logged head pitch slope for headPitchGain, the iris slopes
// for the iris gains and the shift across for irisRestAcross.
func TestRenderedGains(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and tracks 60 faces")
	}
	a := testAnalyzer(t)
	pf := newPhotoFace(t, a)
	ctx := context.Background()
	var headYaw, headPitch [2][]float64    // true, measured
	var irisAlong, irisAcross [3][]float64 // rendered, eyeball radius (px), corrected
	for _, s := range renderedScenes(1, 60, [2]float64{60, 78}) {
		img := pf.render(s)
		tr := a.NewTracker(5)
		if _, err := tr.Process(ctx, img.frame(0)); err != nil {
			t.Fatal(err)
		}
		if tr.track == nil {
			continue
		}
		// The second frame of the same picture, as Process measures it.
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
		yaw, pitch, _ := seenPose.angles()
		headYaw[0], headYaw[1] = append(headYaw[0], s.head[0]), append(headYaw[1], yaw)
		headPitch[0], headPitch[1] = append(headPitch[0], s.head[1]), append(headPitch[1], pitch)
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
			radius := cam.f * irisRadiusCM / centres[e][2]
			along := func(p [2]float64) float64 { return (p[0]-rest[0])*u[0] + (p[1]-rest[1])*u[1] }
			across := func(p [2]float64) float64 { return (p[0]-rest[0])*v[0] + (p[1]-rest[1])*v[1] }
			for _, c := range []struct {
				dst *[3][]float64
				of  func([2]float64) float64
			}{{&irisAlong, along}, {&irisAcross, across}} {
				c.dst[0], c.dst[1], c.dst[2] = append(c.dst[0], c.of(rendered)), append(c.dst[1], radius), append(c.dst[2], c.of(seen))
			}
		}
	}
	for _, c := range []struct {
		name string
		v    [2][]float64
	}{{"head yaw", headYaw}, {"head pitch", headPitch}} {
		slope, offset, sd := linearFit(c.v[0], c.v[1])
		t.Logf("%-11s %3d: measured = %.3f·true %+.2f°, residual sd %.2f°", c.name, len(c.v[0]), slope, offset, sd)
		if len(c.v[0]) < 50 || slope < 0.9 || slope > 1.1 {
			t.Errorf("%s: slope %.3f over %d, want 0.9–1.1 over at least 50 scenes", c.name, slope, len(c.v[0]))
		}
	}
	for _, c := range []struct {
		name string
		v    [3][]float64
	}{{"iris along", irisAlong}, {"iris across", irisAcross}} {
		slope, shift, sd := fitThrough(c.v[0], c.v[1], c.v[2])
		t.Logf("%-11s %3d: corrected = %.3f·rendered %+.3f·radius, residual sd %.2f px", c.name, len(c.v[0]), slope, shift, sd)
		if len(c.v[0]) < 100 || slope < 0.9 || slope > 1.1 || math.Abs(shift) > 0.03 {
			t.Errorf("%s: slope %.3f, shift %.3f radii over %d eyes, want 0.9–1.1 and within ±0.03 over at least 100", c.name, slope, shift, len(c.v[0]))
		}
	}
}

// fitThrough is the least-squares fit y = a·x1 + b·x2 (no intercept) and
// the residuals' standard deviation.
func fitThrough(x1, x2, y []float64) (a, b, sd float64) {
	var s11, s12, s22, s1y, s2y float64
	for i := range y {
		s11, s12, s22 = s11+x1[i]*x1[i], s12+x1[i]*x2[i], s22+x2[i]*x2[i]
		s1y, s2y = s1y+x1[i]*y[i], s2y+x2[i]*y[i]
	}
	det := s11*s22 - s12*s12
	a, b = (s1y*s22-s2y*s12)/det, (s2y*s11-s1y*s12)/det
	for i := range y {
		r := y[i] - a*x1[i] - b*x2[i]
		sd += r * r / float64(len(y))
	}
	return a, b, math.Sqrt(sd)
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

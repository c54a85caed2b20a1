package vision

import (
	"context"
	"math"
	"testing"
)

// testCamera is a 640×360 frame with the default field of view.
var testCamera = newCamera(640, 360, DefaultFieldOfViewDeg)

// project places the head pose's model of the face at pose p and returns a
// mesh holding its landmarks as testCamera sees them.
func project(p pose) *mesh {
	m := new(mesh)
	for _, c := range canonicalFace {
		q := testCamera.project(p.apply(c.p))
		m[c.landmark] = [3]float64{q[0], q[1], 0}
	}
	return m
}

// The fit recovers the rotation in the camera's frame for faces far enough
// for the landmarks to show no perspective of their own, at the frame
// centre and well off it (where the ray to the face is 14° off the optical
// axis), the pitch seen relative to the ray divided by headPitchGain.
func TestHeadPoseRecoversRotation(t *testing.T) {
	for _, T := range [][3]float64{{0, 0, 400}, {-100, 40, 400}, {80, -60, 400}} {
		for _, c := range [][3]float64{{0, 0, 0}, {25, 0, 0}, {-25, 0, 0}, {0, 20, 0}, {0, -15, 0}, {0, 0, 30}, {30, -10, 12}, {-40, 15, -20}} {
			// The face's rotation relative to the ray to it, and the rotation
			// from the optical axis to the ray.
			ray := scale3(T, 1/norm3(T))
			axis := cross3([3]float64{0, 0, 1}, ray)
			toRay := rodrigues(scale3(axis, math.Asin(norm3(axis))/math.Max(norm3(axis), 1e-12)))
			want := mul33(toRay, rotation(c[0], c[1]/headPitchGain, c[2]))
			seen := mul33(toRay, rotation(c[0], c[1], c[2]))
			hp, ok := headPose(project(pose{seen, T}), testCamera)
			if !ok {
				t.Fatalf("%v at %v: no fit", c, T)
			}
			wy, wp, wr := pose{R: want}.angles()
			yaw, pitch, roll := hp.angles()
			if math.Abs(yaw-wy) > 0.6 || math.Abs(pitch-wp) > 0.6 || math.Abs(roll-wr) > 0.6 || norm3(sub3(hp.T, T)) > 0.03*T[2] {
				t.Errorf("rotation %v at %v: got yaw %.2f pitch %.2f roll %.2f at %.1f, want %.2f %.2f %.2f", c, T, yaw, pitch, roll, hp.T, wy, wp, wr)
			}
		}
	}
}

// A face turned to the image right has its nose to the right of the
// face's centre; check the sign convention on the geometry itself.
func TestHeadPoseSigns(t *testing.T) {
	at := func(yaw, pitch, roll float64) *mesh {
		return project(pose{rotation(yaw, pitch, roll), [3]float64{0, 0, 60}})
	}
	m := at(20, 0, 0)
	eyesX := (m[lmRightEyeOut][0] + m[lmLeftEyeOut][0]) / 2
	if m[lmNoseTip][0] <= eyesX {
		t.Errorf("yaw > 0 should put the nose right of the eyes' midpoint")
	}
	m = at(0, 0, 10)
	if m[lmLeftEyeOut][1] <= m[lmRightEyeOut][1] {
		t.Errorf("roll > 0 (clockwise) should put the image-right eye lower")
	}
	// Tilting up brings the nose tip nearer the eyes' line in the image.
	up, down := at(0, 20, 0), at(0, -20, 0)
	gap := func(m *mesh) float64 { return m[lmNoseTip][1] - (m[lmRightEyeOut][1]+m[lmLeftEyeOut][1])/2 }
	if gap(up) >= gap(down) {
		t.Errorf("pitch > 0 should raise the nose towards the eyes: %.1f vs %.1f", gap(up), gap(down))
	}
}

// On a real face, rotating the photo in the image plane adds the angle to
// roll and leaves yaw and pitch. (Mirroring is no test: FaceMesh is not
// mirror-symmetric to better than about 2°, as large as this frontal
// face's own yaw and roll.)
func TestHeadPoseOnTransformedPhoto(t *testing.T) {
	a := testAnalyzer(t)
	src := readImageFile(t, astronautPath(t))
	pose := func(img rgbImage) (yaw, pitch, roll float64) {
		t.Helper()
		tr := a.NewTracker(5)
		var r FrameResult
		var err error
		// A few frames let the tracking crop settle, as in a video.
		for i := range 8 {
			if r, err = tr.Process(context.Background(), img.frame(float64(i)/5)); err != nil {
				t.Fatal(err)
			}
		}
		if r.Yaw == nil {
			t.Fatalf("no head pose (%s)", r.State)
		}
		return *r.Yaw, *r.Pitch, *r.Roll
	}
	y0, p0, r0 := pose(src)
	t.Logf("astronaut: yaw %.1f pitch %.1f roll %.1f", y0, p0, r0)

	for _, deg := range []float64{-20, 15} {
		// Sampling the photo along axes turned by −deg turns its content by +deg.
		rot := rgbImage{w: src.w, h: src.h}
		rot.pix = src.crop(roi{cx: 256, cy: 256, size: 512, angle: -deg * math.Pi / 180}, 512, nil)
		yr, pr, rr := pose(rot)
		t.Logf("rotated %+.0f°: yaw %.1f pitch %.1f roll %.1f", deg, yr, pr, rr)
		if math.Abs(rr-r0-deg) > 1 || math.Abs(yr-y0) > 1.5 || math.Abs(pr-p0) > 1.5 {
			t.Errorf("rotated %+.0f°: yaw %.1f pitch %.1f roll %.1f; want roll %.1f and yaw, pitch unchanged", deg, yr, pr, rr, r0+deg)
		}
	}
}

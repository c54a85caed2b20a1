package vision

import (
	"context"
	"math"
	"testing"
)

// testCamera is a 640×360 frame with the default field of view.
var testCamera = newCamera(640, 360, DefaultFieldOfViewDeg)

// rotation is R = Rz(roll)·Ry(−yaw)·Rx(−pitch) for angles in degrees with
// the documented signs (y down, z away from the camera), the decomposition
// pose.angles undoes.
func rotation(yaw, pitch, roll float64) [3][3]float64 {
	const deg = math.Pi / 180
	return mul33(rot(2, roll*deg), mul33(rot(1, -yaw*deg), rot(0, -pitch*deg)))
}

// project places the canonical face at pose p and returns a mesh holding
// its landmarks as testCamera sees them.
func project(p pose) *mesh {
	m := new(mesh)
	for _, c := range canonicalFace {
		q := testCamera.project(p.apply(c.p))
		m[c.landmark] = [3]float64{q[0], q[1], 0}
	}
	return m
}

func rot(axis int, a float64) [3][3]float64 {
	s, c := math.Sincos(a)
	switch axis {
	case 0:
		return [3][3]float64{{1, 0, 0}, {0, c, -s}, {0, s, c}}
	case 1:
		return [3][3]float64{{c, 0, s}, {0, 1, 0}, {-s, 0, c}}
	}
	return [3][3]float64{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}
}

// The perspective fit recovers the pose exactly, near the frame centre and
// off it, near the camera (where perspective matters most) and far.
func TestHeadPoseRecoversRotation(t *testing.T) {
	for _, T := range [][3]float64{{0, 0, 60}, {-15, 8, 45}, {20, -6, 90}} {
		for _, c := range [][3]float64{{0, 0, 0}, {25, 0, 0}, {-25, 0, 0}, {0, 20, 0}, {0, -15, 0}, {0, 0, 30}, {30, -10, 12}, {-40, 15, -20}} {
			hp, ok := headPose(project(pose{rotation(c[0], c[1], c[2]), T}), testCamera)
			if !ok {
				t.Fatalf("%v at %v: no fit", c, T)
			}
			yaw, pitch, roll := hp.angles()
			if math.Abs(yaw-c[0]) > 0.01 || math.Abs(pitch-c[1]) > 0.01 || math.Abs(roll-c[2]) > 0.01 || norm3(sub3(hp.T, T)) > 0.01 {
				t.Errorf("rotation %v at %v: got yaw %.3f pitch %.3f roll %.3f at %.2f", c, T, yaw, pitch, roll, hp.T)
			}
		}
	}
}

// A face turned to the image right has its nose to the right of the
// face's centre; check the sign convention on the geometry itself.
func TestHeadPoseSigns(t *testing.T) {
	at := func(yaw, pitch, roll float64) *mesh { return project(pose{rotation(yaw, pitch, roll), [3]float64{0, 0, 60}}) }
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

package vision

import (
	"math"
	"testing"
)

// eyesLookingAt places both irises of a face at pose hp on their eyeballs,
// each eye turned to look along gaze (camera frame), and returns the eyes
// as testCamera sees them and the iris landmarks show them: each iris's
// move in the image from its place at rest shortened by irisGainAlong
// along the eye and irisGainAcross across it, and shifted across by
// irisRestAcross eyeball radii.
func eyesLookingAt(hp pose, gaze [3]float64) [2]eyeObservation {
	var out [2]eyeObservation
	g := scale3(gaze, 1/norm3(gaze))
	u, v, _ := eyeAxes(hp)
	for e := range 2 {
		c := hp.apply(eyeCentres[e])
		iris := testCamera.project(add3(c, scale3(g, irisRadiusCM)))
		rest := testCamera.project(add3(c, scale3(hp.forward(), irisRadiusCM)))
		dx, dy := iris[0]-rest[0], iris[1]-rest[1]
		along := (dx*u[0] + dy*u[1]) * irisGainAlong
		across := (dx*v[0]+dy*v[1])*irisGainAcross + irisRestAcross*testCamera.f*irisRadiusCM/c[2]
		seen := [2]float64{rest[0] + along*u[0] + across*v[0], rest[1] + along*u[1] + across*v[1]}
		out[e] = eyeObservation{corners: testCamera.project(hp.apply(eyeCorners[e])), iris: seen}
	}
	return out
}

// The eye model inverts its own geometry: irises placed on the eyeballs for
// a known gaze give that gaze back relative to the camera ray, for faces
// turned and off the frame centre.
func TestGazeAtCameraRecoversGaze(t *testing.T) {
	for _, c := range []struct {
		head [3]float64 // yaw, pitch, roll
		at   [3]float64 // position
		eyes [2]float64 // eye turn within the head, yaw and pitch
	}{
		{[3]float64{0, 0, 0}, [3]float64{0, 0, 60}, [2]float64{0, 0}},
		{[3]float64{20, 0, 0}, [3]float64{0, 0, 60}, [2]float64{-20, 0}},
		{[3]float64{-15, 10, 5}, [3]float64{-12, 6, 50}, [2]float64{10, -15}},
		{[3]float64{30, -20, 0}, [3]float64{-15, -5, 80}, [2]float64{-25, 12}},
	} {
		hp := pose{rotation(c.head[0], c.head[1], c.head[2]), c.at}
		// The eye turns within the head, then the head turns it.
		eye := mul33(hp.R, rotation(c.eyes[0], c.eyes[1], 0))
		gaze := [3]float64{-eye[0][2], -eye[1][2], -eye[2][2]}
		mid := scale3(sub3(hp.apply(eyeCentres[0]), scale3(sub3(hp.apply(eyeCentres[0]), hp.apply(eyeCentres[1])), 0.5)), -1)
		wantYaw, wantPitch := anglesFrom(gaze, scale3(mid, 1/norm3(mid)))
		g := gazeAtCamera(hp, testCamera, eyesLookingAt(hp, gaze), 0.3)
		if g.reason != "" || math.Abs(g.yaw-wantYaw) > 0.01 || math.Abs(g.pitch-wantPitch) > 0.01 {
			t.Errorf("%+v: gaze %+v, want yaw %.2f pitch %.2f", c, g, wantYaw, wantPitch)
		}
	}
}

// Looking into the lens is looking at the camera wherever the face is in
// the frame and however the head is turned towards it; the same eyes and
// head at the frame's edge, looking straight ahead, are not.
func TestGazeAtCameraIsAbsolute(t *testing.T) {
	for _, at := range [][3]float64{{0, 0, 60}, {-20, 0, 55}, {18, 9, 60}} {
		for _, yaw := range []float64{-15, 0, 15} {
			hp := pose{rotation(yaw, 0, 0), at}
			mid := scale3(sub3(hp.apply(eyeCentres[0]), scale3(sub3(hp.apply(eyeCentres[0]), hp.apply(eyeCentres[1])), 0.5)), -1)
			var r FrameResult
			judgeGaze(&r, gazeAtCamera(hp, testCamera, eyesLookingAt(hp, mid), 0.3), 0, 0)
			if r.LookingAtCamera == nil || !*r.LookingAtCamera || math.Hypot(*r.GazeYaw, *r.GazePitch) > 0.5 {
				t.Errorf("into the lens from %v, head yaw %v: reason %q gaze %.2f/%.2f", at, yaw, r.GazeReason, deref(r.GazeYaw), deref(r.GazePitch))
			}
		}
	}
	// 20 cm to the side at 55 cm, face and eyes parallel to the optical
	// axis: 20° off the camera ray.
	hp := pose{rotation(0, 0, 0), [3]float64{-20, 0, 55}}
	var r FrameResult
	judgeGaze(&r, gazeAtCamera(hp, testCamera, eyesLookingAt(hp, [3]float64{0, 0, -1}), 0.3), 0, 0)
	// The camera is to the image right of the eyes, so the gaze is to its
	// left, by the angle of the ray to the camera.
	eyes := hp.apply(scale3([3]float64{eyeCentres[0][0] + eyeCentres[1][0], eyeCentres[0][1] + eyeCentres[1][1], eyeCentres[0][2] + eyeCentres[1][2]}, 0.5))
	if want := -math.Atan2(-eyes[0], eyes[2]) * 180 / math.Pi; r.LookingAtCamera == nil || *r.LookingAtCamera || math.Abs(*r.GazeYaw-want) > 0.1 { // the ray is 3° above the horizontal: yaw is not quite its horizontal angle
		t.Errorf("straight ahead off-centre: gaze yaw %.2f, looking %v; want %.2f and false", deref(r.GazeYaw), r.LookingAtCamera, want)
	}
}

func TestGazeAtCameraReasons(t *testing.T) {
	front := pose{rotation(0, 0, 0), [3]float64{0, 0, 60}}
	turned := pose{rotation(50, 0, 0), [3]float64{0, 0, 60}}
	for _, c := range []struct {
		name string
		hp   pose
		eyes [2]eyeObservation
		ear  float64
		want string
	}{
		{"head turned", turned, eyesLookingAt(turned, [3]float64{0, 0, -1}), 0.3, GazeHeadTurned},
		{"eyes closed", front, eyesLookingAt(front, [3]float64{0, 0, -1}), 0.05, GazeEyesClosed},
		// Irises half a face away from their eyes.
		{"iris lost", front, [2]eyeObservation{{[2]float64{290, 150}, [2]float64{100, 180}}, {[2]float64{350, 150}, [2]float64{540, 180}}}, 0.3, GazeIrisLost},
	} {
		if g := gazeAtCamera(c.hp, testCamera, c.eyes, c.ear); g.reason != c.want {
			t.Errorf("%s: reason %q, want %q", c.name, g.reason, c.want)
		}
	}
}

package vision

import "math"

// DefaultFieldOfViewDeg is the horizontal field of view assumed for the
// camera when Options.FieldOfViewDeg is zero: laptop and desktop webcams
// span about 55–78°, most near 60–70°, and a narrower assumption errs
// towards a longer focal length, which changes the camera ray of a face
// off the frame centre least.
const DefaultFieldOfViewDeg = 60.0

// camera is a pinhole camera: the focal length in pixels, from the
// horizontal field of view, and the principal point at the frame centre.
type camera struct{ f, cx, cy float64 }

func newCamera(w, h int, fovDeg float64) camera {
	return camera{f: float64(w) / 2 / math.Tan(fovDeg*math.Pi/360), cx: float64(w) / 2, cy: float64(h) / 2}
}

func (c camera) project(p [3]float64) [2]float64 {
	return [2]float64{c.cx + c.f*p[0]/p[2], c.cy + c.f*p[1]/p[2]}
}

// ray is the unit direction from the camera centre through image point q.
func (c camera) ray(q [2]float64) [3]float64 {
	d := [3]float64{(q[0] - c.cx) / c.f, (q[1] - c.cy) / c.f, 1}
	return scale3(d, 1/norm3(d))
}

// pose is a rigid head pose in the camera's frame (x to the image right,
// y down, z away from the camera, centimetres): a canonical-face point p
// is at R·p + T.
type pose struct {
	R [3][3]float64
	T [3]float64
}

func (p pose) apply(v [3]float64) [3]float64 {
	return [3]float64{dot3(p.R[0], v) + p.T[0], dot3(p.R[1], v) + p.T[1], dot3(p.R[2], v) + p.T[2]}
}

// forward is the direction the face points (out of the face, towards a
// camera it faces).
func (p pose) forward() [3]float64 { return [3]float64{-p.R[0][2], -p.R[1][2], -p.R[2][2]} }

// Eye geometry of the canonical face, image-like axes as canonicalFace,
// centimetres. At rest the iris centre sits between the eye corners at the
// depth of the lid margins (which rest on the eyeball), and the eye turns
// about a centre irisRadiusCM behind it: the eye's centre of rotation lies
// about 13.5 mm behind the cornea's apex (the usual schematic-eye value)
// and the pupil as seen through the cornea about 3 mm behind it, hence
// 10.5 mm.
const irisRadiusCM = 1.05

var (
	// eyeCentres are the eyeballs' centres: between landmarks 33 and 133
	// at the depth of lids 159 and 145, moved back by irisRadiusCM, and the
	// subject's left eye mirrored.
	eyeCentres = [2][3]float64{
		{-3.151146, -2.624618, -3.826339 + irisRadiusCM},
		{3.151146, -2.624618, -3.826339 + irisRadiusCM},
	}
	// eyeCorners are the midpoints of each eye's corners, 33–133 and
	// 263–362.
	eyeCorners = [2][3]float64{{-3.151146, -2.624618, -3.465663}, {3.151146, -2.624618, -3.465663}}
)

// eyeObservation is what the landmarks show of one eye, in image pixels.
type eyeObservation struct {
	corners [2]float64 // the midpoint of the eye's corners
	iris    [2]float64 // the iris centre
}

// Limits of what the landmarks can measure.
const (
	// maxHeadTurnDeg is the angle between the face's direction and the ray
	// to the camera beyond which a frame counts as looking away without an
	// eye measurement: looking into the lens would take an eye turn beyond
	// maxEyeTurnDeg, the most the eye model measures (and more than people
	// make without turning the head: gaze shifts beyond about 20° come
	// mostly from the head; Stahl 1999, Freedman 2008). The limit is no
	// tighter because the head pose errs by several degrees: on renders its
	// pitch is biased by about −7°, and a 40° limit judged heads turned
	// 28–37° from the camera, eyes on the lens, as turned away.
	maxHeadTurnDeg = maxEyeTurnDeg
	// maxEyeTurnDeg is the largest eye-in-head rotation measured; a larger
	// one means the iris landmarks left the eyeball model.
	maxEyeTurnDeg = 45.0
	// closedEyeEAR is the eye aspect ratio (the seed's, both eyes' mean)
	// below which the eyes count as closed and the iris is not measured:
	// open eyes measure 0.25–0.35, a blink passes under 0.1.
	closedEyeEAR = 0.15
)

// Reasons a frame has no gaze direction ([FrameResult.GazeReason]).
const (
	// GazeHeadTurned: the head is turned too far from the camera for the eyes
	// to be measured; the frame looks away.
	GazeHeadTurned = "head_turned"
	// GazeEyesClosed: the eyes are closed (a blink, or lids nearly shut);
	// the frame is unmeasured.
	GazeEyesClosed = "eyes_closed"
	// GazeIrisLost: the iris landmarks fell outside the eyeball model; the
	// frame is unmeasured.
	GazeIrisLost = "iris_lost"
)

// cameraGaze is one frame's gaze relative to the camera.
type cameraGaze struct {
	// yaw and pitch are the gaze direction's angles from the ray to the
	// camera, degrees: yaw > 0 towards the image right, pitch > 0 upwards.
	yaw, pitch float64
	reason     string // why there is no gaze direction; "" when measured
}

// gazeAtCamera turns the head pose and the eyes (the subject's right eye
// first) into the gaze direction relative to the ray from the eyes to the
// camera. Each eyeball sits where the head pose puts it, moved to the
// landmarks' own eye corners (seenEyeCentres); its gaze is the ray from
// its centre through the point where the camera ray through the iris
// (corrected by irisAsTurned) meets it. The two eyes' gazes are averaged.
func gazeAtCamera(hp pose, cam camera, eyes [2]eyeObservation, ear float64) cameraGaze {
	centre := seenEyeCentres(hp, cam, eyes)
	mid := scale3([3]float64{centre[0][0] + centre[1][0], centre[0][1] + centre[1][1], centre[0][2] + centre[1][2]}, 0.5)
	toCam := scale3(mid, -1/norm3(mid))
	fwd := hp.forward()
	if angleDeg(fwd, toCam) > maxHeadTurnDeg {
		return cameraGaze{reason: GazeHeadTurned}
	}
	if ear < closedEyeEAR {
		return cameraGaze{reason: GazeEyesClosed}
	}
	var sum [3]float64
	for e := range 2 {
		d := cam.ray(irisAsTurned(hp, cam, centre[e], eyes[e].iris))
		b := dot3(d, centre[e])
		disc := b*b - dot3(centre[e], centre[e]) + irisRadiusCM*irisRadiusCM
		if disc < 0 {
			return cameraGaze{reason: GazeIrisLost}
		}
		g := scale3(sub3(scale3(d, b-math.Sqrt(disc)), centre[e]), 1/irisRadiusCM)
		if !withinEyeTurn(hp, g) {
			return cameraGaze{reason: GazeIrisLost}
		}
		for k := range 3 {
			sum[k] += g[k]
		}
	}
	g := scale3(sum, 1/norm3(sum))
	yaw, pitch := anglesFrom(g, toCam)
	return cameraGaze{yaw: yaw, pitch: pitch}
}

// seenEyeCentres places the eyeballs' centres (camera frame): where the
// head pose puts them, moved to the landmarks' own eye corners (which
// place the eye more closely than the fit of the whole face) at the
// model's depth.
func seenEyeCentres(hp pose, cam camera, eyes [2]eyeObservation) [2][3]float64 {
	var centre [2][3]float64
	for e := range 2 {
		model := hp.apply(eyeCorners[e])
		seen := cam.ray(eyes[e].corners)
		seen = scale3(seen, model[2]/seen[2])
		centre[e] = add3(hp.apply(eyeCentres[e]), sub3(seen, model))
	}
	return centre
}

// The iris landmarks move less than the iris does, and sit a little above
// it. On renders of known eye turns (render_test.go, TestRenderedGains) the
// iris model's move in the image, from where the iris would be at rest for
// the eyeball the landmarks place, is irisGainAlong of the iris's own move
// along the eye (the head's x axis as the image shows it) and
// irisGainAcross across it, shifted across by irisRestAcross eyeball radii
// (negative: towards the brows): the least-squares fit of the model's move
// on the rendered one. (Fitted the other way, the truth on the model's
// move, the gains would take in the measure's noise, which shrinks such a
// slope, and the gaze would read nearer the camera than it is.) Across,
// the shortfall is larger: the model leans on the lids, which follow the
// eye only in part. The shift is what made both rendered faces read 5–7°
// up when looking into the lens.
const (
	irisGainAlong  = 0.835
	irisGainAcross = 0.63
	irisRestAcross = -0.105
)

// irisAsTurned undoes the iris landmarks' shortfall and shift: the iris's
// image position for an eyeball at centre (camera frame), from where the
// iris would be with the eye at rest.
func irisAsTurned(hp pose, cam camera, centre [3]float64, iris [2]float64) [2]float64 {
	rest := cam.project(add3(centre, scale3(hp.forward(), irisRadiusCM)))
	u, v, ok := eyeAxes(hp)
	if !ok {
		return iris
	}
	radius := cam.f * irisRadiusCM / centre[2] // the eyeball's radius in pixels
	dx, dy := iris[0]-rest[0], iris[1]-rest[1]
	along := (dx*u[0] + dy*u[1]) / irisGainAlong
	across := (dx*v[0] + dy*v[1] - irisRestAcross*radius) / irisGainAcross
	return [2]float64{rest[0] + along*u[0] + across*v[0], rest[1] + along*u[1] + across*v[1]}
}

// eyeAxes are the image directions along the eyes (the head's x axis as
// the image shows it) and across them (turned a right angle, downwards for
// an upright face); ok is false when the eye line is seen end on.
func eyeAxes(hp pose) (along, across [2]float64, ok bool) {
	n := math.Hypot(hp.R[0][0], hp.R[1][0])
	if n < 1e-9 {
		return along, across, false
	}
	along = [2]float64{hp.R[0][0] / n, hp.R[1][0] / n}
	return along, [2]float64{-along[1], along[0]}, true
}

// withinEyeTurn says whether an eye's gaze direction g (camera frame) is
// within maxEyeTurnDeg of the head's forward direction, sideways and up or
// down.
func withinEyeTurn(hp pose, g [3]float64) bool {
	var h [3]float64 // Rᵀ·g: the gaze in the head's frame
	for k := range 3 {
		h[k] = hp.R[0][k]*g[0] + hp.R[1][k]*g[1] + hp.R[2][k]*g[2]
	}
	const lim = maxEyeTurnDeg * math.Pi / 180
	return math.Abs(math.Atan2(h[0], -h[2])) <= lim && math.Abs(math.Atan2(-h[1], math.Hypot(h[0], h[2]))) <= lim
}

// anglesFrom gives direction g's yaw (> 0 towards the image right) and
// pitch (> 0 upwards) in degrees in a frame whose forward axis is ref:
// both are zero when g is ref, and for small angles the angle between g
// and ref is their hypotenuse.
func anglesFrom(g, ref [3]float64) (yaw, pitch float64) {
	right := cross3(ref, [3]float64{0, 1, 0})
	right = scale3(right, 1/norm3(right))
	up := cross3(ref, right)
	x, y, z := dot3(g, right), dot3(g, up), dot3(g, ref)
	const deg = 180 / math.Pi
	return math.Atan2(x, z) * deg, math.Atan2(y, math.Hypot(x, z)) * deg
}

func angleDeg(a, b [3]float64) float64 {
	c := dot3(a, b) / (norm3(a) * norm3(b))
	return math.Acos(math.Max(-1, math.Min(1, c))) * 180 / math.Pi
}

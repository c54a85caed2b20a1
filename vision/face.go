package vision

import (
	"context"
	"math"
)

// FaceMesh landmark indices used by the measures (MediaPipe numbering, the
// seed's).
const (
	lmNoseTip     = 1
	lmChin        = 152
	lmRightEyeOut = 33 // the subject's right eye, on the image left in a non-mirrored view
	lmRightEyeIn  = 133
	lmRightLidUp  = 159
	lmRightLidLo  = 145
	lmLeftEyeOut  = 263
	lmLeftEyeIn   = 362
	lmLeftLidUp   = 386
	lmLeftLidLo   = 374
	lmMouthRight  = 61
	lmMouthLeft   = 291
	lmLipUpper    = 13
	lmLipLower    = 14
	meshPoints    = 468
)

// The seed's eye-aspect-ratio point sets p1..p6 (MediaPipe FaceMesh
// numbering); EAR = (|p2−p6| + |p3−p5|) / (2|p1−p4|).
var (
	earRightEye = [6]int{33, 160, 158, 133, 153, 144}
	earLeftEye  = [6]int{263, 387, 385, 362, 380, 373}
)

const (
	// meshScale enlarges a face box into the FaceMesh crop, as MediaPipe and
	// human do, both from a detection and from the previous landmarks.
	meshScale = 1.5
	// irisScale is the iris crop side over the eye-corner distance (human).
	irisScale = 2.3
	// trackScore is the FaceMesh face-flag probability below which tracking
	// counts as lost and the detector runs again (MediaPipe's
	// min_tracking_confidence as the seed sets it).
	trackScore = 0.5
)

// mesh is the 468 FaceMesh landmarks of one face in source pixels; z is
// relative depth on the same scale (smaller is nearer the camera).
type mesh [meshPoints][3]float64

func (m *mesh) xy(i int) [2]float64 { return [2]float64{m[i][0], m[i][1]} }

// runMesh crops region and returns the landmarks and the face-flag
// probability.
func (t *Tracker) runMesh(ctx context.Context, img rgbImage, region roi) (*mesh, float64, error) {
	out, err := t.mesh.run(ctx, img, region)
	if err != nil {
		return nil, 0, err
	}
	raw, flag := out["mesh"], out["faceflag"]
	m := new(mesh)
	for i := range meshPoints {
		x, y := region.toImage(float64(raw[3*i]), float64(raw[3*i+1]), 192)
		m[i] = [3]float64{x, y, float64(raw[3*i+2]) * region.size / 192}
	}
	return m, float64(flag[0]), nil
}

// meshROI is the FaceMesh crop for the next frame, from this frame's
// landmarks: the landmarks' bounding box in the face's own rotated frame,
// squared and enlarged by meshScale, rotated so that the eye line is level.
func meshROI(m *mesh) roi {
	a, b := m.xy(lmRightEyeOut), m.xy(lmLeftEyeOut)
	angle := math.Atan2(b[1]-a[1], b[0]-a[0])
	sin, cos := math.Sincos(angle)
	minU, minV := math.Inf(1), math.Inf(1)
	maxU, maxV := math.Inf(-1), math.Inf(-1)
	for i := range meshPoints {
		// Rotate into the face frame (by −angle).
		u := m[i][0]*cos + m[i][1]*sin
		v := -m[i][0]*sin + m[i][1]*cos
		minU, maxU = math.Min(minU, u), math.Max(maxU, u)
		minV, maxV = math.Min(minV, v), math.Max(maxV, v)
	}
	cu, cv := (minU+maxU)/2, (minV+maxV)/2
	return roi{
		cx: cu*cos - cv*sin, cy: cu*sin + cv*cos,
		size:  meshScale * math.Max(maxU-minU, maxV-minV),
		angle: angle,
	}
}

// detectionROI is the FaceMesh crop for a fresh detection, rotated by the
// line between the detector's eye keypoints.
func detectionROI(d detection, rotate bool) roi {
	r := roi{cx: d.cx, cy: d.cy, size: meshScale * math.Max(d.w, d.h)}
	if rotate {
		r.angle = math.Atan2(d.leftEye[1]-d.rightEye[1], d.leftEye[0]-d.rightEye[0])
	}
	return r
}

// eyeIris is the iris model's result for one eye in source pixels.
type eyeIris struct {
	centre [2]float64 // mean of the four iris-ring points, as the seed averages 469–472
	// corners is the midpoint of the model's own eye corners, the first and
	// ninth of its 71 eye-contour points (FaceMesh's 33 and 133, or 263 and
	// 362 on the flipped eye; MediaPipe's update_face_landmarks_calculator).
	corners [2]float64
}

// runIris crops one eye (corners a and b, flipped for the subject's left eye
// as the model wants) and returns its iris.
func (t *Tracker) runIris(ctx context.Context, img rgbImage, a, b [2]float64, angle float64, flip bool) (eyeIris, error) {
	d := math.Hypot(b[0]-a[0], b[1]-a[1])
	region := roi{cx: (a[0] + b[0]) / 2, cy: (a[1] + b[1]) / 2, size: irisScale * d, angle: angle, flip: flip}
	out, err := t.iris.run(ctx, img, region)
	if err != nil {
		return eyeIris{}, err
	}
	raw := out["iris"]
	point := func(k int) (x, y float64) { return region.toImage(float64(raw[3*k]), float64(raw[3*k+1]), 64) }
	const first = 71 // eye contour points precede the 5 iris points (centre first)
	var e eyeIris
	for k := 1; k <= 4; k++ {
		x, y := point(first + k)
		e.centre[0] += x / 4
		e.centre[1] += y / 4
	}
	for _, k := range []int{0, 8} {
		x, y := point(k)
		e.corners[0] += x / 2
		e.corners[1] += y / 2
	}
	return e, nil
}

// eyeAspectRatio is the seed's EAR: (|p2−p6| + |p3−p5|) / (2|p1−p4|) in
// pixels, 0 when the corners coincide.
func eyeAspectRatio(m *mesh, p [6]int) float64 {
	d := func(i, j int) float64 { return math.Hypot(m[p[i]][0]-m[p[j]][0], m[p[i]][1]-m[p[j]][1]) }
	w := d(0, 3)
	if w == 0 {
		return 0
	}
	return (d(1, 5) + d(2, 4)) / (2 * w)
}

// mouthCorners is the seed's mouth measure: the mean over the corners of
// (corner y − inner-lip centre y) / frame height; negative when the corners
// are above the centre (a smile).
func mouthCorners(m *mesh, frameHeight float64) float64 {
	cy := (m[lmLipUpper][1] + m[lmLipLower][1]) / 2
	return ((m[lmMouthRight][1]-cy)/frameHeight + (m[lmMouthLeft][1]-cy)/frameHeight) / 2
}

// irisOffset is the iris centre in its own eye's frame, as fractions of the
// eye's width and height (the seed's formula with the seed's pairing bug
// fixed, and both eyes' axes pointing the same way: x towards the image
// right, y from the upper to the lower lid).
func irisOffset(iris [2]float64, cornerImageLeft, cornerImageRight, lidUp, lidLo [2]float64) (h, v float64) {
	cx, cy := (cornerImageLeft[0]+cornerImageRight[0])/2, (cornerImageLeft[1]+cornerImageRight[1])/2
	xx, xy := cornerImageRight[0]-cornerImageLeft[0], cornerImageRight[1]-cornerImageLeft[1]
	w := math.Hypot(xx, xy)
	yx, yy := lidLo[0]-lidUp[0], lidLo[1]-lidUp[1]
	ht := math.Hypot(yx, yy)
	dx, dy := iris[0]-cx, iris[1]-cy
	if w > 0 {
		h = (dx*xx + dy*xy) / w / (w + 1e-6)
	}
	if ht > 0 {
		v = (dx*yx + dy*yy) / ht / (ht + 1e-6)
	}
	return h, v
}

// imageLeftRight orders two points by x.
func imageLeftRight(a, b [2]float64) ([2]float64, [2]float64) {
	if a[0] <= b[0] {
		return a, b
	}
	return b, a
}

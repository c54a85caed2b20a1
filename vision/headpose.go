package vision

import "math"

// canonicalFace holds rigid landmarks of MediaPipe's canonical face model
// (mediapipe/modules/face_geometry/data/canonical_face_model.obj,
// Apache-2.0, the geometry the FaceMesh landmarks are defined on), in
// centimetres, converted to image-like axes: x towards the image right of a
// non-mirrored view (the subject's left), y down, z away from the camera.
// Lids and lips, which move with expression, are left out; the mouth
// corners stay to anchor the lower face.
var canonicalFace = [...]struct {
	landmark int
	p        [3]float64
}{
	{lmNoseTip, [3]float64{0, 1.126865, -7.475604}},
	{4, [3]float64{0, 0.463170, -7.586580}},
	{6, [3]float64{0, -2.473255, -5.788627}},
	{9, [3]float64{0, -4.885979, -5.385258}},
	{10, [3]float64{0, -8.261778, -4.481535}},
	{151, [3]float64{0, -6.545390, -5.027311}},
	{lmChin, [3]float64{0, 9.403378, -4.264492}},
	{lmRightEyeOut, [3]float64{-4.445859, -2.663991, -3.173422}},
	{lmLeftEyeOut, [3]float64{4.445859, -2.663991, -3.173422}},
	{lmMouthRight, [3]float64{-2.456206, 4.342621, -4.283884}},
	{lmMouthLeft, [3]float64{2.456206, 4.342621, -4.283884}},
}

// headPose fits the canonical face to the landmarks under scaled
// orthographic projection (a PnP solution for a face far from the camera
// compared with its depth): the least-squares affine camera, made a scaled
// rotation by its polar decomposition. It returns yaw, pitch and roll in
// degrees: yaw > 0 when the face turns towards the image right, pitch > 0
// when it tilts up, roll > 0 when it leans clockwise in the image. ok is
// false for a degenerate fit.
func headPose(m *mesh) (yaw, pitch, roll float64, ok bool) {
	const n = len(canonicalFace)
	const fn = float64(n)
	var P [n][3]float64
	var q [n][2]float64
	var mp [3]float64
	var mq [2]float64
	for i, c := range canonicalFace {
		P[i] = c.p
		q[i] = m.xy(c.landmark)
		for k := range 3 {
			mp[k] += c.p[k] / fn
		}
		mq[0] += q[i][0] / fn
		mq[1] += q[i][1] / fn
	}
	// Normal equations of q ≈ M·P over centred points: M = (qPᵀ)(PPᵀ)⁻¹.
	var ppt [3][3]float64
	var qpt [2][3]float64
	for i := range n {
		var c [3]float64
		for k := range 3 {
			c[k] = P[i][k] - mp[k]
		}
		d := [2]float64{q[i][0] - mq[0], q[i][1] - mq[1]}
		for r := range 3 {
			for s := range 3 {
				ppt[r][s] += c[r] * c[s]
			}
			qpt[0][r] += d[0] * c[r]
			qpt[1][r] += d[1] * c[r]
		}
	}
	inv, ok := invert3(ppt)
	if !ok {
		return 0, 0, 0, false
	}
	var M [2][3]float64
	for r := range 2 {
		for s := range 3 {
			for k := range 3 {
				M[r][s] += qpt[r][k] * inv[k][s]
			}
		}
	}
	// The nearest scaled rotation is the polar factor (MMᵀ)^(-1/2)·M; unlike
	// Gram–Schmidt it treats both image axes alike, so turning the image
	// adds exactly to roll.
	a, b, c := dot3(M[0], M[0]), dot3(M[0], M[1]), dot3(M[1], M[1])
	det := a*c - b*b
	if det <= 0 {
		return 0, 0, 0, false
	}
	sd := math.Sqrt(det)
	tr := math.Sqrt(a + c + 2*sd)
	// sqrt(A) = (A + sd·I)/tr; invert that 2×2 matrix.
	s00, s01, s11 := (a+sd)/tr, b/tr, (c+sd)/tr
	sdet := s00*s11 - s01*s01
	i00, i01, i11 := s11/sdet, -s01/sdet, s00/sdet
	var r1, r2 [3]float64
	for k := range 3 {
		r1[k] = i00*M[0][k] + i01*M[1][k]
		r2[k] = i01*M[0][k] + i11*M[1][k]
	}
	r3 := cross3(r1, r2)
	// R's rows are r1, r2, r3; decompose R = Rz(roll)·Ry(yaw)·Rx(pitch).
	yawRad := math.Asin(math.Max(-1, math.Min(1, -r3[0])))
	pitchRad := math.Atan2(r3[1], r3[2])
	rollRad := math.Atan2(r2[0], r1[0])
	const deg = 180 / math.Pi
	// With y down and z away from the camera, a face turning to the image
	// right is a negative rotation about y and one tilting up a negative
	// rotation about x; flip to the documented signs.
	return -yawRad * deg, -pitchRad * deg, rollRad * deg, true
}

func invert3(a [3][3]float64) ([3][3]float64, bool) {
	det := a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) -
		a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) +
		a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
	if math.Abs(det) < 1e-12 {
		return a, false
	}
	var r [3][3]float64
	for i := range 3 {
		for j := range 3 {
			i1, i2 := (j+1)%3, (j+2)%3
			j1, j2 := (i+1)%3, (i+2)%3
			r[i][j] = (a[i1][j1]*a[i2][j2] - a[i1][j2]*a[i2][j1]) / det
		}
	}
	return r, true
}

func dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func norm3(a [3]float64) float64   { return math.Sqrt(dot3(a, a)) }
func scale3(a [3]float64, s float64) [3]float64 {
	return [3]float64{a[0] * s, a[1] * s, a[2] * s}
}
func sub3(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func cross3(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

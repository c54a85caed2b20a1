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

// headPitchGain is the share of a head's true pitch that the fit reports:
// on renders of the canonical face at known angles (render_test.go,
// TestRenderedGains) yaw comes out right (slope 1.03) and pitch at 0.86 of
// the truth, FaceMesh's landmarks leaning towards a level face. headPose
// divides the pitch by it.
const headPitchGain = 0.86

// headPose fits the canonical face to the landmarks as cam sees them. A
// face small against its distance looks, to a pinhole camera, as it would
// to an orthographic one looking along the ray to it; so the rotation is
// the scaled orthographic fit (weakPose), taken as relative to that ray and
// turned into the camera's frame by the rotation from the optical axis to
// the ray. (A full perspective fit also reads the faint perspective of the
// face itself, the near parts a little larger; on a real face that agrees,
// but on a photo of a face filmed again, as in tests, it does not, and
// the fit then tilts the head by tens of degrees.) ok is false for a
// degenerate fit.
func headPose(m *mesh, cam camera) (pose, bool) {
	p, ok := weakPose(m, cam)
	if !ok {
		return pose{}, false
	}
	var mq [2]float64
	for _, c := range canonicalFace {
		mq[0] += m[c.landmark][0] / float64(len(canonicalFace))
		mq[1] += m[c.landmark][1] / float64(len(canonicalFace))
	}
	yaw, pitch, roll := p.angles()
	p.R = rotation(yaw, pitch/headPitchGain, roll)
	ray := cam.ray(mq)
	// The rotation taking the optical axis (0, 0, 1) onto the ray.
	axis := cross3([3]float64{0, 0, 1}, ray)
	if s := norm3(axis); s > 1e-12 {
		p.R = mul33(rodrigues(scale3(axis, math.Asin(math.Min(1, s))/s)), p.R)
	}
	return p, true
}

// weakPose is the scaled orthographic fit of the canonical face: the
// least-squares affine camera, made a scaled rotation by its polar
// decomposition, placed at the depth where cam shows the face at that
// scale.
func weakPose(m *mesh, cam camera) (pose, bool) {
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
			mp[k] += P[i][k] / fn
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
		return pose{}, false
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
		return pose{}, false
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
	p := pose{R: [3][3]float64{r1, r2, cross3(r1, r2)}}
	// The scale (pixels per centimetre) is f/Z at the face's depth; the
	// centroid of the rotated model lands on the landmarks' centroid.
	scale := math.Sqrt((a + c) / 2)
	z := cam.f / scale
	rc := p.apply(mp)
	p.T = [3]float64{(mq[0]-cam.cx)*z/cam.f - rc[0], (mq[1]-cam.cy)*z/cam.f - rc[1], z - rc[2]}
	return p, true
}

// rotation is R = Rz(roll)·Ry(−yaw)·Rx(−pitch) for angles in degrees with
// the signs of pose.angles, which undoes it.
func rotation(yaw, pitch, roll float64) [3][3]float64 {
	const deg = math.Pi / 180
	return mul33(axisRotation(2, roll*deg), mul33(axisRotation(1, -yaw*deg), axisRotation(0, -pitch*deg)))
}

// axisRotation is the rotation by a radians about axis 0 (x), 1 (y) or 2 (z).
func axisRotation(axis int, a float64) [3][3]float64 {
	s, c := math.Sincos(a)
	switch axis {
	case 0:
		return [3][3]float64{{1, 0, 0}, {0, c, -s}, {0, s, c}}
	case 1:
		return [3][3]float64{{c, 0, s}, {0, 1, 0}, {-s, 0, c}}
	}
	return [3][3]float64{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}
}

// angles decomposes R = Rz(roll)·Ry(−yaw)·Rx(−pitch) into yaw, pitch and
// roll in degrees: yaw > 0 when the face turns towards the image right,
// pitch > 0 when it tilts up, roll > 0 when it leans clockwise in the
// image. (With y down and z away from the camera, turning to the image
// right is a negative rotation about y and tilting up a negative rotation
// about x.)
func (p pose) angles() (yaw, pitch, roll float64) {
	r1, r2, r3 := p.R[0], p.R[1], p.R[2]
	const deg = 180 / math.Pi
	yaw = -math.Asin(math.Max(-1, math.Min(1, -r3[0]))) * deg
	pitch = -math.Atan2(r3[1], r3[2]) * deg
	roll = math.Atan2(r2[0], r1[0]) * deg
	return yaw, pitch, roll
}

// rodrigues is the rotation by angle |w| about axis w.
func rodrigues(w [3]float64) [3][3]float64 {
	th := norm3(w)
	if th < 1e-15 {
		return [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	}
	k := scale3(w, 1/th)
	s, c := math.Sincos(th)
	v := 1 - c
	return [3][3]float64{
		{c + k[0]*k[0]*v, k[0]*k[1]*v - k[2]*s, k[0]*k[2]*v + k[1]*s},
		{k[1]*k[0]*v + k[2]*s, c + k[1]*k[1]*v, k[1]*k[2]*v - k[0]*s},
		{k[2]*k[0]*v - k[1]*s, k[2]*k[1]*v + k[0]*s, c + k[2]*k[2]*v},
	}
}

func mul33(a, b [3][3]float64) [3][3]float64 {
	var r [3][3]float64
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				r[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return r
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
func add3(a, b [3]float64) [3]float64 { return [3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func sub3(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func cross3(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

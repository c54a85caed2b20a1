//go:build amd64 && !purego

package praat

import "math"

// sincLanes is the state of sincSide8: eight consecutive terms at a time,
// in two vectors A and B of four lanes, B's terms four after A's. On the
// right side lane l of A holds term 8j+l; on the left, where the samples
// run downwards, it holds term 8j+3−l, so that each vector is one load.
type sincLanes struct {
	u, cA, sA, cB, sB [4]float64 // A's phases (B's are 4π more) and the taper's cos and sin
	h                 [4]float64 // ±½ sin a: the sign alternates with the term
}

// sincSideAVX2 sums the first 8·⌊count/8⌋ terms of sincSide, and returns
// how many it did with the phase and taper of the next one.
func sincSideAVX2(v []float64, start, step, count int, a, halfsina, c, s, cd, sd float64) (sum float64, done int, aNext, cNext, sNext float64) {
	groups := count / 8
	done = 8 * groups
	_ = v[start+step*(done-1)] // the kernel reads no further
	// The taper at terms 0..7 and the rotation by eight, in few dependent
	// steps: this setup costs about as much as a short kernel run.
	var ck, sk [8]float64
	c2, s2 := cd*cd-sd*sd, 2*sd*cd
	c4, s4 := c2*c2-s2*s2, 2*s2*c2
	c8, s8 := c4*c4-s4*s4, 2*s4*c4
	ck[0], sk[0] = c, s
	ck[1], sk[1] = rotate(c, s, cd, sd)
	ck[2], sk[2] = rotate(c, s, c2, s2)
	ck[3], sk[3] = rotate(ck[1], sk[1], c2, s2)
	for k := range 4 {
		ck[k+4], sk[k+4] = rotate(ck[k], sk[k], c4, s4)
	}
	var st sincLanes
	first, offB, stride, lane0 := start, 4, 8, 0
	if step < 0 {
		first, offB, stride, lane0 = start-3, -4, -8, 3
	}
	for l := range 4 {
		k := l
		if step < 0 {
			k = 3 - l
		}
		st.u[l] = a + float64(k)*math.Pi
		st.cA[l], st.sA[l] = ck[k], sk[k]
		st.cB[l], st.sB[l] = ck[k+4], sk[k+4]
		st.h[l] = halfsina
		if k%2 == 1 {
			st.h[l] = -halfsina
		}
	}
	sum = sincSide8(&v[first], 8*offB, 8*stride, groups, c8, s8, 4*math.Pi, 8*math.Pi, &st)
	return sum, done, st.u[lane0], st.cA[lane0], st.sA[lane0]
}

// sincSide8 runs groups steps of eight terms from the vector at v (B's at
// offB bytes further), stepping by stride bytes; c8 and s8 rotate the taper
// by eight terms. It leaves the lanes at the next group.
//
//go:noescape
func sincSide8(v *float64, offB, stride, groups int, c8, s8, pi4, pi8 float64, st *sincLanes) float64

// derivativeLanes is the state of sincDerivatives4: four consecutive terms
// at a time, lane l holding term 4j+l on the right side and 4j+3−l on the
// left. The constants are stored four times over for the kernel's memory
// operands.
type derivativeLanes struct {
	u, w, cw, sw                       [4]float64
	su, cu                             [4]float64 // sin u and cos u: signs alternate with the term
	one, pi, invSpan, pi4, dw4, c4, s4 [4]float64
	f, q1p, q1pu, qpw, q1pw, qcw       [4]float64 // per-lane derivativeSums
}

// sincDerivativesAVX2 adds the first 4·⌊count/4⌋ terms of
// sincSideDerivatives to s, advances t past them and returns how many.
func sincDerivativesAVX2(s *derivativeSums, t *sincTerm, v []float64, start, step, count int, dw, cd, sd, invSpan float64) int {
	groups := count / 4
	done := 4 * groups
	_ = v[start+step*(done-1)]
	var st derivativeLanes
	first, lane0 := start, 0
	if step < 0 {
		first, lane0 = start-3, 3
	}
	u, w, su, cu, sw, cw := t.u, t.w, t.su, t.cu, t.sw, t.cw
	for k := range 4 {
		l := k
		if step < 0 {
			l = 3 - k
		}
		st.u[l], st.w[l], st.su[l], st.cu[l], st.sw[l], st.cw[l] = u, w, su, cu, sw, cw
		u += math.Pi
		w += dw
		su, cu = -su, -cu
		cw, sw = cw*cd-sw*sd, sw*cd+cw*sd
	}
	c4, s4 := cd, sd
	for range 2 {
		c4, s4 = c4*c4-s4*s4, 2*s4*c4
	}
	for l := range 4 {
		st.one[l], st.pi[l], st.invSpan[l] = 1, math.Pi, invSpan
		st.pi4[l], st.dw4[l], st.c4[l], st.s4[l] = 4*math.Pi, 4*dw, c4, s4
	}
	sincDerivatives4(&v[first], 32*step, groups, &st)
	s.f += laneSum(st.f)
	s.q1p += laneSum(st.q1p)
	s.q1pu += laneSum(st.q1pu)
	s.qpw += laneSum(st.qpw)
	s.q1pw += laneSum(st.q1pw)
	s.qcw += laneSum(st.qcw)
	// 4·groups terms on, sin u and cos u are back to their first signs.
	t.u, t.w, t.sw, t.cw = st.u[lane0], st.w[lane0], st.sw[lane0], st.cw[lane0]
	return done
}

func laneSum(x [4]float64) float64 { return (x[0] + x[1]) + (x[2] + x[3]) }

// rotate turns the angle with cosine c and sine s by the one with cosine
// cr and sine sr.
func rotate(c, s, cr, sr float64) (float64, float64) { return c*cr - s*sr, s*cr + c*sr }

// sincDerivatives4 runs groups steps of four terms from the vector at v,
// stepping by stride bytes, into st's sums, and leaves the lanes at the
// next group.
//
//go:noescape
func sincDerivatives4(v *float64, stride, groups int, st *derivativeLanes)

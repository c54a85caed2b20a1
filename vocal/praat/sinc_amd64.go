//go:build amd64 && !purego

package praat

// sincSideAVX2 sums the first 8·⌊count/8⌋ terms of sincSide, and returns
// how many it did with the phase and taper of the next one.
func sincSideAVX2(v []float64, start, step, count int, a, halfsina, c, s, cd, sd float64) (sum float64, done int, aNext, cNext, sNext float64) {
	groups := count / 8
	done = 8 * groups
	_ = v[start+step*(done-1)] // the kernel reads no further
	if step > 0 {
		sum, aNext, cNext, sNext = sincSide8(&v[start], 0, groups, a, halfsina, c, s, cd, sd)
	} else {
		sum, aNext, cNext, sNext = sincSide8(&v[start-3], 1, groups, a, halfsina, c, s, cd, sd)
	}
	return sum, done, aNext, cNext, sNext
}

// sincSide8 sums groups·8 terms of sincSide, eight at a time in two
// vectors A and B of four lanes, B's terms four after A's. On the right
// side (down = 0) lane l of A holds term 8j+l, and v points at the first
// sample; on the left (down = 1), where the samples run downwards, lane l
// holds term 8j+3−l, so that each vector is still one load, and v points
// three samples below the first. It returns the sum and the phase and
// taper of term 8·groups.
//
//go:noescape
func sincSide8(v *float64, down, groups int, a, halfsina, c, s, cd, sd float64) (sum, aNext, cNext, sNext float64)

// sincDerivativesAVX2 adds the first 4·⌊count/4⌋ terms of
// sincSideDerivatives to s, advances t past them and returns how many.
func sincDerivativesAVX2(s *derivativeSums, t *sincTerm, v []float64, start, step, count int, dwx, cd, sd float64) int {
	groups := count / 4
	done := 4 * groups
	_ = v[start+step*(done-1)] // the kernel reads no further
	if step > 0 {
		sincDerivatives4(&v[start], 0, groups, dwx, cd, sd, t, s)
	} else {
		sincDerivatives4(&v[start-3], 1, groups, dwx, cd, sd, t, s)
	}
	return done
}

// sincDerivatives4 adds groups·4 terms of sincSideDerivatives to s, four
// at a time, starting at t, and moves t on past them. Lane l holds term
// 4j+l on the right side (down = 0, v at the first sample) and 4j+3−l on
// the left (down = 1, v three samples below the first).
//
//go:noescape
func sincDerivatives4(v *float64, down, groups int, dwx, cd, sd float64, t *sincTerm, s *derivativeSums)

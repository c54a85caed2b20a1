package praat

import "math"

// Interpolation depths, as in Praat's NUM_VALUE_INTERPOLATE_* constants.
const (
	interpolateNearest = 0
	interpolateLinear  = 1
	interpolateCubic   = 2
	interpolateSinc70  = 70
	interpolateSinc700 = 700
)

// symmetric is a function sampled at integer lags -b..b (Praat keeps the
// autocorrelation in such a buffer so that sinc interpolation near lag 0 sees
// the mirrored side). y(k) for Praat's 1-based k is v[k-1]; lag = k - b - 1.
type symmetric struct {
	v []float64 // length 2b+1, v[b] is lag 0
	b int
}

func (s symmetric) y(k int) float64 { return s.v[k-1] }
func (s symmetric) size() int       { return len(s.v) }

// interpolateSinc is Praat's NUM_interpolate_sinc on the 1-based array y at
// real position x, with a Hanning-tapered sinc of at most maxDepth points on
// each side (fewer near the edges; nearest, linear and cubic below 3).
func interpolateSinc(y symmetric, x float64, maxDepth int) float64 {
	n := y.size()
	if n < 1 || math.IsNaN(x) {
		return math.NaN()
	}
	midleft := int(math.Floor(math.Max(0, math.Min(x, float64(n+1)))))
	midright := midleft + 1
	if x < 1 {
		return y.y(1)
	}
	if x > float64(n) {
		return y.y(n)
	}
	if x == float64(midleft) {
		return y.y(midleft)
	}
	maxDepth = min(maxDepth, midright-1, n-midleft)
	if maxDepth <= interpolateNearest {
		return y.y(int(math.Floor(x + 0.5)))
	}
	if maxDepth == interpolateLinear {
		return y.y(midleft) + (x-float64(midleft))*(y.y(midright)-y.y(midleft))
	}
	if maxDepth == interpolateCubic {
		yl, yr := y.y(midleft), y.y(midright)
		dyl := 0.5 * (yr - y.y(midleft-1))
		dyr := 0.5 * (y.y(midright+1) - yl)
		fil := x - float64(midleft)
		fir := float64(midright) - x
		return yl*fir + yr*fil - fil*fir*(0.5*(dyr-dyl)+(fil-0.5)*(dyl+dyr-2*(yr-yl)))
	}
	left := midright - maxDepth
	right := midleft + maxDepth
	// Hanning-tapered sinc: term k on each side is
	//   y · (±½ sin a₀) / (a₀ + kπ) · (1 + cos(a₀/span + k·π/span)).
	// The taper's cosine is advanced by rotation as in Praat, but with two
	// interleaved rotations by 2·π/span so that consecutive terms do not
	// wait on each other; the result differs from Praat's by rounding only.
	a := math.Pi * (x - float64(midleft))
	halfsina := 0.5 * math.Sin(a) // sin(π(midright-x)) is the same value
	return sincSide(y.v, midleft-1, -1, midleft-left+1, a, halfsina, x-float64(left)+1) +
		sincSide(y.v, midright-1, 1, right-midright+1, math.Pi-a, halfsina, float64(right)-x+1)
}

// sincSide sums count tapered-sinc terms of v starting at index start and
// stepping by step, for the phase a (π times the distance to the first
// sample, with ½·sin a given) and the taper span.
func sincSide(v []float64, start, step, count int, a, halfsina, span float64) float64 {
	s0, c0 := taperSincos(a / span) // the taper's angle at the first term
	sd, cd := taperSincos(math.Pi / span)
	sum := 0.0
	if useAVX2 && count >= 16 {
		var done int
		sum, done, a, c0, s0 = sincSideAVX2(v, start, step, count, a, halfsina, c0, s0, cd, sd)
		start += done * step
		count -= done
	}
	return sum + sincTerms(v, start, step, count, a, halfsina, c0, s0, cd, sd)
}

// sincTerms is the sum of sincSide from a term of even rank on, whose phase
// is a and taper angle has cosine c and sine s; cd and sd rotate the taper
// by one term.
func sincTerms(v []float64, ix, step, count int, a, halfsina, c, s, cd, sd float64) float64 {
	c0, s0 := c, s // even terms
	c1, s1 := c0*cd-s0*sd, s0*cd+c0*sd
	c2, s2 := cd*cd-sd*sd, 2*sd*cd // rotation by two steps
	var sum0, sum1 float64
	k := 0
	for ; k+1 < count; k += 2 {
		// One division serves both terms: 1/a = (a+π)·r and
		// 1/(a+π) = a·r with r = 1/(a·(a+π)). Division is the slowest
		// operation of the loop.
		b := a + math.Pi
		r := halfsina / (a * b)
		sum0 += v[ix] * (b * r * (1 + c0))
		sum1 += v[ix+step] * (-a * r * (1 + c1))
		a += 2 * math.Pi
		c0, s0 = c0*c2-s0*s2, c0*s2+s0*c2
		c1, s1 = c1*c2-s1*s2, c1*s2+s1*c2
		ix += 2 * step
	}
	if k < count {
		sum0 += v[ix] * (halfsina / a * (1 + c0))
	}
	return sum0 + sum1
}

// taperSincos is math.Sincos, by Taylor polynomials for |x| ≤ 1/8, where
// the first terms left out are below 1e-17 relative. The taper's angles
// are that small except near the ends of the lag range (a span of 700 or
// 70 samples gives π/700 or π/70), and each interpolation takes four of
// them, which math.Sincos made a third of its cost.
func taperSincos(x float64) (sin, cos float64) {
	if !(math.Abs(x) <= 0.125) {
		return math.Sincos(x)
	}
	const (
		s1, s2, s3, s4, s5     = -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800
		c1, c2, c3, c4, c5, c6 = -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600
	)
	x2 := x * x
	sin = x + x*x2*(s1+x2*(s2+x2*(s3+x2*(s4+x2*s5))))
	cos = 1 + x2*(c1+x2*(c2+x2*(c3+x2*(c4+x2*(c5+x2*c6)))))
	return sin, cos
}

// improveMaximum refines the maximum of y near the 1-based index ixmid with
// Brent's method on the sinc-interpolated curve, like Praat's
// NUMimproveMaximum with a sinc depth. It returns the position and value.
func improveMaximum(y symmetric, ixmid int, depth int) (x, value float64) {
	n := y.size()
	if ixmid <= 1 {
		return 1, y.y(1)
	}
	if ixmid >= n {
		return float64(n), y.y(n)
	}
	f := func(x float64) float64 { return -interpolateSinc(y, x, depth) }
	x, fx := minimizeBrent(f, float64(ixmid-1), float64(ixmid+1), 1e-10)
	return x, -fx
}

// newtonLastStep is the Newton step below which newtonMaximum stops.
const newtonLastStep = 1e-4

// newtonMaximum finds the maximum Praat's Brent search finds in
// [ixmid−1, ixmid+1], with Newton's method on the exact first and second
// derivatives of the sinc interpolant, starting from the parabola through
// the three samples around ixmid. Brent needs about 12 evaluations of the
// interpolant to reach its tolerance (≈ 1.5e-8 relative in x); Newton
// needs 2 or 3 passes, each about three times the cost of one evaluation,
// and lands closer to the maximum than Brent's tolerance. It gives up
// (ok false, and the caller runs Brent) whenever the answer could differ
// from Brent's: a curve that is not concave at an iterate, an iterate
// outside the bracket, an interpolation depth below 3 (where the
// interpolant is not a sinc), or no convergence in a few steps.
//
// Being exact is a difference where the maximum is read as a harmonicity:
// for a strongly periodic frame 1 − r is about 1e-6, the size of the loss
// Brent's stopping tolerance causes, so Praat's HNR there (≈ 53 dB for a
// clean sawtooth) reflects where Brent stopped and the true maximum gives
// ≈ 63 dB. Below 30 dB the cross-correlation's sinc-700 curve can also hold
// several maxima within the bracket, and Newton then finds another one than
// Brent (2 of 7 000 corpus frames moved by 0.6 and 0.8 %). Harmonicity
// therefore keeps Brent; the ac pitch, which reads the position and
// compares strengths only against costs of 0.01 and more, uses Newton.
func newtonMaximum(y symmetric, ixmid, depth int) (x, value float64, ok bool) {
	yl, y0, yr := y.y(ixmid-1), y.y(ixmid), y.y(ixmid+1)
	d2 := 2*y0 - yl - yr
	if !(d2 > 0) {
		return 0, 0, false
	}
	lo, hi := float64(ixmid-1), float64(ixmid+1)
	x = float64(ixmid) + 0.5*(yr-yl)/d2
	for range 8 {
		f, d1, d2, ok := sincDerivatives(y, x, depth)
		if !ok || !(d2 < 0) {
			return 0, 0, false
		}
		step := -d1 / d2
		next := x + step
		if !(next > lo && next < hi) {
			return 0, 0, false
		}
		if math.Abs(step) <= newtonLastStep {
			// Convergence is quadratic, so next is within about
			// |f”'/2f”|·step² ≲ 2e-8 samples of the maximum (the curve
			// is band-limited: each derivative is at most about π times
			// the previous one), well inside Brent's tolerance of
			// 1.5e-8·x ≥ 5e-6 samples here; the value there is f plus the
			// rise of the quadratic model, d1·step/2, exact to O(step³).
			return next, f + 0.5*d1*step, true
		}
		x = next
	}
	return 0, 0, false
}

// sincDerivatives evaluates interpolateSinc(y, x, maxDepth) and its first
// and second derivatives in x, for the tapered-sinc case only (ok false
// otherwise, or when x is a sample position, where the formula divides by
// zero). Each side's taper span depends on x as well, so its derivative is
// part of the result; see sincSideDerivatives.
func sincDerivatives(y symmetric, x float64, maxDepth int) (f, d1, d2 float64, ok bool) {
	n := y.size()
	if !(x > 1 && x < float64(n)) {
		return 0, 0, 0, false
	}
	midleft := int(math.Floor(x))
	midright := midleft + 1
	if x == float64(midleft) {
		return 0, 0, 0, false
	}
	maxDepth = min(maxDepth, midright-1, n-midleft)
	if maxDepth <= interpolateCubic {
		return 0, 0, 0, false
	}
	left := midright - maxDepth
	right := midleft + maxDepth
	a := math.Pi * (x - float64(midleft))
	sina, cosa := math.Sincos(a)
	lf, l1, l2 := sincSideDerivatives(y.v, midleft-1, -1, midleft-left+1, a, sina, cosa, x-float64(left)+1, 1)
	rf, r1, r2 := sincSideDerivatives(y.v, midright-1, 1, right-midright+1, math.Pi-a, sina, -cosa, float64(right)-x+1, -1)
	return lf + rf, l1 + r1, l2 + r2, true
}

// sincSideDerivatives sums, over count samples v[start], v[start+step], …,
// the terms v·½·q(u)·p(w) of one side of the interpolant and their first
// and second derivatives in x, where q(u) = sin u / u, p(w) = 1 + cos w,
// u = π·|x − sample| (u₀ = a for the first sample, sin u₀ and cos u₀ given)
// and w = u / span. On the left side (sigma = +1) u and the span grow with
// x; on the right (sigma = −1) both shrink. With w' = σ(π − w)/span and
// w” = −2(π − w)/span²:
//
//	(q·p)'  = σπ·q'·p + q·p'·w'
//	(q·p)” = π²·q”·p + 2σπ·q'·p'·w' + q·(p”·w'² + p'·w”)
func sincSideDerivatives(v []float64, start, step, count int, a, sina, cosa, span, sigma float64) (f, d1, d2 float64) {
	invSpan := 1 / span
	dw := math.Pi * invSpan
	w := a * invSpan
	sw, cw := taperSincos(w)
	sd, cd := taperSincos(dw)
	t := sincTerm{u: a, wx: (math.Pi - w) * invSpan, su: sina, cu: cosa, sw: sw, cw: cw}
	dwx := dw * invSpan
	var s derivativeSums
	if useAVX2 && count >= 8 {
		done := sincDerivativesAVX2(&s, &t, v, start, step, count, dwx, cd, sd)
		start += done * step
		count -= done
	}
	s.add(v, start, step, count, t, dwx, cd, sd)
	return s.derivatives(invSpan, sigma)
}

// derivatives combines the sums. They leave out the constant factors π,
// σπ and 2σπ, which multiply once here. With vq = v·q, vq1 = v·q' and
// pw = p'·w'/σ:
//
//	d1/σ = π·Σ vq1·p + Σ vq·pw
//	d2   = π²·Σ v·q”·p + 2π·Σ vq1·pw + Σ vq·(p”·w'² + p'·w”)
//
// where q” = −q − 2q'/u gives Σ v·q”·p = −f − 2·Σ vq1·p/u, and
// p”·w'² + p'·w” = −cos w·w'² − 2·pw/span.
func (s *derivativeSums) derivatives(invSpan, sigma float64) (f, d1, d2 float64) {
	d2 = math.Pi*math.Pi*(-s.f-2*s.q1pu) + 2*math.Pi*s.q1pw - s.qcw - 2*invSpan*s.qpw
	d1 = sigma * (math.Pi*s.q1p + s.qpw)
	return 0.5 * s.f, 0.5 * d1, 0.5 * d2
}

// sincTerm is where sincSideDerivatives stands at one term: u = π·|x −
// sample|, wx = (π − w)/span (the derivative of the taper angle w in x,
// without its sign σ), sin and cos of u, and of w.
type sincTerm struct{ u, wx, su, cu, sw, cw float64 }

// derivativeSums are the partial sums of sincSideDerivatives: Σ vq·p,
// Σ vq1·p, Σ vq1·p/u, Σ vq·pw, Σ vq1·pw and Σ vq·cos w·w'².
type derivativeSums struct{ f, q1p, q1pu, qpw, q1pw, qcw float64 }

// add adds count terms from v[ix] on, the first at t; from one term to the
// next wx falls by dwx, and cd and sd rotate the taper.
func (s *derivativeSums) add(v []float64, ix, step, count int, t sincTerm, dwx, cd, sd float64) {
	u, wx, su, cu, sw, cw := t.u, t.wx, t.su, t.cu, t.sw, t.cw
	for range count {
		inv := 1 / u
		q := su * inv
		q1 := (cu - q) * inv
		p := 1 + cw
		pw := -sw * wx
		val := v[ix]
		vq, vq1 := val*q, val*q1
		s.f += vq * p
		s.q1p += vq1 * p
		s.q1pu += vq1 * p * inv
		s.qpw += vq * pw
		s.q1pw += vq1 * pw
		s.qcw += vq * cw * wx * wx
		// sin u and cos u only alternate in sign from one term to the next
		u += math.Pi
		wx -= dwx
		su, cu = -su, -cu
		cw, sw = cw*cd-sw*sd, sw*cd+cw*sd
		ix += step
	}
}

// minimizeBrent is the golden-section/parabolic minimiser of Praat's
// NUMminimize_brent (after Keselyov's netlib fminbr), with the same first
// step, tolerances and iteration limit, so that it lands on the same point.
func minimizeBrent(f func(float64) float64, a, b, tol float64) (x, fx float64) {
	const golden = 1 - 0.618033988749894848
	sqrtEpsilon := math.Sqrt(2.220446049250313e-16)
	v := a + golden*(b-a)
	fv := f(v)
	x, w := v, v
	fx, fw := fv, fv
	for iter := 1; iter <= 60; iter++ {
		rng := b - a
		middle := (a + b) / 2
		tolAct := sqrtEpsilon*math.Abs(x) + tol/3
		if math.Abs(x-middle)+rng/2 <= 2*tolAct {
			return x, fx
		}
		var newStep float64
		if x < middle {
			newStep = golden * (b - x)
		} else {
			newStep = golden * (a - x)
		}
		if math.Abs(x-w) >= tolAct {
			t := (x - w) * (fx - fv)
			q := (x - v) * (fx - fw)
			p := (x-v)*q - (x-w)*t
			q = 2 * (q - t)
			if q > 0 {
				p = -p
			} else {
				q = -q
			}
			if math.Abs(p) < math.Abs(newStep*q) && p > q*(a-x+2*tolAct) && p < q*(b-x-2*tolAct) {
				newStep = p / q
			}
		}
		if math.Abs(newStep) < tolAct {
			if newStep > 0 {
				newStep = tolAct
			} else {
				newStep = -tolAct
			}
		}
		t := x + newStep
		ft := f(t)
		if ft <= fx {
			if t < x {
				b = x
			} else {
				a = x
			}
			v, w, x = w, x, t
			fv, fw, fx = fw, fx, ft
		} else {
			if t < x {
				a = t
			} else {
				b = t
			}
			if ft <= fw || w == x {
				v, w = w, t
				fv, fw = fw, ft
			} else if ft <= fv || v == x || v == w {
				v = t
				fv = ft
			}
		}
	}
	return x, fx
}

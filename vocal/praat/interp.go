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
	aa := a / span
	daa := math.Pi / span
	s0, c0 := math.Sincos(aa)  // even terms
	sd, cd := math.Sincos(daa) // one step
	c1, s1 := c0*cd-s0*sd, s0*cd+c0*sd
	c2, s2 := cd*cd-sd*sd, 2*sd*cd // rotation by two steps
	var sum0, sum1 float64
	ix := start
	k := 0
	for ; k+1 < count; k += 2 {
		sum0 += v[ix] * (halfsina / a * (1 + c0))
		sum1 += v[ix+step] * (-halfsina / (a + math.Pi) * (1 + c1))
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

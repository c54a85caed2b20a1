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
	midleft := int(math.Floor(x))
	midright := midleft + 1
	if n < 1 {
		return math.NaN()
	}
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
	result := 0.0
	// The taper's cosine is advanced by rotation rather than recomputed,
	// exactly as Praat does, so that rounding matches closely.
	a := math.Pi * (x - float64(midleft))
	halfsina := 0.5 * math.Sin(a)
	aa := a / (x - float64(left) + 1)
	daa := math.Pi / (x - float64(left) + 1)
	cosaa, sinaa := math.Cos(aa), math.Sin(aa)
	cosdaa, sindaa := math.Cos(daa), math.Sin(daa)
	for ix := midleft; ix >= left; ix-- {
		d := halfsina / a * (1 + cosaa)
		result += y.v[ix-1] * d
		a += math.Pi
		help := cosaa*cosdaa - sinaa*sindaa
		sinaa = cosaa*sindaa + sinaa*cosdaa
		cosaa = help
		halfsina = -halfsina
	}
	a = math.Pi * (float64(midright) - x)
	halfsina = 0.5 * math.Sin(a)
	aa = a / (float64(right) - x + 1)
	daa = math.Pi / (float64(right) - x + 1)
	cosaa, sinaa = math.Cos(aa), math.Sin(aa)
	cosdaa, sindaa = math.Cos(daa), math.Sin(daa)
	for ix := midright; ix <= right; ix++ {
		d := halfsina / a * (1 + cosaa)
		result += y.v[ix-1] * d
		a += math.Pi
		help := cosaa*cosdaa - sinaa*sindaa
		sinaa = cosaa*sindaa + sinaa*cosdaa
		cosaa = help
		halfsina = -halfsina
	}
	return result
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

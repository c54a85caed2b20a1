package praat

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSincDerivatives checks the analytic derivatives of the interpolant
// against central differences of interpolateSinc itself, at depths 70 and
// 700 and near the buffer's end where the depth shrinks with x.
func TestSincDerivatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	v := make([]float64, 641)
	for i := range v {
		v[i] = math.Sin(float64(i)*0.07) + 0.3*rng.NormFloat64()
	}
	y := symmetric{v: v, b: 320}
	for _, depth := range []int{interpolateSinc70, interpolateSinc700} {
		for range 200 {
			x := 5 + 630*rng.Float64()
			f, d1, d2, ok := sincDerivatives(y, x, depth)
			if !ok {
				t.Fatalf("depth %d, x %g: not evaluated", depth, x)
			}
			const h = 1e-4
			if math.Floor(x-h) != math.Floor(x+h) {
				continue // the interpolant is only piecewise smooth across samples
			}
			fm, f0, fp := interpolateSinc(y, x-h, depth), interpolateSinc(y, x, depth), interpolateSinc(y, x+h, depth)
			n1 := (fp - fm) / (2 * h)
			n2 := (fp - 2*f0 + fm) / (h * h)
			if math.Abs(f-f0) > 1e-12*(1+math.Abs(f0)) {
				t.Errorf("depth %d, x %g: value %g, interpolateSinc %g", depth, x, f, f0)
			}
			if math.Abs(d1-n1) > 1e-6*(1+math.Abs(n1)) {
				t.Errorf("depth %d, x %g: f' %g, numerically %g", depth, x, d1, n1)
			}
			if math.Abs(d2-n2) > 1e-3*(1+math.Abs(n2)) {
				t.Errorf("depth %d, x %g: f'' %g, numerically %g", depth, x, d2, n2)
			}
		}
	}
}

// TestNewtonMatchesBrent checks that where the Newton search answers, it
// finds the maximum Praat's Brent search finds, on random smooth curves.
func TestNewtonMatchesBrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	v := make([]float64, 641)
	answered := 0
	for trial := range 300 {
		period := 20 + 150*rng.Float64()
		for i := range v {
			v[i] = math.Cos(2*math.Pi*float64(i-320)/period) * math.Exp(-math.Abs(float64(i-320))/400)
			v[i] += 0.05 * rng.NormFloat64()
		}
		y := symmetric{v: v, b: 320}
		ixmid := 321 + int(math.Round(period))
		for ixmid > 2 && ixmid < 640 && (v[ixmid-2] > v[ixmid-1] || v[ixmid] > v[ixmid-1]) {
			if v[ixmid-2] > v[ixmid-1] {
				ixmid--
			} else {
				ixmid++
			}
		}
		for _, depth := range []int{interpolateSinc70, interpolateSinc700} {
			x, value, ok := newtonMaximum(y, ixmid, depth)
			if !ok {
				continue
			}
			answered++
			f := func(x float64) float64 { return -interpolateSinc(y, x, depth) }
			bx, bf := minimizeBrent(f, float64(ixmid-1), float64(ixmid+1), 1e-10)
			if math.Abs(x-bx) > 1e-5 || value < -bf-1e-12 || value-(-bf) > 1e-9 {
				t.Errorf("trial %d depth %d: Newton %.9f (%.12f), Brent %.9f (%.12f)", trial, depth, x, value, bx, -bf)
			}
		}
	}
	if answered < 500 {
		t.Errorf("Newton answered only %d of 600 searches", answered)
	}
}

// TestSincKernelsAgree checks the AVX2 sums of both sides of the
// interpolant, and of its derivatives, against the Go loops over the same
// terms. The lanes add the terms in another order and step the taper's
// rotation four or eight terms at a time, so they differ by rounding only.
func TestSincKernelsAgree(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 kernels on this machine or build")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	v := make([]float64, 1500)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	close := func(got, want, scale float64) bool { return math.Abs(got-want) <= 1e-13*scale }
	for trial := range 400 {
		count := 8 + rng.IntN(700)
		step := 1
		start := rng.IntN(len(v) - count)
		if trial%2 == 1 {
			step = -1
			start = count - 1 + rng.IntN(len(v)-count)
		}
		a := math.Pi * rng.Float64()
		span := float64(count) + rng.Float64()
		sina, cosa := math.Sincos(a)
		scale := 0.0 // Σ|v|: no sum can round to more than eps times it
		for k := range count {
			scale += math.Abs(v[start+step*k])
		}

		sd, cd := math.Sincos(math.Pi / span)
		s0, c0 := math.Sincos(a / span)
		want := sincTerms(v, start, step, count, a, 0.5*sina, c0, s0, cd, sd)
		if got := sincSide(v, start, step, count, a, 0.5*sina, span); count >= 16 && !close(got, want, scale) {
			t.Errorf("count %d step %d: sincSide %.17g, Go %.17g", count, step, got, want)
		}

		invSpan := 1 / span
		sw, cw := math.Sincos(a * invSpan)
		var ref derivativeSums
		wx := (math.Pi - a*invSpan) * invSpan
		ref.add(v, start, step, count, sincTerm{u: a, wx: wx, su: sina, cu: cosa, sw: sw, cw: cw}, math.Pi*invSpan*invSpan, cd, sd)
		f, d1, d2 := sincSideDerivatives(v, start, step, count, a, sina, cosa, span, 1)
		wf, w1, w2 := ref.derivatives(invSpan, 1)
		if !close(f, wf, scale) || !close(d1, w1, 10*scale) || !close(d2, w2, 100*scale) {
			t.Errorf("count %d step %d: derivatives %g %g %g, Go %g %g %g", count, step, f, d1, d2, wf, w1, w2)
		}
	}
}

// TestTaperSincos checks the polynomial sine and cosine against math.Sincos
// over and beyond their range.
func TestTaperSincos(t *testing.T) {
	for i := -2000; i <= 2000; i++ {
		x := 0.25 * float64(i) / 2000
		s, c := taperSincos(x)
		ws, wc := math.Sincos(x)
		if math.Abs(s-ws) > 2.3e-16*math.Abs(ws) || math.Abs(c-wc) > 2.3e-16 {
			t.Fatalf("x=%g: %.17g %.17g, math.Sincos %.17g %.17g", x, s, c, ws, wc)
		}
	}
}

package praat

import "math"

// fftPlan is an in-place iterative radix-2 complex FFT of one fixed size.
// go-dsp allocates on every call (about 100 µs for 2048 points); the pitch
// analysis runs one transform per 10 ms frame, so a reusable plan matters.
type fftPlan struct {
	n   int
	rev []int32
	twr []float64 // twiddles of every stage, contiguous: stage of size m starts at m/2-1
	twi []float64
}

func newFFTPlan(n int) *fftPlan {
	p := &fftPlan{n: n, rev: make([]int32, n), twr: make([]float64, n), twi: make([]float64, n)}
	bits := 0
	for 1<<bits < n {
		bits++
	}
	for i := range n {
		r := 0
		for b := range bits {
			if i&(1<<b) != 0 {
				r |= 1 << (bits - 1 - b)
			}
		}
		p.rev[i] = int32(r)
	}
	for m := 2; m <= n; m <<= 1 {
		half := m / 2
		for j := range half {
			a := -2 * math.Pi * float64(j) / float64(m)
			p.twr[half-1+j], p.twi[half-1+j] = math.Cos(a), math.Sin(a)
		}
	}
	return p
}

// forward transforms (re, im) in place with the e^{-2πi kn/N} kernel, unnormalised.
func (p *fftPlan) forward(re, im []float64) {
	n := p.n
	re, im = re[:n], im[:n]
	for i, r := range p.rev {
		if i < int(r) {
			re[i], re[r] = re[r], re[i]
			im[i], im[r] = im[r], im[i]
		}
	}
	// Stages of size 2 and 4 need no multiplications.
	for s := 0; s+3 < n; s += 4 {
		r0, i0 := re[s]+re[s+1], im[s]+im[s+1]
		r1, i1 := re[s]-re[s+1], im[s]-im[s+1]
		r2, i2 := re[s+2]+re[s+3], im[s+2]+im[s+3]
		r3, i3 := re[s+2]-re[s+3], im[s+2]-im[s+3]
		// second stage: twiddles 1 and -i
		re[s], im[s] = r0+r2, i0+i2
		re[s+2], im[s+2] = r0-r2, i0-i2
		re[s+1], im[s+1] = r1+i3, i1-r3
		re[s+3], im[s+3] = r1-i3, i1+r3
	}
	// The remaining stages go two at a time (sizes m and 2m in one pass
	// over the data), with a last single stage when their number is odd.
	m := 8
	for ; 2*m <= n; m <<= 2 {
		half := m >> 1
		w1r, w1i := p.twr[half-1:m-1], p.twi[half-1:m-1]
		w2r, w2i := p.twr[m-1:2*m-1], p.twi[m-1:2*m-1]
		for s := 0; s < n; s += 2 * m {
			r0, i0 := re[s:s+half], im[s:s+half]
			r1, i1 := re[s+half:s+m], im[s+half:s+m]
			r2, i2 := re[s+m:s+m+half], im[s+m:s+m+half]
			r3, i3 := re[s+m+half:s+2*m], im[s+m+half:s+2*m]
			for j := range half {
				wr, wi := w1r[j], w1i[j]
				tr := r1[j]*wr - i1[j]*wi
				ti := r1[j]*wi + i1[j]*wr
				a0r, a0i := r0[j]+tr, i0[j]+ti
				a1r, a1i := r0[j]-tr, i0[j]-ti
				tr = r3[j]*wr - i3[j]*wi
				ti = r3[j]*wi + i3[j]*wr
				a2r, a2i := r2[j]+tr, i2[j]+ti
				a3r, a3i := r2[j]-tr, i2[j]-ti
				wr, wi = w2r[j], w2i[j]
				tr = a2r*wr - a2i*wi
				ti = a2r*wi + a2i*wr
				r0[j], i0[j] = a0r+tr, a0i+ti
				r2[j], i2[j] = a0r-tr, a0i-ti
				wr, wi = w2r[j+half], w2i[j+half]
				tr = a3r*wr - a3i*wi
				ti = a3r*wi + a3i*wr
				r1[j], i1[j] = a1r+tr, a1i+ti
				r3[j], i3[j] = a1r-tr, a1i-ti
			}
		}
	}
	if m <= n {
		half := m >> 1
		wr, wi := p.twr[half-1:m-1], p.twi[half-1:m-1]
		for s := 0; s < n; s += m {
			ar, ai := re[s:s+half], im[s:s+half]
			br, bi := re[s+half:s+m], im[s+half:s+m]
			for j := range half {
				tr := br[j]*wr[j] - bi[j]*wi[j]
				ti := br[j]*wi[j] + bi[j]*wr[j]
				br[j] = ar[j] - tr
				bi[j] = ai[j] - ti
				ar[j] += tr
				ai[j] += ti
			}
		}
	}
}

// autocorrelator computes circular autocorrelations of two real frames at
// once: one complex FFT of a+ib yields both spectra, and because power
// spectra are real and even, a second forward FFT of Pa+iPb yields both
// autocorrelations (up to the common factor N, which callers normalise away).
type autocorrelator struct {
	plan   *fftPlan
	re, im []float64
}

func newAutocorrelator(n int) *autocorrelator {
	return &autocorrelator{plan: newFFTPlan(n), re: make([]float64, n), im: make([]float64, n)}
}

// run reads a and b (zero-padded to n by the caller) and writes their
// autocorrelations into ra and rb (length n). b may be nil.
func (ac *autocorrelator) run(a, b, ra, rb []float64) {
	n := ac.plan.n
	re, im := ac.re, ac.im
	copy(re, a)
	if b != nil {
		copy(im, b)
	} else {
		clear(im)
	}
	ac.plan.forward(re, im)
	// Split Y = A + iB: A[k] = (Y[k] + conj Y[n-k])/2, B[k] = (Y[k] - conj Y[n-k])/(2i).
	// |A[k]|² and |B[k]|² are what we need; compute them for k and n-k together.
	pa0 := re[0] * re[0]
	pb0 := im[0] * im[0]
	pah := re[n/2] * re[n/2]
	pbh := im[n/2] * im[n/2]
	for k := 1; k < n/2; k++ {
		yr, yi := re[k], im[k]
		zr, zi := re[n-k], im[n-k]
		ar, ai := 0.5*(yr+zr), 0.5*(yi-zi)
		br, bi := 0.5*(yi+zi), -0.5*(yr-zr)
		pa := ar*ar + ai*ai
		pb := br*br + bi*bi
		re[k], re[n-k] = pa, pa
		im[k], im[n-k] = pb, pb
	}
	re[0], im[0] = pa0, pb0
	re[n/2], im[n/2] = pah, pbh
	ac.plan.forward(re, im)
	copy(ra, re)
	if rb != nil {
		copy(rb, im)
	}
}

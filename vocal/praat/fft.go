package praat

import "math"

// fftPlan is an in-place iterative radix-2/radix-4 complex FFT of one fixed size.
// go-dsp allocates on every call (about 100 µs for 2048 points); the pitch
// analysis runs one transform per 10 ms frame, so a reusable plan matters.
type fftPlan struct {
	n   int
	rev []int32
	twr []float64 // twiddles of every stage, contiguous: stage of size m starts at m/2-1
	twi []float64
	// Cubed twiddles for the radix-4 passes: the pass that completes the
	// stages of sizes m and 2m uses e^{-2πi·3j/(2m)}, j < m/2, stored
	// contiguously from offset m/2-1 like twr.
	tw3r, tw3i []float64
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
	p.tw3r, p.tw3i = make([]float64, n), make([]float64, n)
	for m := 8; 2*m <= n; m <<= 2 {
		half := m / 2
		for j := range half {
			a := -2 * math.Pi * float64(3*j) / float64(2*m)
			p.tw3r[half-1+j], p.tw3i[half-1+j] = math.Cos(a), math.Sin(a)
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
	// over the data, a radix-4 butterfly with three complex multiplications
	// where two radix-2 stages take four), with a last single stage when
	// their number is odd. With w = e^{-2πij/(2m)}, A = x0, B = w²·x1,
	// C = w·x2 and D = w³·x3, the outputs are A+B ± (C+D) and
	// A−B ∓ i(C−D).
	m := 8
	for ; 2*m <= n; m <<= 2 {
		half := m >> 1
		w1r, w1i := p.twr[half-1:m-1], p.twi[half-1:m-1]
		w2r, w2i := p.twr[m-1:m-1+half], p.twi[m-1:m-1+half]
		w3r, w3i := p.tw3r[half-1:m-1], p.tw3i[half-1:m-1]
		for s := 0; s < n; s += 2 * m {
			r0, i0 := re[s:s+half], im[s:s+half]
			r1, i1 := re[s+half:s+m], im[s+half:s+m]
			r2, i2 := re[s+m:s+m+half], im[s+m:s+m+half]
			r3, i3 := re[s+m+half:s+2*m], im[s+m+half:s+2*m]
			for j := range half {
				ar, ai := r0[j], i0[j]
				br := r1[j]*w1r[j] - i1[j]*w1i[j]
				bi := r1[j]*w1i[j] + i1[j]*w1r[j]
				cr := r2[j]*w2r[j] - i2[j]*w2i[j]
				ci := r2[j]*w2i[j] + i2[j]*w2r[j]
				dr := r3[j]*w3r[j] - i3[j]*w3i[j]
				di := r3[j]*w3i[j] + i3[j]*w3r[j]
				pr, pi := ar+br, ai+bi
				qr, qi := ar-br, ai-bi
				sr, si := cr+dr, ci+di
				er, ei := cr-dr, ci-di
				r0[j], i0[j] = pr+sr, pi+si
				r2[j], i2[j] = pr-sr, pi-si
				r1[j], i1[j] = qr+ei, qi-er
				r3[j], i3[j] = qr-ei, qi+er
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

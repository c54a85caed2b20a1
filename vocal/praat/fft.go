package praat

import "math"

// fftPlan is an in-place iterative radix-2 complex FFT of one fixed size.
// go-dsp allocates on every call (about 100 µs for 2048 points); the pitch
// analysis runs one transform per 10 ms frame, so a reusable plan matters.
type fftPlan struct {
	n        int
	rev      []int
	cos, sin []float64 // twiddles e^{-2πik/n}, k < n/2
}

func newFFTPlan(n int) *fftPlan {
	p := &fftPlan{n: n, rev: make([]int, n), cos: make([]float64, n/2), sin: make([]float64, n/2)}
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
		p.rev[i] = r
	}
	for k := range n / 2 {
		a := -2 * math.Pi * float64(k) / float64(n)
		p.cos[k], p.sin[k] = math.Cos(a), math.Sin(a)
	}
	return p
}

// forward transforms (re, im) in place with the e^{-2πi kn/N} kernel, unnormalised.
func (p *fftPlan) forward(re, im []float64) {
	n := p.n
	for i, r := range p.rev {
		if i < r {
			re[i], re[r] = re[r], re[i]
			im[i], im[r] = im[r], im[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half := size >> 1
		step := n / size
		for start := 0; start < n; start += size {
			k := 0
			for j := start; j < start+half; j++ {
				wr, wi := p.cos[k], p.sin[k]
				l := j + half
				tr := re[l]*wr - im[l]*wi
				ti := re[l]*wi + im[l]*wr
				re[l] = re[j] - tr
				im[l] = im[j] - ti
				re[j] += tr
				im[j] += ti
				k += step
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

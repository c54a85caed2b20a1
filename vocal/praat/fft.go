package praat

import "math"

// fftPlan is an iterative radix-4 complex FFT of one fixed size (a power of
// two, at least 4), out of place. go-dsp allocates on every call (about
// 100 µs for 2048 points); the pitch analysis runs one transform per 10 ms
// frame, so a reusable plan matters.
//
// The first pass reads the input in bit-reversed order and does the stages
// of sizes 2 and 4 at once, so no separate permutation pass is needed; the
// remaining stages go two at a time (a radix-4 butterfly with three complex
// multiplications where two radix-2 stages take four), with a last radix-2
// stage when their number is odd. With AVX2 the same arithmetic runs four
// butterflies at a time in the same order (fft_amd64.s), so both give
// identical results unless the compiler fuses the Go code's multiply-adds,
// as it does with GOAMD64=v3.
type fftPlan struct {
	n int
	// blockStart[r] is where the four outputs of the first pass's r-th
	// 4-point transform go: 4·(r bit-reversed over log2(n/4) bits).
	blockStart []int32
	twr, twi   []float64 // twiddles of every stage, contiguous: stage of size m starts at m/2-1
	// Cubed twiddles for the radix-4 passes: the pass that completes the
	// stages of sizes m and 2m uses e^{-2πi·3j/(2m)}, j < m/2, stored
	// contiguously from offset m/2-1 like twr.
	tw3r, tw3i []float64
}

func newFFTPlan(n int) *fftPlan {
	if n < 4 || n&(n-1) != 0 {
		panic("praat: FFT size must be a power of two ≥ 4")
	}
	q := n / 4
	p := &fftPlan{n: n, blockStart: make([]int32, q), twr: make([]float64, n), twi: make([]float64, n)}
	bits := 0
	for 1<<bits < q {
		bits++
	}
	for r := range q {
		rev := 0
		for b := range bits {
			if r&(1<<b) != 0 {
				rev |= 1 << (bits - 1 - b)
			}
		}
		p.blockStart[r] = int32(4 * rev)
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

// transform writes the DFT of (srcRe, srcIm) into (re, im) with the
// e^{-2πi kn/N} kernel, unnormalised. The source is left alone and must not
// overlap the destination.
func (p *fftPlan) transform(re, im, srcRe, srcIm []float64) {
	n := p.n
	re, im, srcRe, srcIm = re[:n], im[:n], srcRe[:n], srcIm[:n]
	if useAVX2 && n >= 16 {
		p.transformAVX2(re, im, srcRe, srcIm)
	} else {
		p.transformGo(re, im, srcRe, srcIm)
	}
}

// transformGo is transform in Go, for slices cut to n.
func (p *fftPlan) transformGo(re, im, srcRe, srcIm []float64) {
	n := p.n
	p.firstPass(re, im, srcRe, srcIm)
	m := 8
	for ; 2*m <= n; m <<= 2 {
		p.radix4Pass(re, im, m)
	}
	if m <= n {
		p.radix2Pass(re, im, m)
	}
}

// firstPass does the stages of sizes 2 and 4: element r of each quarter of
// the source forms one 4-point transform, whose outputs land, in order, at
// blockStart[r] — where the bit-reversed ordering puts those four inputs.
func (p *fftPlan) firstPass(re, im, srcRe, srcIm []float64) {
	q := p.n / 4
	for r, s := range p.blockStart {
		x0r, x1r, x2r, x3r := srcRe[r], srcRe[r+q], srcRe[r+2*q], srcRe[r+3*q]
		x0i, x1i, x2i, x3i := srcIm[r], srcIm[r+q], srcIm[r+2*q], srcIm[r+3*q]
		ar, ai := x0r+x2r, x0i+x2i
		br, bi := x0r-x2r, x0i-x2i
		cr, ci := x1r+x3r, x1i+x3i
		dr, di := x1r-x3r, x1i-x3i
		o := re[s : s+4]
		o[0], o[1], o[2], o[3] = ar+cr, br+di, ar-cr, br-di
		o = im[s : s+4]
		o[0], o[1], o[2], o[3] = ai+ci, bi-dr, ai-ci, bi+dr
	}
}

// radix4Pass completes the stages of sizes m and 2m. With w = e^{-2πij/(2m)},
// A = x0, B = w²·x1, C = w·x2 and D = w³·x3, the outputs are A+B ± (C+D)
// and A−B ∓ i(C−D).
func (p *fftPlan) radix4Pass(re, im []float64, m int) {
	n := p.n
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

// radix2Pass does the stage of size m.
func (p *fftPlan) radix2Pass(re, im []float64, m int) {
	half := m >> 1
	wr, wi := p.twr[half-1:m-1], p.twi[half-1:m-1]
	for s := 0; s < p.n; s += m {
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

// autocorrelator computes circular autocorrelations of two real frames at
// once: one complex FFT of a+ib yields both spectra, and because power
// spectra are real and even, a second forward FFT of Pa+iPb yields both
// autocorrelations (up to the common factor N, which callers normalise away).
type autocorrelator struct {
	plan     *fftPlan
	re, im   []float64 // spectra, then autocorrelations
	pre, pim []float64 // power spectra
	zero     []float64 // the imaginary input when there is one frame
}

func newAutocorrelator(n int) *autocorrelator {
	return &autocorrelator{plan: newFFTPlan(n), re: make([]float64, n), im: make([]float64, n),
		pre: make([]float64, n), pim: make([]float64, n), zero: make([]float64, n)}
}

// run reads a and b (length n, zero-padded by the caller) and returns their
// autocorrelations, valid until the next call. b may be nil (rb is then
// meaningless).
func (ac *autocorrelator) run(a, b []float64) (ra, rb []float64) {
	n := ac.plan.n
	if b == nil {
		b = ac.zero
	}
	re, im := ac.re, ac.im
	ac.plan.transform(re, im, a, b)
	powerSpectra(ac.pre, ac.pim, re, im)
	ac.plan.transform(re, im, ac.pre, ac.pim)
	return re[:n], im[:n]
}

// powerSpectra splits the spectrum Y of a+ib into A[k] = (Y[k] + conj
// Y[n−k])/2 and B[k] = (Y[k] − conj Y[n−k])/(2i) and writes |A|² into pa
// and |B|² into pb.
func powerSpectra(pa, pb, re, im []float64) {
	n := len(re)
	pa, pb, im = pa[:n], pb[:n], im[:n]
	pa[0], pb[0] = re[0]*re[0], im[0]*im[0]
	pa[n/2], pb[n/2] = re[n/2]*re[n/2], im[n/2]*im[n/2]
	for k := 1; k < n/2; k++ {
		yr, yi := re[k], im[k]
		zr, zi := re[n-k], im[n-k]
		ar, ai := 0.5*(yr+zr), 0.5*(yi-zi)
		br, bi := 0.5*(yi+zi), -0.5*(yr-zr)
		p := ar*ar + ai*ai
		q := br*br + bi*bi
		pa[k], pa[n-k] = p, p
		pb[k], pb[n-k] = q, q
	}
}
